/**
 * Hotline and window console: look the caller up by phone, then log the call while speaking.
 * Keyboard-only: the phone field has focus on arrival; Enter looks up and moves to the
 * description; Ctrl+Enter logs; Alt+S asks to send an SOS (Alt+S again sends it); Alt+P / Alt+D
 * jump back; Alt+N starts a new call. A logged call clears the form, so the next call never
 * inherits the previous caller.
 */
import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  List,
  Radio,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import type { InputRef } from 'antd';
import { api, ApiError, NetworkError, newKey, qs } from '../../lib/api.ts';
import { useSuggestion } from '../../lib/classify.ts';
import { loadFeatures } from '../../lib/features.ts';
import { categoryName, labelled, formatTime, useCategories } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { Me, NewOrder, Page, ResidentDetail, Urgency, WorkOrder } from '../../lib/types.ts';
import { OrderDrawer, urgencyColor } from '../shared/OrderDrawer.tsx';
import { act, OPEN } from '../shared/orders.ts';
import { CallerCard } from './CallerCard.tsx';

interface Intake {
  channel: 'hotline' | 'window';
  beneficiaryId: string;
  callerName: string;
  relation: string;
  description: string;
  category?: string;
  urgency?: Urgency;
  address: string;
}

/** A possible duplicate: from the duplicates route (with a score) or from a filtered list. */
interface Dupe {
  id: string;
  number: string;
  description: string;
  status: string;
  createdAt?: string;
  score?: number;
  hoursApart?: number;
}

const FIELDS = new Set(['description', 'category', 'urgency', 'address', 'callerName', 'relation']);

