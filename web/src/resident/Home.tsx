/** Resident home: the big actions first, then the orders they follow. */
import { useEffect, useRef, useState } from 'react';
import { Button, List, Space, Tag } from 'antd-mobile';
import { api, NetworkError, newKey } from '../lib/api.ts';
import { categoryName, formatTime, useCategories } from '../lib/format.ts';
import { labels } from '../lib/i18n.ts';
import { discardPending, flushOutbox, onOutboxChange, pendingOrders, refusedOrders } from '../lib/outbox.ts';
import { navigate } from '../lib/router.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Me, Page, WorkOrder } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { confirmDialog, toast } from '../mobile/feedback.ts';
import { fetchDirectory, savedDirectory } from './directory-cache.ts';
import { draftFrom } from './drafts.ts';
import { MyData } from './MyData.tsx';
import { SosFailed } from './SosFailed.tsx';

export const QUICK = [
  { key: 'quickWater', text: '家里水管漏水了，需要维修', category: 'basic_living' },
  { key: 'quickPower', text: '家里停电了，请帮忙看看', category: 'basic_living' },
  { key: 'quickLift', text: '楼里电梯坏了', category: 'basic_living' },
  { key: 'quickMeal', text: '需要助餐送饭服务', category: 'elderly_care' },
  { key: 'quickDoctor', text: '需要看病配药的帮助', category: 'health' },
  { key: 'quickPaper', text: '需要帮忙办理证件', category: 'government_affairs' },
] as const;

// Dark enough for white text (WCAG AA).
const STATUS_COLOR: Record<string, string> = {
  submitted: '#595959',
  accepted: '#1456d9',
  dispatched: '#1456d9',
  in_progress: '#ad4e00',
  waiting_on_resident: '#ad4e00',
  resolved: '#237804',
  closed: '#237804',
};

const SOS_TEXT = '紧急求助（一键SOS）';

export function usePending(): number {
  const [n, setN] = useState(() => pendingOrders().length);
  useEffect(() => onOutboxChange(() => setN(pendingOrders().length)), []);
  return n;
}

/**
 * Queued reports the server refused when they were sent later: the resident reads why, and
 * rewrites one (back into the form) or removes it. They used to disappear without a word.
 */
function Refused({ owner }: { owner: string }) {
  const { t } = useSettings();
  const [items, setItems] = useState(refusedOrders);
  useEffect(() => onOutboxChange(() => setItems(refusedOrders())), []);
  if (items.length === 0) return null;
  return (
    <section className="h5-section" role="alert" aria-labelledby="refused-title">
      <h2 id="refused-title">{t('refusedTitle', { n: items.length })}</h2>
      <List>
        {items.map((q) => (
          <List.Item
            key={q.key}
            description={
              <span className="field-error">{t('refusedWhy', { why: q.refused?.message ?? '' })}</span>
            }
          >
            {q.body.description.length > 40 ? `${q.body.description.slice(0, 40)}…` : q.body.description}
            <Space wrap style={{ marginTop: 8, display: 'flex' }}>
              <Button
                size="small"
                color="primary"
                onClick={() => {
                  draftFrom(owner, q.body);
                  discardPending(q.key);
                  navigate('/report');
                }}
              >
                {t('refusedRewrite')}
              </Button>
              <Button
                size="small"
                onClick={() =>
                  void confirmDialog({
                    content: t('refusedDiscardConfirm'),
                    confirmText: t('refusedDiscard'),
                    cancelText: t('cancel'),
                  }).then((ok) => {
                    if (ok) discardPending(q.key);
                  })
                }
              >
                {t('refusedDiscard')}
              </Button>
            </Space>
          </List.Item>
        ))}
      </List>
    </section>
  );
}

export function OrderList({ orders }: { orders: WorkOrder[] }) {
  const { lang, t } = useSettings();
  const cats = useCategories();
  if (orders.length === 0) return <p className="order-meta">{t('noOrders')}</p>;
  return (
    <List>
      {orders.map((o) => (
        <List.Item
          key={o.id}
          className="row-item"
          description={
            <span className="order-meta">
              {o.number} · {formatTime(lang, o.createdAt)}
            </span>
          }
          extra={<Tag color={STATUS_COLOR[o.status] ?? '#595959'}>{labels.status(lang, o.status)}</Tag>}
        >
          <a
            className="row-link"
            href={`/orders/${o.id}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/orders/${o.id}`);
            }}
          >
            <span>{categoryName(cats, lang, o.subcategory ?? o.category)}</span>
            <span className="order-meta">
              {o.description.length > 40 ? `${o.description.slice(0, 40)}…` : o.description}
            </span>
          </a>
        </List.Item>
      ))}
    </List>
  );
}

