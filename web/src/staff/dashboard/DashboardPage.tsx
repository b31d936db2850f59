/** Manager dashboard: KPIs, a demand heat map over the grid polygons, trends and breakdowns. */
import { useMemo, useState } from 'react';
import { Alert, Card, Col, Row, Segmented, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { api, qs } from '../../lib/api.ts';
import { loadFeatures } from '../../lib/features.ts';
import { categoryName, useCategories } from '../../lib/format.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { GridCollection, Me } from '../../lib/types.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { Chart, registerGrids } from './Chart.tsx';
import { ForecastCard } from './ForecastCard.tsx';

interface Kpis {
  orders: number;
  open: number;
  resolved: number;
  firstResponseMinutes: number | null;
  resolutionHours: number | null;
  satisfaction: number | null;
  rated: number;
  reopenRate: number | null;
}
interface Bucket extends Kpis {
  key: string;
  name: string;
}
interface Dashboard {
  totals: Kpis;
  byCategory: Bucket[];
  byGrid: Bucket[];
  byAssignee: Bucket[];
  byMonth: Bucket[];
}
interface ComplianceRow {
  key: string | null;
  label: string | null;
  total: number;
  resolution: { met: number; breached: number; rate: number | null };
  firstResponse: { met: number; breached: number; rate: number | null };
}

const DAYS = { last30: 30, last90: 90, last365: 365 } as const;
type Period = keyof typeof DAYS;

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

interface Loaded {
  dash: Dashboard | null;
  forecastPath: string | null;
  compliance: ComplianceRow[] | null;
  grids: GridCollection;
  audit: { ok: boolean; entries: number; firstBadSeq: number | null; anchors: number } | null;
}

export default function DashboardPage({ me }: { me: Me }) {
  const { t, lang } = useSettings();
  const cats = useCategories();
  const community = me.communities[0];
  const [period, setPeriod] = useState<Period>('last365');
  const from = useMemo(() => new Date(Date.now() - DAYS[period] * 86400_000).toISOString(), [period]);

  const data = useLoad(
    async (signal): Promise<Loaded> => {
      if (!community) throw new Error(t('notFound'));
      const f = await loadFeatures();
      const q = qs({ community: community.id, from });
      const [dash, compliance, grids, audit] = await Promise.all([
        f.dashboard ? api<Dashboard>(`${f.dashboard.path}${q}`, { signal }) : Promise.resolve(null),
        f.slaCompliance
          ? api<{ rows: ComplianceRow[] }>(
              `${f.slaCompliance.path}${qs({ community: community.id, from, by: 'month' })}`,
              { signal },
            )
              .then((r) => r.rows)
              .catch(() => null)
          : Promise.resolve(null),
        api<GridCollection>(`/api/v1/communities/${community.id}/grids`, { signal }),
        ['manager', 'auditor', 'admin'].includes(me.role)
          ? api<Loaded['audit']>(`/api/v1/audit/verify${qs({ community: community.id })}`, { signal }).catch(
              () => null,
            )
          : Promise.resolve(null),
      ]);
      return { dash, compliance, grids, audit, forecastPath: f.forecast?.path ?? null };
    },
    [community?.id, from],
  );

  const mapName = useMemo(
    () => (data.data && community ? registerGrids(community.id, data.data.grids) : null),
    [data.data, community],
  );

  if (data.error) return <Alert type="error" showIcon message={data.error.message} />;
  const d = data.data?.dash ?? null;
  const compliance = data.data?.compliance ?? null;
  const slaRate = (() => {
    if (!compliance) return null;
    const met = compliance.reduce((n, r) => n + r.resolution.met, 0);
    const breached = compliance.reduce((n, r) => n + r.resolution.breached, 0);
    return met + breached ? met / (met + breached) : null;
  })();
  const audit = data.data?.audit ?? null;

  const byGrid = d?.byGrid ?? [];
  const maxGrid = Math.max(1, ...byGrid.map((g) => g.orders));
  const heatOption = mapName
    ? {
        tooltip: { trigger: 'item', formatter: '{b}: {c}' },
        visualMap: {
          min: 0,
          max: maxGrid,
          left: 'left',
          bottom: 0,
          calculable: true,
          inRange: { color: ['#fff7e6', '#ffc069', '#fa8c16', '#ad2102'] },
        },
        series: [
          {
            type: 'map',
            map: mapName,
            roam: false,
            // Dark text in a white halo reads on the palest and the darkest cell alike; the count
            // is written under the grid's name, not only in the tooltip.
            label: {
              show: true,
              fontSize: 11,
              color: '#141414',
              textBorderColor: '#fff',
              textBorderWidth: 3,
              formatter: (p: { name: string; value: unknown }) =>
                `${p.name}\n${typeof p.value === 'number' && Number.isFinite(p.value) ? p.value : 0}`,
            },
            itemStyle: { borderColor: '#1456d9', borderWidth: 1 },
            data: byGrid.map((g) => ({ name: g.name, value: g.orders })),
          },
        ],
      }
    : null;

  const months = d?.byMonth ?? [];
  const complianceByMonth = new Map((compliance ?? []).map((r) => [r.key ?? '', r.resolution.rate]));
  const trendOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: months.map((m) => m.key) },
    yAxis: [
      { type: 'value', name: t('volume') },
      { type: 'value', name: '%', min: 0, max: 100 },
    ],
    series: [
      { name: t('volume'), type: 'bar', data: months.map((m) => m.orders), itemStyle: { color: '#1456d9' } },
      {
        name: t('satisfaction'),
        type: 'line',
        yAxisIndex: 1,
        data: months.map((m) => (m.satisfaction === null ? null : Math.round((m.satisfaction / 5) * 100))),
        itemStyle: { color: '#237804' },
      },
      ...(compliance
        ? [
            {
              name: t('slaCompliance'),
              type: 'line',
              yAxisIndex: 1,
              data: months.map((m) => {
                const r = complianceByMonth.get(m.key);
                return r === undefined || r === null ? null : Math.round(r * 100);
              }),
              itemStyle: { color: '#ad4e00' },
            },
          ]
        : []),
    ],
  };

  const catRows = (d?.byCategory ?? []).map((c) => ({ ...c, name: categoryName(cats, lang, c.key) }));
  const categoryOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: catRows.map((c) => c.name).reverse() },
    series: [{ type: 'bar', data: catRows.map((c) => c.orders).reverse(), itemStyle: { color: '#1456d9' } }],
  };

  // The trend as a table for screen readers: every month, with each series the chart draws.
  const trendData = {
    columns: [
      t('byMonth'),
      ...trendOption.series.map((s) => (s.name === t('volume') ? s.name : `${s.name} %`)),
    ],
    rows: months.map((m, i) => [m.key, ...trendOption.series.map((s) => s.data[i] ?? null)]),
  };

  const columns: TableColumnsType<Bucket> = [
    { title: t('name'), dataIndex: 'name', key: 'name' },
    { title: t('volume'), dataIndex: 'orders', key: 'orders', align: 'right' },
    {
      title: t('firstResponse'),
      key: 'fr',
      align: 'right',
      render: (_v, b) =>
        b.firstResponseMinutes === null ? '—' : t('minutes', { n: b.firstResponseMinutes }),
    },
    {
      title: t('resolutionTime'),
      key: 'rt',
      align: 'right',
      render: (_v, b) => (b.resolutionHours === null ? '—' : t('hours', { n: b.resolutionHours })),
    },
    {
      title: t('satisfaction'),
      key: 'sat',
      align: 'right',
      render: (_v, b) => (b.satisfaction === null ? '—' : b.satisfaction.toFixed(2)),
    },
    { title: t('reopenRate'), key: 'rr', align: 'right', render: (_v, b) => pct(b.reopenRate) },
  ];

  const title = (key: Parameters<typeof t>[0]) => (
    <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
      {t(key)}
    </Typography.Title>
  );

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
          {t('dashboard')}
        </Typography.Title>
        <Space wrap>
          <Segmented<Period>
            aria-label={t('period')}
            value={period}
            onChange={setPeriod}
            options={(Object.keys(DAYS) as Period[]).map((p) => ({ value: p, label: t(p) }))}
          />
          {community && (
            <a href={`/api/v1/work-orders/export.csv${qs({ community: community.id, from })}`} download>
              {t('exportCsv')}
            </a>
          )}
          {audit && (
            <Tag color={audit.ok ? '#237804' : '#a8071a'}>
              {audit.ok
                ? t('auditOk', { n: audit.entries, a: audit.anchors })
                : t('auditBad', { seq: audit.firstBadSeq ?? '?' })}
            </Tag>
          )}
        </Space>
      </Space>
      {!d && !data.loading && <Alert type="info" showIcon message={t('notYet')} />}
      <Row gutter={[16, 16]} data-kpis={d ? d.totals.orders : ''}>
        {[
          { key: 'volume' as const, value: d ? String(d.totals.orders) : '—', testid: 'kpi-volume' },
          {
            key: 'firstResponse' as const,
            value:
              d?.totals.firstResponseMinutes != null
                ? t('minutes', { n: d.totals.firstResponseMinutes })
                : '—',
            testid: 'kpi-first-response',
          },
          {
            key: 'resolutionTime' as const,
            value: d?.totals.resolutionHours != null ? t('hours', { n: d.totals.resolutionHours }) : '—',
            testid: 'kpi-resolution',
          },
          { key: 'slaCompliance' as const, value: pct(slaRate), testid: 'kpi-sla' },
          {
            key: 'satisfaction' as const,
            value: d?.totals.satisfaction != null ? `${d.totals.satisfaction.toFixed(2)} / 5` : '—',
            testid: 'kpi-satisfaction',
          },
          { key: 'reopenRate' as const, value: pct(d?.totals.reopenRate ?? null), testid: 'kpi-reopen' },
        ].map((k) => (
          <Col key={k.key} xs={12} md={8} xl={4}>
            <Card size="small" loading={data.loading && !data.data}>
              <Statistic title={t(k.key)} value={k.value} valueStyle={{ fontSize: 22 }} />
              <span data-testid={k.testid} hidden>
                {k.value}
              </span>
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title={title('heatMap')}>
            {heatOption && (
              <Chart
                option={heatOption}
                height={360}
                label={t('heatMap')}
                data={{ columns: [t('name'), t('volume')], rows: byGrid.map((g) => [g.name, g.orders]) }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={title('byMonth')}>
            <Chart option={trendOption} height={360} label={t('byMonth')} data={trendData} />
          </Card>
        </Col>
      </Row>
      {community && data.data?.forecastPath && (
        <ForecastCard communityId={community.id} path={data.data.forecastPath} />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title={title('byCategory')}>
            <Chart
              option={categoryOption}
              height={300}
              label={t('byCategory')}
              data={{ columns: [t('name'), t('volume')], rows: catRows.map((c) => [c.name, c.orders]) }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={title('byGrid')}>
            <Table<Bucket>
              rowKey="key"
              size="small"
              pagination={false}
              columns={columns}
              dataSource={byGrid}
            />
          </Card>
        </Col>
      </Row>
      <Card title={title('byProvider')}>
        <Table<Bucket>
          rowKey="key"
          size="small"
          pagination={false}
          columns={columns}
          dataSource={d?.byAssignee ?? []}
        />
      </Card>
      <Card title={title('byCategory')}>
        <Table<Bucket> rowKey="key" size="small" pagination={false} columns={columns} dataSource={catRows} />
      </Card>
    </Space>
  );
}
