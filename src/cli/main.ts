/**
 * The `linli` command-line tool: serve, migrate, setup, seed, audit, import, export, classifier.
 * Exit codes: 0 success, 1 failure reported to the user, 2 usage error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import v8 from 'node:v8';
import { loadConfig } from '../platform/config.ts';
import type { Config } from '../platform/config.ts';
import { migrateToLatest } from '../platform/db/database.ts';
import { systemClock } from '../platform/clock.ts';
import {
  DiskFileStore,
  copyFiles,
  fileErrorReason,
  outputPathProblem,
  writeWhole,
} from '../platform/files.ts';
import { DatabaseFileStore } from '../platform/files.database.ts';
import { AppError } from '../platform/errors.ts';
import { SYSTEM } from '../platform/auth/principal.ts';
import { silentLogger } from '../platform/context.ts';
import { openConfiguredDatabase, openConfiguredFileStore, startServer } from '../server.ts';
import { DEMO_OPEN311_KEY, DEMO_PASSWORD, seedDemo } from '../seed/demo.ts';
import { DEMO_LIVE_CALLS, missingDemoLiveCalls, takeDemoLiveCalls } from '../seed/demo-live.ts';
import { setUpCommunity, setupProblems } from '../seed/setup.ts';
import type { SetupInput } from '../seed/setup.ts';
import { listSigningKeys, registerSigningKey, verifyChain } from '../modules/audit/audit.repository.ts';
import { SigningKeyError, loadOrCreateSigningKey } from '../modules/audit/audit.signing-key.ts';
import type { SigningKey } from '../modules/audit/audit.checkpoint.ts';
import { checkCheckpointFiles } from './audit-checkpoint.ts';
import { AnchorFileError, readAnchorFile } from '../modules/audit/audit.anchor-file.ts';
import { AnchorFormatError, anchorsOf, badlySigned, formatAnchor } from '../modules/audit/audit.anchors.ts';
import type { Anchor } from '../modules/audit/audit.anchors.ts';
import { anchorHeads } from '../modules/audit/audit.anchoring.ts';
import { listCommunities, findCommunity } from '../modules/tenancy/tenancy.repository.ts';
import { ERASURE_REASONS } from '../modules/people/resident.erasure.ts';
import { RESIDENT_IMPORT_MAX_BYTES, RESIDENT_IMPORT_MAX_ROWS } from '../modules/people/resident.import.ts';
import { ResidentService } from '../modules/people/resident.service.ts';
import { AuthService } from '../modules/auth/auth.service.ts';
import { StaffService } from '../modules/staff/staff.service.ts';
import { findUserByUsername } from '../modules/auth/auth.repository.ts';
import { parseStatusList, parseTimeRange } from '../modules/work-orders/work-order.filters.ts';
import type { FieldLabel } from '../modules/work-orders/work-order.filters.ts';
import { countOrders } from '../modules/work-orders/work-order.repository.ts';
import { indexUnindexedOrders } from '../modules/work-orders/work-order.search-index.ts';
import { startProgress } from './progress.ts';

/** Usage lines per command: `linli --help` prints them all, `linli CMD --help` those of CMD. */
const COMMAND_USAGE: ReadonlyArray<readonly [command: string, lines: string]> = [
  [
    'serve',
    '  linli serve [--demo]                 migrate, (with --demo) seed the demo on first run, and serve on PORT',
  ],
  ['migrate', '  linli migrate                        apply pending database migrations and name them'],
  [
    'setup',
    `  linli setup --street CODE --street-name NAME --community CODE --name NAME --center LAT,LNG
              --admin USERNAME [--admin-name NAME] [--name-en NAME] [--time-zone Asia/Shanghai]
                                       a real deployment's first (or next) community and its admin,
                                       with the default categories and SLA policies; the admin's
                                       password comes from LINLI_ADMIN_PASSWORD or is made up and
                                       printed once (an existing admin is given the community)`,
  ],
  [
    'seed',
    '  linli seed --demo                    load the demo communities (does nothing if already seeded)',
  ],
  [
    'audit',
    `  linli audit verify [--community C] [--anchors F]
                                       verify the audit hash chain(s) and the anchors kept in F (by
                                       default this node's anchor file); exit 1 if any is broken
  linli audit anchor [--community C] [--file F]
                                       append the chain heads to F (by default this node's anchor
                                       file; F in a folder that exists) and print them: keep a
                                       copy where Linli cannot write; a chain that does not verify
                                       is not anchored (exit 1 naming it and the first bad seq);
                                       each anchor is signed with this node's key
  linli audit keys                     the public keys that sign checkpoints (PEM), to give to
                                       witnesses
  linli audit check-checkpoint --checkpoint F --public-key K
                                       check a signed checkpoint F (JSON of GET /api/v1/audit/head,
                                       an audit.anchor webhook, or an anchor file line) against the
                                       public key in K, without a database; exit 1 if it does not
                                       hold`,
  ],
  [
    'import',
    `  linli import residents --community C --file F [--dry-run]
                                       import residents from CSV (UTF-8 or GBK), all or nothing`,
  ],
  [
    'residents',
    `  linli residents erase ID --reason R  erase a resident's personal data (个人信息删除; it cannot be
                                       undone): the record stays as a tombstone, their orders stay
                                       with their name and contact data blanked; R is one of
                                       ${ERASURE_REASONS.join(', ')}
  linli residents data ID [--out F]    a copy of a resident's personal data (个人信息副本) as JSON, to
                                       give them at their request (to stdout without --out); audited`,
  ],
  [
    'export',
    `  linli export work-orders --community C [--status S[,S…]] [--from TIME] [--to TIME] [--out F]
                                       write the orders created in [--from, --to) as CSV (to stdout
                                       without --out); TIME is an ISO date-time with a zone, such as
                                       2026-12-04T00:00:00+08:00, and --to is exclusive`,
  ],
  [
    'classifier',
    `  linli classifier train --csv FILE --text COL[,COL…] --label COL --out MODEL [--seed N]
                                       train a text classifier on a labelled CSV
  linli classifier eval --model MODEL|default --csv FILE --text COL[,COL…] --label COL
                        [--target category|urgency] [--json]
                                       measure a model on a labelled CSV
  linli classifier train --from-orders --community C [--activate auto|always|never]
                                       retrain on a community's own history (corrections win)
  linli classifier models|rollback --community C; activate --community C --version N
  linli classifier import-model --community C --file MODEL [--activate always]`,
  ],
  ['classify', '  linli classify [--model M] [--json] "TEXT"  classify one request'],
  [
    'staff',
    `  linli staff unlock USERNAME          lift a sign-in lock (five wrong passwords lock a name for
                                       15 minutes), the password kept
  linli staff reset-password USERNAME  give the account a temporary password, printed once, and end
                                       its sessions: the way back in for a lone admin`,
  ],
  [
    'search',
    `  linli search reindex                 index the text of every order the search index does not
                                       hold (orders written by a node of an earlier version during
                                       a rolling upgrade); the migration indexes those it finds`,
  ],
  [
    'files',
    `  linli files copy-to-database [--from DIR]
                                       copy the photo files of this node's folder (by default
                                       LINLI_DATA_DIR/files) into the database, where every node
                                       reads them; run it on each node that kept photos on disk`,
  ],
];

