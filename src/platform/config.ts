import { join, resolve } from 'node:path';

/** Runtime configuration, read once from the environment at start-up. */
export interface Config {
  host: string;
  port: number;
  /** PostgreSQL connection string; absent → embedded SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema to use (tests run each in a fresh one). */
  databaseSchema: string | undefined;
  dataDir: string;
  /**
   * Where uploaded photos are kept: `database` (every app node serves every photo; the default on
   * PostgreSQL) or `disk` in `filesDir` (the default on SQLite, one machine; with several nodes
   * only if the folder is one they all mount).
   */
  fileStore: FileStoreKind;
  /** The disk store's folder (`LINLI_FILES_DIR`, else `files` in `dataDir`). */
  filesDir: string;
  logLevel: string;
  /** Days after `resolved` with no answer from the resident before the order closes itself. */
  autoCloseDays: number;
  /** Days after closing during which the order may be reopened ("not fixed"); 0 = no limit. */
  reopenDays: number;
  /** One-time codes one phone is sent at most per hour and per day (text messages cost, and may not be wanted). */
  otpPerHour: number;
  otpPerDay: number;
  /** Show one-time codes in the server log (demo and development only). */
  logOtpCodes: boolean;
  /**
   * Open311 jurisdiction used when a client names none (a community code). Unset, a request that
   * names none is answered only where there is one community, and refused with 400 where several.
   */
  defaultJurisdiction: string | undefined;
  /**
   * The address clients reach this server at (`LINLI_PUBLIC_URL`, e.g. `https://hub.example.org`):
   * the base of every absolute URL the server publishes (Open311 discovery, photo links). Never
   * taken from a request's Host header, which the client writes. Unset: `publicBaseUrl` gives the
   * address the server listens on.
   */
  publicUrl: string | undefined;
  /** Run background workers (outbox, timers) in this process. */
  workers: boolean;
  /** Below this classifier confidence an order waits in the triage queue for a person. */
  triageThreshold: number;
  /** Trust X-Forwarded-For (only behind a reverse proxy that sets it). */
  /**
   * Proxies in front whose `X-Forwarded-*` headers are believed: how many hops (1: one reverse
   * proxy), or their addresses; false: none. Never every hop: the leftmost `X-Forwarded-For` entry
   * is whatever the client wrote.
   */
  trustProxy: false | number | string[];
  /**
   * How far V8 lets the old generation grow past the live heap before its next full
   * collection, in percent (0 = V8's own choice). Under steady load V8's own choice lets
   * short-lived request garbage pile up to four times the live heap; 30 keeps the resident
   * size flat for a few milliseconds of extra marking per second.
   */
  heapGrowthPercent: number;
  /** SQLite page cache in MB. */
  sqliteCacheMb: number;
  /** SQLite WAL checkpoints on a worker thread rather than inside commits. */
  sqliteBackgroundCheckpoints: boolean;
  /**
   * Keep request-rate counters (sign-in, one-time codes, Open311) in the database, shared by every
   * app node; otherwise each node counts in memory. Undefined: shared on PostgreSQL (several
   * nodes), in memory on SQLite (one process).
   */
  sharedRateLimits: boolean | undefined;
  /**
   * Longest a request may take to arrive, headers and body, in seconds (0 = no limit). It must
   * leave room for the largest upload (40 MB of photos with an order) on a slow mobile uplink:
   * 300 s is about 1.1 Mbit/s. Smaller bodies get less (`bodyDeadlineMs`), so a body trickling
   * in a byte at a time holds a connection for about 30 s, not this long.
   */
  requestTimeoutSeconds: number;
  /**
   * This node's audit anchor file: each community's chain head (seq and hash) appended as it
   * moves, outside the database, and checked by every verification. Null turns it off (webhook
   * subscribers of `audit.anchor` still get the heads).
   */
  auditAnchorFile: string | null;
  /** Minutes between two anchorings of the chain heads (0 = only `linli audit anchor`). */
  auditAnchorMinutes: number;
  /**
   * This node's Ed25519 key (a PEM file, made on first start) that signs the chain heads it
   * anchors and shows (signed checkpoints). Null turns signing off.
   */
  auditSigningKeyFile: string | null;
  /**
   * Milliseconds between two progress lines of a long command-line job (an export, a chain
   * verification) written to a log or pipe; on a terminal the line is rewritten more often.
   */
  progressEveryMs: number;
}

