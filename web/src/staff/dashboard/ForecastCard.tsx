/**
 * The demand forecast on the dashboard: the recent counts, the forecast with its prediction
 * interval as a band, the backtest's accuracy against the baselines in words, and the days
 * worth moving people ahead of.
 */
import { useState } from 'react';
import { Alert, Card, Segmented, Select, Space, Typography } from 'antd';
import { api, qs } from '../../lib/api.ts';
import { categoryName, useCategories } from '../../lib/format.ts';
import { useSettings } from '../../lib/settings.tsx';
import { useLoad } from '../../lib/useLoad.ts';
import { Chart } from './Chart.tsx';
import type { ChartData } from './Chart.tsx';

interface Scores {
  mae: number;
  smape: number;
  mase: number | null;
}
interface Series {
  key: string;
  history: { from: string; to: string; orders: number }[];
  forecast: {
    from: string;
    to: string;
    orders: number;
    low: number;
    high: number;
    dayType: 'weekday' | 'weekend' | 'holiday' | 'makeup_workday' | null;
    holiday: string | null;
  }[];
  accuracy: {
    origins: number;
    points: number;
    model: Scores;
    seasonalNaive: Scores;
    movingAverage: Scores;
    beatsBaselines: boolean;
    skill: number | null;
    intervalCoverage: number | null;
  } | null;
}
export interface Forecast {
  granularity: 'day' | 'week';
  intervalLevel: number;
  method: { movingAverageDays: number };
  series: Series[];
  hints: { category: string; day: string; expected: number; usual: number }[];
}

type Granularity = 'day' | 'week';

