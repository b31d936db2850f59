/**
 * What the agent sees about a caller: person, household, special-group flags (masked by role),
 * history. Admins and managers edit the record here (编辑档案), a move too.
 */
import { useRef, useState } from 'react';
import { App, Button, Descriptions, List, Tag, Typography } from 'antd';
import { categoryName, formatTime, useCategories } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { ResidentDetail } from '../../lib/types.ts';
import { EditResidentDialog } from './EditResident.tsx';

export function CallerCard({
  caller,
  onOpen,
  edit,
  onChange,
}: {
  caller: ResidentDetail;
  onOpen: (id: string) => void;
  /** Whether the viewer changes the record (admins, managers), and its phone (admins). */
  edit?: { phone: boolean };
  /** The record as the server answered a change. */
  onChange?: (r: ResidentDetail) => void;
}) {
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const cats = useCategories();
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const recent = caller.recentOrders ?? [];

  function closeEditor() {
    setEditing(false);
    // Back to the button that opened the dialog, for the keyboard.
    requestAnimationFrame(() => editButton.current?.focus());
  }

  return (
    <section aria-label={caller.name} style={{ marginTop: 16 }}>
      <Descriptions
        column={1}
        size="small"
        bordered
        extra={
          edit &&
          !caller.erasedAt && (
            <Button ref={editButton} size="small" onClick={() => setEditing(true)}>
              {t('editRecord')}
            </Button>
          )
        }
      >
        <Descriptions.Item label={t('name')}>
          <strong>{caller.name}</strong> {caller.phone}
          {caller.erasedAt && (
            <div className="order-meta">{t('erasedRecord', { time: formatTime(lang, caller.erasedAt) })}</div>
          )}
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
      {edit && editing && (
        <EditResidentDialog
          caller={caller}
          editPhone={edit.phone}
          canErase={edit.phone}
          onClose={closeEditor}
          onErased={(r, orders) => {
            onChange?.(r);
            setEditing(false);
            void message.success(t('erased', { n: orders }));
          }}
          onSaved={(r, closed) => {
            onChange?.(r);
            if (closed) {
              closeEditor();
              void message.success(t('recordSaved'));
            }
          }}
        />
      )}
    </section>
  );
}