export type FileStoreKind = 'disk' | 'database';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.LINLI_DATA_DIR ?? './data');
  const databaseUrl = env.DATABASE_URL || undefined;
  const fileStore = fileStoreFrom(env, databaseUrl);
  return {
    host: env.HOST ?? '127.0.0.1',
    port: intFrom(env, 'PORT', 3000),
    databaseUrl,
    databaseSchema: env.LINLI_DB_SCHEMA || undefined,
    dataDir,
    fileStore,
    filesDir: resolve(env.LINLI_FILES_DIR || join(dataDir, 'files')),
    logLevel: env.LOG_LEVEL ?? 'info',
    autoCloseDays: intFrom(env, 'LINLI_AUTO_CLOSE_DAYS', 7),
    reopenDays: intFrom(env, 'LINLI_REOPEN_DAYS', 30),
    otpPerHour: Math.max(1, intFrom(env, 'LINLI_OTP_PER_HOUR', 5)),
    otpPerDay: Math.max(1, intFrom(env, 'LINLI_OTP_PER_DAY', 10)),
    logOtpCodes: logOtpCodesFrom(env),
    defaultJurisdiction: env.LINLI_DEFAULT_JURISDICTION || undefined,
    publicUrl: publicUrlFrom(env.LINLI_PUBLIC_URL),
    workers: (env.LINLI_WORKERS ?? '1') === '1',
    triageThreshold: fractionFrom(env, 'LINLI_TRIAGE_THRESHOLD', 0.5),
    trustProxy: trustProxyFrom(env.LINLI_TRUST_PROXY),
    heapGrowthPercent: intFrom(env, 'LINLI_HEAP_GROWTH_PERCENT', 30),
    sqliteCacheMb: Math.max(1, intFrom(env, 'LINLI_SQLITE_CACHE_MB', 4)),
    sqliteBackgroundCheckpoints: (env.LINLI_SQLITE_BACKGROUND_CHECKPOINTS ?? '1') === '1',
    sharedRateLimits: env.LINLI_SHARED_RATE_LIMITS ? env.LINLI_SHARED_RATE_LIMITS === '1' : undefined,
    requestTimeoutSeconds: Math.max(0, intFrom(env, 'LINLI_REQUEST_TIMEOUT_SECONDS', 300)),
    auditAnchorFile:
      env.LINLI_AUDIT_ANCHOR_FILE?.toLowerCase() === 'off'
        ? null
        : resolve(env.LINLI_AUDIT_ANCHOR_FILE || join(dataDir, 'audit-anchors.jsonl')),
    auditAnchorMinutes: Math.max(0, intFrom(env, 'LINLI_AUDIT_ANCHOR_MINUTES', 60)),
    auditSigningKeyFile:
      env.LINLI_AUDIT_SIGNING_KEY?.toLowerCase() === 'off'
        ? null
        : resolve(env.LINLI_AUDIT_SIGNING_KEY || join(dataDir, 'audit-signing-key.pem')),
    progressEveryMs: Math.max(0, intFrom(env, 'LINLI_PROGRESS_MS', 5_000)),
  };
}

/**
 * LINLI_LOG_OTP: residents' one-time codes in the server log. Off unless set to 1; `linli serve
 * --demo` (what `npm start` runs) sets it, so the demo's residents can sign in without a phone.
 * Anyone who reads the log of a real deployment could otherwise sign in as any resident.
 */
export function logOtpCodesFrom(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LINLI_LOG_OTP === '1';
}

/**
 * LINLI_PUBLIC_URL: an http(s) URL, optionally with a path (a server behind a proxy at
 * `https://city.example.org/linli`), without a query or fragment; the trailing `/` is dropped.
 * Anything else is refused at start naming the variable.
 */
export function publicUrlFrom(value: string | undefined): string | undefined {
  const v = value?.trim() ?? '';
  if (v === '') return undefined;
  let u: URL | null = null;
  try {
    u = new URL(v);
  } catch {
    u = null;
  }
  if (
    !u ||
    (u.protocol !== 'http:' && u.protocol !== 'https:') ||
    u.search ||
    u.hash ||
    u.username ||
    u.password
  )
    throw new Error(
      `LINLI_PUBLIC_URL must be an http or https URL without a query, e.g. https://hub.example.org, got "${v}"`,
    );
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/**
 * The base of the absolute URLs the server publishes: `LINLI_PUBLIC_URL`, else the address it
 * listens on (`http://HOST:PORT`, `localhost` for a wildcard address). Never the Host header a
 * request carries, so a forged one cannot make the server advertise another.
 */
export function publicBaseUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl) return config.publicUrl;
  const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === '';
  const host = wildcard ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

/**
 * LINLI_TRUST_PROXY: unset or `0`, no proxy; a number, that many proxy hops in front (`1`: one
 * reverse proxy, whose own address it appends to `X-Forwarded-For`); otherwise a comma-separated
 * list of the proxies' addresses or CIDR ranges.
 */
export function trustProxyFrom(value: string | undefined): false | number | string[] {
  const v = value?.trim() ?? '';
  if (v === '' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * LINLI_FILE_STORE: `disk` or `database`; unset, the database with PostgreSQL (several nodes must
 * all serve every photo) and the disk with SQLite. A folder named for photos kept in the database
 * would be silently unused, so that is refused as well.
 */
function fileStoreFrom(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): FileStoreKind {
  const value = env.LINLI_FILE_STORE?.trim().toLowerCase() || undefined;
  if (value !== undefined && value !== 'disk' && value !== 'database')
    throw new Error(`LINLI_FILE_STORE must be "disk" or "database", got "${env.LINLI_FILE_STORE ?? ''}"`);
  const kind = value ?? (databaseUrl ? 'database' : 'disk');
  if (kind === 'database' && env.LINLI_FILES_DIR)
    throw new Error(
      `LINLI_FILES_DIR is set, but photos are kept in the database (${value ? 'LINLI_FILE_STORE=database' : 'the default with DATABASE_URL'}): set LINLI_FILE_STORE=disk to keep them in that folder, or unset LINLI_FILES_DIR`,
    );
  return kind;
}

/** An integer environment variable; the error names the variable so the operator knows which to fix. */
/** A number from 0 to 1 (a confidence threshold); anything else is refused naming the variable. */
function fractionFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = /^\s*(?:0|1|0?\.\d+|[01]\.\d*)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 0 && n <= 1)) throw new Error(`${name} must be a number from 0 to 1, got "${value}"`);
  return n;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number.parseInt(value, 10);
  if (!Number.isFinite(n)) throw new Error(`${name} must be an integer, got "${value}"`);
  return n;
}
