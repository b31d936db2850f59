/** One of my orders: where it is, who handles it, and the resident's part (rate, "not fixed", withdraw). */
import { useState } from 'react';
import { Button, Card, Form, Steps, Tag, TextArea } from 'antd-mobile';
import { api, ApiError } from '../lib/api.ts';
import { categoryName, labelled, formatTime, useCategories } from '../lib/format.ts';
import { labels } from '../lib/i18n.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Action, WorkOrder } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { StarRating } from '../mobile/Choices.tsx';
import { confirmDialog, toast } from '../mobile/feedback.ts';
import { focusFirstInvalid } from '../mobile/form-errors.ts';

const STAR_NAMES = ['star1', 'star2', 'star3', 'star4', 'star5'] as const;
/** The field each error belongs to: it is marked invalid and described by the error (form-errors.ts). */
const FIELD_IDS: Record<string, string> = {
  rating: 'rate-stars',
  comment: 'rate-comment',
  reason: 'reopen-reason',
};

export function OrderDetail({ id }: { id: string }) {
  const { t, lang } = useSettings();
  const cats = useCategories();
  const order = useLoad((signal) => api<WorkOrder>(`/api/v1/work-orders/${id}`, { signal }), [id]);
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [mode, setMode] = useState<'none' | 'rate' | 'reopen'>('none');
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const loaded = order.data;
  usePageTitle(
    loaded ? `${categoryName(cats, lang, loaded.subcategory ?? loaded.category)} ${loaded.number}` : null,
  );

  if (order.loading && !order.data) return <p className="boot">{t('loading')}</p>;
  if (order.error || !order.data)
    return (
      <p className="banner" role="alert">
        {order.error?.message ?? t('notFound')}
      </p>
    );
  const o = order.data;
  const can = (a: Action) => o.allowedActions.includes(a);

  async function act(action: Action, body: Record<string, unknown>, done: string) {
    setBusy(true);
    setError(null);
    try {
      const next = await api<WorkOrder>(`/api/v1/work-orders/${o.id}/actions/${action}`, {
        body: { version: o.version, ...body },
      });
      order.setData({ ...o, ...next });
      order.reload();
      setMode('none');
      toast(done, 'success');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'version_conflict') {
        order.reload();
        toast(t('versionConflict'), 'error');
      } else if (err instanceof ApiError) {
        setError({ field: err.field ?? 'form', message: err.message });
      } else setError({ field: 'form', message: t('networkError') });
    } finally {
      setBusy(false);
    }
  }

  const events = (o.timeline ?? []).filter((e) => e.visibility === 'public');
  const fieldError = (f: string) =>
    error && error.field === f ? (
      <p className="field-error" role="alert" data-error-for={FIELD_IDS[f]}>
        {error.message}
      </p>
    ) : null;

  return (
    <section className="h5-section" aria-labelledby="order-title">
      <Card
        title={
          <h1 id="order-title" className="card-title">
            {categoryName(cats, lang, o.subcategory ?? o.category)}{' '}
            <Tag color="primary" fill="outline">
              {labels.status(lang, o.status)}
            </Tag>
          </h1>
        }
      >
        <p style={{ margin: '0 0 8px', whiteSpace: 'pre-wrap' }}>{o.description}</p>
        <p className="order-meta">
          {labelled(lang, t('orderNo'))}
          {o.number}
          <br />
          {labelled(lang, t('createdAt'))}
          {formatTime(lang, o.createdAt)} · {labels.urgency(lang, o.urgency)}
          {o.beneficiary && (
            <>
              <br />
              {labelled(lang, t('beneficiary'))}
              {o.beneficiary.name}
              {o.proxy ? `（${t('proxyBy')}）` : ''}
            </>
          )}
          {o.address && (
            <>
              <br />
              {labelled(lang, t('address'))}
              {o.address}
            </>
          )}
          {o.assignee && (
            <>
              <br />
              {labelled(lang, t('assignee'))}
              {o.assignee.name}
            </>
          )}
        </p>
        {o.resolutionNote && (
          <p>
            <strong>{labelled(lang, t('resolution'))}</strong>
            {o.resolutionNote}
          </p>
        )}
        {o.rating !== null && (
          <p>
            <strong>{labelled(lang, t('rating'))}</strong>
            <span className="stars-readonly" aria-hidden="true">
              {'★'.repeat(o.rating)}
              {'☆'.repeat(Math.max(0, 5 - o.rating))}
            </span>{' '}
            {t(STAR_NAMES[Math.min(5, Math.max(1, o.rating)) - 1] ?? 'star5')}
          </p>
        )}
        {o.photos && o.photos.length > 0 && (
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            {o.photos.map((p, i) => (
              <img
                key={p.id}
                src={p.url}
                alt={`${t('photos')} ${i + 1}`}
                width={88}
                height={88}
                style={{ objectFit: 'cover', borderRadius: 6 }}
              />
            ))}
          </div>
        )}
      </Card>

      {(can('confirm') || can('reopen') || can('cancel')) && mode === 'none' && (
        <div style={{ display: 'grid', gap: 10, margin: '12px 0' }}>
          {can('confirm') && (
            <Button block color="primary" size="large" onClick={() => setMode('rate')}>
              {t('confirmAndRate')}
            </Button>
          )}
          {can('reopen') && (
            <Button block color="danger" fill="outline" size="large" onClick={() => setMode('reopen')}>
              {t('notFixed')}
            </Button>
          )}
          {can('cancel') && (
            <Button
              block
              fill="none"
              onClick={() =>
                void confirmDialog({
                  content: t('cancelOrder'),
                  confirmText: t('confirm'),
                  cancelText: t('back'),
                }).then(async (ok) => {
                  if (ok) await act('cancel', {}, t('cancelled'));
                })
              }
            >
              {t('cancelOrder')}
            </Button>
          )}
        </div>
      )}

      {mode === 'rate' && (
        <Card title={t('rateService')} style={{ marginTop: 12 }}>
          <Form layout="vertical">
            <Form.Item label={<span id="rate-label">{t('rating')}</span>}>
              <StarRating
                value={rating}
                onChange={(v: number) => {
                  setRating(v);
                  if (error?.field === 'rating') setError(null);
                }}
                names={STAR_NAMES.map((k) => t(k))}
                labelledBy="rate-label"
                id="rate-stars"
              />
              {fieldError('rating')}
            </Form.Item>
            <Form.Item label={<label htmlFor="rate-comment">{t('comment')}</label>}>
              <TextArea
                id="rate-comment"
                value={comment}
                onChange={setComment}
                maxLength={2000}
                placeholder={t('commentPlaceholder')}
              />
              {fieldError('comment')}
            </Form.Item>
          </Form>
          {fieldError('form')}
          <Button
            block
            color="primary"
            size="large"
            loading={busy}
            onClick={() => {
              if (rating < 1) {
                setError({ field: 'rating', message: t('ratingRequired') });
                focusFirstInvalid();
                return;
              }
              void act(
                'confirm',
                { rating, ...(comment.trim() ? { comment: comment.trim() } : {}) },
                t('rated'),
              );
            }}
          >
            {t('submit')}
          </Button>
          <Button block fill="none" onClick={() => setMode('none')}>
            {t('cancel')}
          </Button>
        </Card>
      )}

      {mode === 'reopen' && (
        <Card title={t('notFixed')} style={{ marginTop: 12 }}>
          <label htmlFor="reopen-reason" className="order-meta">
            <span className="required-mark" aria-hidden="true">
              *{' '}
            </span>
            {t('reopenReason')}
          </label>
          <TextArea
            id="reopen-reason"
            aria-required="true"
            value={reason}
            onChange={(v) => {
              setReason(v);
              if (error?.field === 'reason' && v.trim()) setError(null);
            }}
            maxLength={1000}
            placeholder={t('reopenReasonPlaceholder')}
          />
          {fieldError('reason')}
          {fieldError('form')}
          <Button
            block
            color="danger"
            size="large"
            loading={busy}
            onClick={() => {
              if (!reason.trim()) {
                setError({ field: 'reason', message: t('reopenReasonRequired') });
                focusFirstInvalid();
                return;
              }
              void act('reopen', { reason: reason.trim() }, t('reopened'));
            }}
          >
            {t('submit')}
          </Button>
          <Button block fill="none" onClick={() => setMode('none')}>
            {t('cancel')}
          </Button>
        </Card>
      )}

      <h2>{t('timeline')}</h2>
      <Card>
        <Steps direction="vertical" current={events.length - 1}>
          {events.map((e) => (
            <Steps.Step
              key={e.id}
              status="finish"
              title={labels.event(lang, e)}
              description={
                <span className="timeline-note">
                  {formatTime(lang, e.at)}
                  {e.actor.name ? ` · ${e.actor.name}` : ''}
                  {e.note ? ` · ${e.note}` : ''}
                </span>
              }
            />
          ))}
        </Steps>
      </Card>
    </section>
  );
}
