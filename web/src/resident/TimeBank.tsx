/**
 * 时间银行: the resident's time balance, service awaiting their confirmation, recording their own
 * volunteer service, giving minutes to a neighbour or parent, and the statement of their account.
 */
import { useRef, useState } from 'react';
import { Button, Form, Input, List, Tag, TextArea } from 'antd-mobile';
import { api, ApiError, newKey } from '../lib/api.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Page } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { focusFirstInvalid } from '../mobile/form-errors.ts';
import { confirmDialog, toast } from '../mobile/feedback.ts';
import { TimeBankHistory } from './TimeBankHistory.tsx';

interface Account {
  balance: number;
  pendingMinutes: number;
}

export interface ServiceRecord {
  id: string;
  volunteer: { id: string; name: string };
  beneficiary: { id: string; name: string } | null;
  minutes: number;
  serviceDate: string;
  description: string;
  status: 'pending' | 'verified' | 'rejected' | 'reversed';
  version: number;
  rejectReason: string | null;
  allowed: ('verify' | 'reject')[];
}

const STATUS_COLOR: Record<ServiceRecord['status'], string> = {
  pending: '#ad4e00',
  verified: '#237804',
  rejected: '#595959',
  // Credited, then taken back by a reversal (冲正): the reason is in the statement.
  reversed: '#531dab',
};
const PHONE = /^1[3-9]\d{9}$/;

/** Today on the phone's calendar, YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Shows a refusal under its field when the server names one the form has, else as a toast. */
function refuse(
  form: ReturnType<typeof Form.useForm>[0],
  fields: readonly string[],
  err: unknown,
  rename: Record<string, string> = {},
) {
  if (err instanceof ApiError && err.field) {
    const name = rename[err.field] ?? err.field;
    if (fields.includes(name)) {
      form.setFields([{ name, errors: [err.message] }]);
      focusFirstInvalid();
      return;
    }
  }
  toast(err instanceof Error ? err.message : String(err), 'error');
}

