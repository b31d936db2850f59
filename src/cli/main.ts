/**
 * The `linli` command-line tool: serve, migrate, seed, audit, import, export, classifier.
 * Exit codes: 0 success, 1 failure reported to the user, 2 usage error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { loadConfig } from '../platform/config.ts';
import { migrateToLatest } from '../platform/db/database.ts';
import { systemClock } from '../platform/clock.ts';
import { DiskFileStore } from '../platform/files.ts';
import { AppError } from '../platform/errors.ts';
import { SYSTEM } from '../platform/auth/principal.ts';
import { silentLogger } from '../platform/context.ts';
import { openConfiguredDatabase, startServer } from '../server.ts';
import { DEMO_OPEN311_KEY, DEMO_PASSWORD, seedDemo } from '../seed/demo.ts';
import { takeDemoLiveCalls } from '../seed/demo-live.ts';
import { verifyChain } from '../modules/audit/audit.repository.ts';
import { listCommunities, findCommunity } from '../modules/tenancy/tenancy.repository.ts';
import { ResidentService } from '../modules/people/resident.service.ts';
import { listOrders } from '../modules/work-orders/work-order.repository.ts';
import { join } from 'node:path';

const USAGE = `linli — the Linli 邻里 community service hub

usage:
  linli serve [--demo]                 migrate, (with --demo) seed the demo on first run, and serve on PORT
  linli migrate                        apply pending database migrations
  linli seed --demo                    load the demo communities (does nothing if already seeded)
  linli audit verify [--community C]   verify the audit hash chain(s); exit 1 if any is broken
  linli import residents --community C --file F [--dry-run]
                                       import residents from CSV (UTF-8 or GBK), all or nothing
  linli export work-orders --community C [--status S] [--from ISO] [--to ISO] [--out F]
                                       write orders as CSV (to stdout without --out)
  linli classifier train|eval …        train or evaluate a text classifier on a CSV (see README)
  linli classifier train --from-orders --community C [--activate auto|always|never]
                                       retrain on a community's own history (corrections win)
  linli classifier models|rollback --community C; activate --community C --version N
  linli classifier import-model --community C --file MODEL [--activate always]
  linli classify [--model M] "TEXT"    classify one request

environment: PORT, HOST, DATABASE_URL (PostgreSQL; SQLite in LINLI_DATA_DIR otherwise), LOG_LEVEL`;

/** LINLI_DEMO_ORDERS sets how many orders of history each demo community gets. */
function demoOptions() {
  const n = process.env.LINLI_DEMO_ORDERS;
  return n && Number.isInteger(Number(n)) ? { ordersPerCommunity: Number(n) } : {};
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

async function withDatabase<T>(
  fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.destroy();
  }
}

function printBanner(url: string, seeded: Awaited<ReturnType<typeof seedDemo>> | null) {
  const lines = [
    '',
    `  Linli 邻里 is running at ${url.replace('127.0.0.1', 'localhost')}`,
    `  API document: ${url}/openapi.json`,
  ];
  if (seeded) {
    lines.push(
      '',
      `  Demo logins (password ${DEMO_PASSWORD}, demo only):`,
      `    ${seeded.communities[0]?.name ?? ''}: admin agent dispatcher grid_worker provider manager auditor`,
      `    ${seeded.communities[1]?.name ?? ''}: admin2 agent2 dispatcher2 grid_worker2 provider2 manager2 auditor2`,
      `    both (the street's admin: shared SLA policies, calendars, holidays): street_admin`,
      `  Residents (phone + one-time code, the code is printed in this log): ${seeded.residents.map((r) => r.phone).join(', ')}`,
      `  Open311 key of ${seeded.communities[0]?.name ?? ''}: ${DEMO_OPEN311_KEY}`,
    );
  }
  out(lines.join('\n') + '\n');
}

