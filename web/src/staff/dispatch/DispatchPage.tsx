/**
 * Dispatch board: the live queue (server-sent events when the server has them, else polling),
 * triage, SLA countdowns, ranked candidates, and one-click or drag assignment.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DragEvent, KeyboardEvent } from 'react';
import {
  App,
  Badge,
  Button,
  Card,
  Col,
  Input,
  Popover,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { api, qs } from '../../lib/api.ts';
import { useFeatures } from '../../lib/features.ts';
import { categoryName, formatDuration, formatTime, useCategories } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { GridCollection, Me, Page, WorkOrder } from '../../lib/types.ts';
import { OrderDrawer, urgencyColor } from '../shared/OrderDrawer.tsx';
import {
  act,
  loadAssignees,
  loadSla,
  needsTriage,
  OPEN,
  slaDeadline,
  personDetail,
  suspectedEmergency,
} from '../shared/orders.ts';
import type { Person, SlaEntry } from '../shared/orders.ts';
import { loadCandidates } from './candidates.ts';
import type { AutoSuggestion, Candidate, LeftOut } from './candidates.ts';
import { usePager } from '../shared/pager.tsx';

const POLL_SECONDS = 5;
type TabKey = 'triage' | 'queue' | 'progress' | 'all';

function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

function Countdown({ order, now, entry }: { order: WorkOrder; now: number; entry?: SlaEntry | undefined }) {
  const { t, lang } = useSettings();
  const d = slaDeadline(order, entry);
  if (!d) return <span className="order-meta">—</span>;
  const left = d.at.getTime() - now;
  const text =
    left < 0
      ? t('overdue', { t: formatDuration(lang, -left) })
      : t('dueIn', { t: formatDuration(lang, left) });
  const color = left < 0 ? '#a8071a' : left < 3600_000 ? '#ad4e00' : '#237804';
  return (
    <Tooltip title={`${labels.slaClock(lang, d.kind)} · ${formatTime(lang, d.at.toISOString())}`}>
      <span style={{ color, fontWeight: 600 }}>{d.paused ? `⏸ ${text}` : text}</span>
      {d.escalation && (
        <Tag color="#a8071a" style={{ marginLeft: 4 }}>
          {t('escalations')} {d.escalation}
        </Tag>
      )}
    </Tooltip>
  );
}

function CandidateList({
  order,
  onAssign,
  onAuto,
}: {
  order: WorkOrder;
  onAssign: (id: string) => void;
  onAuto: () => void;
}) {
  const { t, lang } = useSettings();
  const features = useFeatures();
  const [list, setList] = useState<Candidate[] | null>(null);
  const [auto, setAuto] = useState<AutoSuggestion | null>(null);
  const [leftOut, setLeftOut] = useState<LeftOut[]>([]);
  const route = features?.candidates ?? null;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!route) return;
    loadCandidates(route, order.id, lang)
      .then((r) => {
        setList(r.list);
        setAuto(r.suggestion);
        setLeftOut(r.leftOut);
      })
      .catch(() => setList([]));
  }, [route, order.id, lang]);
  // Opened from the keyboard or not, the panel takes the focus once it has something to press.
  useEffect(() => {
    if (list) box.current?.querySelector<HTMLElement>('button:not([disabled])')?.focus();
  }, [list]);
  if (!route) return null;
  if (!list) return <span className="order-meta">{t('loading')}</span>;
  return (
    <div style={{ maxWidth: 420 }} ref={box}>
      {auto && (
        <div style={{ paddingBottom: 8, borderBottom: '1px solid #f0f0f0' }}>
          <Button size="small" type="primary" onClick={onAuto}>
            {t('autoDispatch')}
          </Button>{' '}
          <strong>{auto.assigneeName}</strong>
          <div className="order-meta">{labels.note(lang, auto.reason)}</div>
        </div>
      )}
      {list.length === 0 && (
        // Nobody to send: which teams were left out, and why (an urgent order at night wants a
        // team that still serves today).
        <div role="status">
          <strong>{t('noCandidates')}</strong>
          {leftOut.length > 0 && <div className="order-meta">{t('leftOutWhy')}</div>}
          {leftOut.length > 0 && (
            <ul className="order-meta" style={{ margin: '4px 0 0', paddingLeft: 18 }}>
              {leftOut.slice(0, 5).map((x) => (
                <li key={x.name}>
                  {x.name}：{x.reasons.join('；')}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {list.slice(0, 5).map((c, i) => (
        <div key={`${c.assigneeId}-${i}`} style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}>
          <Space>
            <strong>
              {i + 1}. {c.name}
            </strong>
            {c.score !== null && <Tag>{`${t('score')} ${c.score.toFixed(2)}`}</Tag>}
            <Button
              size="small"
              type="primary"
              disabled={!c.assigneeId}
              onClick={() => {
                if (c.assigneeId) onAssign(c.assigneeId);
              }}
            >
              {t('assign')}
            </Button>
          </Space>
          {c.parts.length > 0 && (
            <div className="order-meta">{c.parts.map(([k, v]) => `${k} ${v}`).join(' · ')}</div>
          )}
          {c.reasons.length > 0 && <div className="order-meta">{c.reasons.join('；')}</div>}
        </div>
      ))}
    </div>
  );
}

/**
 * 推荐处理人 and its panel. The panel is drawn at the end of the page, so it takes the focus when it
 * opens; Escape, or Tab past either end, closes it and gives the focus back to the button (the
 * next Tab then goes on down the table).
 */
