/**
 * The resident app when the server cannot be reached at start: the tab bar stays, 找谁办 shows the
 * directory kept on the phone (numbers still one tap away), 我的工单 the reports waiting to be
 * sent, 我要办事 the report form (its report queued on the phone and sent once the network is
 * back), and a banner says the network is down with a retry (also tried when the phone is back online).
 */
import { useEffect } from 'react';
import { Button, List, Tag } from 'antd-mobile';
import { formatTime } from '../lib/format.ts';
import { pendingOrders, setOutboxOwner } from '../lib/outbox.ts';
import { navigate } from '../lib/router.ts';
import type { Me } from '../lib/types.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import { MobileShell } from '../mobile/MobileShell.tsx';
import { DirectoryView } from './Directory.tsx';
import { lastResident, savedDirectory } from './directory-cache.ts';
import { Report } from './Report.tsx';
import { ResidentTabs, tabOf } from './ResidentTabs.tsx';

/** The reports waiting to be sent: the page's heading on the orders tab, a section's on the home tab. */
function Queued({ page = false }: { page?: boolean }) {
  const { t, lang } = useSettings();
  const queued = pendingOrders();
  const Heading = page ? 'h1' : 'h2';
  return (
    <section className="h5-section" aria-labelledby="queued-title">
      <Heading id="queued-title">{t('queuedReports')}</Heading>
      {queued.length === 0 ? (
        <p className="order-meta">{t('noQueued')}</p>
      ) : (
        <List>
          {queued.map((q) => (
            <List.Item
              key={q.key}
              description={<span className="order-meta">{formatTime(lang, q.savedAt)}</span>}
              extra={<Tag color="#ad4e00">{t('waitingToSend')}</Tag>}
            >
              {q.body.description}
              {q.photosDropped ? (
                <span className="order-meta"> {t('photosNotKept', { n: q.photosDropped })}</span>
              ) : null}
            </List.Item>
          ))}
        </List>
      )}
    </section>
  );
}

/** The directory kept on the phone: the page on the directory tab, a section of the home tab. */
function SavedDirectory({ owner, section = false }: { owner: string; section?: boolean }) {
  const { t } = useSettings();
  const saved = savedDirectory(owner);
  if (!saved) return <p className="h5-section order-meta">{t('noSavedDirectory')}</p>;
  return <DirectoryView d={saved.directory} savedAt={saved.savedAt} section={section} />;
}

/**
 * The resident as far as the phone knows them without the server: their id (the report is
 * queued under it); the server finds their community when the report arrives.
 */
function offlineResident(id: string): Me {
  return { id, kind: 'resident', role: 'resident', name: '', communities: [] };
}

export function Offline({ path, onRetry }: { path: string; onRetry: () => void }) {
  const { t } = useSettings();
  const owner = lastResident();
  // The queued reports shown are this resident's only (a shared phone).
  setOutboxOwner(owner);
  useEffect(() => {
    window.addEventListener('online', onRetry);
    return () => window.removeEventListener('online', onRetry);
  }, [onRetry]);
  const tab = tabOf(path);
  // The report form names its own page.
  usePageTitle(
    path === '/report'
      ? null
      : t(tab === '/orders' ? 'queuedReports' : tab === '/directory' ? 'directory' : 'homeTab'),
  );
  return (
    <MobileShell title={t('appName')}>
      <div className="banner" role="alert">
        {owner ? t('offlineBanner') : t('networkError')}{' '}
        <Button size="mini" onClick={onRetry}>
          {t('retry')}
        </Button>
      </div>
      {owner && (
        <>
          {path === '/report' ? (
            <Report me={offlineResident(owner)} />
          ) : tab === '/orders' ? (
            <Queued page />
          ) : tab === '/directory' ? (
            <SavedDirectory owner={owner} />
          ) : (
            <>
              <h1 className="sr-only">{t('homeTab')}</h1>
              <section className="h5-section" aria-label={t('reportNeed')}>
                <div className="big-actions">
                  <button type="button" className="big-action primary" onClick={() => navigate('/report')}>
                    {t('reportNeed')}
                    <small>{t('reportNeedHint')}</small>
                  </button>
                </div>
              </section>
              <SavedDirectory owner={owner} section />
              <Queued />
            </>
          )}
          <ResidentTabs tab={tab} />
        </>
      )}
    </MobileShell>
  );
}