/** `linli classifier train --from-orders`, `models`, `activate`, `rollback`: a community's own models. */
async function communityModels(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'from-orders': { type: 'boolean' },
      community: { type: 'string' },
      activate: { type: 'string' },
      version: { type: 'string' },
      file: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const sub = positionals[0];
  if (!values.community) {
    err(
      'usage: linli classifier train --from-orders --community C [--activate auto|always|never] | models|rollback --community C | activate --community C --version N',
    );
    return 2;
  }
  const community = values.community;
  return withDatabase(async (database) => {
    const config = loadConfig();
    const { ClassificationService } = await import('../modules/classification/classification.service.ts');
    const { WorkOrderService } = await import('../modules/work-orders/work-order.service.ts');
    const { GridLocator } = await import('../modules/tenancy/grid-locator.ts');
    const { defaultClassifier, defaultPrioritize } =
      await import('../modules/work-orders/work-order.defaults.ts');
    const deps = {
      database,
      clock: systemClock,
      config,
      files: new DiskFileStore(join(config.dataDir, 'files')),
      logger: silentLogger,
    };
    const svc = new ClassificationService(
      deps,
      new WorkOrderService(deps, new GridLocator(database.db), defaultClassifier(), defaultPrioritize),
    );
    const print = (o: unknown) => out(JSON.stringify(o, null, values.json ? 0 : 2));
    if (sub === 'train') {
      const mode = values.activate ?? 'auto';
      if (!['auto', 'always', 'never'].includes(mode)) {
        err('--activate must be auto, always or never');
        return 2;
      }
      const report = await svc.trainFromOrders(community, {
        activate: mode as 'auto' | 'always' | 'never',
        onProgress: (m) => err(m),
      });
      print(report);
      return 0;
    }
    if (sub === 'import-model') {
      if (!values.file) {
        err('usage: linli classifier import-model --community C --file MODEL [--activate always]');
        return 2;
      }
      let text: string;
      try {
        text = readFileSync(values.file, 'utf8');
      } catch {
        err(`cannot read ${values.file}`);
        return 1;
      }
      print(await svc.importModel(community, text, basename(values.file), values.activate === 'always'));
      return 0;
    }
    if (sub === 'models') {
      print(await svc.models(community));
      return 0;
    }
    if (sub === 'rollback') {
      print(await svc.rollback(community));
      return 0;
    }
    if (sub === 'activate') {
      const v = Number(values.version);
      if (!Number.isInteger(v) || v < 0) {
        err('--version must be a model version (0 = the shipped default)');
        return 2;
      }
      print(await svc.activate(community, v));
      return 0;
    }
    err(`unknown classifier command "${sub ?? ''}"`);
    return 2;
  });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      const config = loadConfig();
      if (config.heapGrowthPercent > 0)
        v8.setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
      const database = await openConfiguredDatabase(config);
      await migrateToLatest(database);
      let seeded = null;
      if (values.demo) {
        seeded = await seedDemo(database, demoOptions());
        if (seeded.seeded)
          out(
            `seeded the demo: ${seeded.orders} orders of history in ${seeded.communities.length} communities`,
          );
      }
      const running = await startServer(config, { database });
      if (seeded?.seeded) {
        const taken = await takeDemoLiveCalls(running.built.app);
        out(`took ${taken} calls of today through the API (one waits in triage as a suspected emergency)`);
      }
      printBanner(running.url, seeded);
      const stop = async () => {
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      return -1; // keep running
    }
    case 'migrate':
      return withDatabase(async (db) => {
        const applied = await migrateToLatest(db);
        out(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
        return 0;
      });
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) {
        err('only the demo seed exists: linli seed --demo');
        return 2;
      }
      return withDatabase(async (db) => {
        const s = await seedDemo(db, demoOptions());
        out(
          s.seeded
            ? `seeded ${s.communities.length} communities and ${s.orders} orders`
            : 'the demo is already there',
        );
        return 0;
      });
    }
    case 'audit': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { community: { type: 'string' } },
        allowPositionals: true,
      });
      if (positionals[0] !== 'verify') {
        err('usage: linli audit verify [--community C]');
        return 2;
      }
      return withDatabase(async (db) => {
        const cs = values.community
          ? [await findCommunity(db.db, values.community)].filter((c) => c !== undefined)
          : await listCommunities(db.db);
        if (cs.length === 0) {
          err(values.community ? `no community ${values.community}` : 'no communities yet');
          return 1;
        }
        let ok = true;
        for (const c of cs) {
          const r = await verifyChain(db.db, c.id);
          ok &&= r.ok;
          out(
            `${c.code}\t${r.ok ? 'ok' : 'BROKEN'}\t${r.entries} entries${r.ok ? '' : `\tfirst bad seq ${r.firstBadSeq}`}`,
          );
        }
        return ok ? 0 : 1;
      });
    }
    case 'import': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { community: { type: 'string' }, file: { type: 'string' }, 'dry-run': { type: 'boolean' } },
        allowPositionals: true,
      });
      if (positionals[0] !== 'residents' || !values.community || !values.file) {
        err('usage: linli import residents --community C --file F [--dry-run]');
        return 2;
      }
      let data: Buffer;
      try {
        data = readFileSync(values.file);
      } catch {
        err(`cannot read ${values.file}`);
        return 1;
      }
      const file = values.file;
      const community = values.community;
      return withDatabase(async (db) => {
        const svc = new ResidentService({
          database: db,
          clock: systemClock,
          config: loadConfig(),
          files: new DiskFileStore(join(loadConfig().dataDir, 'files')),
          logger: silentLogger,
        });
        const report = await svc.importCsv(SYSTEM, community, data, basename(file), !!values['dry-run']);
        if (report.encoding !== 'utf-8' && report.encoding !== 'utf-8-bom')
          out(`${file}: read as ${report.encoding}, converted to UTF-8`);
        for (const p of report.problems) err(`${file}: row ${p.row}, column ${p.column}: ${p.message}`);
        out(
          report.dryRun
            ? `dry run: ${report.rows} rows, ${report.problems.length} problems, nothing written`
            : `imported ${report.created} residents in ${report.households} new households`,
        );
        return report.problems.length ? 1 : 0;
      });
    }
    case 'export': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          community: { type: 'string' },
          status: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          out: { type: 'string' },
        },
        allowPositionals: true,
      });
      if (positionals[0] !== 'work-orders' || !values.community) {
        err('usage: linli export work-orders --community C [--status S] [--from ISO] [--to ISO] [--out F]');
        return 2;
      }
      const opts = values;
      return withDatabase(async (db) => {
        const c = await findCommunity(db.db, opts.community ?? '');
        if (!c) {
          err(`no community ${opts.community}`);
          return 1;
        }
        const rows = await listOrders(db.db, {
          communityIds: [c.id],
          statuses: opts.status?.split(','),
          from: opts.from,
          to: opts.to,
          limit: 1_000_000,
        });
        const { toCsvRows } = await import('../modules/work-orders/work-order.export.ts');
        const { presentOrder } = await import('../modules/work-orders/work-order.presenter.ts');
        const { loadContext } = await import('../modules/work-orders/work-order.presenter.ts');
        const ctx = await loadContext(db.db, rows);
        // The command line is an operator's tool on the server: it exports as an auditor would see it (masked).
        const viewer = {
          kind: 'user',
          id: 'cli',
          username: 'cli',
          name: 'cli',
          role: 'auditor',
          communityIds: [c.id],
          gridIds: [],
        } as const;
        const csv =
          '\ufeff' +
          toCsvRows(
            rows.map((o) => presentOrder({ ...viewer, communityIds: [c.id], gridIds: [] }, o, ctx, [])),
          );
        if (opts.out) {
          writeFileSync(opts.out, csv);
          out(`wrote ${rows.length} orders to ${opts.out}`);
        } else process.stdout.write(csv);
        return 0;
      });
    }
    case 'classifier':
    case 'classify': {
      if (
        cmd === 'classifier' &&
        (rest.includes('--from-orders') || ['models', 'activate', 'rollback'].includes(rest[0] ?? ''))
      ) {
        return communityModels(rest);
      }
      const mod = await import('../modules/classification/classifier.cli.ts').catch(() => null);
      if (!mod) {
        err('the classifier is not available in this build');
        return 1;
      }
      return cmd === 'classify'
        ? mod.runClassifyCli(rest, { out, err })
        : mod.runClassifierCli(rest, { out, err });
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      err(`unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof AppError) {
      err(`${e.code}: ${e.message}`);
      const problems = (e.details?.problems ?? []) as { row: number; column: string; message: string }[];
      for (const p of problems) err(`  row ${p.row}, column ${p.column}: ${p.message}`);
    } else err(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
