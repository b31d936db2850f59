/**
 * 编辑档案: an admin or manager changes a caller's record from the caller card (PATCH
 * /api/v1/residents/{id}): name, birth year, phone (admins only: other roles read it masked),
 * emergency contact, preferred channel, and a move (a new address, or moved out of the community).
 * Only the fields changed are sent, with the `updatedAt` read; a server error shows next to the
 * field it names, else at the top, and a change made meanwhile offers to reload the record.
 */
import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { Alert, Button, Checkbox, Col, Form, Input, Modal, Row, Select, Typography } from 'antd';
import { api, ApiError, errorText } from '../../lib/api.ts';
import { residentDataFileName, saveJson } from '../../lib/download.ts';
import { labels } from '../../lib/i18n.ts';
import type { MessageKey } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { ResidentDetail } from '../../lib/types.ts';
import { useReturnFocus } from '../shared/return-focus.ts';

interface RecordValues {
  name: string;
  birthYear: string;
  phone: string;
  contactName: string;
  contactPhone: string;
  preferredChannel: string;
  address: string;
  movedAway: boolean;
}

type Field = Exclude<keyof RecordValues, 'movedAway'>;

/** The channels a record may name (PATCH accepts these; '' is 不指定, sent as null). */
const CHANNELS: { value: string; label: MessageKey }[] = [
  { value: '', label: 'preferredChannelNone' },
  { value: 'inapp', label: 'preferredChannelInapp' },
  { value: 'sms', label: 'preferredChannelSms' },
  { value: 'wechat', label: 'preferredChannelWechat' },
];

/** What a form rule says about a field: shown when the server refuses the field's value as invalid. */
const RULE_TEXT: Partial<Record<Field, MessageKey>> = {
  name: 'personNameRequired',
  birthYear: 'birthYearRule',
  phone: 'phoneInvalid',
  contactPhone: 'contactPhoneRule',
  address: 'newAddressRule',
};

const MOBILE = /^1[3-9]\d{9}$/;
const CONTACT_PHONE = /^[\d-]{7,20}$/;

function valuesOf(r: ResidentDetail): RecordValues {
  return {
    name: r.name,
    birthYear: r.birthYear === null ? '' : String(r.birthYear),
    phone: r.phone ?? '',
    contactName: r.emergencyContact?.name ?? '',
    contactPhone: r.emergencyContact?.phone ?? '',
    preferredChannel: r.preferredChannel ?? '',
    address: '',
    movedAway: false,
  };
}

/** The body of the PATCH: the fields that changed (an empty text clears the field). */
function patchOf(r: ResidentDetail, v: RecordValues, editPhone: boolean): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const name = v.name.trim();
  if (name !== r.name) patch.name = name;
  const year = v.birthYear.trim() ? Number(v.birthYear.trim()) : null;
  if (year !== r.birthYear) patch.birthYear = year;
  if (editPhone) {
    const phone = v.phone.trim() || null;
    if (phone !== r.phone) patch.phone = phone;
  }
  const before = r.emergencyContact ?? { name: null, phone: null };
  const contactName = v.contactName.trim() || null;
  const contactPhone = v.contactPhone.trim() || null;
  if (contactName === null && contactPhone === null) {
    if (before.name !== null || before.phone !== null) patch.emergencyContact = null;
  } else {
    // Only the half that changed: the server keeps the other (a masked number is never sent back).
    const contact: Record<string, string | null> = {};
    if (contactName !== before.name) contact.name = contactName;
    if (contactPhone !== before.phone) contact.phone = contactPhone;
    if (Object.keys(contact).length) patch.emergencyContact = contact;
  }
  const channel = v.preferredChannel || null;
  if (channel !== r.preferredChannel) patch.preferredChannel = channel;
  if (v.movedAway) {
    if (r.household) patch.home = null;
  } else {
    const address = v.address.trim();
    if (address && address !== r.household?.address) patch.home = { address };
  }
  return patch;
}

/** The form field a server error names (`details.field`), if the form shows it. */
function fieldOf(apiField: string | undefined, editPhone: boolean): Field | undefined {
  if (!apiField) return undefined;
  if (apiField === 'name' || apiField === 'birthYear' || apiField === 'preferredChannel') return apiField;
  if (apiField === 'phone') return editPhone ? 'phone' : undefined;
  if (apiField === 'emergencyContact.phone') return 'contactPhone';
  if (apiField === 'emergencyContact' || apiField.startsWith('emergencyContact.')) return 'contactName';
  if (apiField === 'home' || apiField.startsWith('home.')) return 'address';
  return undefined;
}

