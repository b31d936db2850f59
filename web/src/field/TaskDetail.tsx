/** One task in the field: what, where, for whom, and the worker's steps (start, resolve with note and photos). */
import { useState } from 'react';
import { Button, Card, ImageUploader, Tag, TextArea } from 'antd-mobile';
import { confirmDialog, toast } from '../mobile/feedback.ts';
import type { ImageUploadItem } from 'antd-mobile';
import { api, ApiError } from '../lib/api.ts';
import {
  categoryName,
  fileToBase64,
  formatPlace,
  formatTime,
  labelled,
  mapLink,
  useCategories,
} from '../lib/format.ts';
import { labels } from '../lib/i18n.ts';
import { navigate } from '../lib/router.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Action, PhotoUpload, WorkOrder } from '../lib/types.ts';
import { useFeatures } from '../lib/features.ts';
import { useLoad } from '../lib/useLoad.ts';

/** An order's assignments (GET /api/v1/work-orders/:id/assignments, and the accept route's answer). */
interface Assignments {
  orderId: string;
  assignments: { userId: string; role: string; state: string; respondedAt: string | null }[];
}

/**
 * The signed-in worker's current assignment on the order. Accepting it leaves the order
 * `dispatched`, so only the assignment tells whether they have accepted.
 */
function myAssignment(list: Assignments | null, userId: string) {
  return list?.assignments.filter((a) => a.userId === userId && a.role === 'assignee').at(-1) ?? null;
}