function CandidatesButton({
  order,
  onAssign,
  onAuto,
}: {
  order: WorkOrder;
  onAssign: (id: string) => void;
  onAuto: () => void;
}) {
  const { t } = useSettings();
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const panelId = `candidates-${order.id}`;
  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };
  const onPanelKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    const buttons = [...e.currentTarget.querySelectorAll<HTMLElement>('button:not([disabled])')];
    const edge = e.shiftKey ? buttons[0] : buttons[buttons.length - 1];
    if (!edge || document.activeElement === edge) {
      e.preventDefault();
      close();
    }
  };
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={setOpen}
      // A fresh list each time it opens, which takes the focus again.
      destroyOnHidden
      title={t('candidates')}
      content={
        <div
          id={panelId}
          role="dialog"
          aria-label={`${t('candidates')} ${order.number}`}
          onKeyDown={onPanelKey}
        >
          <CandidateList
            order={order}
            onAssign={(id) => {
              close();
              onAssign(id);
            }}
            onAuto={() => {
              close();
              onAuto();
            }}
          />
        </div>
      }
    >
      <Button
        ref={trigger}
        size="small"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && open) {
            e.stopPropagation();
            setOpen(false);
          }
        }}
      >
        {t('candidates')}
      </Button>
    </Popover>
  );
}

