/** 收支明细: the postings of the resident's time account, newest first, a page at a time. */
import { useState } from 'react';
import { Button, List } from 'antd-mobile';
import { api } from '../lib/api.ts';
import { formatTime } from '../lib/format.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { useSettings } from '../lib/settings.tsx';
import type { Page } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { toast } from '../mobile/feedback.ts';

interface Item {
  transactionId: string;
  kind: 'earn' | 'transfer' | 'redeem' | 'reversal';
  minutes: number;
  memo: string;
  createdAt: string;
  counterparty: string | null;
}

export function TimeBankHistory() {
  const { t, lang } = useSettings();
  const first = useLoad((signal) => api<Page<Item>>('/api/v1/time-bank/me/history?limit=10', { signal }), []);
  const [more, setMore] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const next = cursor === undefined ? first.data?.nextCursor : cursor;
  const items = [...(first.data?.items ?? []), ...more];

  async function loadMore() {
    if (!next) return;
    setBusy(true);
    try {
      const page = await api<Page<Item>>(
        `/api/v1/time-bank/me/history?limit=10&cursor=${encodeURIComponent(next)}`,
      );
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="h5-section" aria-labelledby="tb-history-title">
      <h2 id="tb-history-title">{t('tbHistory')}</h2>
      {first.error ? (
        <p className="field-error" role="alert">
          {first.error.message}
        </p>
      ) : items.length === 0 ? (
        <p className="order-meta">{first.loading ? t('loading') : t('tbNoHistory')}</p>
      ) : (
        <List>
          {items.map((h) => (
            <List.Item
              key={h.transactionId}
              description={[
                formatTime(lang, h.createdAt),
                h.memo,
                h.counterparty ? t('tbWith', { name: h.counterparty }) : '',
              ]
                .filter(Boolean)
                .join(' · ')}
              extra={
                <strong className={h.minutes > 0 ? 'tb-in' : 'tb-out'}>
                  {h.minutes > 0 ? `+${h.minutes}` : h.minutes}
                </strong>
              }
            >
              {t(`tbKind_${h.kind}` as MessageKey)}
            </List.Item>
          ))}
        </List>
      )}
      {next && (
        <Button block fill="none" color="primary" loading={busy} onClick={() => void loadMore()}>
          {t('tbMore')}
        </Button>
      )}
    </section>
  );
}