export function TaskDetail({ id, userId }: { id: string; userId: string }) {
  const { t, lang } = useSettings();
  const cats = useCategories();
  const order = useLoad((signal) => api<WorkOrder>(`/api/v1/work-orders/${id}`, { signal }), [id]);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const [photos, setPhotos] = useState<ImageUploadItem[]>([]);
  const [uploads] = useState(() => new Map<string, PhotoUpload>());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loaded = order.data;
  usePageTitle(
    loaded ? `${categoryName(cats, lang, loaded.subcategory ?? loaded.category)} ${loaded.number}` : null,
  );
  const features = useFeatures();
  const acceptRoute = features?.routes.find(
    (r) => r.method === 'post' && r.path === '/api/v1/work-orders/{id}/assignment/accept',
  );
  const historyRoute = features?.routes.find(
    (r) => r.method === 'get' && r.path === '/api/v1/work-orders/{id}/assignments',
  );
  const assignments = useLoad(
    (signal) =>
      historyRoute
        ? api<Assignments>(historyRoute.path.replace('{id}', encodeURIComponent(id)), { signal })
        : Promise.resolve(null),
    [id, historyRoute?.path],
  );

  if (order.loading && !order.data) return <p className="boot">{t('loading')}</p>;
  if (!order.data)
    return (
      <p className="banner" role="alert">
        {order.error?.message ?? t('notFound')}
      </p>
    );
  const o = order.data;
  const can = (a: Action) => o.allowedActions.includes(a);
  const mine = myAssignment(assignments.data, userId);
  // Without the history route, a dispatched order is offered as before.
  const mayAccept =
    !!acceptRoute && o.status === 'dispatched' && (historyRoute ? mine?.state === 'pending' : true);
  const accepted = o.status === 'dispatched' && mine?.state === 'accepted';

  async function accept() {
    if (!acceptRoute) return;
    setBusy(true);
    setError(null);
    try {
      const after = await api<Assignments>(acceptRoute.path.replace('{id}', encodeURIComponent(o.id)), {
        method: 'POST',
        body: {},
      });
      toast(labels.action(lang, 'assignment_accepted'), 'success');
      assignments.setData(after);
      order.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      order.reload();
      assignments.reload();
    } finally {
      setBusy(false);
    }
  }

  async function run(action: Action, body: Record<string, unknown> = {}) {
    setBusy(true);
    setError(null);
    try {
      if (action === 'resolve') {
        for (const p of photos) {
          const up = uploads.get(p.url);
          if (up) await api(`/api/v1/work-orders/${o.id}/photos`, { body: up });
        }
      }
      await api<WorkOrder>(`/api/v1/work-orders/${o.id}/actions/${action}`, {
        body: { version: o.version, ...body },
      });
      toast(labels.action(lang, action), 'success');
      if (action === 'resolve' || action === 'reject' || action === 'transfer') navigate('/field');
      else order.reload();
    } catch (err) {
      if (err instanceof ApiError && err.field === 'note') setNoteError(err.message);
      else if (err instanceof ApiError && err.code === 'version_conflict') {
        toast(t('versionConflict'), 'error');
        order.reload();
      } else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  async function withReason(action: Action) {
    let reason = '';
    const ok = await confirmDialog({
      title: labels.action(lang, action),
      content: (
        <TextArea
          aria-label={t('reason')}
          placeholder={t('reason')}
          onChange={(v) => {
            reason = v;
          }}
        />
      ),
      confirmText: t('confirm'),
      cancelText: t('cancel'),
    });
    if (ok) await run(action, reason.trim() ? { reason: reason.trim() } : {});
  }

  return (
    <section className="h5-section" aria-labelledby="task-title">
      <Button size="small" fill="none" onClick={() => navigate('/field')}>
        ‹ {t('back')}
      </Button>
      <Card
        title={
          <h1 id="task-title" className="card-title">
            {categoryName(cats, lang, o.subcategory ?? o.category)}{' '}
            <Tag color="#1456d9">{labels.status(lang, o.status)}</Tag>
          </h1>
        }
      >
        <p style={{ whiteSpace: 'pre-wrap', marginTop: 0 }}>{o.description}</p>
        <p className="order-meta">
          {o.number} · {labels.urgency(lang, o.urgency)} · {formatTime(lang, o.createdAt)}
        </p>
        <p>
          <strong>{labelled(lang, t('navigateTo'))}</strong>
          {formatPlace(o)}
          {o.location && (
            <>
              {' '}
              <a href={mapLink(o.location)}>{t('openMap')}</a>
            </>
          )}
        </p>
        {o.beneficiary && (
          <p>
            <strong>{labelled(lang, t('needs'))}</strong>
            {o.beneficiary.name}{' '}
            {o.beneficiary.phone && <a href={`tel:${o.beneficiary.phone}`}>{o.beneficiary.phone}</a>}{' '}
            {o.beneficiary.tags?.map((x) => (
              <Tag key={x} color="#ad4e00" style={{ marginRight: 4 }}>
                {labels.tag(lang, x)}
              </Tag>
            ))}
          </p>
        )}
        {o.photos && o.photos.length > 0 && (
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            {o.photos.map((p, i) => (
              <img
                key={p.id}
                src={p.url}
                alt={`${t('photos')} ${i + 1}`}
                width={80}
                height={80}
                style={{ objectFit: 'cover', borderRadius: 6 }}
              />
            ))}
          </div>
        )}
      </Card>

      <div style={{ display: 'grid', gap: 10, marginTop: 12 }}>
        {accepted && (
          <p className="order-meta" role="status" style={{ margin: 0 }}>
            {labels.action(lang, 'assignment_accepted')}
            {mine.respondedAt ? ` · ${formatTime(lang, mine.respondedAt)}` : ''}
          </p>
        )}
        {mayAccept && (
          <Button
            block
            size="large"
            fill="outline"
            color="primary"
            loading={busy}
            onClick={() => void accept()}
          >
            {t('acceptTask')}
          </Button>
        )}
        {can('start') && (
          <Button block color="primary" size="large" loading={busy} onClick={() => void run('start')}>
            {t('start')}
          </Button>
        )}
        {can('resume') && (
          <Button block color="primary" size="large" loading={busy} onClick={() => void run('resume')}>
            {labels.action(lang, 'resume')}
          </Button>
        )}
      </div>

      {can('resolve') && (
        <Card title={t('resolve')} style={{ marginTop: 12 }}>
          <label htmlFor="resolve-note">{t('resolveNote')}</label>
          <TextArea
            id="resolve-note"
            value={note}
            onChange={(v) => {
              setNote(v);
              setNoteError(v.trim() ? null : t('resolveNoteRequired'));
            }}
            placeholder={t('resolveNotePlaceholder')}
            maxLength={4000}
            autoSize={{ minRows: 3 }}
          />
          {noteError && (
            <p className="field-error" role="alert">
              {noteError}
            </p>
          )}
          <p className="order-meta">{t('addPhoto')}</p>
          <ImageUploader
            value={photos}
            onChange={setPhotos}
            maxCount={6}
            accept="image/*"
            upload={async (file) => {
              const url = URL.createObjectURL(file);
              uploads.set(url, {
                contentType: file.type || 'image/jpeg',
                dataBase64: await fileToBase64(file),
              });
              return { url };
            }}
          />
          <Button
            block
            color="success"
            size="large"
            style={{ marginTop: 12 }}
            loading={busy}
            onClick={() => {
              if (!note.trim()) {
                setNoteError(t('resolveNoteRequired'));
                return;
              }
              void run('resolve', { note: note.trim() });
            }}
          >
            {t('resolve')}
          </Button>
        </Card>
      )}

      <div style={{ display: 'flex', gap: 10, marginTop: 12 }}>
        {can('reject') && (
          <Button style={{ flex: 1 }} color="danger" fill="outline" onClick={() => void withReason('reject')}>
            {t('reject')}
          </Button>
        )}
        {can('transfer') && (
          <Button style={{ flex: 1 }} fill="outline" onClick={() => void withReason('transfer')}>
            {t('transfer')}
          </Button>
        )}
        {can('wait') && (
          <Button style={{ flex: 1 }} fill="outline" onClick={() => void run('wait')}>
            {labels.action(lang, 'wait')}
          </Button>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
