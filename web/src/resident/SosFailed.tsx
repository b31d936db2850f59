/**
 * Shown at once, and until dismissed, when an SOS did not reach the server: help was NOT sent,
 * call the emergency numbers or the community hotline now (one tap each).
 */
import { useEffect, useRef } from 'react';
import { Button } from 'antd-mobile';
import { useSettings } from '../lib/settings.tsx';

const EMERGENCY = [
  { number: '110', key: 'call110' },
  { number: '119', key: 'call119' },
  { number: '120', key: 'call120' },
] as const;

export function SosFailed({
  hotline,
  busy,
  onRetry,
  onDismiss,
}: {
  hotline: string | null;
  busy: boolean;
  onRetry: () => void;
  onDismiss: () => void;
}) {
  const { t } = useSettings();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <section ref={ref} className="sos-failed" role="alert" aria-labelledby="sos-failed-title" tabIndex={-1}>
      <h2 id="sos-failed-title">{t('sosNotSent')}</h2>
      <p>{t('sosNotSentCall')}</p>
      <ul className="sos-calls">
        {EMERGENCY.map((e) => (
          <li key={e.number}>
            <a href={`tel:${e.number}`}>
              <strong>{e.number}</strong> {t(e.key)}
            </a>
          </li>
        ))}
        {hotline && (
          <li>
            <a href={`tel:${hotline.replace(/[^0-9+]/g, '')}`}>
              <strong>{hotline}</strong> {t('hotline')}
            </a>
          </li>
        )}
      </ul>
      <div className="sos-failed-actions">
        <Button color="danger" loading={busy} onClick={onRetry}>
          {t('sosRetry')}
        </Button>
        <Button onClick={onDismiss}>{t('sosDismiss')}</Button>
      </div>
    </section>
  );
}
