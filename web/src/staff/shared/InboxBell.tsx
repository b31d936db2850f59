/** Unread in-app messages for the signed-in staff member (when the notifications module is there). */
import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, List, Popover } from 'antd';
import { api } from '../../lib/api.ts';
import { useFeatures } from '../../lib/features.ts';
import { formatTime } from '../../lib/format.ts';
import { useSettings } from '../../lib/settings.tsx';

interface Message {
  id: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

export function InboxBell() {
  const { t, lang } = useSettings();
  const features = useFeatures();
  const [unread, setUnread] = useState(0);
  const [items, setItems] = useState<Message[]>([]);
  const route = features?.inbox ?? null;

  const load = useCallback(async () => {
    if (!route) return;
    try {
      const r = await api<{ items: Message[]; unread: number }>(`${route.path}?limit=10`);
      setItems(r.items);
      setUnread(r.unread);
    } catch {
      // The bell stays as it was.
    }
  }, [route]);

  useEffect(() => {
    void load();
    const id = setInterval(() => void load(), 30_000);
    return () => clearInterval(id);
  }, [load]);

  if (!route) return null;
  return (
    <Popover
      trigger="click"
      title={t('inbox')}
      content={
        <List
          size="small"
          style={{ width: 320, maxHeight: 360, overflow: 'auto' }}
          dataSource={items}
          locale={{ emptyText: t('noItems') }}
          renderItem={(m) => (
            <List.Item>
              <List.Item.Meta
                title={m.readAt ? m.title : <strong>{m.title}</strong>}
                description={`${formatTime(lang, m.createdAt)} · ${m.body}`}
              />
            </List.Item>
          )}
        />
      }
    >
      <Badge count={unread} size="small" color="#c4161c">
        <Button size="small" aria-label={`${t('inbox')} (${unread})`}>
          {t('inbox')}
        </Button>
      </Badge>
    </Popover>
  );
}
