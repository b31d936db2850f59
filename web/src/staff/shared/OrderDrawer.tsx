/** One order for staff: details, timeline, notes, and the actions this user may take now. */
import { useEffect, useState } from 'react';
import {
  App,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Radio,
  Rate,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { api, ApiError } from '../../lib/api.ts';
import { categoryName, formatPlace, formatTime, useCategories } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { Action, WorkOrder } from '../../lib/types.ts';
import { act, loadAssignees, personDetail } from './orders.ts';
import { Reclassify } from './Reclassify.tsx';
import type { Person } from './orders.ts';

/** What each action asks for before it can be sent. */
const INPUTS: Partial<
  Record<Action, 'note' | 'reason' | 'referredTo' | 'mergeInto' | 'assigneeId' | 'rating'>
> = {
  resolve: 'note',
  reopen: 'reason',
  transfer: 'reason',
  reject: 'reason',
  dismiss: 'reason',
  refer: 'referredTo',
  merge: 'mergeInto',
  dispatch: 'assigneeId',
  confirm: 'rating',
};

export function urgencyColor(u: string): string {
  return u === 'critical' ? '#a8071a' : u === 'high' ? '#ad4e00' : u === 'low' ? '#595959' : '#1456d9';
}

export function ActionForm({
  order,
  action,
  onDone,
  onCancel,
}: {
  order: WorkOrder;
  action: Action;
  onDone: (o: WorkOrder) => void;
  onCancel: () => void;
}) {
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const [form] = Form.useForm<Record<string, string | number>>();
  const [people, setPeople] = useState<Person[]>([]);
  const [busy, setBusy] = useState(false);
  const input = INPUTS[action];

  useEffect(() => {
    if (input === 'assigneeId') void loadAssignees(order.communityId).then(setPeople);
  }, [input, order.communityId]);

  async function submit(values: Record<string, string | number>) {
    setBusy(true);
    try {
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') body[k] = v;
      const next = await act(order, action, body);
      message.success(labels.action(lang, action));
      onDone(next);
    } catch (err) {
      if (err instanceof ApiError && err.field && input && err.field === input) {
        form.setFields([{ name: err.field, errors: [err.message] }]);
      } else if (err instanceof ApiError && err.code === 'version_conflict') {
        message.warning(t('versionConflict'));
        onCancel();
      } else message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const id = `action-${action}-${input ?? 'none'}`;
  return (
    <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} validateTrigger="onChange">
      {input === 'note' && (
        <Form.Item
          name="note"
          label={t('resolveNote')}
          htmlFor={id}
          rules={[{ required: true, whitespace: true, message: t('resolveNoteRequired') }]}
        >
          <Input.TextArea id={id} rows={3} maxLength={4000} />
        </Form.Item>
      )}
      {input === 'reason' && (
        <Form.Item
          name="reason"
          label={t('reason')}
          htmlFor={id}
          rules={[{ required: action === 'dismiss', whitespace: true, message: t('required') }]}
        >
          <Input.TextArea id={id} rows={2} maxLength={1000} />
        </Form.Item>
      )}
      {input === 'referredTo' && (
        <Form.Item
          name="referredTo"
          label={t('referredTo')}
          htmlFor={id}
          rules={[{ required: true, whitespace: true, message: t('required') }]}
        >
          <Input id={id} maxLength={200} />
        </Form.Item>
      )}
      {input === 'mergeInto' && (
        <Form.Item
          name="mergeInto"
          label={t('mergeInto')}
          htmlFor={id}
          rules={[{ required: true, whitespace: true, message: t('required') }]}
        >
          <Input id={id} maxLength={64} />
        </Form.Item>
      )}
      {input === 'assigneeId' && (
        <Form.Item
          name="assigneeId"
          label={t('assignTo')}
          htmlFor={id}
          rules={[{ required: true, message: t('chooseAssignee') }]}
        >
          <Select
            id={id}
            showSearch
            optionFilterProp="label"
            placeholder={t('chooseAssignee')}
            options={people.map((p) => ({
              value: p.id,
              label: [p.name, labels.role(lang, p.role), personDetail(p)].filter(Boolean).join(' · '),
            }))}
          />
        </Form.Item>
      )}
      {input === 'rating' && (
        <>
          <Form.Item
            name="rating"
            label={t('rating')}
            rules={[{ required: true, message: t('ratingRequired') }]}
          >
            <Rate aria-label={t('rating')} />
          </Form.Item>
          <Form.Item name="comment" label={t('comment')} htmlFor={`${id}-comment`}>
            <Input.TextArea id={`${id}-comment`} rows={2} maxLength={2000} />
          </Form.Item>
        </>
      )}
      <Space>
        <Button
          type="primary"
          htmlType="submit"
          loading={busy}
          danger={action === 'dismiss' || action === 'cancel'}
        >
          {labels.action(lang, action)}
        </Button>
        <Button onClick={onCancel}>{t('cancel')}</Button>
      </Space>
    </Form>
  );
}

export function OrderDrawer({
  id,
  onClose,
  onChanged,
}: {
  id: string | null;
  onClose: () => void;
  onChanged?: (o: WorkOrder) => void;
}) {
  const { t, lang } = useSettings();
  const cats = useCategories();
  const { message } = App.useApp();
  const [order, setOrder] = useState<WorkOrder | null>(null);
  const [pending, setPending] = useState<Action | null>(null);
  const [note, setNote] = useState('');
  const [visibility, setVisibility] = useState<'internal' | 'public'>('internal');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    setPending(null);
    if (!id) {
      setOrder(null);
      return;
    }
    const ctl = new AbortController();
    api<WorkOrder>(`/api/v1/work-orders/${id}`, { signal: ctl.signal })
      .then(setOrder)
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) message.error(err instanceof Error ? err.message : String(err));
      });
    return () => ctl.abort();
  }, [id, tick, message]);

  async function addNote() {
    if (!order || !note.trim()) return;
    try {
      await api(`/api/v1/work-orders/${order.id}/notes`, { body: { text: note.trim(), visibility } });
      setNote('');
      setTick((n) => n + 1);
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
  }

  const o = order;
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={560}
      title={o ? `${o.number}` : t('loading')}
      destroyOnClose
    >
      {o && (
        <>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('status')}>
              <Tag>{labels.status(lang, o.status)}</Tag>
              <Tag color={urgencyColor(o.urgency)}>{labels.urgency(lang, o.urgency)}</Tag>
              <Tag>{o.priority}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('category')}>
              {categoryName(cats, lang, o.subcategory ?? o.category)}
            </Descriptions.Item>
            <Descriptions.Item label={t('content')}>{o.description}</Descriptions.Item>
            <Descriptions.Item label={t('address')}>{formatPlace(o)}</Descriptions.Item>
            <Descriptions.Item label={t('beneficiary')}>
              {o.beneficiary ? `${o.beneficiary.name} ${o.beneficiary.phone ?? ''}` : '—'}
              {o.beneficiary?.tags?.map((tag) => (
                <Tag key={tag} color="#ad4e00" style={{ marginLeft: 4 }}>
                  {labels.tag(lang, tag)}
                </Tag>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={t('reporter')}>
              {o.reporter.name ?? '—'} {o.proxy ? `（${t('proxyBy')}）` : ''} ·{' '}
              {labels.channel(lang, o.channel)}
            </Descriptions.Item>
            <Descriptions.Item label={t('assignee')}>
              {o.assignee ? `${o.assignee.name} · ${labels.role(lang, o.assignee.role)}` : '—'}
            </Descriptions.Item>
            {o.resolutionNote && (
              <Descriptions.Item label={t('resolution')}>{o.resolutionNote}</Descriptions.Item>
            )}
            {o.rating !== null && (
              <Descriptions.Item label={t('rating')}>
                <Rate disabled value={o.rating} /> {o.ratingComment}
              </Descriptions.Item>
            )}
          </Descriptions>
          {o.photos && o.photos.length > 0 && (
            <Space wrap style={{ marginTop: 12 }}>
              {o.photos.map((p, i) => (
                <img
                  key={p.id}
                  src={p.url}
                  alt={`${t('photos')} ${i + 1}`}
                  width={96}
                  height={96}
                  style={{ objectFit: 'cover', borderRadius: 6 }}
                />
              ))}
            </Space>
          )}
          <Space wrap style={{ margin: '16px 0' }}>
            <Reclassify
              order={o}
              onDone={(next) => {
                setTick((n) => n + 1);
                onChanged?.(next);
              }}
            />
            {o.allowedActions.map((a) => (
              <Button key={a} type={pending === a ? 'primary' : 'default'} onClick={() => setPending(a)}>
                {labels.action(lang, a)}
              </Button>
            ))}
          </Space>
          {pending && (
            <div style={{ padding: 12, background: '#fafafa', borderRadius: 8, marginBottom: 16 }}>
              <ActionForm
                order={o}
                action={pending}
                onCancel={() => {
                  setPending(null);
                  setTick((n) => n + 1);
                }}
                onDone={(next) => {
                  setPending(null);
                  setTick((n) => n + 1);
                  onChanged?.(next);
                }}
              />
            </div>
          )}
          <Typography.Title level={2} style={{ fontSize: 16 }}>
            {t('timeline')}
          </Typography.Title>
          <Timeline
            items={(o.timeline ?? []).map((e) => ({
              color: e.visibility === 'internal' ? 'gray' : 'blue',
              children: (
                <>
                  <strong>{labels.event(lang, e)}</strong>{' '}
                  <span className="order-meta">
                    {formatTime(lang, e.at)} · {e.actor.name ?? e.actor.type}
                  </span>
                  {e.note && <div>{labels.note(lang, e.note)}</div>}
                </>
              ),
            }))}
          />
          <Space.Compact style={{ width: '100%' }}>
            <Input
              aria-label={t('addNote')}
              placeholder={t('addNote')}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              onPressEnter={() => void addNote()}
              maxLength={4000}
            />
            <Button onClick={() => void addNote()}>{t('save')}</Button>
          </Space.Compact>
          <Radio.Group
            value={visibility}
            onChange={(e) => setVisibility(e.target.value === 'public' ? 'public' : 'internal')}
            style={{ marginTop: 8 }}
            aria-label={t('addNote')}
          >
            <Radio value="internal">{t('noteInternal')}</Radio>
            <Radio value="public">{t('notePublic')}</Radio>
          </Radio.Group>
        </>
      )}
    </Drawer>
  );
}