function ToConfirm({ records, onDone }: { records: ServiceRecord[]; onDone: () => void }) {
  const { t } = useSettings();
  const [busy, setBusy] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  if (records.length === 0) return null;

  async function decide(r: ServiceRecord, decision: 'verify' | 'reject') {
    setBusy(r.id);
    try {
      await api(`/api/v1/time-bank/records/${r.id}/${decision}`, {
        body: decision === 'verify' ? { version: r.version } : { version: r.version, reason },
      });
      toast(decision === 'verify' ? t('tbConfirmed') : t('tbRejected'), 'success');
      setRejecting(null);
      setReason('');
      onDone();
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="h5-section" aria-labelledby="tb-confirm-title">
      <h2 id="tb-confirm-title">{t('tbToConfirm')}</h2>
      <p className="order-meta">{t('tbToConfirmHint')}</p>
      <List>
        {records.map((r) => (
          <List.Item
            key={r.id}
            description={`${r.volunteer.name} · ${r.serviceDate} · ${t('tbMinutes', { n: r.minutes })}`}
          >
            {r.description}
            {rejecting === r.id && (
              <div style={{ marginTop: 8 }}>
                <label htmlFor={`tb-reason-${r.id}`}>{t('tbRejectReason')}</label>
                <TextArea
                  id={`tb-reason-${r.id}`}
                  value={reason}
                  onChange={setReason}
                  maxLength={500}
                  rows={2}
                />
              </div>
            )}
            <div className="tb-actions">
              <Button
                color="primary"
                loading={busy === r.id}
                onClick={() => void decide(r, 'verify')}
                disabled={busy !== null}
              >
                {t('tbConfirm')}
              </Button>
              <Button
                fill="outline"
                disabled={busy !== null || (rejecting === r.id && !reason.trim())}
                onClick={() => (rejecting === r.id ? void decide(r, 'reject') : setRejecting(r.id))}
              >
                {t('tbRejectAction')}
              </Button>
            </div>
          </List.Item>
        ))}
      </List>
    </section>
  );
}

interface RecordValues {
  minutes: string;
  serviceDate: string;
  description: string;
  beneficiaryPhone: string;
}

function RecordService({ onDone }: { onDone: () => void }) {
  const { t } = useSettings();
  const [form] = Form.useForm<RecordValues>();
  const [busy, setBusy] = useState(false);

  async function submit(v: RecordValues) {
    setBusy(true);
    try {
      await api('/api/v1/time-bank/records', {
        body: {
          minutes: Number(v.minutes),
          serviceDate: v.serviceDate,
          description: v.description.trim(),
          ...(v.beneficiaryPhone?.trim() ? { beneficiaryPhone: v.beneficiaryPhone.trim() } : {}),
        },
      });
      toast(t('tbRecorded'), 'success');
      form.resetFields();
      onDone();
    } catch (err) {
      refuse(form, ['minutes', 'serviceDate', 'description', 'beneficiaryPhone'], err, {
        beneficiaryId: 'beneficiaryPhone',
      });
    } finally {
      setBusy(false);
    }
  }

  const whole = (max: number) => ({
    validator: (_: unknown, v: string) =>
      /^\d+$/.test(v ?? '') && Number(v) >= 1 && Number(v) <= max
        ? Promise.resolve()
        : Promise.reject(new Error(t('tbRecordMinutes'))),
  });

  return (
    <section className="h5-section" aria-labelledby="tb-record-title">
      <h2 id="tb-record-title">{t('tbRecordTitle')}</h2>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ minutes: '60', serviceDate: today(), description: '', beneficiaryPhone: '' }}
        onFinish={(v: RecordValues) => void submit(v)}
        onFinishFailed={() => focusFirstInvalid()}
        footer={
          <Button block type="submit" color="primary" size="large" loading={busy}>
            {t('tbRecordSubmit')}
          </Button>
        }
      >
        <Form.Item
          name="description"
          label={<label htmlFor="tb-description">{t('tbRecordWhat')}</label>}
          rules={[{ required: true, whitespace: true, message: t('tbRecordWhat') }]}
        >
          <TextArea id="tb-description" placeholder={t('tbRecordWhatPlaceholder')} maxLength={500} rows={2} />
        </Form.Item>
        <Form.Item
          name="minutes"
          label={<label htmlFor="tb-minutes">{t('tbRecordMinutes')}</label>}
          rules={[whole(600)]}
        >
          <Input id="tb-minutes" inputMode="numeric" />
        </Form.Item>
        <Form.Item
          name="serviceDate"
          label={<label htmlFor="tb-date">{t('tbRecordDate')}</label>}
          rules={[{ required: true, message: t('tbRecordDate') }]}
        >
          <Input id="tb-date" type="date" />
        </Form.Item>
        <Form.Item
          name="beneficiaryPhone"
          label={<label htmlFor="tb-for">{t('tbRecordFor')}</label>}
          rules={[{ pattern: PHONE, message: t('tbTransferTo') }]}
        >
          <Input id="tb-for" type="tel" inputMode="numeric" maxLength={11} />
        </Form.Item>
      </Form>
    </section>
  );
}

interface TransferValues {
  toPhone: string;
  minutes: string;
  memo: string;
}

function GiveTime({ balance, onDone }: { balance: number; onDone: () => void }) {
  const { t } = useSettings();
  const [form] = Form.useForm<TransferValues>();
  const [busy, setBusy] = useState(false);
  // One key per transfer the resident means: a retry after a lost answer is not a second gift.
  const key = useRef<string | null>(null);

  async function submit(v: TransferValues) {
    const n = Number(v.minutes);
    const ok = await confirmDialog({
      content: t('tbTransferConfirm', { n, phone: v.toPhone }),
      confirmText: t('tbTransferSubmit'),
      cancelText: t('cancel'),
    });
    if (!ok) return;
    key.current ??= newKey();
    setBusy(true);
    try {
      const r = await api<{ balance: number }>('/api/v1/time-bank/transfers', {
        body: { toPhone: v.toPhone, minutes: n, ...(v.memo?.trim() ? { memo: v.memo.trim() } : {}) },
        headers: { 'idempotency-key': key.current },
      });
      key.current = null;
      toast(t('tbTransferred', { n, b: r.balance }), 'success');
      form.resetFields();
      onDone();
    } catch (err) {
      // A refusal is final for this key: the next attempt is a new request.
      if (err instanceof ApiError) key.current = null;
      if (err instanceof ApiError && err.code === 'insufficient_balance')
        form.setFields([{ name: 'minutes', errors: [err.message] }]);
      else refuse(form, ['toPhone', 'minutes', 'memo'], err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="h5-section" aria-labelledby="tb-give-title">
      <h2 id="tb-give-title">{t('tbTransferTitle')}</h2>
      <p className="order-meta">{t('tbTransferHint')}</p>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ toPhone: '', minutes: '', memo: '' }}
        onFinish={(v: TransferValues) => void submit(v)}
        onFinishFailed={() => focusFirstInvalid()}
        onValuesChange={() => (key.current = null)}
        footer={
          <Button block type="submit" color="primary" size="large" loading={busy} disabled={balance <= 0}>
            {t('tbTransferSubmit')}
          </Button>
        }
      >
        <Form.Item
          name="toPhone"
          label={<label htmlFor="tb-to">{t('tbTransferTo')}</label>}
          rules={[{ required: true, pattern: PHONE, message: t('tbTransferTo') }]}
        >
          <Input id="tb-to" type="tel" inputMode="numeric" maxLength={11} />
        </Form.Item>
        <Form.Item
          name="minutes"
          label={<label htmlFor="tb-give-minutes">{t('tbTransferMinutes')}</label>}
          rules={[
            {
              validator: (_: unknown, v: string) =>
                /^\d+$/.test(v ?? '') && Number(v) >= 1
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('tbTransferMinutes'))),
            },
          ]}
        >
          <Input id="tb-give-minutes" inputMode="numeric" />
        </Form.Item>
        <Form.Item name="memo" label={<label htmlFor="tb-memo">{t('tbTransferMemo')}</label>}>
          <Input id="tb-memo" maxLength={200} />
        </Form.Item>
      </Form>
    </section>
  );
}

