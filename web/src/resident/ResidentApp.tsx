/** The resident H5 (phone first): sign in, report, follow, rate, and whom to call. */
import { useEffect } from 'react';
import { Button } from 'antd-mobile';
import { labels } from '../lib/i18n.ts';
import { flushOutbox, pendingOrders, setOutboxOwner } from '../lib/outbox.ts';
import { match, navigate } from '../lib/router.ts';
import { signOut, useSession } from '../lib/session.ts';
import { useSettings } from '../lib/settings.tsx';
import { confirmDialog } from '../mobile/feedback.ts';
import { MobileShell } from '../mobile/MobileShell.tsx';
import { Directory } from './Directory.tsx';
import { rememberResident } from './directory-cache.ts';
import { Home } from './Home.tsx';
import { Login } from './Login.tsx';
import { Offline } from './Offline.tsx';
import { OrderDetail } from './OrderDetail.tsx';
import { Orders } from './Orders.tsx';
import { ProposalDetail } from './ProposalDetail.tsx';
import { NewProposal, Proposals } from './Proposals.tsx';
import { hasDraft } from './drafts.ts';
import { Report } from './Report.tsx';
import { ResidentTabs } from './ResidentTabs.tsx';
import { TimeBank } from './TimeBank.tsx';

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

export function ResidentApp({ path }: { path: string }) {
  const { t, lang } = useSettings();
  const { state, reload } = useSession();
  const signedIn = state.status === 'signed-in' && state.me.kind === 'resident';
  // Queued reports are sent only in the session of the resident who made them (a shared phone).
  setOutboxOwner(signedIn ? state.me.id : null);
  useOutboxRetry(signedIn);
  useEffect(() => {
    if (signedIn) rememberResident(state.me.id);
    // The anonymous answer comes only from the server: this phone has nobody signed in.
    else if (state.status === 'anonymous') rememberResident(null);
  }, [signedIn, state]);
  // Signing out asks first, and says what stays on the phone for this resident: the draft and
  // the queued reports are kept (under their id) and come back when they sign in again here.
  const leave = async (id: string) => {
    const queued = pendingOrders().length;
    const content = [
      t('signOutConfirm'),
      hasDraft(id) ? t('signOutDraft') : '',
      queued ? t('signOutQueued', { n: queued }) : '',
    ].filter(Boolean);
    const ok = await confirmDialog({
      content: (
        <div>
          {content.map((line) => (
            <p key={line} style={{ margin: '0 0 8px' }}>
              {line}
            </p>
          ))}
        </div>
      ),
      confirmText: t('signOut'),
      cancelText: t('cancel'),
    });
    if (!ok) return;
    rememberResident(null);
    try {
      await signOut();
    } finally {
      reload();
    }
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
  if (state.status === 'error') return <Offline path={path} onRetry={reload} />;
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
          {t('wrongRole', { role: labels.role(lang, me.role) })}
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
  const proposal = match('/proposals/:id', path);
  let page;
  let tab = '/';
  if (path === '/report') page = <Report me={me} />;
  else if (path === '/proposals') page = <Proposals />;
  else if (path === '/proposals/new') page = <NewProposal />;
  else if (proposal?.id) page = <ProposalDetail id={proposal.id} />;
  else if (detail?.id) {
    page = <OrderDetail id={detail.id} />;
    tab = '/orders';
  } else if (path === '/orders') {
    page = <Orders />;
    tab = '/orders';
  } else if (path === '/time-bank') page = <TimeBank me={me} />;
  else if (path === '/directory') {
    page = <Directory owner={me.id} />;
    tab = '/directory';
  } else page = <Home me={me} />;

  return (
    <MobileShell
      title={t('appName')}
      right={
        <button type="button" className="chip" onClick={() => void leave(me.id)}>
          {t('signOut')}
        </button>
      }
    >
      {page}
      <ResidentTabs tab={tab} />
    </MobileShell>
  );
}
