/** Admin: taxonomy, grids, SLA policies, resources, integration keys, resident import, the time bank's records to verify and staff accounts — as far as the server offers them. */
import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { api, ApiError, errorFrom, errorText, qs } from '../../lib/api.ts';
import { useFeatures } from '../../lib/features.ts';
import { categoryName, formatTime, useCategories } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { Category, GridCollection, GridFeature, Me } from '../../lib/types.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { StaffAccounts } from './StaffAccounts.tsx';
import { TimeBankReview } from './TimeBankReview.tsx';
import { usePager } from '../shared/pager.tsx';

interface ApiKey {
  id: string;
  communityId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

interface Policy {
  id: string;
  category: string;
  priorityBand: string;
  calendarId: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

interface Resource {
  id: string;
  code: string;
  name: string;
  type: string;
  categories: string[];
  onDuty: boolean;
  active: boolean;
}

function Categories() {
  const { t, lang } = useSettings();
  const pager = usePager();
  const cats = useCategories();
  const columns: TableColumnsType<Category> = [
    { title: t('code_'), dataIndex: 'code', key: 'code' },
    { title: t('name'), key: 'name', render: (_v, c) => (lang === 'zh' ? c.nameZh : c.nameEn) },
    {
      title: t('parent'),
      key: 'parent',
      render: (_v, c) => (c.parent ? categoryName(cats, lang, c.parent) : '—'),
    },
    {
      title: t('private'),
      key: 'private',
      render: (_v, c) => (c.private ? <Tag color="#ad4e00">{t('private')}</Tag> : ''),
    },
  ];
  return (
    <Table<Category>
      rowKey="code"
      size="small"
      columns={columns}
      dataSource={cats}
      pagination={pager({ pageSize: 50 })}
    />
  );
}

function Grids({ communityId }: { communityId: string }) {
  const { t, lang } = useSettings();
  const grids = useLoad(
    (signal) => api<GridCollection>(`/api/v1/communities/${communityId}/grids`, { signal }),
    [communityId],
  );
  const columns: TableColumnsType<GridFeature> = [
    { title: t('code_'), key: 'code', render: (_v, f) => f.properties.code },
    { title: t('name'), key: 'name', render: (_v, f) => f.properties.name },
    {
      title: t('workers'),
      key: 'workers',
      render: (_v, f) => f.properties.workers.map((w) => w.name).join('、'),
    },
    { title: t('boundary'), key: 'geom', render: (_v, f) => labels.geometry(lang, f.geometry.type) },
  ];
  return (
    <>
      <Table<GridFeature>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={grids.data?.features ?? []}
        loading={grids.loading}
        pagination={false}
      />
      {grids.data && (
        <Button
          style={{ marginTop: 12 }}
          href={`data:application/geo+json;charset=utf-8,${encodeURIComponent(JSON.stringify(grids.data))}`}
          download="grids.geojson"
        >
          GeoJSON ↓
        </Button>
      )}
    </>
  );
}

function Policies() {
  const { t, lang } = useSettings();
  const pager = usePager();
  const cats = useCategories();
  const features = useFeatures();
  const has = features?.routes.some((r) => r.path === '/api/v1/sla/policies' && r.method === 'get') ?? false;
  const list = useLoad(
    (signal) => (has ? api<Policy[]>('/api/v1/sla/policies', { signal }) : Promise.resolve(null)),
    [has],
  );
  if (!has) return <Alert type="info" message={t('notYet')} />;
  const columns: TableColumnsType<Policy> = [
    {
      title: t('category'),
      key: 'cat',
      render: (_v, p) => (p.category === '*' ? t('allBands') : categoryName(cats, lang, p.category)),
    },
    {
      title: t('priority'),
      key: 'band',
      render: (_v, p) => (p.priorityBand === '*' ? t('allBands') : p.priorityBand),
    },
    {
      title: t('firstResponseLimit'),
      key: 'fr',
      render: (_v, p) => t('minutes', { n: p.firstResponseMinutes }),
    },
    { title: t('resolutionLimit'), key: 'rt', render: (_v, p) => t('minutes', { n: p.resolutionMinutes }) },
    { title: t('calendar'), key: 'cal', render: (_v, p) => labels.calendar(lang, p.calendarId) },
  ];
  return (
    <Table<Policy>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={list.data ?? []}
      loading={list.loading}
      pagination={pager({ pageSize: 30 })}
    />
  );
}

function Resources({ communityId }: { communityId: string }) {
  const { t, lang } = useSettings();
  const pager = usePager();
  const cats = useCategories();
  const features = useFeatures();
  const has = features?.routes.some((r) => r.path === '/api/v1/resources' && r.method === 'get') ?? false;
  const list = useLoad(
    (signal) =>
      has
        ? api<{ items: Resource[] }>(`/api/v1/resources${qs({ community: communityId })}`, { signal })
        : Promise.resolve(null),
    [has, communityId],
  );
  if (!has) return <Alert type="info" message={t('notYet')} />;
  const columns: TableColumnsType<Resource> = [
    { title: t('code_'), dataIndex: 'code', key: 'code' },
    { title: t('name'), dataIndex: 'name', key: 'name' },
    { title: t('resourceType'), key: 'type', render: (_v, r) => labels.resourceType(lang, r.type) },
    {
      title: t('categories'),
      key: 'cats',
      render: (_v, r) => r.categories.map((c) => categoryName(cats, lang, c)).join('、'),
    },
    {
      title: t('status'),
      key: 'duty',
      render: (_v, r) => (r.active ? (r.onDuty ? t('onDuty') : t('offDuty')) : t('inactive')),
    },
  ];
  return (
    <Table<Resource>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={list.data?.items ?? []}
      loading={list.loading}
      pagination={pager({ pageSize: 30 })}
    />
  );
}

function ApiKeys({ communityId }: { communityId: string }) {
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; scopes: string[] }>();
  const keys = useLoad((signal) => api<ApiKey[]>('/api/v1/api-keys', { signal }), []);
  const [shown, setShown] = useState<string | null>(null);

