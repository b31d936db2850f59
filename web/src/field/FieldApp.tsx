/** Field view for grid workers and providers on a phone: my tasks, start, resolve with note and photos. */
import { useState } from 'react';
import { Button, Form, Input, List, Tag } from 'antd-mobile';
import { api, ApiError, qs } from '../lib/api.ts';
import { categoryName, formatTime, useCategories } from '../lib/format.ts';
import { labels } from '../lib/i18n.ts';
import { match, navigate } from '../lib/router.ts';
import { fetchMe, signOut, useSession } from '../lib/session.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Me, Page, WorkOrder } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { MobileShell } from '../mobile/MobileShell.tsx';
import { FieldPassword } from './FieldPassword.tsx';
import { TaskDetail } from './TaskDetail.tsx';

const ACTIVE = ['dispatched', 'in_progress', 'waiting_on_resident'];

function FieldLogin({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useSettings();
  const [form] = Form.useForm<{ username: string; password: string }>();
  usePageTitle(t('staffLogin'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(v: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/auth/login', { body: { username: v.username.trim(), password: v.password } });
      await fetchMe(true);
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('networkError'));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="h5-section" aria-labelledby="field-login-title">
      <h1 id="field-login-title">{t('staffLogin')}</h1>
      <Form
        form={form}
        layout="vertical"
        validateTrigger="onChange"
        onFinish={(v: { username: string; password: string }) => void submit(v)}
        footer={
          <Button block type="submit" color="primary" size="large" loading={busy}>
            {t('signIn')}
          </Button>
        }
      >
        <Form.Item
          name="username"
          label={<label htmlFor="staff-username">{t('username')}</label>}
          rules={[{ required: true, whitespace: true, message: t('usernameRequired') }]}
        >
          <Input id="staff-username" autoComplete="username" placeholder={t('fieldUsernamePlaceholder')} />
        </Form.Item>
        <Form.Item
          name="password"
          label={<label htmlFor="staff-password">{t('password')}</label>}
          rules={[{ required: true, message: t('passwordRequired') }]}
        >
          <Input
            id="staff-password"
            type="password"
            autoComplete="current-password"
            onEnterPress={() => form.submit()}
          />
        </Form.Item>
      </Form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Tasks({ me }: { me: Me }) {
  const { t, lang } = useSettings();
  usePageTitle(t('myTasks'));
  const cats = useCategories();
  const tasks = useLoad(
    (signal) =>
      api<Page<WorkOrder>>(
        `/api/v1/work-orders${qs({ assignee: me.id, status: ACTIVE.join(','), limit: 100 })}`,
        { signal },
      ),
    [me.id],
  );
  const done = useLoad(
    (signal) =>
      api<Page<WorkOrder>>(
        `/api/v1/work-orders${qs({ assignee: me.id, status: 'resolved,closed', limit: 10 })}`,
        { signal },
      ),
    [me.id],
  );
  const render = (list: WorkOrder[]) =>
    list.length === 0 ? (
      <p className="order-meta">{t('noItems')}</p>
    ) : (
      <List>
        {list.map((o) => (
          <List.Item
            key={o.id}
            className="row-item"
            description={
              <span className="order-meta">
                {o.address ?? '—'} · {formatTime(lang, o.createdAt)}
              </span>
            }
            extra={
              <Tag
                color={o.urgency === 'critical' ? '#a8071a' : o.urgency === 'high' ? '#ad4e00' : '#1456d9'}
              >
                {labels.urgency(lang, o.urgency)}
              </Tag>
            }
          >
            <a
              className="row-link"
              href={`/field/${o.id}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/field/${o.id}`);
              }}
            >
              <span>
                {categoryName(cats, lang, o.subcategory ?? o.category)} · {labels.status(lang, o.status)}
              </span>
              <span className="order-meta">{o.description}</span>
            </a>
          </List.Item>
        ))}
      </List>
    );
  return (
    <>
      <section className="h5-section" aria-labelledby="tasks-title">
        <h1 id="tasks-title">
          {me.name} · {t('myTasks')} ({tasks.data?.items.length ?? 0})
        </h1>
        {tasks.error ? (
          <p className="field-error" role="alert">
            {tasks.error.message}
          </p>
        ) : (
          render(tasks.data?.items ?? [])
        )}
        <Button block style={{ marginTop: 12 }} onClick={tasks.reload}>
          {t('refresh')}
        </Button>
      </section>
      <section className="h5-section" aria-labelledby="done-title">
        <h2 id="done-title">{t('done')}</h2>
        {render(done.data?.items ?? [])}
      </section>
    </>
  );
}

export default function FieldApp({ path }: { path: string }) {
  const { t } = useSettings();
  const { state, reload } = useSession();
  const [changingPassword, setChangingPassword] = useState(false);
  const detail = match('/field/:id', path);
  const signOutButton = (
    <button type="button" className="chip" onClick={() => void signOut().then(reload)}>
      {t('signOut')}
    </button>
  );
  if (state.status === 'loading') {
    return (
      <MobileShell title={t('field')}>
        <p className="boot" role="status">
          {t('loading')}
        </p>
      </MobileShell>
    );
  }
  if (state.status !== 'signed-in' || state.me.kind !== 'user') {
    return (
      <MobileShell title={t('field')}>
        <FieldLogin onSignedIn={reload} />
      </MobileShell>
    );
  }
  const me = state.me;
  return (
    <MobileShell title={t('field')} right={signOutButton}>
      <div data-signed-in={me.role}>
        {me.mustChangePassword ? (
          <>
            <p className="h5-section" role="status">
              {t('setOwnPasswordFirst')}
            </p>
            <FieldPassword username={me.username} onDone={reload} />
          </>
        ) : changingPassword ? (
          <FieldPassword username={me.username} onDone={() => setChangingPassword(false)} />
        ) : detail?.id ? (
          <TaskDetail id={detail.id} userId={me.id} />
        ) : (
          <>
            <Tasks me={me} />
            <section className="h5-section">
              <Button block fill="outline" onClick={() => setChangingPassword(true)}>
                {t('changePassword')}
              </Button>
            </section>
          </>
        )}
      </div>
    </MobileShell>
  );
}