/** Why a record is erased (the API's codes). */
const ERASE_REASONS = [
  'resident_request',
  'consent_withdrawn',
  'deceased',
  'moved_away',
  'duplicate_record',
  'purpose_fulfilled',
] as const;

export function EditResidentDialog({
  caller,
  editPhone,
  canErase = false,
  onClose,
  onSaved,
  onErased,
}: {
  caller: ResidentDetail;
  /** Whether the phone is shown and sent (admins: other roles read it masked and may not change it). */
  editPhone: boolean;
  /** Whether the viewer erases personal data (admins). */
  canErase?: boolean;
  onClose: () => void;
  /** The record as the server answered a change or a reload. */
  onSaved: (r: ResidentDetail, closed: boolean) => void;
  /** The tombstone after an erasure, and how many orders were anonymised. */
  onErased?: (r: ResidentDetail, orders: number) => void;
}) {
  useReturnFocus();
  const { t, lang } = useSettings();
  const [form] = Form.useForm<RecordValues>();
  const [record, setRecord] = useState(caller);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<{ field: Field; text: string } | null>(null);
  const [stale, setStale] = useState(false);
  const reloadRef = useRef<HTMLButtonElement>(null);
  const [erasing, setErasing] = useState(false);
  const [reason, setReason] = useState<(typeof ERASE_REASONS)[number]>('resident_request');
  const eraseReasonRef = useRef<HTMLDivElement>(null);
  const [copying, setCopying] = useState(false);
  // A stale record: the keyboard goes to 重新载入 once it is on screen (a frame later could be too early).
  useEffect(() => {
    if (stale) reloadRef.current?.focus();
  }, [stale]);
  const movedAway = Form.useWatch('movedAway', form) ?? false;
  const initial = valuesOf(record);

  // A value the record already holds passes as it is (a masked number the viewer did not touch).
  const unchangedOr =
    (field: Field, test: (s: string) => boolean, text: MessageKey) =>
    async (_: unknown, value: string | undefined) => {
      const s = (value ?? '').trim();
      if (s === '' || s === initial[field] || test(s)) return;
      throw new Error(t(text));
    };
  const thisYear = new Date().getFullYear();

  /** Where a server error shows: next to its field (which takes the focus), else at the top. */
  function showError(err: unknown) {
    if (err instanceof ApiError && err.code === 'version_conflict') {
      setStale(true);
      return;
    }
    const field = err instanceof ApiError ? fieldOf(err.field, editPhone) : undefined;
    if (field && err instanceof ApiError) {
      const invalid = err.code === 'validation_failed' || err.code === 'invalid_input';
      const rule = RULE_TEXT[field];
      setFieldError({ field, text: invalid && rule ? t(rule) : errorText(err, lang) });
      requestAnimationFrame(() => form.focusField(field));
      return;
    }
    setError(errorText(err, lang));
  }

  async function save(v: RecordValues) {
    setError(null);
    setFieldError(null);
    const patch = patchOf(record, v, editPhone);
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    try {
      const saved = await api<ResidentDetail>(`/api/v1/residents/${encodeURIComponent(record.id)}`, {
        method: 'PATCH',
        body: { ...patch, updatedAt: record.updatedAt },
      });
      onSaved(saved, true);
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  }

  /** A copy of the resident's data for them, saved as a file (at the window, for whom has no phone app). */
  async function downloadCopy() {
    setCopying(true);
    setError(null);
    try {
      const copy = await api<{ exportedAt: string }>(
        `/api/v1/residents/${encodeURIComponent(record.id)}/data`,
      );
      saveJson(copy, residentDataFileName(copy.exportedAt));
    } catch (err) {
      showError(err);
    } finally {
      setCopying(false);
    }
  }

  /** Erases the record's personal data (after the second, explicit confirmation). */
  async function erase() {
    setBusy(true);
    setError(null);
    try {
      const report = await api<{ orders: number }>(
        `/api/v1/residents/${encodeURIComponent(record.id)}/erase`,
        { method: 'POST', body: { reason, updatedAt: record.updatedAt } },
      );
      const tomb = await api<ResidentDetail>(`/api/v1/residents/${encodeURIComponent(record.id)}`);
      onErased?.(tomb, report.orders);
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  }

  async function reload() {
    setBusy(true);
    setError(null);
    setFieldError(null);
    try {
      const fresh = await api<ResidentDetail>(`/api/v1/residents/${encodeURIComponent(record.id)}`);
      setRecord(fresh);
      setStale(false);
      form.setFieldsValue(valuesOf(fresh));
      onSaved(fresh, false);
      requestAnimationFrame(() => form.focusField('name'));
    } catch (err) {
      setError(errorText(err, lang));
    } finally {
      setBusy(false);
    }
  }

  /**
   * The console's shortcuts stay out of the dialog, Alt+S (SOS) too: in a form Alt+S reads as
   * "save", and pressed twice it filed an emergency for the resident being edited. Ctrl+Enter
   * saves the dialog.
   */
  function keys(e: KeyboardEvent<HTMLDivElement>) {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      form.submit();
    } else if (e.altKey && ['n', 'p', 'd', 's'].includes(e.key.toLowerCase())) e.stopPropagation();
  }

  /** The Form.Item props that show the server's error on `field`. */
  const served = (field: Field) =>
    fieldError?.field === field
      ? {
          validateStatus: 'error' as const,
          help: (
            <span role="alert" data-server-error={field}>
              {fieldError.text}
            </span>
          ),
        }
      : {};
  const invalid = (field: Field) => (fieldError?.field === field ? { 'aria-invalid': true } : {});

  const channels = CHANNELS.map((c) => ({ value: c.value, label: t(c.label) }));
  // A channel set elsewhere (an import, the hotline) is kept and shown as it is.
  if (record.preferredChannel && !channels.some((c) => c.value === record.preferredChannel))
    channels.push({ value: record.preferredChannel, label: labels.channel(lang, record.preferredChannel) });

  return (
    <Modal
      open
      title={t('editRecordTitle', { name: record.name })}
      onCancel={onClose}
      maskClosable={false}
      // The keyboard starts on the first field (unless a field has the focus already).
      afterOpenChange={(open) => {
        if (open && !document.getElementById('resident-edit-form')?.contains(document.activeElement))
          form.focusField('name');
      }}
      okText={t('save')}
      cancelText={t('cancel')}
      okButtonProps={{ htmlType: 'submit', form: 'resident-edit-form', loading: busy, disabled: stale }}
      width={560}
    >
      <div onKeyDown={keys}>
        <Form<RecordValues>
          id="resident-edit-form"
          name="resident-edit"
          form={form}
          layout="vertical"
          validateTrigger="onChange"
          requiredMark
          initialValues={initial}
          scrollToFirstError={{ focus: true }}
          onValuesChange={(changed: Partial<RecordValues>) => {
            if (fieldError && fieldError.field in changed) setFieldError(null);
            if ('movedAway' in changed && fieldError?.field === 'address') setFieldError(null);
          }}
          onFinish={(v) => void save(v)}
        >
          <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
            {t('recordShortcuts')}
          </Typography.Paragraph>
          {stale && (
            <Alert
              type="warning"
              showIcon
              role="alert"
              style={{ marginBottom: 12 }}
              message={t('recordChanged')}
              action={
                <Button ref={reloadRef} size="small" onClick={() => void reload()} loading={busy}>
                  {t('reloadRecord')}
                </Button>
              }
            />
          )}
          {error && <Alert type="error" showIcon role="alert" message={error} style={{ marginBottom: 12 }} />}
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item
                name="name"
                label={t('personName')}
                htmlFor="resident-edit-name"
                rules={[{ required: true, whitespace: true, message: t('personNameRequired') }]}
                {...served('name')}
              >
                <Input id="resident-edit-name" maxLength={100} autoComplete="off" {...invalid('name')} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item
                name="birthYear"
                label={t('birthYear')}
                htmlFor="resident-edit-birth-year"
                rules={[
                  {
                    validator: unchangedOr(
                      'birthYear',
                      (s) => /^\d{4}$/.test(s) && Number(s) >= 1900 && Number(s) <= thisYear,
                      'birthYearRule',
                    ),
                  },
                ]}
                {...served('birthYear')}
              >
                <Input
                  id="resident-edit-birth-year"
                  inputMode="numeric"
                  maxLength={4}
                  autoComplete="off"
                  {...invalid('birthYear')}
                />
              </Form.Item>
            </Col>
          </Row>
          {editPhone && (
            <Form.Item
              name="phone"
              label={t('phone')}
              htmlFor="resident-edit-phone"
              rules={[{ validator: unchangedOr('phone', (s) => MOBILE.test(s), 'phoneInvalid') }]}
              {...served('phone')}
            >
              <Input
                id="resident-edit-phone"
                inputMode="tel"
                maxLength={11}
                autoComplete="off"
                {...invalid('phone')}
              />
            </Form.Item>
          )}
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item
                name="contactName"
                label={t('contactName')}
                htmlFor="resident-edit-contact-name"
                {...served('contactName')}
              >
                <Input
                  id="resident-edit-contact-name"
                  maxLength={100}
                  autoComplete="off"
                  {...invalid('contactName')}
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item
                name="contactPhone"
                label={t('contactPhone')}
                htmlFor="resident-edit-contact-phone"
                rules={[
                  {
                    validator: unchangedOr(
                      'contactPhone',
                      (s) => CONTACT_PHONE.test(s) && s.replace(/-/g, '').length >= 7,
                      'contactPhoneRule',
                    ),
                  },
                ]}
                {...served('contactPhone')}
              >
                <Input
                  id="resident-edit-contact-phone"
                  inputMode="tel"
                  maxLength={20}
                  autoComplete="off"
                  {...invalid('contactPhone')}
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            name="preferredChannel"
            label={t('preferredChannel')}
            htmlFor="resident-edit-channel"
            {...served('preferredChannel')}
          >
            <Select id="resident-edit-channel" options={channels} {...invalid('preferredChannel')} />
          </Form.Item>
          <fieldset className="form-section">
            <legend>{t('moveSection')}</legend>
            <Form.Item
              name="address"
              label={t('newAddress')}
              htmlFor="resident-edit-address"
              extra={
                record.household ? t('addressNow', { address: record.household.address }) : t('addressNone')
              }
              rules={[{ max: 300, message: t('newAddressRule') }]}
              {...served('address')}
            >
              <Input
                id="resident-edit-address"
                maxLength={300}
                autoComplete="off"
                disabled={movedAway}
                {...invalid('address')}
              />
            </Form.Item>
            {record.household && (
              <Form.Item name="movedAway" valuePropName="checked" style={{ marginBottom: 0 }}>
                <Checkbox id="resident-edit-moved-away">{t('movedAway')}</Checkbox>
              </Form.Item>
            )}
          </fieldset>
          {canErase && (
            <fieldset className="form-section">
              <legend>{t('copySection')}</legend>
              <Typography.Paragraph type="secondary" id="resident-copy-explain">
                {t('copyExplain')}
              </Typography.Paragraph>
              <Button
                aria-describedby="resident-copy-explain"
                loading={copying}
                disabled={stale}
                onClick={() => void downloadCopy()}
              >
                {t('copyDownload')}
              </Button>
            </fieldset>
          )}
          {canErase && (
            <fieldset className="form-section">
              <legend>{t('eraseSection')}</legend>
              <Typography.Paragraph type="secondary" id="resident-erase-explain">
                {t('eraseExplain')}
              </Typography.Paragraph>
              {!erasing ? (
                <Button
                  danger
                  aria-describedby="resident-erase-explain"
                  onClick={() => {
                    setErasing(true);
                    requestAnimationFrame(() =>
                      eraseReasonRef.current?.querySelector<HTMLInputElement>('input')?.focus(),
                    );
                  }}
                  disabled={stale}
                >
                  {t('eraseStart')}
                </Button>
              ) : (
                <div
                  ref={eraseReasonRef}
                  style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'center' }}
                >
                  <label htmlFor="resident-erase-reason">{t('eraseReason')}</label>
                  <Select
                    id="resident-erase-reason"
                    style={{ minWidth: 180 }}
                    value={reason}
                    onChange={(v) => setReason(v)}
                    options={ERASE_REASONS.map((r) => ({ value: r, label: t(`eraseReason_${r}`) }))}
                  />
                  <Button
                    danger
                    type="primary"
                    loading={busy}
                    disabled={stale}
                    aria-describedby="resident-erase-explain"
                    onClick={() => void erase()}
                  >
                    {t('eraseConfirm', { name: record.name })}
                  </Button>
                  <Button onClick={() => setErasing(false)}>{t('cancel')}</Button>
                </div>
              )}
            </fieldset>
          )}
        </Form>
      </div>
    </Modal>
  );
}