  async function create(v: { name: string; scopes: string[] }) {
    try {
      const r = await api<{ id: string; key: string }>('/api/v1/api-keys', {
        body: { communityId, name: v.name.trim(), scopes: v.scopes ?? [] },
      });
      setShown(r.key);
      form.resetFields();
      keys.reload();
    } catch (err) {
      if (err instanceof ApiError && (err.field === 'name' || err.field === 'scopes'))
        form.setFields([{ name: err.field, errors: [errorText(err, lang)] }]);
      else message.error(errorText(err, lang));
    }
  }

  async function revoke(id: string) {
    try {
      await api(`/api/v1/api-keys/${id}`, { method: 'DELETE' });
      keys.reload();
    } catch (err) {
      message.error(errorText(err, lang));
    }
  }

  if (keys.error) return <Alert type="warning" message={errorText(keys.error, lang)} />;
  const columns: TableColumnsType<ApiKey> = [
    { title: t('keyName'), dataIndex: 'name', key: 'name' },
    { title: t('keyPrefix'), dataIndex: 'prefix', key: 'prefix', render: (v: string) => <code>{v}…</code> },
    {
      title: t('scopes'),
      key: 'scopes',
      render: (_v, k) => k.scopes.map((s) => labels.scope(lang, s)).join('、'),
    },
    { title: t('createdAt'), key: 'created', render: (_v, k) => formatTime(lang, k.createdAt) },
    {
      title: t('status'),
      key: 'state',
      render: (_v, k) =>
        k.revokedAt ? (
          <Tag>{t('revoked')}</Tag>
        ) : (
          <Button size="small" danger onClick={() => void revoke(k.id)}>
            {t('revoke')}
          </Button>
        ),
    },
  ];
  return (
    <>
      <Form
        form={form}
        layout="inline"
        onFinish={(v) => void create(v)}
        validateTrigger="onChange"
        style={{ marginBottom: 16 }}
      >
        <Form.Item
          name="name"
          label={t('keyName')}
          htmlFor="key-name"
          rules={[{ required: true, whitespace: true, message: t('keyNameRequired') }]}
        >
          <Input id="key-name" maxLength={100} />
        </Form.Item>
        <Form.Item name="scopes" label={t('scopes')} htmlFor="key-scopes">
          <Select
            id="key-scopes"
            mode="multiple"
            style={{ minWidth: 220 }}
            options={['open311', 'kiosk', 'device', 'private_categories'].map((s) => ({
              value: s,
              label: labels.scope(lang, s),
            }))}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('createKey')}
        </Button>
      </Form>
      {shown && (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setShown(null)}
          message={
            <span>
              {t('keyShownOnce')}{' '}
              <Typography.Text code copyable>
                {shown}
              </Typography.Text>
            </span>
          }
          style={{ marginBottom: 16 }}
        />
      )}
      <Table<ApiKey>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={keys.data ?? []}
        loading={keys.loading}
        pagination={false}
      />
    </>
  );
}

