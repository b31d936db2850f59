/** What the agent sees about a caller: person, household, special-group flags (masked by role), history. */
import { Descriptions, List, Tag, Typography } from 'antd';
import { categoryName, formatTime, useCategories } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { ResidentDetail } from '../../lib/types.ts';

export function CallerCard({ caller, onOpen }: { caller: ResidentDetail; onOpen: (id: string) => void }) {
  const { t, lang } = useSettings();
  const cats = useCategories();
  const recent = caller.recentOrders ?? [];
  return (
    <section aria-label={caller.name} style={{ marginTop: 16 }}>
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t('name')}>
          <strong>{caller.name}</strong> {caller.phone}
        </Descriptions.Item>
        {caller.birthYear && <Descriptions.Item label={t('birthYear')}>{caller.birthYear}</Descriptions.Item>}
        <Descriptions.Item label={t('flags')}>
          {caller.tags === null ? (
            <span className="order-meta">{t('flagsMasked')}</span>
          ) : caller.tags.length === 0 ? (
            t('none')
          ) : (
            caller.tags.map((x) => (
              <Tag key={x} color="#ad4e00">
                {labels.tag(lang, x)}
              </Tag>
            ))
          )}
        </Descriptions.Item>
        {caller.emergencyContact && (
          <Descriptions.Item label={t('emergencyContact')}>
            {caller.emergencyContact.name} {caller.emergencyContact.phone}
          </Descriptions.Item>
        )}
        {caller.household && (
          <>
            <Descriptions.Item label={t('address')}>{caller.household.address}</Descriptions.Item>
            <Descriptions.Item label={t('household')}>
              {caller.household.members.length === 0
                ? t('none')
                : caller.household.members
                    .map((m) => `${m.name}${m.birthYear ? ` (${m.birthYear})` : ''}`)
                    .join('、')}
            </Descriptions.Item>
          </>
        )}
      </Descriptions>
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>
        {t('history')}
      </Typography.Title>
      <List
        size="small"
        dataSource={recent}
        locale={{ emptyText: t('noItems') }}
        renderItem={(o) => (
          <List.Item>
            <a
              style={{ textDecoration: 'underline' }}
              href={`#${o.id}`}
              onClick={(e) => {
                e.preventDefault();
                onOpen(o.id);
              }}
            >
              {o.number}
            </a>{' '}
            · {labels.status(lang, o.status)} · {categoryName(cats, lang, o.category)} ·{' '}
            {formatTime(lang, o.createdAt)}
            <div className="order-meta">{o.description}</div>
          </List.Item>
        )}
      />
    </section>
  );
}
