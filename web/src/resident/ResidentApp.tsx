/** The resident H5 (phone first): sign in, report, follow, rate, and whom to call. */
import { useEffect } from 'react';
import { Button } from 'antd-mobile';
import { AppOutline, PhoneFill, UnorderedListOutline } from 'antd-mobile-icons';
import { flushOutbox, pendingOrders, setOutboxOwner } from '../lib/outbox.ts';
import { match, navigate } from '../lib/router.ts';
import { signOut, useSession } from '../lib/session.ts';
import { useSettings } from '../lib/settings.tsx';
import { MobileShell } from '../mobile/MobileShell.tsx';
import { Directory } from './Directory.tsx';
import { Home } from './Home.tsx';
import { Login } from './Login.tsx';
import { OrderDetail } from './OrderDetail.tsx';
import { Orders } from './Orders.tsx';
import { clearDraft, Report } from './Report.tsx';

/** Retries queued submissions when the connection returns, at start and every 20 s while some wait. */
function useOutboxRetry(enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    const flush = () => {
      if (pendingOrders().length) void flushOutbox();
    };
    flush();
    window.addEventListener('online', flush);
    const id = setInterval(flush, 20000);
    return () => {
      window.removeEventListener('online', flush);
      clearInterval(id);
    };
  }, [enabled]);
}

const TABS = [
  { path: '/', icon: <AppOutline aria-hidden />, label: 'homeTab' },
  { path: '/orders', icon: <UnorderedListOutline aria-hidden />, label: 'myOrders' },
  { path: '/directory', icon: <PhoneFill aria-hidden />, label: 'directory' },
] as const;

export function ResidentApp({ path }: { path: string }) {
  const { t } = useSettings();
  const { state, reload } = useSession();
  const signedIn = state.status === 'signed-in' && state.me.kind === 'resident';
  // Queued reports are sent only in the session of the resident who made them (a shared phone).
  setOutboxOwner(signedIn ? state.me.id : null);
  useOutboxRetry(signedIn);
  const leave = () => {
    clearDraft();
    void signOut().then(reload);
  };

  if (state.status === 'loading') {
    return (
      <MobileShell title={t('appName')}>
        <p className="boot" role="status">
          {t('loading')}
        </p>
      </MobileShell>
    );
  }
  if (state.status === 'error') {
    return (
      <MobileShell title={t('appName')}>
        <div className="banner" role="alert">
          {t('networkError')}{' '}
          <Button size="mini" onClick={reload}>
            {t('retry')}
          </Button>
        </div>
      </MobileShell>
    );
  }
  if (state.status === 'anonymous') {
    return (
      <MobileShell title={t('appName')}>
        <Login onSignedIn={reload} />
      </MobileShell>
    );
  }
  const me = state.me;
  if (me.kind !== 'resident') {
    return (
      <MobileShell title={t('appName')}>
        <div className="banner" role="alert">
          {t('wrongRole', { role: me.role })}
        </div>
        <div className="h5-section" style={{ display: 'grid', gap: 10 }}>
          <Button
            block
            color="primary"
            onClick={() =>
              navigate(me.role === 'grid_worker' || me.role === 'provider' ? '/field' : '/console')
            }
          >
            {t('console')} / {t('field')}
          </Button>
          <Button block onClick={() => void signOut().then(reload)}>
            {t('switchUser')}
          </Button>
        </div>
      </MobileShell>
    );
  }

  const detail = match('/orders/:id', path);
  let page;
  let tab = '/';
  if (path === '/report') page = <Report me={me} />;
  else if (detail?.id) {
    page = <OrderDetail id={detail.id} />;
    tab = '/orders';
  } else if (path === '/orders') {
    page = <Orders />;
    tab = '/orders';
  } else if (path === '/directory') {
    page = <Directory />;
    tab = '/directory';
  } else page = <Home me={me} />;

  return (
    <MobileShell
      title={t('appName')}
      right={
        <button type="button" className="chip" onClick={leave}>
          {t('signOut')}
        </button>
      }
    >
      {page}
      <nav
        aria-label={t('appName')}
        style={{
          position: 'fixed',
          bottom: 0,
          left: 0,
          right: 0,
          background: '#fff',
          borderTop: '1px solid #ddd',
        }}
      >
        <ul className="tab-bar">
          {TABS.map(({ path: to, icon, label }) => (
            <li key={to}>
              <a
                href={to}
                aria-current={tab === to ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(to);
                }}
              >
                {icon}
                {t(label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </MobileShell>
  );
}