export default function ConsolePage({ me }: { me: Me }) {
  const { t, lang } = useSettings();
  const { message, modal } = App.useApp();
  const cats = useCategories();
  const [form] = Form.useForm<Intake>();
  const phoneRef = useRef<InputRef>(null);
  const descRef = useRef<HTMLTextAreaElement | null>(null);
  const [phone, setPhone] = useState('');
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const [callers, setCallers] = useState<ResidentDetail[] | null>(null);
  const [looking, setLooking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<WorkOrder | null>(null);
  const [dupes, setDupes] = useState<Dupe[]>([]);
  const [drawer, setDrawer] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const description = Form.useWatch('description', form) ?? '';
  const { suggestion, busy: classifying } = useSuggestion(description);
  const community = me.communities[0];
  const caller = callers?.[0] ?? null;
  const people = caller ? [caller, ...(caller.household?.members ?? [])] : [];
  // Admins and managers keep the residents' register (the phone only admins, who read it unmasked).
  const editsRecords = me.role === 'admin' || me.role === 'manager';

  // The shortcut listener is installed once and always calls the latest handlers.
  const submitRef = useRef<(sos: boolean) => Promise<void>>(async () => undefined);
  const askSosRef = useRef<() => void>(() => undefined);
  const newCallRef = useRef<() => void>(() => undefined);
  /**
   * The Idempotency-Key of the last intake sent and what was sent under it. Pressing Ctrl+Enter
   * again after a lost answer sends the same intake under the same key, so the server answers
   * the order it already made instead of making a second one; a changed intake gets a new key.
   */
  const lastSent = useRef<{ key: string; body: string } | null>(null);

  useEffect(() => {
    phoneRef.current?.focus();
    const keys = (e: KeyboardEvent) => {
      if (e.altKey && (e.key === 'p' || e.key === 'P')) {
        e.preventDefault();
        phoneRef.current?.focus();
      } else if (e.altKey && (e.key === 'd' || e.key === 'D')) {
        e.preventDefault();
        descRef.current?.focus();
      } else if (e.altKey && (e.key === 's' || e.key === 'S')) {
        e.preventDefault();
        askSosRef.current();
      } else if (e.altKey && (e.key === 'n' || e.key === 'N')) {
        e.preventDefault();
        newCallRef.current();
      } else if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        form.submit();
      }
    };
    window.addEventListener('keydown', keys);
    return () => window.removeEventListener('keydown', keys);
  }, [form]);

  async function lookup() {
    const p = phone.trim();
    if (!/^[0-9+-]{5,20}$/.test(p)) {
      setPhoneError(t('phoneInvalid'));
      return;
    }
    setPhoneError(null);
    setLooking(true);
    try {
      const found = await api<ResidentDetail[]>(`/api/v1/residents${qs({ phone: p })}`);
      setCallers(found);
      const first = found[0];
      form.setFieldsValue({
        beneficiaryId: first?.id ?? '',
        callerName: first?.name ?? '',
        address: first?.household?.address ?? '',
      });
    } catch (err) {
      setPhoneError(err instanceof ApiError ? err.message : t('networkError'));
    } finally {
      setLooking(false);
      descRef.current?.focus();
    }
  }

  /** The caller's record as an edit left it: the intake follows what it had taken from the record. */
  function changed(r: ResidentDetail) {
    const before = callers?.[0];
    if (r.erasedAt) {
      // An erased record is no one to file for: it leaves the lookup (its phone finds no one now),
      // and the intake forgets what it took from it.
      setCallers((list) => (list ? list.filter((x) => x.id !== r.id) : list));
      const v = form.getFieldsValue(['beneficiaryId', 'callerName', 'address']) as Partial<Intake>;
      if (v.beneficiaryId === r.id) form.setFieldsValue({ beneficiaryId: '' });
      if (before?.id === r.id) {
        if ((v.callerName ?? '') === before.name) form.setFieldsValue({ callerName: '' });
        if ((v.address ?? '') === (before.household?.address ?? '')) form.setFieldsValue({ address: '' });
      }
      return;
    }
    setCallers((list) => (list ? list.map((x) => (x.id === r.id ? r : x)) : list));
    if (!before || before.id !== r.id) return;
    const v = form.getFieldsValue(['callerName', 'address']) as Partial<Intake>;
    if ((v.callerName ?? '') === before.name) form.setFieldsValue({ callerName: r.name });
    if ((v.address ?? '') === (before.household?.address ?? ''))
      form.setFieldsValue({ address: r.household?.address ?? '' });
  }

  async function findDuplicates(o: WorkOrder) {
    const since = new Date(Date.parse(o.createdAt) - 7 * 86400_000).toISOString();
    try {
      const route = (await loadFeatures()).duplicates;
      if (route) {
        // The server's own similarity ranking, when it has one.
        const list = await api<Dupe[]>(route.path.replace('{id}', encodeURIComponent(o.id)));
        setDupes(list.filter((x) => x.id !== o.id).slice(0, 5));
        return;
      }
      const page = await api<Page<WorkOrder>>(
        `/api/v1/work-orders${qs({ community: o.communityId, status: OPEN.join(','), category: o.category, grid: o.gridId, from: since, limit: 10 })}`,
      );
      setDupes(page.items.filter((x) => x.id !== o.id).slice(0, 5));
    } catch {
      setDupes([]);
    }
  }

  async function submit(sos = false) {
    setFormError(null);
    let v: Intake;
    if (sos) v = { ...form.getFieldsValue(true) } as Intake;
    else {
      try {
        v = await form.validateFields();
      } catch {
        return;
      }
    }
    const body: NewOrder = {
      channel: v.channel ?? 'hotline',
      description:
        (v.description ?? '').trim() || (lang === 'zh' ? '紧急求助（坐席SOS）' : 'Emergency (agent SOS)'),
    };
    if (community) body.communityId = community.id;
    if (v.beneficiaryId) body.residentId = v.beneficiaryId;
    const reporter: NonNullable<NewOrder['reporter']> = {};
    if (v.callerName?.trim()) reporter.name = v.callerName.trim();
    if (phone.trim()) reporter.phone = phone.trim();
    if (v.relation?.trim()) reporter.relation = v.relation.trim();
    if (Object.keys(reporter).length) body.reporter = reporter;
    if (v.address?.trim()) body.address = v.address.trim();
    if (sos) {
      body.category = 'safety_emergency';
      body.urgency = 'critical';
    } else {
      if (v.category) body.category = v.category;
      if (v.urgency) body.urgency = v.urgency;
    }
    const sent = JSON.stringify(body);
    const key = lastSent.current?.body === sent ? lastSent.current.key : newKey();
    lastSent.current = { key, body: sent };
    setBusy(true);
    try {
      const o = await api<WorkOrder>('/api/v1/work-orders', {
        body,
        headers: { 'idempotency-key': key },
      });
      setCreated(o);
      message.success(t('created', { number: o.number }));
      // The call is logged: the next one starts clean (the channel stays, an agent works one desk).
      clearCaller(v.channel ?? 'hotline');
      void findDuplicates(o);
      phoneRef.current?.focus();
    } catch (err) {
      if (err instanceof ApiError && err.field) {
        const name = err.field === 'residentId' ? 'beneficiaryId' : (err.field.split('.')[0] ?? '');
        if (FIELDS.has(name) || name === 'beneficiaryId')
          form.setFields([{ name: name as keyof Intake, errors: [err.message] }]);
        else setFormError(err.message);
      } else if (err instanceof NetworkError) setFormError(t('intakeRetrySafe'));
      else setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  submitRef.current = submit;

  /** Forgets the caller and everything typed for them. */
  function clearCaller(channel: Intake['channel']) {
    lastSent.current = null;
    form.resetFields();
    form.setFieldsValue({ channel });
    setPhone('');
    setPhoneError(null);
    setCallers(null);
    setFormError(null);
  }

  /** 新来电: a clean console for the next caller, focus on the phone field. */
  function newCall() {
    clearCaller(form.getFieldValue('channel') ?? 'hotline');
    setCreated(null);
    setDupes([]);
    phoneRef.current?.focus();
  }
  newCallRef.current = newCall;

  // The open SOS confirmation (Alt+S a second time sends it).
  const sosAsk = useRef<{ destroy: () => void } | null>(null);

  /** An SOS is dispatched at once: ask first, naming whom it is for. */
  function askSos() {
    if (sosAsk.current) {
      sosAsk.current.destroy();
      sosAsk.current = null;
      void submitRef.current(true);
      return;
    }
    const v = form.getFieldsValue(true) as Partial<Intake>;
    const who = people.find((p) => p.id === v.beneficiaryId)?.name ?? (v.callerName?.trim() || phone.trim());
    sosAsk.current = modal.confirm({
      title: t('sosConsoleTitle'),
      content: t('sosConsoleConfirm', { who: who || t('sosConsoleNobody') }),
      okText: t('sosConsoleSend'),
      okButtonProps: { danger: true },
      cancelText: t('cancel'),
      // Typing on (a space, an Enter) must not send it by accident.
      autoFocusButton: 'cancel',
      onOk: () => {
        sosAsk.current = null;
        void submitRef.current(true);
      },
      onCancel: () => {
        sosAsk.current = null;
      },
    });
  }
  askSosRef.current = askSos;

  async function merge(into: Dupe) {
    if (!created) return;
    try {
      const o = await act(created, 'merge', { mergeInto: into.id });
      setCreated(o);
      setDupes([]);
      message.success(t('merged'));
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
  }

  const topCats = cats.filter((c) => c.parent === null);

  return (
    <Row gutter={16}>
      <Col xs={24} lg={10}>
        <Card
          title={
            <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
              {t('callerLookup')}
            </Typography.Title>
          }
          extra={
            <Button onClick={newCall} title={t('newCallHint')} aria-keyshortcuts="Alt+N">
              {t('newCall')}
            </Button>
          }
        >
          <label htmlFor="caller-phone">{t('callerPhone')}</label>
          <Space.Compact style={{ width: '100%', marginTop: 4 }}>
            <Input
              id="caller-phone"
              ref={phoneRef}
              value={phone}
              inputMode="tel"
              maxLength={20}
              status={phoneError ? 'error' : undefined}
              aria-invalid={phoneError ? true : undefined}
              aria-describedby={phoneError ? 'caller-phone-error' : undefined}
              onChange={(e) => {
                setPhone(e.target.value);
                if (phoneError && /^[0-9+-]{5,20}$/.test(e.target.value.trim())) setPhoneError(null);
              }}
              onPressEnter={() => void lookup()}
              placeholder={t('callerPhonePlaceholder')}
            />
            <Button type="primary" onClick={() => void lookup()} loading={looking}>
              {t('lookup')}
            </Button>
          </Space.Compact>
          {phoneError && (
            <div id="caller-phone-error" className="field-error" role="alert">
              {phoneError}
            </div>
          )}
          {callers && callers.length === 0 && (
            <Alert style={{ marginTop: 12 }} type="info" message={t('noResident')} />
          )}
          {caller && (
            <CallerCard
              caller={caller}
              onOpen={setDrawer}
              edit={editsRecords ? { phone: me.role === 'admin' } : undefined}
              onChange={changed}
            />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card
          title={
            <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
              {t('intake')}
            </Typography.Title>
          }
          extra={
            <Button
              danger
              type="primary"
              size="large"
              onClick={askSos}
              title={t('sosConsole')}
              aria-keyshortcuts="Alt+S"
            >
              {t('sosButton')}
            </Button>
          }
        >
          <p className="order-meta" style={{ marginTop: 0 }}>
            {t('keyboardHint')}
          </p>
          <Form
            form={form}
            layout="vertical"
            initialValues={{ channel: 'hotline', beneficiaryId: '' }}
            onFinish={() => void submit(false)}
            validateTrigger="onChange"
          >
            <Form.Item name="channel" label={t('channel')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'hotline', label: t('channelHotline') },
                  { value: 'window', label: t('channelWindow') },
                ]}
              />
            </Form.Item>
            {people.length > 0 && (
              <Form.Item name="beneficiaryId" label={t('beneficiary')}>
                <Radio.Group>
                  {people.map((p) => (
                    <Radio key={p.id} value={p.id}>
                      {p.name}
                      {p.birthYear ? ` (${p.birthYear})` : ''}
                      {p.tags?.length ? ` · ${p.tags.map((x) => labels.tag(lang, x)).join('、')}` : ''}
                    </Radio>
                  ))}
                  <Radio value="">{t('none')}</Radio>
                </Radio.Group>
              </Form.Item>
            )}
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name="callerName" label={t('callerName')} htmlFor="intake-caller">
                  <Input id="intake-caller" maxLength={100} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="relation" label={t('callerRelation')} htmlFor="intake-relation">
                  <Input id="intake-relation" maxLength={50} placeholder={t('relationPlaceholder')} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item
              name="description"
              label={t('callerSays')}
              htmlFor="intake-description"
              rules={[
                { required: true, whitespace: true, message: t('describeTooShort') },
                { min: 3, message: t('describeTooShort') },
              ]}
            >
              <Input.TextArea
                id="intake-description"
                ref={(r) => {
                  descRef.current = r?.resizableTextArea?.textArea ?? null;
                }}
                rows={4}
                maxLength={4000}
                showCount
                aria-keyshortcuts="Alt+D"
              />
            </Form.Item>
            {(suggestion || classifying) && (
              <div className="suggest" role="status" aria-live="polite" style={{ marginBottom: 12 }}>
                {classifying && !suggestion ? (
                  t('classifying')
                ) : suggestion ? (
                  <>
                    <span>
                      {labelled(lang, t('classification'))}
                      <strong>
                        {categoryName(cats, lang, suggestion.subcategory ?? suggestion.category)}
                      </strong>
                      {suggestion.urgency ? ` · ${labels.urgency(lang, suggestion.urgency)}` : ''}
                      {suggestion.confidence !== null
                        ? ` · ${t('confidence', { p: Math.round(suggestion.confidence * 100) })}`
                        : ''}
                    </span>
                    <button
                      type="button"
                      onClick={() =>
                        form.setFieldsValue({
                          category: suggestion.category,
                          ...(suggestion.urgency ? { urgency: suggestion.urgency as Urgency } : {}),
                        })
                      }
                    >
                      {t('useSuggestion')}
                    </button>
                    {suggestion.explanation && (
                      <span className="order-meta">
                        {t('suggestionWhy', { why: suggestion.explanation })}
                      </span>
                    )}
                  </>
                ) : null}
              </div>
            )}
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name="category" label={t('category')} htmlFor="intake-category">
                  <Select
                    id="intake-category"
                    allowClear
                    placeholder={t('categoryAuto')}
                    options={topCats.map((c) => ({
                      value: c.code,
                      label: lang === 'zh' ? c.nameZh : c.nameEn,
                    }))}
                  />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="urgency" label={t('urgency')} htmlFor="intake-urgency">
                  <Select
                    id="intake-urgency"
                    allowClear
                    placeholder={t('categoryAuto')}
                    options={(['critical', 'high', 'normal', 'low'] as const).map((u) => ({
                      value: u,
                      label: labels.urgency(lang, u),
                    }))}
                  />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="address" label={t('address')} htmlFor="intake-address">
              <Input id="intake-address" maxLength={300} />
            </Form.Item>
            {formError && (
              <Alert type="error" showIcon message={formError} role="alert" style={{ marginBottom: 12 }} />
            )}
            <Button
              type="primary"
              htmlType="submit"
              loading={busy}
              size="large"
              aria-keyshortcuts="Control+Enter"
            >
              {t('createOrder')}
            </Button>
          </Form>
        </Card>
        {created && (
          <Card style={{ marginTop: 16 }}>
            <Alert
              type="success"
              showIcon
              role="status"
              message={
                <span>
                  {t('created', { number: created.number })} · {labels.status(lang, created.status)} ·{' '}
                  <Tag color={urgencyColor(created.urgency)}>{labels.urgency(lang, created.urgency)}</Tag>
                  {categoryName(cats, lang, created.subcategory ?? created.category)}{' '}
                  <Button size="small" onClick={() => setDrawer(created.id)}>
                    {t('openOrder')}
                  </Button>
                </span>
              }
            />
            {dupes.length > 0 && created.status === 'submitted' && (
              <List
                header={<strong>{t('duplicates')}</strong>}
                dataSource={dupes}
                renderItem={(d) => (
                  <List.Item
                    actions={[
                      <Button key="merge" size="small" onClick={() => void merge(d)}>
                        {t('mergeInto')}
                      </Button>,
                    ]}
                  >
                    <List.Item.Meta
                      title={`${d.number} · ${labels.status(lang, d.status)}${d.score !== undefined ? ` · ${t('score')} ${d.score.toFixed(2)}` : ''}`}
                      description={`${d.createdAt ? formatTime(lang, d.createdAt) : d.hoursApart !== undefined ? t('hours', { n: Math.round(d.hoursApart) }) : ''} · ${d.description}`}
                    />
                  </List.Item>
                )}
              />
            )}
          </Card>
        )}
      </Col>
      <OrderDrawer id={drawer} onClose={() => setDrawer(null)} />
    </Row>
  );
}
