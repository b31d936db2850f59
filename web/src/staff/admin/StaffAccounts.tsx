/**
 * Admin › users and roles: the staff of the admin's communities with role and status; admins
 * create accounts (the server makes up a temporary password, shown once), change name, role,
 * communities and phone, deactivate and activate, and reset passwords. Others see the list.
 */
import { useMemo, useState } from 'react';
import type { HTMLAttributes } from 'react';
import { Alert, App, Button, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import type { FormInstance, TableColumnsType } from 'antd';
import { api, ApiError, errorText, qs } from '../../lib/api.ts';
import { labels } from '../../lib/i18n.ts';
import type { Lang, MessageKey } from '../../lib/i18n.ts';
import { STAFF_ROLES, USERNAME_PATTERN, WORK_PHONE_PATTERN } from '../../lib/password.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { CommunityRef, Me } from '../../lib/types.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { FormSelect } from '../shared/FormSelect.tsx';
import { OneTimePasswordDialog } from '../shared/OneTimePassword.tsx';
import type { OneTime } from '../shared/OneTimePassword.tsx';
import { usePager } from '../shared/pager.tsx';
import { useReturnFocus } from '../shared/return-focus.ts';

/** A row of GET /api/v1/staff (`active` and `communityIds` read when the server gives them). */
interface StaffRow {
  id: string;
  username: string;
  name: string;
  role: string;
  phone: string | null;
  grids: string[];
  teams?: string[];
  active?: boolean;
  communityIds?: string[];
  /** Also serves communities the viewer does not (only those communities' admins may change the account). */
  alsoServesOtherCommunities?: boolean;
}

/** What POST and PATCH /api/v1/staff answer. */
interface StaffView {
  id: string;
  username: string;
  name: string;
  role: string;
  phone: string | null;
  active: boolean;
  communityIds: string[];
}

interface Person extends StaffView {
  grids: string[];
  teams: string[];
  alsoServesOtherCommunities?: boolean;
}

interface AccountValues {
  username: string;
  name: string;
  role: string;
  communityIds: string[];
  phone?: string;
}

const FIELDS = ['username', 'name', 'role', 'communityIds', 'phone'] as const;
type Field = (typeof FIELDS)[number];

/** What a form rule says about each field: shown when the server refuses the field's value as invalid. */
const RULE_TEXT: Record<Field, MessageKey> = {
  username: 'usernameRule',
  name: 'personNameRequired',
  role: 'roleRequired',
  communityIds: 'communitiesRequired',
  phone: 'workPhoneRule',
};

/**
 * Puts a server error next to the field it names (its words for this form when the value was
 * refused as invalid, else the error's own text); answers the text for the form's alert otherwise.
 */
function showError(
  form: FormInstance<AccountValues>,
  err: unknown,
  lang: Lang,
  t: (k: MessageKey) => string,
): string | null {
  if (err instanceof ApiError && err.field) {
    const field = FIELDS.find((f) => err.field === f || err.field?.startsWith(`${f}.`));
    if (field) {
      const invalid = err.code === 'validation_failed' || err.code === 'invalid_input';
      form.setFields([{ name: field, errors: [invalid ? t(RULE_TEXT[field]) : errorText(err, lang)] }]);
      return null;
    }
  }
  return errorText(err, lang);
}

function communityName(lang: Lang, c: CommunityRef): string {
  return lang === 'zh' ? c.name : c.nameEn;
}

/** The fields shared by the new-account and edit dialogs. */
function AccountFields({
  prefix,
  communities,
  roleLocked,
}: {
  prefix: string;
  communities: CommunityRef[];
  roleLocked?: boolean;
}) {
  const { t, lang } = useSettings();
  return (
    <>
      <Form.Item
        name="name"
        label={t('personName')}
        htmlFor={`${prefix}-name`}
        rules={[{ required: true, whitespace: true, message: t('personNameRequired') }]}
      >
        <Input id={`${prefix}-name`} maxLength={100} autoComplete="off" />
      </Form.Item>
      <Form.Item
        name="role"
        label={t('role')}
        htmlFor={`${prefix}-role`}
        rules={[{ required: true, message: t('roleRequired') }]}
        extra={roleLocked ? t('ownRoleLocked') : undefined}
      >
        <FormSelect
          id={`${prefix}-role`}
          disabled={roleLocked}
          placeholder={t('roleRequired')}
          options={STAFF_ROLES.map((r) => ({ value: r, label: labels.role(lang, r) }))}
        />
      </Form.Item>
      <Form.Item
        name="communityIds"
        label={t('communitiesField')}
        htmlFor={`${prefix}-communities`}
        rules={[{ required: true, type: 'array', min: 1, message: t('communitiesRequired') }]}
      >
        <FormSelect
          id={`${prefix}-communities`}
          mode="multiple"
          options={communities.map((c) => ({ value: c.id, label: communityName(lang, c) }))}
        />
      </Form.Item>
      <Form.Item
        name="phone"
        label={t('workPhone')}
        htmlFor={`${prefix}-phone`}
        rules={[{ pattern: WORK_PHONE_PATTERN, message: t('workPhoneRule') }]}
      >
        <Input id={`${prefix}-phone`} maxLength={20} autoComplete="off" inputMode="tel" />
      </Form.Item>
    </>
  );
}

function NewAccountDialog({
  communities,
  defaultCommunity,
  onClose,
  onCreated,
}: {
  communities: CommunityRef[];
  defaultCommunity: string;
  onClose: () => void;
  onCreated: (staff: StaffView, temporaryPassword: string | undefined) => void;
}) {
  useReturnFocus();
  const { t, lang } = useSettings();
  const [form] = Form.useForm<AccountValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(v: AccountValues) {
    setBusy(true);
    setError(null);
    try {
      const phone = v.phone?.trim();
      const r = await api<{ staff: StaffView; temporaryPassword?: string }>('/api/v1/staff', {
        body: {
          username: v.username,
          name: v.name.trim(),
          role: v.role,
          communityIds: v.communityIds,
          ...(phone ? { phone } : {}),
        },
      });
      onCreated(r.staff, r.temporaryPassword);
    } catch (err) {
      setError(showError(form, err, lang, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t('newAccount')}
      onCancel={onClose}
      maskClosable={false}
      okText={t('createAccount')}
      cancelText={t('cancel')}
      okButtonProps={{ htmlType: 'submit', form: 'staff-new-form', loading: busy }}
    >
      <Form<AccountValues>
        id="staff-new-form"
        form={form}
        layout="vertical"
        validateTrigger="onChange"
        requiredMark
        initialValues={{ communityIds: [defaultCommunity] }}
        onFinish={(v) => void create(v)}
      >
        <Typography.Paragraph type="secondary">{t('newAccountHint')}</Typography.Paragraph>
        <Form.Item
          name="username"
          label={t('username')}
          htmlFor="staff-new-username"
          rules={[
            { required: true, message: t('usernameRequired') },
            { pattern: USERNAME_PATTERN, message: t('usernameRule') },
          ]}
        >
          <Input
            id="staff-new-username"
            maxLength={32}
            autoComplete="off"
            spellCheck={false}
            placeholder={t('newUsernamePlaceholder')}
          />
        </Form.Item>
        <AccountFields prefix="staff-new" communities={communities} />
        {error && <Alert type="error" showIcon role="alert" message={error} />}
      </Form>
    </Modal>
  );
}

function EditAccountDialog({
  person,
  communities,
  self,
  onClose,
  onSaved,
}: {
  person: Person;
  communities: CommunityRef[];
  self: boolean;
  onClose: () => void;
  onSaved: (staff: StaffView) => void;
}) {
  useReturnFocus();
  const { t, lang } = useSettings();
  const [form] = Form.useForm<AccountValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The person may serve communities of other admins too: those are not the admin's to offer.
  const options = [
    ...communities,
    ...person.communityIds
      .filter((id) => !communities.some((c) => c.id === id))
      .map((id) => ({ id, code: id, name: id, nameEn: id })),
  ];

  async function save(v: AccountValues) {
    const patch: Record<string, unknown> = {};
    const name = v.name.trim();
    const phone = v.phone?.trim() || null;
    if (name !== person.name) patch.name = name;
    if (v.role !== person.role) patch.role = v.role;
    if (phone !== person.phone) patch.phone = phone;
    const ids = [...v.communityIds].sort();
    if (ids.join() !== [...person.communityIds].sort().join()) patch.communityIds = ids;
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await api<StaffView>(`/api/v1/staff/${person.id}`, { method: 'PATCH', body: patch }));
    } catch (err) {
      setError(showError(form, err, lang, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={`${t('editAccount')} · ${person.name}${lang === 'zh' ? `（${person.username}）` : ` (${person.username})`}`}
      onCancel={onClose}
      maskClosable={false}
      okText={t('save')}
      cancelText={t('cancel')}
      okButtonProps={{ htmlType: 'submit', form: 'staff-edit-form', loading: busy }}
    >
      <Form<AccountValues>
        id="staff-edit-form"
        form={form}
        layout="vertical"
        validateTrigger="onChange"
        requiredMark
        initialValues={{
          name: person.name,
          role: person.role,
          communityIds: person.communityIds,
          phone: person.phone ?? '',
        }}
        onFinish={(v) => void save(v)}
      >
        <AccountFields prefix="staff-edit" communities={options} roleLocked={self} />
        {error && <Alert type="error" showIcon role="alert" message={error} />}
      </Form>
    </Modal>
  );
}

export function StaffAccounts({
  me,
  path,
  community,
  manage,
}: {
  me: Me;
  /** The list route (GET), from the OpenAPI document. */
  path: string;
  /** The community the admin page is about: new accounts serve it unless told otherwise. */
  community: CommunityRef;
  /** Whether this user may create and change accounts (admins, when the server offers it). */
  manage: boolean;
}) {
  const { t, lang } = useSettings();
  const { message, modal } = App.useApp();
  const pager = usePager();
  const communities = me.communities;
  const list = useLoad(
    (signal) =>
      Promise.all(
        communities.map((c) =>
          // Admins also see deactivated accounts, to turn them back on.
          api<{ items: StaffRow[] }>(
            `${path}${qs({ community: c.id, includeInactive: manage ? 'true' : undefined })}`,
            {
              signal,
            },
          ).then((r) => [c.id, r.items] as const),
        ),
      ),
    [path, manage, communities.map((c) => c.id).join()],
  );
  // Accounts as the server answered our changes: the list leaves deactivated ones out.
  const [changed, setChanged] = useState<Record<string, StaffView>>({});
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Person | null>(null);
  const [shown, setShown] = useState<OneTime | null>(null);

  const people = useMemo(() => {
    const byId = new Map<string, Person>();
    for (const [communityId, items] of list.data ?? []) {
      for (const u of items) {
        const known = byId.get(u.id);
        if (known) {
          if (!u.communityIds && !known.communityIds.includes(communityId))
            known.communityIds.push(communityId);
          known.grids = [...new Set([...known.grids, ...u.grids])];
          known.teams = [...new Set([...known.teams, ...(u.teams ?? [])])];
          continue;
        }
        byId.set(u.id, {
          id: u.id,
          username: u.username,
          name: u.name,
          role: u.role,
          phone: u.phone,
          grids: u.grids,
          teams: u.teams ?? [],
          alsoServesOtherCommunities: u.alsoServesOtherCommunities === true,
          active: u.active ?? true,
          communityIds: u.communityIds ?? [communityId],
        });
      }
    }
    for (const v of Object.values(changed)) {
      const known = byId.get(v.id);
      byId.set(v.id, { grids: known?.grids ?? [], teams: known?.teams ?? [], ...v });
    }
    return [...byId.values()];
  }, [list.data, changed]);
  const listSaysActive = (list.data ?? []).some(([, items]) => items.some((u) => 'active' in u));

  if (list.error) return <Alert type="warning" showIcon message={errorText(list.error, lang)} />;

  const q = filter.trim().toLowerCase();
  const items = q
    ? people.filter((u) => [u.name, u.username, u.phone ?? ''].some((s) => s.toLowerCase().includes(q)))
    : people;
  const roles = [...new Set(people.map((u) => u.role))];
  const remember = (v: StaffView) => setChanged((m) => ({ ...m, [v.id]: v }));

  function setActive(u: Person, active: boolean) {
    modal.confirm({
      title: t(active ? 'activateTitle' : 'deactivateTitle', { name: u.name, username: u.username }),
      content: t(active ? 'activateBody' : 'deactivateBody'),
      okText: t(active ? 'activate' : 'deactivate'),
      okButtonProps: { danger: !active },
      cancelText: t('cancel'),
      onOk: async () => {
        try {
          remember(await api<StaffView>(`/api/v1/staff/${u.id}`, { method: 'PATCH', body: { active } }));
          void message.success(t(active ? 'activated' : 'deactivated', { name: u.name }));
        } catch (err) {
          void message.error(errorText(err, lang));
        }
      },
    });
  }

  function resetPassword(u: Person) {
    modal.confirm({
      title: t('resetTitle', { name: u.name, username: u.username }),
      content: t('resetBody'),
      okText: t('resetPassword'),
      okButtonProps: { danger: true },
      cancelText: t('cancel'),
      onOk: async () => {
        try {
          const r = await api<{ temporaryPassword: string }>(`/api/v1/staff/${u.id}/password-reset`, {
            body: {},
          });
          setShown({
            title: t('passwordWasReset', { name: u.name }),
            name: u.name,
            username: u.username,
            password: r.temporaryPassword,
          });
        } catch (err) {
          void message.error(errorText(err, lang));
        }
      },
    });
  }

  const columns: TableColumnsType<Person> = [
    {
      title: t('name'),
      dataIndex: 'name',
      key: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
      render: (v: string, u) => (
        <>
          {v} {u.id === me.id && <Tag>{t('you')}</Tag>}
          {u.alsoServesOtherCommunities && (
            <Tag title={t('otherCommunitiesHint')}>{t('otherCommunities')}</Tag>
          )}
        </>
      ),
    },
    { title: t('username'), dataIndex: 'username', key: 'username', render: (v: string) => <code>{v}</code> },
    {
      title: t('role'),
      key: 'role',
      render: (_v, u) => <Tag>{labels.role(lang, u.role)}</Tag>,
      filters: roles.map((r) => ({ text: labels.role(lang, r), value: r })),
      onFilter: (value, u) => u.role === value,
    },
    {
      title: t('status'),
      key: 'active',
      render: (_v, u) =>
        u.active ? <Tag color="#237804">{t('accountActive')}</Tag> : <Tag>{t('inactive')}</Tag>,
      filters: [
        { text: t('accountActive'), value: true },
        { text: t('inactive'), value: false },
      ],
      onFilter: (value, u) => u.active === value,
    },
    ...(communities.length > 1
      ? [
          {
            title: t('communitiesField'),
            key: 'communities',
            render: (_v: unknown, u: Person) =>
              u.communityIds
                .map((id) => {
                  const c = communities.find((x) => x.id === id);
                  return c ? communityName(lang, c) : id;
                })
                .join('、'),
          },
        ]
      : []),
    { title: t('grids'), key: 'grids', render: (_v, u) => (u.grids.length ? u.grids.join('、') : '—') },
    { title: t('teams'), key: 'teams', render: (_v, u) => (u.teams.length ? u.teams.join('、') : '—') },
    { title: t('workPhone'), key: 'phone', render: (_v, u) => u.phone ?? '—' },
    ...(manage
      ? [
          {
            title: t('actions'),
            key: 'actions',
            render: (_v: unknown, u: Person) => {
              const self = u.id === me.id;
              return (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => setEditing(u)}>
                    {t('edit')}
                  </Button>
                  {/* One's own password is changed in the personal menu (a reset would sign oneself out). */}
                  <Button
                    size="small"
                    disabled={self}
                    title={self ? t('ownAccountHint') : undefined}
                    onClick={() => resetPassword(u)}
                  >
                    {t('resetPassword')}
                  </Button>
                  {u.active ? (
                    <Button size="small" danger disabled={self} onClick={() => setActive(u, false)}>
                      {t('deactivate')}
                    </Button>
                  ) : (
                    <Button size="small" onClick={() => setActive(u, true)}>
                      {t('activate')}
                    </Button>
                  )}
                </Space>
              );
            },
          },
        ]
      : []),
  ];

  const someInactive = people.some((u) => !u.active);
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          placeholder={t('findStaff')}
          aria-label={t('findStaff')}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          style={{ width: 260 }}
        />
        {manage ? (
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('newAccount')}
          </Button>
        ) : (
          <Typography.Text type="secondary">{t('staffReadOnly')}</Typography.Text>
        )}
      </Space>
      {manage && someInactive && !listSaysActive && (
        <Alert type="info" showIcon message={t('inactiveNotListed')} style={{ marginBottom: 12 }} />
      )}
      <Table<Person>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={list.loading}
        onRow={(u) => ({ 'data-staff': u.username }) as HTMLAttributes<HTMLElement>}
        pagination={pager({ pageSize: 30, hideOnSinglePage: true, showSizeChanger: false })}
        footer={() => t('staffCount', { n: items.length })}
        scroll={{ x: 'max-content' }}
      />
      {creating && (
        <NewAccountDialog
          communities={communities}
          defaultCommunity={community.id}
          onClose={() => setCreating(false)}
          onCreated={(staff, password) => {
            setCreating(false);
            remember(staff);
            list.reload();
            if (password)
              setShown({
                title: t('accountCreated', { name: staff.name }),
                name: staff.name,
                username: staff.username,
                password,
              });
          }}
        />
      )}
      {editing && (
        <EditAccountDialog
          person={editing}
          communities={communities}
          self={editing.id === me.id}
          onClose={() => setEditing(null)}
          onSaved={(staff) => {
            setEditing(null);
            remember(staff);
            list.reload();
            void message.success(t('saved'));
          }}
        />
      )}
      {shown && <OneTimePasswordDialog shown={shown} onClose={() => setShown(null)} />}
    </>
  );
}