function ImportResidents({ communityId }: { communityId: string }) {
  const { t, lang } = useSettings();
  const [dryRun, setDryRun] = useState(true);
  const [report, setReport] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function upload(file: File) {
    setError(null);
    setReport(null);
    let res: Response;
    try {
      res = await fetch(
        `/api/v1/residents/import${qs({ community: communityId, dryRun: String(dryRun), fileName: file.name })}`,
        {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'text/csv' },
          body: file,
        },
      );
    } catch {
      setError(t('networkError'));
      return;
    }
    const text = await res.text();
    if (res.ok) setReport(text);
    else {
      let payload: unknown = null;
      try {
        payload = JSON.parse(text) as unknown;
      } catch {
        // not JSON: said by the HTTP status
      }
      setError(errorText(errorFrom(res.status, payload), lang));
    }
  }
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)}>
        {t('dryRun')}
      </Checkbox>
      <Upload
        accept=".csv,text/csv"
        showUploadList={false}
        beforeUpload={(file) => {
          void upload(file);
          return false;
        }}
      >
        <Button>{t('importResidents')}</Button>
      </Upload>
      {error && <Alert type="error" showIcon message={error} />}
      {report && (
        <pre style={{ background: '#fafafa', padding: 12, maxHeight: 300, overflow: 'auto' }}>{report}</pre>
      )}
    </Space>
  );
}

export default function AdminPage({ me }: { me: Me }) {
  const { t, lang } = useSettings();
  const features = useFeatures();
  const community = me.communities[0];
  if (!community) return <Alert type="warning" message={t('notFound')} />;
  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {t('admin')} · {lang === 'zh' ? community.name : community.nameEn} · {labels.role(lang, me.role)}
        </Typography.Title>
      }
    >
      <Tabs
        items={[
          { key: 'categories', label: t('categories'), children: <Categories /> },
          { key: 'grids', label: t('grids'), children: <Grids communityId={community.id} /> },
          { key: 'sla', label: t('slaPolicies'), children: <Policies /> },
          { key: 'resources', label: t('resources'), children: <Resources communityId={community.id} /> },
          { key: 'keys', label: t('apiKeys'), children: <ApiKeys communityId={community.id} /> },
          {
            key: 'import',
            label: t('importResidents'),
            children: <ImportResidents communityId={community.id} />,
          },
          { key: 'time-bank', label: t('timeBank'), children: <TimeBankReview communityId={community.id} /> },
          {
            key: 'users',
            label: t('users'),
            children: features?.staff ? (
              <StaffAccounts
                me={me}
                path={features.staff.path}
                community={community}
                manage={
                  me.role === 'admin' &&
                  features.routes.some((r) => r.path === features.staff?.path && r.method === 'post')
                }
              />
            ) : (
              <Alert type="info" message={t('notYet')} />
            ),
          },
        ]}
      />
    </Card>
  );
}
