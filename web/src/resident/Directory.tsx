/** 找谁办: the guidance centre's channels and my grid worker, each one tap away. */
import { List } from 'antd-mobile';
import { formatTime, labelled } from '../lib/format.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Directory as DirectoryData } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { fetchDirectory, savedDirectory } from './directory-cache.ts';

function Tel({ phone, label }: { phone: string; label: string }) {
  return (
    <a className="tel" href={`tel:${phone.replace(/[^0-9+]/g, '')}`} aria-label={`${label} ${phone}`}>
      {phone}
    </a>
  );
}

/**
 * The directory as given, with when it was saved on the phone when it is not fresh. On its own
 * page it names the page; as a section of another page (the offline home) it is a section of it.
 */
export function DirectoryView({
  d,
  savedAt,
  section = false,
}: {
  d: DirectoryData;
  savedAt?: string | undefined;
  section?: boolean;
}) {
  const { t, lang } = useSettings();
  const w = d.myGridWorker;
  usePageTitle(section ? null : t('directory'));
  const Heading = section ? 'h2' : 'h1';
  return (
    <section className="h5-section" aria-labelledby="dir-title">
      <Heading id="dir-title">
        {t('directory')} · {lang === 'zh' ? d.community.name : d.community.nameEn}
      </Heading>
      {savedAt && <p className="order-meta">{t('savedOn', { t: formatTime(lang, savedAt) })}</p>}
      <List>
        <List.Item
          className="contact-row"
          description={w ? w.grid : undefined}
          extra={w?.phone ? <Tel phone={w.phone} label={t('call')} /> : undefined}
        >
          <strong>{t('myGridWorker')}</strong>
          <div>{w ? w.name : t('noGridWorker')}</div>
        </List.Item>
        <List.Item className="contact-row" extra={<Tel phone={d.contacts.hotline} label={t('call')} />}>
          <strong>{t('hotline')}</strong>
        </List.Item>
        <List.Item description={`${labelled(lang, t('windowHours'))}${d.contacts.windowHours}`}>
          <strong>{t('window')}</strong>
          <div>{d.contacts.windowAddress}</div>
        </List.Item>
        <List.Item>
          <strong>{t('wechat')}</strong>
          <div>{d.contacts.wechat}</div>
        </List.Item>
      </List>
    </section>
  );
}

/** The directory from the server, kept on the phone; the kept copy when the server is out of reach. */
export function Directory({ owner }: { owner: string }) {
  const { t } = useSettings();
  const dir = useLoad(
    (signal) =>
      fetchDirectory(owner, signal)
        .then((directory) => ({ directory, savedAt: undefined as string | undefined }))
        .catch((err: unknown) => {
          const saved = savedDirectory(owner);
          if (saved && !signal.aborted) return saved;
          throw err;
        }),
    [owner],
  );
  if (dir.loading && !dir.data) return <p className="boot">{t('loading')}</p>;
  if (dir.error || !dir.data)
    return (
      <p className="banner" role="alert">
        {dir.error?.message}
      </p>
    );
  return <DirectoryView d={dir.data.directory} savedAt={dir.data.savedAt} />;
}