export default function DispatchPage({ me }: { me: Me }) {
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const pager = usePager();
  const cats = useCategories();
  const features = useFeatures();
  const now = useNow();
  const community = me.communities[0];
  const [orders, setOrders] = useState<WorkOrder[]>([]);
  const [updated, setUpdated] = useState<Date | null>(null);
  const [people, setPeople] = useState<Person[]>([]);
  const [gridNames, setGridNames] = useState<Record<string, string>>({});
  const [tab, setTab] = useState<TabKey>('all');
  const [choice, setChoice] = useState<Record<string, string>>({});
  const [drawer, setDrawer] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const [personFilter, setPersonFilter] = useState('');
  const [live, setLive] = useState(false);
  const [sla, setSla] = useState<Map<string, SlaEntry>>(new Map());

  const reload = useCallback(async () => {
    if (!community) return;
    try {
      const [page, deadlines] = await Promise.all([
        api<Page<WorkOrder>>(
          `/api/v1/work-orders${qs({ community: community.id, status: OPEN.join(','), limit: 200 })}`,
        ),
        loadSla(community.id),
      ]);
      setOrders(page.items);
      setSla(deadlines);
      setUpdated(new Date());
    } catch {
      // Keep showing the last queue; the next tick tries again.
    }
  }, [community]);

  useEffect(() => {
    if (!community) return;
    void loadAssignees(community.id).then(setPeople);
    void api<GridCollection>(`/api/v1/communities/${community.id}/grids`).then((g) =>
      setGridNames(Object.fromEntries(g.features.map((f) => [f.id, f.properties.name]))),
    );
  }, [community]);

  useEffect(() => {
    if (!features) return;
    void reload();
    // Live queue: server-sent events when offered, else polling every few seconds.
    if (features.events) {
      const es = new EventSource(`${features.events.path}${qs({ community: community?.id })}`, {
        withCredentials: true,
      });
      let timer: ReturnType<typeof setTimeout> | null = null;
      es.onopen = () => setLive(true);
      es.onmessage = () => {
        if (timer) return;
        timer = setTimeout(() => {
          timer = null;
          void reload();
        }, 300);
      };
      for (const type of ['work_order', 'order', 'changed', 'created', 'sla'])
        es.addEventListener(type, () => void reload());
      es.onerror = () => setLive(false);
      // A slow safety poll even with a live stream, in case an event was missed.
      const id = setInterval(() => void reload(), 30_000);
      return () => {
        es.close();
        clearInterval(id);
        if (timer) clearTimeout(timer);
      };
    }
    const id = setInterval(() => void reload(), POLL_SECONDS * 1000);
    return () => clearInterval(id);
  }, [features, reload, community]);

  async function run(o: WorkOrder, action: 'accept' | 'dispatch', assigneeId?: string, auto = false) {
    try {
      await act(o, action, assigneeId ? { assigneeId } : auto ? { auto: true } : {});
      // What happened to which order, and the row's choice cleared: it was used.
      message.success(
        `${o.number} ${labels.status(lang, action === 'dispatch' ? 'dispatched' : 'accepted')}`,
      );
      if (action === 'dispatch')
        setChoice((c) => {
          const next = { ...c };
          delete next[o.id];
          return next;
        });
      await reload();
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
      await reload();
    }
  }

  const groups: Record<TabKey, WorkOrder[]> = useMemo(
    () => ({
      triage: orders.filter(needsTriage),
      queue: orders.filter((o) => (o.status === 'submitted' || o.status === 'accepted') && !needsTriage(o)),
      progress: orders.filter((o) => ['dispatched', 'in_progress', 'waiting_on_resident'].includes(o.status)),
      all: orders,
    }),
    [orders],
  );
  // A suspected emergency goes first: someone must confirm or dismiss it within minutes.
  const rows = [...groups[tab]].sort(
    (a, b) =>
      Number(suspectedEmergency(b)) - Number(suspectedEmergency(a)) ||
      (b.priorityScore ?? 0) - (a.priorityScore ?? 0) ||
      a.createdAt.localeCompare(b.createdAt),
  );

  const columns: TableColumnsType<WorkOrder> = [
    {
      title: t('urgency'),
      key: 'urgency',
      width: 104,
      render: (_v, o) => (
        <Space size={4} wrap>
          <Tag color={urgencyColor(o.urgency)}>{labels.urgency(lang, o.urgency)}</Tag>
          <span className="order-meta">{o.priority}</span>
          {suspectedEmergency(o) && o.status === 'submitted' && (
            <Tag color="red" title={t('suspectedEmergencyHint')}>
              {t('suspectedEmergency')}
            </Tag>
          )}
        </Space>
      ),
    },
    {
      title: t('orderNo'),
      key: 'number',
      width: 204,
      render: (_v, o) => (
        <Button type="link" style={{ padding: 0, whiteSpace: 'nowrap' }} onClick={() => setDrawer(o.id)}>
          {o.number}
        </Button>
      ),
    },
    {
      title: t('content'),
      key: 'desc',
      ellipsis: true,
      render: (_v, o) => (
        <>
          <div className="cell-line">{categoryName(cats, lang, o.subcategory ?? o.category)}</div>
          <div className="order-meta cell-line" title={o.description}>
            {o.description}
          </div>
        </>
      ),
    },
    {
      title: t('grids'),
      key: 'grid',
      width: 96,
      render: (_v, o) => (o.gridId ? (gridNames[o.gridId] ?? '—') : '—'),
    },
    {
      title: `${t('status')} / ${t('age')}`,
      key: 'status',
      width: 100,
      render: (_v, o) => (
        <>
          <div>{labels.status(lang, o.status)}</div>
          <div className="order-meta">{formatDuration(lang, now - Date.parse(o.createdAt))}</div>
        </>
      ),
    },
    {
      title: t('slaDue'),
      key: 'sla',
      width: 116,
      render: (_v, o) => <Countdown order={o} now={now} entry={sla.get(o.id)} />,
    },
    {
      title: t('assign'),
      key: 'assign',
      width: 250,
      render: (_v, o) => {
        if (!o.allowedActions.includes('dispatch')) return o.assignee ? `${o.assignee.name}` : '—';
        const selectId = `assign-${o.id}`;
        return (
          <Space wrap>
            {o.allowedActions.includes('accept') && (
              <Button size="small" onClick={() => void run(o, 'accept')}>
                {t('accept')}
              </Button>
            )}
            <label htmlFor={selectId} className="sr-only">
              {t('assignTo')} {o.number}
            </label>
            <Select
              id={selectId}
              size="small"
              style={{ width: 136 }}
              // The whole label (name · role · team): two people of one name are told apart.
              popupMatchSelectWidth={false}
              styles={{ popup: { root: { minWidth: 320 } } }}
              showSearch
              optionFilterProp="label"
              placeholder={o.assignee?.name ?? t('chooseAssignee')}
              value={choice[o.id]}
              onChange={(v: string) => setChoice((c) => ({ ...c, [o.id]: v }))}
              options={people.map((p) => ({
                value: p.id,
                label: [p.name, labels.role(lang, p.role), personDetail(p)].filter(Boolean).join(' · '),
              }))}
            />
            <Button
              size="small"
              type="primary"
              disabled={!choice[o.id]}
              onClick={() => void run(o, 'dispatch', choice[o.id])}
            >
              {t('assign')}
            </Button>
            {features?.candidates && (
              <CandidatesButton
                order={o}
                onAssign={(id) => void run(o, 'dispatch', id)}
                onAuto={() => void run(o, 'dispatch', undefined, true)}
              />
            )}
          </Space>
        );
      },
    },
  ];

  function onDrop(e: DragEvent<HTMLElement>, person: Person) {
    e.preventDefault();
    setDropTarget(null);
    const id = e.dataTransfer.getData('text/x-linli-order');
    const o = orders.find((x) => x.id === id);
    if (o && o.allowedActions.includes('dispatch')) void run(o, 'dispatch', person.id);
  }

  const load = (p: Person) => orders.filter((o) => o.assignee?.id === p.id).length;
  const needle = personFilter.trim().toLowerCase();
  const visiblePeople = needle
    ? people.filter((p) =>
        [p.name, labels.role(lang, p.role), ...p.grids, ...p.teams].some((x) =>
          x.toLowerCase().includes(needle),
        ),
      )
    : people;

  return (
    <Row gutter={16}>
      <Col xs={24} xl={20}>
        <Card
          title={
            <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
              {t('dispatch')}
            </Typography.Title>
          }
          extra={
            <Space>
              <Badge
                status={live ? 'processing' : 'default'}
                text={live ? t('live') : t('polling', { n: POLL_SECONDS })}
              />
              {updated && (
                <span className="order-meta">
                  {t('lastUpdated', { t: formatTime(lang, updated.toISOString()) })}
                </span>
              )}
              <Button onClick={() => void reload()}>{t('refresh')}</Button>
            </Space>
          }
        >
          <Tabs
            activeKey={tab}
            onChange={(k) => setTab(k as TabKey)}
            items={(
              [
                ['triage', t('triage')],
                ['queue', t('queue')],
                ['progress', t('inProgress')],
                ['all', t('allOpen')],
              ] as const
            ).map(([key, label]) => ({ key, label: `${label} (${groups[key].length})` }))}
          />
          <Table<WorkOrder>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={rows}
            pagination={pager({ pageSize: 20, showSizeChanger: false })}
            locale={{ emptyText: <span style={{ color: '#595959' }}>{t('noItems')}</span> }}
            onRow={(o) => ({
              draggable: o.allowedActions.includes('dispatch'),
              onDragStart: (e: DragEvent<HTMLElement>) => {
                e.dataTransfer.setData('text/x-linli-order', o.id);
                e.dataTransfer.effectAllowed = 'move';
              },
              'data-order': o.number,
            })}
            // Fits the board's share of a 1366 px screen; narrower, the table scrolls sideways.
            scroll={{ x: 960 }}
          />
        </Card>
      </Col>
      <Col xs={24} xl={4}>
        <Card
          title={
            <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
              {t('assignTo')}
            </Typography.Title>
          }
          size="small"
        >
          <p className="order-meta" style={{ marginTop: 0 }}>
            {t('dragHint')}
          </p>
          <Input.Search
            allowClear
            size="small"
            placeholder={t('findPerson')}
            aria-label={t('findPerson')}
            value={personFilter}
            onChange={(e) => setPersonFilter(e.target.value)}
            style={{ marginBottom: 8 }}
          />
          {/* A community may have dozens of providers: the list scrolls inside the panel. */}
          <div
            className="assignee-list"
            role="region"
            aria-label={t('assignTo')}
            // Focusable, so that keyboard users can scroll the list too.
            tabIndex={0}
            style={{ maxHeight: 'calc(100vh - 260px)', minHeight: 200, overflowY: 'auto' }}
          >
            {visiblePeople.map((p) => (
              <div
                key={p.id}
                onDragOver={(e) => {
                  e.preventDefault();
                  setDropTarget(p.id);
                }}
                onDragLeave={() => setDropTarget(null)}
                onDrop={(e) => onDrop(e, p)}
                style={{
                  padding: 8,
                  marginBottom: 8,
                  borderRadius: 8,
                  border: `2px dashed ${dropTarget === p.id ? '#1456d9' : '#d9d9d9'}`,
                  background: dropTarget === p.id ? '#f0f5ff' : '#fff',
                }}
              >
                <strong>{p.name}</strong> <span className="order-meta">{labels.role(lang, p.role)}</span>
                <div className="order-meta">
                  {[personDetail(p), `${t('inProgress')} ${load(p)}`].filter(Boolean).join(' · ')}
                </div>
              </div>
            ))}
          </div>
        </Card>
      </Col>
      <OrderDrawer id={drawer} onClose={() => setDrawer(null)} onChanged={() => void reload()} />
    </Row>
  );
}
