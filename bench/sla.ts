/**
 * SLA deadline benchmark: p50/p99 of one deadline computation over 100,000 random realistic
 * inputs (office-hours calendars in Shanghai with the CN holiday files, Berlin and New York with
 * DST, and a 24x7 hotline; starts spread over 2026-2027; targets from 1 hour to 5 working days).
 * Also reported: the Spring Festival stretch, measuring elapsed time, the first computation on a
 * calendar not seen before, a zone's very first use, and a whole SLA state replay.
 *
 * Run: node --import tsx bench/sla.ts
 */
import { pathToFileURL } from 'node:url';
import { addBusinessMinutes, businessMinutesBetween } from '../src/modules/sla/business-time.ts';
import type { BusinessCalendar } from '../src/modules/sla/calendar.ts';
import { computeSlaState } from '../src/modules/sla/sla.state.ts';
import type { SlaEvent } from '../src/modules/sla/sla.state.ts';
import { buildCalendar, buildChinaCalendar, buildPolicy } from '../src/modules/sla/sla.fixtures.ts';
import { clearZoneCaches } from '../src/modules/sla/zone.ts';

const N = 100_000;
const TARGET_P99_US = 20;
const TARGETS = [60, 120, 240, 480, 480, 480, 960, 1440, 2400];
const FROM = Date.UTC(2026, 0, 1);
const SPAN = Date.UTC(2027, 11, 31) - FROM;

interface Stats {
  samples: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

/** Deterministic PRNG so runs are comparable. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stats(ns: number[]): Stats {
  const sorted = [...ns].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) / 1000;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    samples: sorted.length,
    p50Us: round(at(0.5)),
    p99Us: round(at(0.99)),
    maxUs: round((sorted[sorted.length - 1] ?? 0) / 1000),
    meanUs: round(sorted.reduce((s, x) => s + x, 0) / sorted.length / 1000),
  };
}

function time(run: (i: number) => unknown, n: number): number[] {
  const out = new Array<number>(n);
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = run(i);
    out[i] = Number(process.hrtime.bigint() - t0);
    if (typeof r === 'number') sink += r;
  }
  if (sink === -1) console.log('unreachable');
  return out;
}

function calendars(): { cal: BusinessCalendar; weight: number }[] {
  const berlinDay = [
    { start: '08:00', end: '12:00' },
    { start: '12:30', end: '16:30' },
  ];
  const nyDay = [{ start: '09:00', end: '17:00' }];
  const weekdays = <T>(day: T) => ({ 1: day, 2: day, 3: day, 4: day, 5: day });
  return [
    { cal: buildChinaCalendar({ id: 'cn' }), weight: 0.6 },
    {
      cal: buildCalendar({ id: 'berlin', timeZone: 'Europe/Berlin', weekly: weekdays(berlinDay) }),
      weight: 0.15,
    },
    { cal: buildCalendar({ id: 'ny', timeZone: 'America/New_York', weekly: weekdays(nyDay) }), weight: 0.15 },
    { cal: buildCalendar({ id: 'hotline', mode: '24x7' }), weight: 0.1 },
  ];
}

/** Runs every scenario and returns the measured figures. */
export async function runSlaBench(): Promise<object> {
  const rnd = mulberry32(20260101);
  const cals = calendars();
  const pickCal = () => {
    let x = rnd();
    for (const c of cals) if ((x -= c.weight) < 0) return c.cal;
    return cals[0]?.cal ?? buildChinaCalendar();
  };
  const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
  const inputs = Array.from({ length: N }, () => ({
    cal: pickCal(),
    start: minute(FROM + rnd() * SPAN),
    minutes: TARGETS[Math.floor(rnd() * TARGETS.length)] ?? 480,
  }));
  // Warm-up on a separate draw so the JIT and the caches reflect steady state.
  for (let i = 0; i < 20_000; i++) {
    const c = pickCal();
    addBusinessMinutes(c, minute(FROM + rnd() * SPAN), 480);
  }

  const deadline = stats(
    time((i) => addBusinessMinutes(inputs[i]!.cal, inputs[i]!.start, inputs[i]!.minutes), N),
  );

  const cn = cals[0]!.cal;
  const festivalFrom = Date.parse('2026-02-12T08:00:00+08:00');
  const festival = Array.from({ length: 10_000 }, () => minute(festivalFrom + rnd() * 3 * 86_400_000));
  const springFestival = stats(time((i) => addBusinessMinutes(cn, festival[i]!, 480), festival.length));

  const ends = inputs.map((x) => x.start + rnd() * 10 * 86_400_000);
  const between = stats(time((i) => businessMinutesBetween(inputs[i]!.cal, inputs[i]!.start, ends[i]!), N));

  // A calendar object never seen (an admin just edited it): its days are planned on demand.
  const fresh = Array.from({ length: 2_000 }, (_, i) => ({ ...cn, id: `edited-${i}` }));
  const calendarCacheMiss = stats(
    time((i) => addBusinessMinutes(fresh[i]!, inputs[i]!.start, 480), fresh.length),
  );

  // A zone used for the first time in the process learns its offsets for the year.
  const zoneColdStart = stats(
    time((i) => {
      clearZoneCaches();
      return addBusinessMinutes({ ...cn, id: `cold-${i}` }, inputs[i]!.start, 480);
    }, 200),
  );

  const policy = buildPolicy({ calendarId: 'cn', updateIntervalMinutes: 240 });
  const histories: SlaEvent[][] = inputs.slice(0, 10_000).map(({ start }) => {
    const h = (x: number) => start + x * 3_600_000;
    return [
      { type: 'submitted', at: start },
      { type: 'accepted', at: h(1) },
      { type: 'paused', at: h(5), reason: 'waiting_on_resident' },
      { type: 'resumed', at: h(30) },
      { type: 'resolved', at: h(50) },
    ];
  });
  const slaState = stats(
    time((i) => computeSlaState(policy, cn, histories[i]!, histories[i]![4]!.at), histories.length),
  );

  return {
    name: 'sla',
    node: process.version,
    deadline: { ...deadline, targetP99Us: TARGET_P99_US, pass: deadline.p99Us <= TARGET_P99_US },
    springFestival8h: springFestival,
    businessMinutesBetween: between,
    calendarCacheMiss,
    zoneColdStart,
    slaStateReplay: slaState,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runSlaBench(), null, 2));
}