function MyRecords({ records }: { records: ServiceRecord[] }) {
  const { t } = useSettings();
  return (
    <section className="h5-section" aria-labelledby="tb-records-title">
      <h2 id="tb-records-title">{t('tbMyRecords')}</h2>
      {records.length === 0 ? (
        <p className="order-meta">{t('tbNoRecords')}</p>
      ) : (
        <List>
          {records.map((r) => (
            <List.Item
              key={r.id}
              description={`${r.serviceDate} · ${t('tbMinutes', { n: r.minutes })}${r.rejectReason ? ` · ${r.rejectReason}` : ''}`}
              extra={<Tag color={STATUS_COLOR[r.status]}>{t(`tbStatus_${r.status}` as MessageKey)}</Tag>}
            >
              {r.description}
            </List.Item>
          ))}
        </List>
      )}
    </section>
  );
}

export function TimeBank({ me }: { me: { id: string } }) {
  const { t, lang } = useSettings();
  usePageTitle(t('timeBank'));
  const account = useLoad((signal) => api<Account>('/api/v1/time-bank/me', { signal }), []);
  const records = useLoad(
    (signal) => api<Page<ServiceRecord>>('/api/v1/time-bank/records?limit=50', { signal }),
    [],
  );
  const [historyKey, setHistoryKey] = useState(0);
  const refresh = () => {
    account.reload();
    records.reload();
    setHistoryKey((k) => k + 1);
  };
  const all = records.data?.items ?? [];
  const toConfirm = all.filter((r) => r.beneficiary?.id === me.id && r.allowed.includes('verify'));
  const mine = all.filter((r) => r.volunteer.id === me.id);
  const balance = account.data?.balance ?? 0;

  return (
    <>
      <section className="h5-section" aria-labelledby="tb-title">
        <h1 id="tb-title">{t('timeBank')}</h1>
        {account.error ? (
          <p className="field-error" role="alert">
            {account.error.message}{' '}
            <Button size="mini" onClick={account.reload}>
              {t('retry')}
            </Button>
          </p>
        ) : (
          <div className="tb-balance" aria-live="polite">
            <span>{t('tbBalance')}</span>
            <strong>{account.data ? t('tbMinutes', { n: balance }) : t('loading')}</strong>
            {account.data && (
              <small>
                {t('tbHours', {
                  h: (balance / 60).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
                    maximumFractionDigits: 1,
                  }),
                })}
                {account.data.pendingMinutes > 0 &&
                  ` · ${t('tbPending', { n: account.data.pendingMinutes })}`}
              </small>
            )}
          </div>
        )}
      </section>
      <ToConfirm records={toConfirm} onDone={refresh} />
      <RecordService onDone={refresh} />
      <GiveTime balance={balance} onDone={refresh} />
      <MyRecords records={mine} />
      <TimeBankHistory key={historyKey} />
    </>
  );
}