export function Home({ me }: { me: Me }) {
  const { t, elderly } = useSettings();
  const pending = usePending();
  usePageTitle(t('homeTab'));
  const orders = useLoad((signal) => api<Page<WorkOrder>>('/api/v1/work-orders?limit=5', { signal }), []);
  const lastPending = useRef(pending);
  const { reload } = orders;
  useEffect(() => {
    // A queued submission just went through: show it in the list.
    if (pending < lastPending.current) reload();
    lastPending.current = pending;
  }, [pending, reload]);
  useEffect(() => {
    window.addEventListener('online', reload);
    return () => window.removeEventListener('online', reload);
  }, [reload]);

  // Keep the directory fresh on the phone: the hotline is named when an SOS cannot be sent.
  const [hotline, setHotline] = useState(() => savedDirectory(me.id)?.directory.contacts.hotline ?? null);
  useEffect(() => {
    const ctl = new AbortController();
    fetchDirectory(me.id, ctl.signal)
      .then((d) => setHotline(d.contacts.hotline))
      .catch(() => undefined);
    return () => ctl.abort();
  }, [me.id]);

  // An SOS is never left in the outbox to go out hours later: it is sent now, or the resident is
  // told at once that it was not and whom to call. A retry reuses the key (the server may have it).
  const sosKey = useRef<string | null>(null);
  const [sosFailed, setSosFailed] = useState(false);
  const [sosBusy, setSosBusy] = useState(false);

  async function sendSos() {
    const key = sosKey.current ?? newKey();
    sosKey.current = key;
    setSosBusy(true);
    try {
      await api<WorkOrder>('/api/v1/work-orders', {
        body: { channel: 'web', description: SOS_TEXT, category: 'safety_emergency', urgency: 'critical' },
        headers: { 'idempotency-key': key },
      });
      sosKey.current = null;
      setSosFailed(false);
      toast(t('sosSent'), 'success');
      orders.reload();
    } catch {
      setSosFailed(true);
    } finally {
      setSosBusy(false);
    }
  }

  async function sos() {
    const ok = await confirmDialog({
      content: t('sosConfirm'),
      confirmText: t('sos'),
      cancelText: t('cancel'),
      danger: true,
    });
    if (ok) await sendSos();
  }

  async function retry() {
    const sent = await flushOutbox();
    if (sent.length) orders.reload();
  }

  return (
    <>
      {sosFailed && (
        <SosFailed
          hotline={hotline}
          busy={sosBusy}
          onRetry={() => void sendSos()}
          onDismiss={() => {
            sosKey.current = null;
            setSosFailed(false);
          }}
        />
      )}
      <section className="h5-section" aria-label={t('hello', { name: me.name })}>
        <h1>{t('hello', { name: me.name })}</h1>
        <div className="big-actions">
          <button type="button" className="big-action primary" onClick={() => navigate('/report')}>
            {t('reportNeed')}
            <small>{t('reportNeedHint')}</small>
          </button>
          <button type="button" className="big-action danger" onClick={() => void sos()}>
            {t('sos')}
            <small>{t('sosHint')}</small>
          </button>
          <button type="button" className="big-action" onClick={() => navigate('/directory')}>
            {t('directory')}
            <small>{t('directoryHint')}</small>
          </button>
          <button type="button" className="big-action" onClick={() => navigate('/time-bank')}>
            {t('timeBank')}
            <small>{t('timeBankHint')}</small>
          </button>
          <button type="button" className="big-action" onClick={() => navigate('/proposals')}>
            {t('proposals')}
            <small>{t('proposalsHint')}</small>
          </button>
        </div>
      </section>
      <Refused owner={me.id} />
      {pending > 0 && (
        <div className="banner" role="status">
          {t('pendingCount', { n: pending })}{' '}
          <Button size="mini" color="primary" fill="outline" onClick={() => void retry()}>
            {t('sendNow')}
          </Button>
        </div>
      )}
      <section className="h5-section" aria-labelledby="quick-title">
        <h2 id="quick-title">{t('quickReport')}</h2>
        <div className="quick-grid">
          {QUICK.slice(0, elderly ? 4 : 6).map((q) => (
            <button key={q.key} type="button" onClick={() => navigate(`/report?quick=${q.key}`)}>
              {t(q.key)}
            </button>
          ))}
        </div>
      </section>
      <section className="h5-section" aria-labelledby="orders-title">
        <h2 id="orders-title">{t('myOrders')}</h2>
        {orders.loading && !orders.data ? (
          <p className="order-meta">{t('loading')}</p>
        ) : orders.error ? (
          <p className="field-error" role="alert">
            {orders.error instanceof NetworkError ? t('networkError') : orders.error.message}{' '}
            <Button size="mini" onClick={orders.reload}>
              {t('retry')}
            </Button>
          </p>
        ) : (
          <>
            <OrderList orders={orders.data?.items ?? []} />
            {orders.data?.nextCursor && (
              <Button
                block
                fill="none"
                color="primary"
                onClick={() => navigate('/orders')}
                style={{ marginTop: 8 }}
              >
                {t('allOrders')}
              </Button>
            )}
          </>
        )}
      </section>
      <MyData />
    </>
  );
}