const ENVIRONMENT =
  'environment: PORT, HOST, DATABASE_URL (PostgreSQL; SQLite in LINLI_DATA_DIR otherwise), LOG_LEVEL';

const USAGE = `linli — the Linli 邻里 community service hub

usage:
${COMMAND_USAGE.map(([, lines]) => lines).join('\n')}

${ENVIRONMENT}`;

/** The usage of one command (all of them for an unknown one). */
function usageOf(cmd: string | undefined): string {
  const lines = COMMAND_USAGE.filter(([c]) => c === cmd).map(([, l]) => l);
  return lines.length ? `usage:\n${lines.join('\n')}\n\n${ENVIRONMENT}` : USAGE;
}

/** LINLI_DEMO_ORDERS sets how many orders of history each demo community gets. */
/** What is wrong with an anchor file, in a sentence; anything else than a damaged or unreadable file is rethrown. */
function anchorFileProblem(file: string | null, e: unknown): string {
  if (e instanceof AnchorFileError) return `the anchor file ${file ?? ''}: ${e.message}`;
  if (e instanceof AnchorFormatError)
    return `the anchor file ${basename(file ?? '')} is damaged at ${e.message}`;
  throw e;
}

/** Why `dir` cannot be read as a folder, or null when it can. */
function folderProblem(dir: string): string | null {
  try {
    return statSync(dir).isDirectory() ? null : `${dir} is not a folder`;
  } catch (e) {
    return `cannot read the folder ${dir} (${fileErrorReason(e)})`;
  }
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');
/** The progress of a long job on standard error, at the interval the configuration sets. */
const longJob = (label: string, unit: string, total?: number) =>
  startProgress(label, { unit, total, logEveryMs: loadConfig().progressEveryMs });

function demoOptions() {
  const n = process.env.LINLI_DEMO_ORDERS;
  return {
    ...(n && Number.isInteger(Number(n)) ? { ordersPerCommunity: Number(n) } : {}),
    onWait: (message: string) => err(message),
  };
}

/** Opens the configured database, migrated unless `migrate` is false, for the length of `fn`. */
/** What a service needs, for a command run at the server's console. */
function cliDeps(db: Awaited<ReturnType<typeof openConfiguredDatabase>>) {
  const config = loadConfig();
  return {
    database: db,
    clock: systemClock,
    config,
    files: openConfiguredFileStore(config, db),
    logger: silentLogger,
  };
}

async function withDatabase<T>(
  fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>,
  {
    migrate = true,
    /**
     * Whether the command works on data that must be there already (every command but migrate,
     * setup and seed): on SQLite, a data folder with no database is refused rather than given a
     * new empty one (a mistyped LINLI_DATA_DIR used to create and migrate one, then say "no
     * community taoyuan").
     */
    existing = true,
  } = {},
): Promise<T> {
  const config = loadConfig();
  if (existing && !config.databaseUrl && !existsSync(join(config.dataDir, 'linli.sqlite')))
    throw new Error(
      `no database in ${config.dataDir}: set LINLI_DATA_DIR to the server's data folder, or create one with linli setup (or linli seed --demo)`,
    );
  const database = await openConfiguredDatabase(config);
  try {
    if (migrate) await migrateToLatest(database, { progress: longJob });
    return await fn(database);
  } finally {
    await database.destroy();
  }
}

/** `withDatabase` for the commands that may create the database: migrate, setup, seed. */
function withNewOrExistingDatabase<T>(
  fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  return withDatabase(fn, { ...options, existing: false });
}

function printBanner(
  url: string,
  seeded: Awaited<ReturnType<typeof seedDemo>> | null,
  config: Pick<Config, 'auditAnchorFile' | 'fileStore' | 'filesDir' | 'databaseUrl'>,
  signingKeyId: string | null,
) {
  const lines = [
    '',
    `  Linli 邻里 is running at ${url.replace('127.0.0.1', 'localhost')}`,
    `  API document: ${url}/openapi.json`,
  ];
  lines.push(
    config.fileStore === 'database'
      ? '  Photos are kept in the database: every app node serves every photo'
      : `  Photos are kept in ${relative(process.cwd(), config.filesDir) || config.filesDir}${config.databaseUrl ? ' (with several app nodes, a folder they all mount)' : ''}`,
  );
  if (config.auditAnchorFile)
    lines.push(
      `  Audit chain heads are anchored outside the database in ${relative(process.cwd(), config.auditAnchorFile) || config.auditAnchorFile} (linli audit verify checks them)`,
    );
  if (signingKeyId)
    lines.push(
      `  Audit checkpoints are signed with Ed25519 key ${signingKeyId} (public keys: ${url}/api/v1/audit/keys)`,
    );
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

/**
 * Takes the demo's calls of today that the database does not hold yet. A failure (the demo
 * agent renamed or its password changed) is reported and the server keeps running.
 */
async function takeMissingDemoCalls(
  database: Awaited<ReturnType<typeof openConfiguredDatabase>>,
  app: Parameters<typeof takeDemoLiveCalls>[0],
): Promise<void> {
  const calls = await missingDemoLiveCalls(database);
  if (calls.length === 0) return;
  try {
    const taken = await takeDemoLiveCalls(app, calls);
    const triage = calls.some((c) => c === DEMO_LIVE_CALLS[0])
      ? ' (one waits in triage as a suspected emergency)'
      : '';
    out(`took ${taken} call${taken === 1 ? '' : 's'} of today through the API${triage}`);
  } catch (e) {
    err(`the demo's calls of today were not taken: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The `linli classifier` commands about a community's own models (the rest train and evaluate files). */
const COMMUNITY_MODEL_COMMANDS = ['models', 'activate', 'rollback', 'import-model'];

/** `linli classifier train --from-orders`, `models`, `activate`, `rollback`, `import-model`: a community's own models. */
async function communityModels(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions({
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
    err(usageOf('classifier'));
    return 2;
  }
  if (sub === 'import-model' && values.activate !== undefined && values.activate !== 'always') {
    err('--activate takes one value with import-model: always (without it the model is imported inactive)');
    return 2;
  }
  const community = values.community;
  return withDatabase(async (database) => {
    const { ClassificationService } = await import('../modules/classification/classification.service.ts');
    const { WorkOrderService } = await import('../modules/work-orders/work-order.service.ts');
    const { GridLocator } = await import('../modules/tenancy/grid-locator.ts');
    const { defaultClassifier, defaultPrioritize } =
      await import('../modules/work-orders/work-order.defaults.ts');
    const deps = cliDeps(database);
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
      } catch (e) {
        err(`cannot read ${values.file}: ${fileErrorReason(e)}`);
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

/** A usage error found after parsing: exit 2 with the command's usage. */
class UsageError extends Error {}

/**
 * node:util `parseArgs`, refusing an option given an empty value: no option of the command line
 * takes one (`--out ''` wrote the export to standard output, `--from ''` copied the photos of the
 * working folder, `--anchors ''` verified without the node's anchors).
 */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const parsed = parseArgs(config);
  for (const [name, value] of Object.entries(parsed.values as Record<string, unknown>))
    if (value === '' || (Array.isArray(value) && value.includes('')))
      throw new UsageError(`option --${name} needs a value (it was given an empty one)`);
  return parsed;
}

/** Whether the arguments ask for help (before any `--`, after which everything is text). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // Asking for help prints it and touches nothing: no configuration read, no database opened.
  if (cmd && COMMAND_USAGE.some(([c]) => c === cmd) && asksForHelp(rest)) {
    out(usageOf(cmd));
    return 0;
  }
  try {
    return await run(cmd, rest);
  } catch (e) {
    // node:util parseArgs refuses unknown options and missing values: a usage error.
    const code = (e as { code?: unknown }).code;
    if (e instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      err(`${(e as Error).message}\n\n${usageOf(cmd)}`);
      return 2;
    }
    throw e;
  }
}

/** How long `serve` waits for open requests when told to stop, before it exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

async function run(cmd: string | undefined, rest: string[]): Promise<number> {
  switch (cmd) {
    case 'serve': {
      const { values } = parseOptions({ args: rest, options: { demo: { type: 'boolean' } } });
      // The demo's residents sign in with the code from the log; a real deployment logs none.
      if (values.demo) process.env.LINLI_LOG_OTP ??= '1';
      const config = loadConfig();
      if (config.heapGrowthPercent > 0)
        v8.setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
      const database = await openConfiguredDatabase(config);
      await migrateToLatest(database, { progress: longJob });
      let seeded = null;
      if (values.demo) {
        seeded = await seedDemo(database, demoOptions());
        if (seeded.seeded)
          out(
            `seeded the demo: ${seeded.orders} orders of history in ${seeded.communities.length} communities`,
          );
      }
      const running = await startServer(config, { database });
      // Also after `linli seed --demo`: the calls are taken on the first start that finds them missing.
      if (values.demo) await takeMissingDemoCalls(database, running.built.app);
      printBanner(running.url, seeded, config, running.built.services.auditSigner?.keyId ?? null);
      let stopping = false;
      const stop = async () => {
        // One stop, however many signals come: Ctrl+C reaches `npm start` and the server both,
        // and `npm start` passes its signals on (a second one used to end the server at once).
        if (stopping) return;
        stopping = true;
        // Requests in flight get this long to finish (a slow upload must not hold a deploy).
        setTimeout(() => {
          process.stderr.write(`stopped after ${SHUTDOWN_GRACE_MS / 1000} s with requests still open\n`);
          process.exit(1);
        }, SHUTDOWN_GRACE_MS).unref();
        await running.stop();
        process.exit(0);
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop());
      return -1; // keep running
    }
    case 'migrate':
      // No options: `migrate --dry-run` or `migrate down` used to migrate all the same.
      parseOptions({ args: rest, options: {} });
      return withNewOrExistingDatabase(
        async (db) => {
          const applied = await migrateToLatest(db, { progress: longJob });
          out(
            applied.length
              ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
              : 'nothing to apply: the database is up to date',
          );
          return 0;
        },
        { migrate: false },
      );
    case 'setup': {
      const { values } = parseOptions({
        args: rest,
        options: {
          street: { type: 'string' },
          'street-name': { type: 'string' },
          community: { type: 'string' },
          name: { type: 'string' },
          'name-en': { type: 'string' },
          center: { type: 'string' },
          'time-zone': { type: 'string' },
          admin: { type: 'string' },
          'admin-name': { type: 'string' },
        },
      });
      const { street, community, name, center, admin } = values;
      const streetName = values['street-name'];
      if (!street || !streetName || !community || !name || !center || !admin) {
        err(usageOf('setup'));
        return 2;
      }
      // Exactly two numbers: a third (22.53,113.93,5) was ignored.
      const parts = center.split(',');
      const [lat, lng] =
        parts.length === 2
          ? parts.map((x) => (/^\s*-?\d+(\.\d+)?\s*$/.test(x) ? Number(x) : NaN))
          : [NaN, NaN];
      const adminName = values['admin-name']?.trim();
      const input: SetupInput = {
        streetCode: street,
        streetName: streetName.trim(),
        communityCode: community,
        communityName: name.trim(),
        communityNameEn: values['name-en']?.trim(),
        center: { lat: lat ?? NaN, lng: lng ?? NaN },
        timeZone: values['time-zone'] ?? 'Asia/Shanghai',
        adminUsername: admin,
        adminName: adminName ?? admin,
        adminPassword: process.env.LINLI_ADMIN_PASSWORD || undefined,
      };
      const problems = setupProblems(input);
      if (problems.length) {
        // Options by their name, the password by its variable's (it was shown as an option).
        for (const p of problems)
          err(`${p.field === 'LINLI_ADMIN_PASSWORD' ? p.field : `--${p.field}`}: ${p.message}`);
        return 2;
      }
      return withNewOrExistingDatabase(async (db) => {
        const r = await setUpCommunity(db, input, new Date());
        out(
          `community ${community} created${r.streetCreated ? ` in the new street ${street}` : ` in street ${street}`}`,
        );
        if (r.adminCreated) {
          out(`admin ${admin} created`);
          if (r.adminPassword) out(`  password (shown once; change it after signing in): ${r.adminPassword}`);
        } else {
          out(`admin ${admin} now also serves ${community}`);
          // What was given for a new admin is not applied to one who exists: say so.
          if (adminName !== undefined && adminName !== r.adminName)
            err(
              `--admin-name ${adminName} not used: ${admin} exists already and keeps the name ${r.adminName}`,
            );
          if (input.adminPassword !== undefined)
            err(`LINLI_ADMIN_PASSWORD not used: ${admin} exists already and keeps their password`);
        }
        out(
          'next: sign in, import grids (POST /api/v1/grids/import) and residents, and create staff (POST /api/v1/staff)',
        );
        return 0;
      });
    }
    case 'seed': {
      const { values } = parseOptions({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) {
        err('only the demo seed exists: linli seed --demo');
        return 2;
      }
      return withNewOrExistingDatabase(async (db) => {
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
      const { values, positionals } = parseOptions({
        args: rest,
        options: {
          community: { type: 'string' },
          anchors: { type: 'string' },
          file: { type: 'string' },
          checkpoint: { type: 'string' },
          'public-key': { type: 'string' },
        },
        allowPositionals: true,
      });
      const verb = positionals[0];
      if (verb === 'check-checkpoint') {
        if (
          !values.checkpoint ||
          !values['public-key'] ||
          values.community ||
          values.anchors ||
          values.file
        ) {
          err(usageOf('audit'));
          return 2;
        }
        // A witness's check: the files alone, no database.
        return checkCheckpointFiles(values.checkpoint, values['public-key'], out, err);
      }
      if (verb === 'keys') {
        if (values.anchors || values.file || values.checkpoint || values['public-key'] || values.community) {
          err(usageOf('audit'));
          return 2;
        }
        return withDatabase(async (db) => {
          const keys = await listSigningKeys(db.db);
          if (keys.length === 0)
            err('no signing key yet: a node makes one on its first start (LINLI_AUDIT_SIGNING_KEY)');
          for (const k of keys) out(`${k.keyId}\t${k.algorithm}\t${k.createdAt}\n${k.publicKey.trimEnd()}`);
          return 0;
        });
      }
      if (
        (verb !== 'verify' && verb !== 'anchor') ||
        (verb === 'verify' && values.file) ||
        (verb === 'anchor' && values.anchors) ||
        values.checkpoint ||
        values['public-key']
      ) {
        err(usageOf('audit'));
        return 2;
      }
      const anchorFile =
        verb === 'verify'
          ? (values.anchors ?? loadConfig().auditAnchorFile)
          : (values.file ?? loadConfig().auditAnchorFile);
      if (verb === 'anchor' && !anchorFile) {
        err('anchoring to a file is off (LINLI_AUDIT_ANCHOR_FILE=off): name one with --file');
        return 2;
      }
      // A file named on the command line goes in a folder that exists: a mistyped path used to
      // make a new tree of folders and an anchor file nobody would look for.
      const fileProblem = verb === 'anchor' && values.file ? outputPathProblem(values.file) : null;
      if (fileProblem) {
        // Exit 1, as an --out in a folder that does not exist.
        err(`--file ${values.file}: ${fileProblem}`);
        return 1;
      }
      let anchors: Anchor[] = [];
      if (verb === 'verify' && anchorFile) {
        if (values.anchors && !existsSync(values.anchors)) {
          err(`no anchor file ${values.anchors}`);
          return 1;
        }
        try {
          anchors = readAnchorFile(anchorFile);
        } catch (e) {
          err(anchorFileProblem(anchorFile, e));
          return 1;
        }
      }
      return withDatabase(async (db) => {
        const cs = values.community
          ? [await findCommunity(db.db, values.community)].filter((c) => c !== undefined)
          : await listCommunities(db.db);
        if (cs.length === 0) {
          err(values.community ? `no community ${values.community}` : 'no communities yet');
          return 1;
        }
        if (verb === 'anchor') {
          // Only a chain that verifies is anchored: an anchor vouches for its entry and all
          // before it, so anchoring a broken chain would make the damage look kept on purpose.
          const broken: string[] = [];
          for (const c of cs) {
            const progress = longJob(`verifying ${c.code}`, 'entries');
            const r = await verifyChain(db.db, c.id, { onProgress: progress.update }).finally(
              progress.finish,
            );
            if (!r.ok)
              broken.push(
                `${c.code}: the chain does not verify (first bad seq ${r.firstBadSeq}${r.problem === 'head' ? ": the head does not match the chain's end" : r.problem === 'missing' ? ': the chain was removed' : ''})`,
              );
          }
          if (broken.length) {
            for (const b of broken) err(b);
            err('nothing anchored: run linli audit verify to see what is wrong');
            return 1;
          }
          // Signed with this node's key, as the node's own anchors are.
          const keyFile = loadConfig().auditSigningKeyFile;
          let signer: SigningKey | null = null;
          if (keyFile) {
            try {
              signer = loadOrCreateSigningKey(keyFile);
            } catch (e) {
              err(e instanceof SigningKeyError ? e.message : String(e));
              return 1;
            }
            await registerSigningKey(db.db, signer, systemClock.now().toISOString());
          }
          // One run for every community asked for: the file is read once.
          let run: Awaited<ReturnType<typeof anchorHeads>>;
          try {
            run = await anchorHeads(db.db, {
              file: anchorFile,
              at: systemClock.now().toISOString(),
              ...(values.community ? { communityId: cs[0]?.id } : {}),
              force: true,
              signer,
            });
          } catch (e) {
            err(anchorFileProblem(anchorFile, e));
            return 1;
          }
          for (const a of run.anchored) out(formatAnchor(a));
          for (const a of run.wentBack)
            err(
              `${a.code ?? a.communityId}: the head (seq ${a.seq}) is behind an earlier anchor: the database was restored from an older backup, or the chain was cut`,
            );
          const n = run.anchored.length;
          err(n === 0 ? 'no chain to anchor yet' : `appended ${n} anchor(s) to ${anchorFile}`);
          return 0;
        }
        // A signed anchor whose signature does not hold is a damaged file: it is not used.
        const [bad] = badlySigned(anchors, await listSigningKeys(db.db));
        if (bad) {
          err(
            `the anchor file ${anchorFile ?? ''}: the anchor of seq ${bad.anchor.seq} at ${bad.anchor.at} ${bad.reason === 'unknown_key' ? `names a signing key no node has (${bad.anchor.keyId ?? ''})` : 'does not match its signature: it was changed after it was signed'}`,
          );
          return 1;
        }
        let ok = true;
        for (const c of cs) {
          const mine = anchorsOf(anchors, c);
          const progress = longJob(`verifying ${c.code}`, 'entries');
          const r = await verifyChain(db.db, c.id, { anchors: mine, onProgress: progress.update }).finally(
            progress.finish,
          );
          ok &&= r.ok;
          // On a broken chain `entries` counts those verified before the first bad one.
          const noun = r.entries === 1 ? 'entry' : 'entries';
          const anchored = `${r.anchors} ${r.anchors === 1 ? 'anchor' : 'anchors'}`;
          out(
            r.ok
              ? `${c.code}\tok\t${r.entries} ${noun}, ${anchored}`
              : r.problem === 'head'
                ? `${c.code}\tBROKEN\tthe head does not match the chain's end (${r.entries} verified ${noun}): a cut tail or an edited head`
                : r.problem === 'missing'
                  ? `${c.code}\tBROKEN\tno chain, but the community has work orders: the chain was removed`
                  : r.problem === 'anchor'
                    ? `${c.code}\tBROKEN\tthe chain no longer holds anchored entry ${r.anchoredSeq ?? r.firstBadSeq} (${r.entries} verified ${noun}): it was rewritten and hashed again, or cut, or the database was restored from a backup older than the anchor (then keep that anchor file as the record of what was lost, and start a new one)`
                    : `${c.code}\tBROKEN\tfirst bad seq ${r.firstBadSeq}, after ${r.entries} verified ${noun}`,
          );
        }
        return ok ? 0 : 1;
      });
    }
    case 'import': {
      const { values, positionals } = parseOptions({
        args: rest,
        options: { community: { type: 'string' }, file: { type: 'string' }, 'dry-run': { type: 'boolean' } },
        allowPositionals: true,
      });
      if (positionals[0] !== 'residents' || !values.community || !values.file) {
        err(usageOf('import'));
        return 2;
      }
      let data: Buffer;
      try {
        // The size first: a file past the importer's limit is refused unread (a 770 MB file was
        // read whole into memory, and then refused as not being text).
        const size = statSync(values.file).size;
        if (size > RESIDENT_IMPORT_MAX_BYTES) {
          err(
            `${values.file}: the file is ${megabytes(size)} (${size.toLocaleString('en')} bytes); an import takes a file of at most ${megabytes(RESIDENT_IMPORT_MAX_BYTES)} and ${RESIDENT_IMPORT_MAX_ROWS.toLocaleString('en')} rows: split it`,
          );
          return 1;
        }
        data = readFileSync(values.file);
      } catch (e) {
        err(`cannot read ${values.file}: ${fileErrorReason(e)}`);
        return 1;
      }
      const file = values.file;
      const community = values.community;
      return withDatabase(async (db) => {
        const svc = new ResidentService(cliDeps(db));
        const report = await svc.importCsv(SYSTEM, community, data, basename(file), !!values['dry-run']);
        if (report.encoding !== 'utf-8' && report.encoding !== 'utf-8-bom')
          out(`${file}: read as ${report.encoding}, converted to UTF-8`);
        for (const p of report.problems) err(`${file}: ${where(p)}: ${p.message}`);
        if (report.skippedEmptyRows)
          out(
            `${file}: skipped ${report.skippedEmptyRows} empty row${report.skippedEmptyRows === 1 ? '' : 's'} (fields all empty)`,
          );
        out(
          report.dryRun
            ? `dry run: ${report.rows} rows, ${report.problems.length} problems, nothing written` +
                (report.problems.length
                  ? ''
                  : ` (would make ${report.households} new households; ${report.joined} residents would join one already registered)`)
            : `imported ${report.created} residents in ${report.households} new households` +
                (report.joined
                  ? `; ${report.joined} joined a household already registered at their address`
                  : ''),
        );
        return report.problems.length ? 1 : 0;
      });
    }
    case 'residents': {
      const { values, positionals } = parseOptions({
        args: rest,
        options: { reason: { type: 'string' }, out: { type: 'string' } },
        allowPositionals: true,
      });
      const [action, id, ...extra] = positionals;
      if (action === 'data' && id && !extra.length && values.reason === undefined) {
        const outFile = values.out;
        const outProblem = outFile === undefined ? null : outputPathProblem(outFile);
        if (outProblem) {
          err(`--out ${outFile}: ${outProblem}`);
          return 1;
        }
        return withDatabase(async (db) => {
          const copy = await new ResidentService(cliDeps(db)).exportData(SYSTEM, id);
          const text = `${JSON.stringify(copy, null, 2)}\n`;
          if (outFile === undefined) {
            process.stdout.write(text);
            return 0;
          }
          const { writeFile } = await import('node:fs/promises');
          await writeWhole(outFile, (part) => writeFile(part, text, { mode: 0o600 }));
          out(
            `wrote the personal data of ${copy.resident.name} (${copy.orders.length} orders) to ${outFile}`,
          );
          return 0;
        });
      }
      const reason = ERASURE_REASONS.find((r) => r === values.reason);
      if (action !== 'erase' || !id || extra.length || !reason || values.out !== undefined) {
        err(usageOf('residents'));
        return 2;
      }
      return withDatabase(async (db) => {
        const svc = new ResidentService(cliDeps(db));
        const r = await svc.erase(SYSTEM, id, { reason });
        out(
          `${id}: personal data erased (${reason}); ${r.orders} orders and ${r.events} timeline entries anonymised, ` +
            `${r.sessions} sessions ended, ${r.messagesCancelled} messages cancelled, ${r.inboxItems} inbox items deleted, ` +
            `${r.serviceRecordsRejected} pending time bank records rejected`,
        );
        return 0;
      });
    }
    case 'staff': {
      const [action, username, ...extra] = rest;
      // A username never starts with "-": `staff unlock --force` is a usage error, not a name.
      if (
        (action !== 'unlock' && action !== 'reset-password') ||
        !username ||
        username.startsWith('-') ||
        extra.length
      ) {
        err(usageOf('staff'));
        return 2;
      }
      return withDatabase(async (db) => {
        const deps = cliDeps(db);
        const staff = new StaffService(deps, new AuthService(deps));
        if (!(await findUserByUsername(db.db, username))) {
          err(`${username}: no such staff account`);
          return 1;
        }
        if (action === 'unlock') {
          out(
            (await staff.unlockFromConsole(username))
              ? `${username}: sign-in failures cleared, the lock lifted`
              : `${username}: no failed sign-ins on record, nothing to lift`,
          );
          return 0;
        }
        const reset = await staff.resetPasswordFromConsole(username);
        if (!reset) {
          err(`${username}: no such staff account`);
          return 1;
        }
        out(`${username}: password reset, every session ended, any lock lifted`);
        out(
          `  temporary password (shown once; it must be changed at the next sign-in): ${reset.temporaryPassword}`,
        );
        return 0;
      });
    }
    case 'files': {
      const { values, positionals } = parseOptions({
        args: rest,
        options: { from: { type: 'string' } },
        allowPositionals: true,
      });
      if (positionals[0] !== 'copy-to-database' || positionals.length > 1) {
        err(usageOf('files'));
        return 2;
      }
      const config = loadConfig();
      const from = resolve(values.from ?? config.filesDir);
      const problem = folderProblem(from);
      if (problem) {
        err(problem);
        return 1;
      }
      return withDatabase(async (database) => {
        const copied = await copyFiles(new DiskFileStore(from), new DatabaseFileStore(database.db), 'photos');
        out(`copied ${copied} photo file(s) from ${from} into the database`);
        if (config.fileStore === 'disk')
          err(
            'this configuration still serves photos from the disk: set LINLI_FILE_STORE=database to serve these',
          );
        return 0;
      });
    }
    case 'search': {
      if (rest[0] !== 'reindex' || rest.length > 1) {
        err(usageOf('search'));
        return 2;
      }
      return withDatabase(async (db) => {
        const all = await db.db
          .selectFrom('work_orders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const progress = longJob('indexing', 'orders', Number(all.n));
        const indexed = await indexUnindexedOrders(db.db, (read) => progress.update(read)).finally(
          progress.finish,
        );
        out(`indexed ${indexed} order(s) the search index did not hold`);
        return 0;
      });
    }
    case 'export': {
      const { values, positionals } = parseOptions({
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
        err(usageOf('export'));
        return 2;
      }
      const opts = values;
      // The same checks as the API's list filters, before anything is opened or written.
      let filters;
      try {
        const label: FieldLabel = (f) => `--${f}`;
        filters = { statuses: parseStatusList(opts.status, label), ...parseTimeRange(opts, label) };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        err(`error: ${e.message}`);
        return 2;
      }
      const outProblem = opts.out === undefined ? null : outputPathProblem(opts.out);
      if (outProblem) {
        err(`--out ${opts.out}: ${outProblem}`);
        return 1;
      }
      return withDatabase(async (db) => {
        const c = await findCommunity(db.db, opts.community ?? '');
        if (!c) {
          err(`no community ${opts.community}`);
          return 1;
        }
        const { csvFile, exportPages } = await import('../modules/work-orders/work-order.exporter.ts');
        const { createWriteStream } = await import('node:fs');
        const { pipeline } = await import('node:stream/promises');
        // The command line is an operator's tool on the server: it exports as an auditor would see it (masked).
        const viewer = {
          kind: 'user' as const,
          id: 'cli',
          username: 'cli',
          name: 'cli',
          role: 'auditor' as const,
          communityIds: [c.id],
          gridIds: [],
        };
        const scope = { communityIds: [c.id], ...filters };
        // The count first, for the progress line of a long export (300,000 orders took 8 to 30 s).
        const progress = longJob('exporting', 'orders', await countOrders(db.db, scope));
        // Written a page at a time as it is read: every matching order, in the memory of a page.
        let written = 0;
        async function* counted() {
          for await (const page of exportPages(db.db, scope, viewer)) {
            written += page.length;
            progress.update(written);
            yield page;
          }
        }
        const file = await csvFile(db.db, counted());
        try {
          // The file is the owner's alone, as the residents' data copies are: it holds addresses and text.
          if (opts.out)
            await writeWhole(opts.out, (part) => pipeline(file, createWriteStream(part, { mode: 0o600 })));
          else
            await pipeline(file, process.stdout, { end: false }).catch((e: unknown) => {
              // A reader that stopped early (`| head`) is no failure of the export.
              if ((e as { code?: string }).code !== 'EPIPE') throw e;
            });
        } finally {
          progress.finish();
        }
        if (opts.out) out(`wrote ${written} orders to ${opts.out}`);
        return 0;
      });
    }
    case 'classifier':
    case 'classify': {
      if (
        cmd === 'classifier' &&
        (rest.includes('--from-orders') || COMMUNITY_MODEL_COMMANDS.includes(rest[0] ?? ''))
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

/** A size in bytes as MiB, to one decimal when it is not whole. */
const megabytes = (bytes: number) => {
  const mib = bytes / 1024 / 1024;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
};

/** Where an import problem is: its row, and its column when it is about one. */
const where = (p: { row: number; column: string }) =>
  p.column ? `row ${p.row}, column ${p.column}` : `row ${p.row}`;

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof AppError) {
      err(`${e.code}: ${e.message}`);
      const problems = (e.details?.problems ?? []) as { row: number; column: string; message: string }[];
      for (const p of problems) err(`  ${where(p)}: ${p.message}`);
      // A refused import lists its first problems; `total` says how many there are.
      const total = e.details?.total;
      if (typeof total === 'number' && total > problems.length)
        err(`  … and ${total - problems.length} more (run with --dry-run to see all)`);
    } else err(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
