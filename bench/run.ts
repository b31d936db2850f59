/**
 * `npm run bench`: every benchmark of the project, one after the other, as one JSON report.
 * Absolute figures on a shared machine are noisy; the intake figure is a ratio to a bare
 * Fastify route measured in the same run. `npm run bench -- intake list` runs a subset.
 * Set DATABASE_URL to measure the database-bound benches on PostgreSQL.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

type Bench = { name: string; file: string; fn: string };
const BENCHES: Bench[] = [
  { name: 'intake', file: './intake.ts', fn: 'runIntakeBench' },
  { name: 'list', file: './list.ts', fn: 'runListBench' },
  { name: 'export', file: './export.ts', fn: 'runExportBench' },
  { name: 'dashboard', file: './dashboard.ts', fn: 'runDashboardBench' },
  { name: 'forecast', file: './forecast.ts', fn: 'runForecastBench' },
  { name: 'classification', file: './classification.ts', fn: 'runClassificationBench' },
  { name: 'matching', file: './matching.ts', fn: 'runMatchingBench' },
  { name: 'emergency', file: './emergency.ts', fn: 'runEmergencyBench' },
  { name: 'sla', file: './sla.ts', fn: 'runSlaBench' },
  { name: 'timers', file: './timers.ts', fn: 'runTimersBench' },
  { name: 'retime', file: './retime.ts', fn: 'runRetimeBench' },
  { name: 'open311', file: './open311.ts', fn: 'runOpen311Bench' },
];

// Measure what production runs: the bundled server.
if (spawnSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' }).status !== 0)
  process.exit(1);

const wanted = process.argv.slice(2);
const report: Record<string, unknown> = { at: new Date().toISOString(), node: process.version };
for (const b of BENCHES) {
  if (wanted.length && !wanted.includes(b.name)) continue;
  if (!existsSync(new URL(b.file, import.meta.url))) continue;
  process.stderr.write(`bench ${b.name}…\n`);
  try {
    const mod = (await import(b.file)) as Record<string, () => Promise<unknown>>;
    const fn = mod[b.fn];
    report[b.name] = fn ? await fn() : { error: `${b.fn} not exported` };
  } catch (e) {
    report[b.name] = { error: e instanceof Error ? e.message : String(e) };
  }
  process.stderr.write(`${JSON.stringify(report[b.name])}\n`);
}
mkdirSync('artifacts', { recursive: true });
writeFileSync('artifacts/bench.json', JSON.stringify(report, null, 2));
console.log(JSON.stringify(report, null, 2));