const short = (iso: string) => iso.slice(5);
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function ForecastCard({ communityId, path }: { communityId: string; path: string }) {
  const { t, lang } = useSettings();
  const cats = useCategories();
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [key, setKey] = useState('all');
  const data = useLoad(
    (signal) => api<Forecast>(`${path}${qs({ community: communityId, granularity })}`, { signal }),
    [communityId, granularity, path],
  );
  const f = data.data;
  const series = f?.series.find((s) => s.key === key) ?? f?.series[0];
  const nameOf = (k: string) => (k === 'all' ? t('forecastAll') : categoryName(cats, lang, k));
  const weekday = (iso: string) =>
    new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en', { weekday: 'short', timeZone: 'UTC' }).format(
      new Date(`${iso}T00:00:00Z`),
    );
  const label = (p: { from: string; to: string }) =>
    granularity === 'day' ? short(p.from) : `${short(p.from)}–${short(p.to)}`;
  const level = Math.round((f?.intervalLevel ?? 0.8) * 100);

  const history = series?.history ?? [];
  const forecast = series?.forecast ?? [];
  const axis = [...history.map(label), ...forecast.map(label)];
  const pad = (n: number) => Array.from({ length: n }, () => null);
  const band = t('forecastBand', { p: level });
  const dayType = (p: Series['forecast'][number]) =>
    p.dayType === 'holiday'
      ? `${t('forecastHoliday')} ${p.holiday ?? ''}`.trim()
      : p.dayType === 'makeup_workday'
        ? t('forecastMakeup')
        : null;
  // The tooltip names the band by its ends, not by the two stacked series that draw it.
  const tooltip = (
    params: Array<{ dataIndex: number; marker: string; seriesName: string; value: unknown }>,
  ) => {
    const i = params[0]?.dataIndex ?? 0;
    const lines = [axis[i] ?? ''];
    for (const p of params) {
      if (p.value === null || p.value === undefined || p.seriesName.endsWith('-low')) continue;
      const point = forecast[i - history.length];
      lines.push(
        p.seriesName === band && point
          ? `${p.marker}${band}: ${point.low}–${point.high}`
          : `${p.marker}${p.seriesName}: ${String(p.value)}`,
      );
    }
    const day = forecast[i - history.length];
    const kind = day ? dayType(day) : null;
    // Holiday names come from imported files: written as text, never as markup.
    if (kind) lines.push(escapeHtml(kind));
    return lines.join('<br/>');
  };
  const option = {
    tooltip: { trigger: 'axis', formatter: tooltip },
    legend: { top: 0, data: [t('forecastActual'), t('forecastExpected'), band] },
    grid: { left: 40, right: 16, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: axis, boundaryGap: false },
    yAxis: { type: 'value', min: 0 },
    series: [
      {
        name: t('forecastActual'),
        type: 'line',
        data: [...history.map((h) => h.orders), ...pad(forecast.length)],
        itemStyle: { color: '#1456d9' },
      },
      {
        name: t('forecastExpected'),
        type: 'line',
        data: [...pad(history.length), ...forecast.map((p) => p.orders)],
        lineStyle: { type: 'dashed' },
        itemStyle: { color: '#ad4e00' },
      },
      // The band: an invisible line at the low end, and the width stacked on it.
      {
        name: `${band}-low`,
        type: 'line',
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
        data: [...pad(history.length), ...forecast.map((p) => p.low)],
      },
      {
        name: band,
        type: 'line',
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(250, 140, 22, 0.25)' },
        itemStyle: { color: 'rgba(250, 140, 22, 0.5)' },
        data: [...pad(history.length), ...forecast.map((p) => Math.round((p.high - p.low) * 10) / 10)],
      },
    ],
  };
  const table: ChartData = {
    columns: [
      t('period'),
      t('forecastActual'),
      t('forecastExpected'),
      t('forecastLow'),
      t('forecastHigh'),
      ...(granularity === 'day' ? [t('forecastDayType')] : []),
    ],
    rows: [
      ...history.map((h) => [label(h), h.orders, null, null, null, ...(granularity === 'day' ? [null] : [])]),
      ...forecast.map((p) => [
        label(p),
        null,
        p.orders,
        p.low,
        p.high,
        ...(granularity === 'day' ? [dayType(p)] : []),
      ]),
    ],
  };

  const a = series?.accuracy ?? null;
  const per = granularity === 'day' ? t('forecastPerDay') : t('forecastPerWeek');
  const accuracyText = !a
    ? t('forecastNoAccuracy')
    : t(a.beatsBaselines ? 'forecastBeats' : 'forecastNotBetter', {
        o: a.origins,
        n: a.points,
        unit: granularity === 'day' ? t('forecastUnitDay') : t('forecastUnitWeek'),
        mae: a.model.mae.toFixed(1),
        per,
        naive: a.seasonalNaive.mae.toFixed(1),
        avg: a.movingAverage.mae.toFixed(1),
        ma: f?.method.movingAverageDays ?? 28,
        skill: Math.round((a.skill ?? 0) * 100),
        p: level,
        cov: a.intervalCoverage === null ? '—' : Math.round(a.intervalCoverage * 100),
      });

  const title = t('forecast');
  return (
    <Card
      loading={!series && data.loading}
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {title}
        </Typography.Title>
      }
      extra={
        <Space wrap>
          <Select
            aria-label={t('forecastSeries')}
            value={series?.key ?? 'all'}
            onChange={setKey}
            style={{ minWidth: 140 }}
            // Until the forecast arrives the choice is still named, not shown as its raw key.
            options={
              f
                ? f.series.map((s) => ({ value: s.key, label: nameOf(s.key) }))
                : [{ value: key, label: nameOf(key) }]
            }
          />
          <Segmented<Granularity>
            aria-label={t('period')}
            value={granularity}
            onChange={setGranularity}
            options={[
              { value: 'day', label: t('forecastDays') },
              { value: 'week', label: t('forecastWeeks') },
            ]}
          />
        </Space>
      }
    >
      {data.error && <Alert type="error" showIcon message={data.error.message} />}
      {series && (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          <Chart
            option={option}
            height={300}
            label={`${title}${lang === 'zh' ? '：' : ': '}${nameOf(series.key)}`}
            data={table}
          />
          <Typography.Paragraph data-testid="forecast-accuracy" style={{ margin: 0 }}>
            {accuracyText}
          </Typography.Paragraph>
          <div>
            <Typography.Text strong>{t('forecastHints')}</Typography.Text>
            {f && f.hints.length > 0 ? (
              <ul data-testid="forecast-hints" style={{ margin: '4px 0 0', paddingLeft: 20 }}>
                {f.hints.map((h) => (
                  <li key={`${h.category}-${h.day}`}>
                    {t('forecastHint', {
                      day: short(h.day),
                      weekday: weekday(h.day),
                      category: nameOf(h.category),
                      expected: h.expected,
                      usual: h.usual,
                    })}
                  </li>
                ))}
              </ul>
            ) : (
              <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
                {t('forecastNoHints')}
              </Typography.Paragraph>
            )}
          </div>
        </Space>
      )}
    </Card>
  );
}
