/**
 * The demo community: two communities of one street, grids, households and residents (some in
 * special groups, with consent), one staff login per role, an Open311 key, and a year of
 * realistic order history with timelines and a verified audit chain. Idempotent: a seeded
 * database is left as it is.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import type { DB, WorkOrderEventTable } from '../platform/db/schema.ts';
import type { Selectable } from 'kysely';
import { hashPassword, hashSecret } from '../platform/auth/password.ts';
import { newId } from '../platform/ids.ts';
import { defaultCategoryRows } from './baseline.ts';
import { GENESIS_HASH, buildEntry } from '../modules/audit/audit.chain.ts';
import { auditRow } from '../modules/audit/audit.repository.ts';
import { transition } from '../modules/work-orders/work-order.machine.ts';
import type { Action, Status } from '../modules/work-orders/work-order.machine.ts';
import type { WorkOrderRow } from '../modules/work-orders/work-order.repository.ts';
import { insertOrders, newOrderRow } from '../modules/work-orders/work-order.repository.ts';
import { insertUser } from '../modules/staff/staff.repository.ts';
import { localDay, orderNumber } from '../modules/work-orders/work-order.number.ts';
import { defaultPrioritize } from '../modules/work-orders/work-order.defaults.ts';
import { pointInPolygon } from '../modules/tenancy/grid-locator.ts';
import { applyDefaultQuestions } from '../modules/open311/open311.repository.ts';
import { DEMO_COMMUNITIES, DEMO_STREET } from './demo-geography.ts';
import { demoCreatedTimes } from './demo-demand.ts';
import { seedDemoCatalogue } from '../modules/matching/resource.seed.ts';
import { DEMO_COMMENTS, DEMO_GIVEN, DEMO_STORIES, DEMO_SURNAMES } from './demo-stories.ts';
import { seedSla } from '../modules/sla/sla.seed.ts';
import { seedTimeBank } from '../modules/time-bank/time-bank.seed.ts';
import { idNumberCheckDigit } from '../modules/people/id-number.ts';
import { eraseResident } from '../modules/people/resident.service.ts';
import { SYSTEM } from '../platform/auth/principal.ts';
import { seedDemoProposals } from '../modules/proposals/proposal.seed.ts';

/** The demo's named residents (README, tests): they keep their data. */
const DEMO_NAMED_PHONES = ['13800000001', '13800000002', '13800000003'];

export const DEMO_PASSWORD = 'demo1234';
export const DEMO_OPEN311_KEY = 'demo-open311-key';
export const DEMO_ROLES = [
  'admin',
  'agent',
  'dispatcher',
  'grid_worker',
  'provider',
  'manager',
  'auditor',
] as const;
const ROLE_NAMES: Record<string, string> = {
  admin: '系统管理员',
  agent: '坐席小周',
  dispatcher: '调度员老陈',
  grid_worker: '网格员小李',
  provider: '维修师傅老王',
  manager: '社区书记',
  auditor: '审计员',
};

export interface SeedOptions {
  /** Orders of history per community (default 1,200 over a year). */
  ordersPerCommunity?: number;
  historyDays?: number;
  now?: Date;
  seed?: number;
  /**
   * How long to wait for another process that is seeding the same database right now (two
   * first starts at once) before giving up with a message saying so; default 10 minutes.
   */
  waitMs?: number;
  /** Told once when this process starts waiting for another one that is seeding (to say so). */
  onWait?: (message: string) => void;
}

export interface SeedSummary {
  seeded: boolean;
  communities: { id: string; code: string; name: string }[];
  logins: { username: string; role: string; community: string }[];
  residents: { phone: string; name: string; community: string }[];
  open311Key: string;
  orders: number;
}

/** Small deterministic PRNG so every demo is the same. */
/** An ID number of its first 17 digits and their check character: valid, as an import demands. */
const withCheckDigit = (first17: string) => first17 + idNumberCheckDigit(first17);

/**
 * The ID number of the demo's n-th resident born in `birthYear`: Nanshan's area code (440305), a
 * birth date of that year and a sequence below 900 spread so that no two residents share one.
 */
function demoIdNumber(birthYear: number, n: number): string {
  const month = (n % 12) + 1;
  const day = (Math.floor(n / 12) % 28) + 1;
  const sequence = Math.floor(n / 336) % 900;
  const mmdd = `${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  return withCheckDigit(`440305${birthYear}${mmdd}${String(sequence).padStart(3, '0')}`);
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function chunkedInsert<T extends keyof DB>(db: Kysely<DB>, table: T, rows: unknown[], size = 200) {
  for (let i = 0; i < rows.length; i += size) {
    // Rows are built to the table's shape above; Kysely cannot relate a generic table name to its row type.
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
  }
}

/** A row of `sequences` that records how far the demo got: begun, then done. */
const DEMO_SEED_MARK = 'demo_seed';
const SEED_STARTED = 1;
const SEED_DONE = 2;

/*
 * Two first starts at once (two `serve --demo`, or `seed --demo` and `serve --demo`) on one empty
 * database: one seeds, the other waits for it and then finds the demo there. On PostgreSQL an
 * advisory lock held for the whole seed makes them take turns; whoever gets it second sees the
 * demo done. SQLite has no lock that outlives a transaction, and the demo loads in several, so
 * the begun mark is inserted with the first rows (only one process can insert it), and the
 * seeding process writes the time into a second row with them and after each step: a waiting
 * process tells a seed in progress from one stopped half way by that time (no news for a
 * minute). Steps, not a timer: better-sqlite3 answers at once, so a timer would not fire before
 * the seed is over. The row is SQLite's only, and removed once the demo is done.
 */
const DEMO_SEED_ALIVE = 'demo_seed_alive';
/** Far above the longest step of the seed (one community's year of orders, under a second here). */
const ALIVE_STALE_MS = 60_000;
const WAIT_POLL_MS = 250;
const DEFAULT_WAIT_MS = 10 * 60_000;

const incompleteDemo = () =>
  new Error(
    'the demo in this database is incomplete: an earlier first start was stopped while it loaded the demo. ' +
      'Delete the data folder (LINLI_DATA_DIR, ./data by default), or on PostgreSQL the schema, and start again',
  );
const notForDemo = (codes: string[]) =>
  new Error(
    `this database already holds communities of its own (${codes.join(', ')}): the demo is loaded only into an ` +
      'empty database. Give the demo a data folder of its own (LINLI_DATA_DIR), or on PostgreSQL a schema (LINLI_DB_SCHEMA)',
  );
const demoBeingSeeded = () =>
  new Error(
    'another process is seeding the demo into this database right now; start again in a moment, once it is done',
  );

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** SQLite refused a write because another connection holds the write lock past the busy timeout. */
const isSqliteBusy = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

/**
 * Runs `fn` holding this schema's demo-seed advisory lock (PostgreSQL), waiting for it until
 * `deadline`. Held on a connection of its own, so the seed runs through the pool as always; the
 * lock goes with the session if the process dies.
 */
async function withDemoSeedLock<T>(
  database: Database,
  deadline: number,
  waiting: () => void,
  fn: () => Promise<T>,
): Promise<T> {
  return database.db.connection().execute(async (conn) => {
    // One lock per schema: several deployments (or test runs) may share a PostgreSQL database.
    const key = sql`hashtext('linli:demo_seed:' || coalesce(current_schema(), ''))`;
    for (;;) {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}) as locked`.execute(
        conn,
      );
      if (rows[0]?.locked) break;
      if (Date.now() >= deadline) throw demoBeingSeeded();
      waiting();
      await sleep(WAIT_POLL_MS);
    }
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(${key})`.execute(conn);
    }
  });
}

/** Where the demo stands: not begun, begun (being seeded, or stopped half way), or done. */
async function demoProgress(db: Kysely<DB>): Promise<'none' | 'begun' | 'done'> {
  const row = await db
    .selectFrom('sequences')
    .select('value')
    .where('name', '=', DEMO_SEED_MARK)
    .executeTakeFirst();
  if (!row) return 'none';
  return Number(row.value) === SEED_STARTED ? 'begun' : 'done';
}

/** SQLite: whether the process that began the demo has shown signs of life within the last minute. */
async function seederAlive(db: Kysely<DB>): Promise<boolean> {
  const row = await db
    .selectFrom('sequences')
    .select('value')
    .where('name', '=', DEMO_SEED_ALIVE)
    .executeTakeFirst();
  return !!row && Date.now() - Number(row.value) < ALIVE_STALE_MS;
}

/** SQLite: records that the seeding process is still at it, between the steps of the seed. */
async function stillSeeding(database: Database): Promise<void> {
  if (database.dialect !== 'sqlite') return;
  await database.db
    .updateTable('sequences')
    .set({ value: Date.now() })
    .where('name', '=', DEMO_SEED_ALIVE)
    .execute();
}

export async function isSeeded(database: Database): Promise<boolean> {
  const row = await database.db
    .selectFrom('communities')
    .select('id')
    .where('code', '=', 'taoyuan')
    .executeTakeFirst();
  return !!row;
}

/** A demo staff login serving the given communities; answers its id. */
async function insertStaff(
  trx: Kysely<DB>,
  s: {
    username: string;
    name: string;
    role: string;
    phone: string;
    passwordHash: string;
    at: string;
    communityIds: string[];
  },
): Promise<string> {
  return insertUser(trx, s);
}

/** The demo's street-level administrator: an admin of both communities. */
export const STREET_ADMIN = 'street_admin';

export async function seedDemo(database: Database, options: SeedOptions = {}): Promise<SeedSummary> {
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
  let told = false;
  const waiting = () => {
    if (told) return;
    told = true;
    options.onWait?.(
      'another process is loading the demo into this database; waiting for it (a minute at most if it has stopped)',
    );
  };
  const seedOrWait = async (): Promise<SeedSummary> => {
    for (;;) {
      const progress = await demoProgress(database.db);
      // A demo seeded before the mark existed has its communities and no mark.
      if (progress === 'done' || (progress === 'none' && (await isSeeded(database))))
        return existingDemo(database);
      if (progress === 'none') {
        // A deployment's own database (made by `linli setup`): the demo is not mixed into it.
        const own = await database.db.selectFrom('communities').select('code').limit(3).execute();
        if (own.length > 0) throw notForDemo(own.map((c) => c.code));
        const seeded = await loadDemo(database, options);
        if (seeded) return seeded;
        // Another process inserted the mark first: wait for it as below.
      } else if (database.dialect === 'postgres' || !(await seederAlive(database.db))) {
        // Begun, and nobody is at it: stopped half way (on PostgreSQL nobody else can be at it
        // while this process holds the lock).
        throw incompleteDemo();
      }
      if (Date.now() >= deadline) throw demoBeingSeeded();
      waiting();
      await sleep(WAIT_POLL_MS);
    }
  };
  return database.dialect === 'postgres'
    ? withDemoSeedLock(database, deadline, waiting, seedOrWait)
    : seedOrWait();
}

/** What every demo summary names: the logins, the named residents and the Open311 key. */
function demoSummary(): SeedSummary {
  const summary: SeedSummary = {
    seeded: false,
    communities: [],
    logins: [],
    residents: [],
    open311Key: DEMO_OPEN311_KEY,
    orders: 0,
  };
  for (const [i, c] of DEMO_COMMUNITIES.entries()) {
    for (const role of DEMO_ROLES)
      summary.logins.push({ username: i === 0 ? role : `${role}2`, role, community: c.name });
  }
  summary.logins.push({ username: STREET_ADMIN, role: 'admin', community: DEMO_STREET.name });
  summary.residents = [
    { phone: '13800000001', name: '王秀英', community: DEMO_COMMUNITIES[0]?.name ?? '' },
    { phone: '13800000003', name: '李建国', community: DEMO_COMMUNITIES[0]?.name ?? '' },
    { phone: '13800000002', name: '赵桂兰', community: DEMO_COMMUNITIES[1]?.name ?? '' },
  ];
  return summary;
}

/** The summary of a demo already in the database. */
async function existingDemo(database: Database): Promise<SeedSummary> {
  const summary = demoSummary();
  summary.communities = await database.db
    .selectFrom('communities')
    .select(['id', 'code', 'name'])
    .orderBy('code', 'desc')
    .execute();
  return summary;
}

/** Loads the demo into an empty database; answers null when another process began it first. */
async function loadDemo(database: Database, options: SeedOptions): Promise<SeedSummary | null> {
  const db = database.db;
  const now = options.now ?? new Date();
  const rand = mulberry32(options.seed ?? 20261121);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const at = now.toISOString();
  // The demo's residents have lived at their addresses since before the year of history.
  const settled = new Date(now.getTime() - 3 * 365 * 86_400_000).toISOString();
  const summary = demoSummary();
  summary.seeded = true;

  const categories = defaultCategoryRows();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const streetId = newId();

  let claimed: boolean;
  try {
    claimed = await db.transaction().execute(async (trx) => {
      // Marked as begun with its first rows, and as done after its last: a first start stopped half
      // way (the demo loads in several transactions) is then named as such, not taken for a demo.
      // Only one process can insert the mark; another that finds it there waits (seedDemo).
      const mark = await trx
        .insertInto('sequences')
        .values({ name: DEMO_SEED_MARK, value: SEED_STARTED })
        .onConflict((oc) => oc.column('name').doNothing())
        .returning('name')
        .executeTakeFirst();
      if (!mark) return false;
      if (database.dialect === 'sqlite')
        await trx
          .insertInto('sequences')
          .values({ name: DEMO_SEED_ALIVE, value: Date.now() })
          .onConflict((oc) => oc.column('name').doUpdateSet({ value: Date.now() }))
          .execute();
      await chunkedInsert(trx, 'categories', categories);
      await applyDefaultQuestions(trx);
      await trx
        .insertInto('streets')
        .values({
          id: streetId,
          code: DEMO_STREET.code,
          name: DEMO_STREET.name,
          name_en: DEMO_STREET.nameEn,
          created_at: at,
        })
        .execute();
      return true;
    });
  } catch (e) {
    // SQLite: the other process's first transaction held the write lock past the busy timeout.
    if (isSqliteBusy(e)) return null;
    throw e;
  }
  if (!claimed) return null;

  let residentPhoneSeq = 100;
  for (const [ci, c] of DEMO_COMMUNITIES.entries()) {
    const communityId = newId();
    summary.communities.push({ id: communityId, code: c.code, name: c.name });
    const suffix = ci === 0 ? '' : String(ci + 1);
    const gridIds = new Map<string, string>();
    const users: { id: string; role: string; name: string }[] = [];
    const households: Selectable<DB['households']>[] = [];
    const residents: Selectable<DB['residents']>[] = [];

    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('communities')
        .values({
          id: communityId,
          street_id: streetId,
          code: c.code,
          name: c.name,
          name_en: c.nameEn,
          center_lat: c.center.lat,
          center_lng: c.center.lng,
          boundary_json: JSON.stringify(c.boundary),
          time_zone: 'Asia/Shanghai',
          contacts_json: JSON.stringify({
            hotline: c.hotline,
            windowAddress: c.windowAddress,
            windowHours: c.windowHours,
            wechat: c.wechat,
          }),
          created_at: at,
        })
        .execute();
      for (const g of c.grids) {
        const id = newId();
        gridIds.set(g.code, id);
        await trx
          .insertInto('grids')
          .values({
            id,
            community_id: communityId,
            code: g.code,
            name: g.name,
            polygon_json: JSON.stringify(g.polygon),
            created_at: at,
          })
          .execute();
      }
      // Staff: one login per role, plus a second grid worker so every grid has one.
      const staff = [
        ...DEMO_ROLES.map((role) => ({
          username: `${role}${suffix}`,
          role,
          name: ROLE_NAMES[role] ?? role,
        })),
        { username: `grid_worker_b${suffix}`, role: 'grid_worker', name: '网格员小张' },
      ];
      for (const [si, s] of staff.entries()) {
        const id = await insertStaff(trx, {
          ...s,
          phone: `0755-8${ci}${String(si).padStart(2, '0')}0${si}${ci}`,
          passwordHash,
          at,
          communityIds: [communityId],
        });
        users.push({ id, role: s.role, name: s.name });
      }
      const gw = users.filter((u) => u.role === 'grid_worker');
      for (const [gi, g] of c.grids.entries()) {
        const worker = gw[gi < c.grids.length / 2 ? 0 : 1];
        const gridId = gridIds.get(g.code);
        if (worker && gridId)
          await trx.insertInto('grid_workers').values({ grid_id: gridId, user_id: worker.id }).execute();
      }

      // Households and residents.
      for (const b of c.buildings) {
        const gridId = gridIds.get(b.gridCode) ?? null;
        for (let h = 0; h < 8; h++) {
          const room = `${1 + Math.floor(h / 2)}0${1 + (h % 2)}`;
          const hhId = newId();
          households.push({
            id: hhId,
            community_id: communityId,
            grid_id: gridId,
            address: `${b.address}${room}室`,
            building: b.name,
            room,
            lat: b.lat,
            lng: b.lng,
            created_at: at,
          });
          const size = 1 + Math.floor(rand() * 3);
          for (let m = 0; m < size; m++) {
            const elderly = rand() < 0.3;
            const birthYear = elderly ? 1940 + Math.floor(rand() * 20) : 1965 + Math.floor(rand() * 45);
            const tags: string[] = [];
            if (elderly && size === 1) tags.push('elderly_alone');
            if (elderly && rand() < 0.4) tags.push('chronic_illness');
            if (rand() < 0.04) tags.push('disability');
            if (rand() < 0.05) tags.push('low_income');
            residentPhoneSeq += 1;
            residents.push({
              id: newId(),
              community_id: communityId,
              household_id: hhId,
              household_since: settled,
              name: `${pick([...DEMO_SURNAMES])}${pick(DEMO_GIVEN)}`,
              phone: `139${String(ci + 1)}${String(residentPhoneSeq).padStart(7, '0')}`,
              id_number: demoIdNumber(birthYear, residentPhoneSeq),
              birth_year: birthYear,
              tags_json: JSON.stringify(tags),
              tags_consent: tags.length ? 1 : 0,
              emergency_contact_name: elderly ? '家属' : null,
              emergency_contact_phone: elderly ? `137${String(residentPhoneSeq).padStart(8, '0')}` : null,
              preferred_channel: elderly ? 'hotline' : 'miniapp',
              created_at: at,
              updated_at: at,
              erased_at: null,
            });
          }
        }
      }
      // The demo's named residents (README, tests): two households of the first community, one in the second.
      const named =
        ci === 0
          ? [
              {
                phone: '13800000001',
                name: '王秀英',
                birth: 1950,
                tags: ['elderly_alone', 'chronic_illness'],
                h: 0,
              },
              { phone: '13800000003', name: '李建国', birth: 1982, tags: [], h: 9 },
            ]
          : [{ phone: '13800000002', name: '赵桂兰', birth: 1948, tags: ['elderly_alone'], h: 0 }];
      for (const n of named) {
        const hh = households[n.h];
        if (!hh) continue;
        residents.push({
          id: newId(),
          community_id: communityId,
          household_id: hh.id,
          household_since: settled,
          name: n.name,
          phone: n.phone,
          // Sequence 9xx: never one of the others' (theirs stay below 900).
          id_number: withCheckDigit(`440305${n.birth}01019${n.phone.slice(-2)}`),
          birth_year: n.birth,
          tags_json: JSON.stringify(n.tags),
          tags_consent: n.tags.length ? 1 : 0,
          emergency_contact_name: n.tags.length ? '女儿' : null,
          emergency_contact_phone: n.tags.length ? `1371234${n.phone.slice(-4)}` : null,
          preferred_channel: 'miniapp',
          created_at: at,
          updated_at: at,
          erased_at: null,
        });
      }
      await chunkedInsert(trx, 'households', households);
      await chunkedInsert(trx, 'residents', residents);
      if (ci === 0) {
        await trx
          .insertInto('api_keys')
          .values({
            id: newId(),
            community_id: communityId,
            name: 'Open311 demo client',
            prefix: DEMO_OPEN311_KEY.slice(0, 7),
            key_hash: hashSecret(DEMO_OPEN311_KEY),
            scopes_json: JSON.stringify(['open311']),
            created_at: at,
            revoked_at: null,
          })
          .execute();
      }
    });
    await stillSeeding(database);

    // Verify the grid placement the geography promises (a broken polygon would show here, not in a demo).
    for (const b of c.buildings) {
      const g = c.grids.find((x) => x.code === b.gridCode);
      if (g && !pointInPolygon(g.polygon, b.lng, b.lat))
        throw new Error(`demo building ${b.code} is not in ${g.code}`);
    }

    summary.orders += await seedHistory(database, {
      communityId,
      code: c.code,
      users,
      households,
      residents,
      rand,
      now,
      count: options.ordersPerCommunity ?? 1200,
      days: options.historyDays ?? 365,
    });
    await stillSeeding(database);
  }
  // The street's administrator serves both communities: the one login that may change what they
  // share (SLA policies without a community, business calendars, holidays).
  await db.transaction().execute((trx) =>
    insertStaff(trx, {
      username: STREET_ADMIN,
      name: '街道管理员',
      role: 'admin',
      phone: '0755-80000000',
      passwordHash,
      at,
      communityIds: summary.communities.map((c) => c.id),
    }),
  );
  await seedDemoCatalogue(database, { now, passwordHash });
  await stillSeeding(database);
  await seedSla(database, now);
  await eraseOneResident(database, now, summary.communities[0]?.id);
  await seedTimeBank(database, now, summary.communities[0]?.id);
  const first = summary.communities[0]?.id;
  if (first) await seedDemoProposals(database, first, now);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('sequences').set({ value: SEED_DONE }).where('name', '=', DEMO_SEED_MARK).execute();
    await trx.deleteFrom('sequences').where('name', '=', DEMO_SEED_ALIVE).execute();
  });
  return summary;
}

/**
 * The demo shows an erasure (个人信息删除): the first community's earliest beneficiary among the
 * generated residents asked for their personal data to be erased. Their record is a tombstone and
 * their orders read without their name and numbers (look for 已删除居民 in the console's history).
 */
async function eraseOneResident(database: Database, now: Date, communityId: string | undefined) {
  if (!communityId) return;
  const first = await database.db
    .selectFrom('work_orders')
    .innerJoin('residents', 'residents.id', 'work_orders.beneficiary_id')
    .select('residents.id')
    .where('work_orders.community_id', '=', communityId)
    .where('residents.phone', 'not in', DEMO_NAMED_PHONES)
    .orderBy('work_orders.created_at')
    .orderBy('work_orders.id')
    .limit(1)
    .executeTakeFirst();
  if (!first) return;
  await eraseResident({ database, clock: { now: () => now } }, SYSTEM, first.id, {
    reason: 'resident_request',
  });
}

interface HistoryInput {
  communityId: string;
  code: string;
  users: { id: string; role: string; name: string }[];
  households: Selectable<DB['households']>[];
  residents: Selectable<DB['residents']>[];
  rand: () => number;
  now: Date;
  count: number;
  days: number;
}

const CHANNEL_WEIGHTS: [string, number][] = [
  ['hotline', 35],
  ['miniapp', 30],
  ['window', 15],
  ['web', 10],
  ['kiosk', 5],
  ['device', 5],
];

/** A year of orders through the real state machine, with timelines and the audit chain built in time order. */
async function seedHistory(database: Database, h: HistoryInput): Promise<number> {
  const { rand } = h;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const weighted = (pairs: [string, number][]) => {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = rand() * total;
    for (const [v, w] of pairs) if ((r -= w) < 0) return v;
    return pairs[0]?.[0] ?? '';
  };
  const subcats = Object.keys(DEMO_STORIES);
  const agent = h.users.find((u) => u.role === 'agent');
  const dispatcher = h.users.find((u) => u.role === 'dispatcher');
  const workers = h.users.filter((u) => u.role === 'grid_worker' || u.role === 'provider');
  const hhById = new Map(h.households.map((x) => [x.id, x]));
  const orders: WorkOrderRow[] = [];
  const events: Selectable<WorkOrderEventTable>[] = [];
  const audits: { at: string; actor: string; action: string; entityId: string; payload: unknown }[] = [];
  const nowMs = h.now.getTime();
  // Drawn from their own stream, so the rest of the demo stays as it was.
  const createdTimes = demoCreatedTimes(
    h.count,
    nowMs,
    h.days,
    'Asia/Shanghai',
    mulberry32([...h.code].reduce((s, ch) => s * 31 + (ch.codePointAt(0) ?? 0), 20261207) | 0),
  );

  for (const [i, createdMs] of createdTimes.entries()) {
    const sub = pick(subcats);
    const top = sub.split('.')[0] ?? 'basic_living';
    const urgency =
      top === 'safety_emergency'
        ? rand() < 0.7
          ? 'critical'
          : 'high'
        : weighted([
            ['high', 15],
            ['normal', 70],
            ['low', 15],
          ]);
    const resident = pick(h.residents);
    const hh = resident.household_id ? hhById.get(resident.household_id) : undefined;
    const channel = weighted(CHANNEL_WEIGHTS);
    const tags = resident.tags_consent ? (JSON.parse(resident.tags_json) as string[]) : [];
    const pr = defaultPrioritize({ urgency, tags, repeatCount: 0, waitingHours: 0 });
    const created = new Date(createdMs).toISOString();
    const id = newId(createdMs);
    const byResident = channel === 'miniapp' || channel === 'web';
    const order = newOrderRow({
      id,
      number: orderNumber(h.code, created, 'Asia/Shanghai', i + 1),
      community_id: h.communityId,
      grid_id: hh?.grid_id ?? null,
      channel,
      status: 'submitted',
      category: top,
      subcategory: sub,
      urgency,
      priority: pr.band,
      priority_score: Math.round(pr.score),
      description: pick(DEMO_STORIES[sub] ?? ['需要帮助']),
      address: hh?.address ?? null,
      lat: hh?.lat ?? null,
      lng: hh?.lng ?? null,
      reporter_type: byResident ? 'resident' : 'user',
      reporter_id: byResident ? resident.id : (agent?.id ?? null),
      reporter_name: byResident ? resident.name : (agent?.name ?? null),
      reporter_phone: byResident ? resident.phone : resident.phone,
      beneficiary_id: resident.id,
      household_id: resident.household_id,
      is_proxy: byResident ? 0 : 1,
      classification_json: JSON.stringify({
        category: top,
        subcategory: sub,
        urgency,
        source: 'seed',
        confidence: 1,
      }),
      needs_triage: 0,
      attributes_json: null,
      version: 1,
      created_at: created,
      created_day: localDay(created, 'Asia/Shanghai'),
      updated_at: created,
    });
    const actorOf = (a: { id: string; name: string; role: string } | undefined) => ({
      type: 'user',
      id: a?.id ?? null,
      name: a?.name ?? null,
      label: `user:${a?.role ?? 'system'}`,
    });
    events.push({
      id: newId(createdMs),
      work_order_id: id,
      community_id: h.communityId,
      type: 'created',
      from_status: null,
      to_status: 'submitted',
      actor_type: byResident ? 'resident' : 'user',
      actor_id: order.reporter_id,
      actor_name: order.reporter_name,
      note: null,
      visibility: 'public',
      data_json: JSON.stringify({ channel, proxy: !byResident }),
      created_at: created,
    });
    audits.push({
      at: created,
      actor: byResident ? `resident:${resident.id}` : 'user:agent',
      action: 'work_order.created',
      entityId: id,
      payload: { number: order.number, channel, category: top, urgency, priority: pr.band },
    });

    // Plan the lifecycle: older orders are finished; recent ones are somewhere along the way.
    const fast = urgency === 'critical' ? 0.05 : urgency === 'high' ? 0.3 : 1;
    const steps: {
      action: Action;
      afterMin: number;
      by: ReturnType<typeof actorOf> | 'resident';
      input: Record<string, unknown>;
    }[] = [];
    const worker = pick(workers);
    const ending = rand();
    if (ending < 0.04)
      steps.push({ action: 'refer', afterMin: 30, by: actorOf(agent), input: { referredTo: '区住建局' } });
    else if (ending < 0.07)
      steps.push({
        action: 'dismiss',
        afterMin: 40,
        by: actorOf(agent),
        input: { reason: '重复来电咨询，已当场答复' },
      });
    else if (ending < 0.09)
      steps.push({ action: 'cancel', afterMin: 20, by: 'resident', input: { reason: '问题已自行解决' } });
    else {
      steps.push({ action: 'accept', afterMin: 2 + rand() * 60 * fast, by: actorOf(agent), input: {} });
      steps.push({
        action: 'dispatch',
        afterMin: 5 + rand() * 120 * fast,
        by: actorOf(dispatcher),
        input: { assigneeId: worker.id },
      });
      steps.push({ action: 'start', afterMin: 10 + rand() * 600 * fast, by: actorOf(worker), input: {} });
      steps.push({
        action: 'resolve',
        afterMin: 30 + rand() * 2880 * fast,
        by: actorOf(worker),
        input: { note: '已上门处理完毕' },
      });
      if (rand() < 0.06) {
        steps.push({
          action: 'reopen',
          afterMin: 120 + rand() * 1440,
          by: 'resident',
          input: { reason: '还是没修好' },
        });
        steps.push({
          action: 'dispatch',
          afterMin: 20 + rand() * 120,
          by: actorOf(dispatcher),
          input: { assigneeId: worker.id },
        });
        steps.push({ action: 'start', afterMin: 30 + rand() * 300, by: actorOf(worker), input: {} });
        steps.push({
          action: 'resolve',
          afterMin: 60 + rand() * 1440,
          by: actorOf(worker),
          input: { note: '更换配件后已修复' },
        });
      }
      const rating = rand() < 0.8 ? 5 - Math.floor(rand() * 2) : 1 + Math.floor(rand() * 3);
      if (rand() < 0.85)
        steps.push({
          action: 'confirm',
          afterMin: 60 + rand() * 4000,
          by: 'resident',
          input: { rating, comment: pick(DEMO_COMMENTS) },
        });
      else steps.push({ action: 'auto_close', afterMin: 7 * 1440 + 60, by: actorOf(undefined), input: {} });
    }
    let t = createdMs;
    let status: Status = 'submitted';
    let resume: Status | null = null;
    let assignee: string | null = null;
    for (const s of steps) {
      t += Math.round(s.afterMin * 60_000);
      if (t > nowMs - 60_000) break; // the future has not happened yet
      const stamp = new Date(t).toISOString();
      const tr = transition({ status, resumeStatus: resume, assigneeId: assignee }, s.action, s.input, stamp);
      if (!tr.ok) break;
      const { reopen_count_increment: inc, ...patch } = tr.patch;
      Object.assign(order, patch);
      if (inc) order.reopen_count += 1;
      order.version += 1;
      order.updated_at = stamp;
      status = order.status as Status;
      resume = (order.resume_status as Status | null) ?? null;
      assignee = order.assignee_id;
      const actor =
        s.by === 'resident'
          ? { type: 'resident', id: resident.id, name: resident.name, label: `resident:${resident.id}` }
          : s.action === 'auto_close'
            ? { type: 'system', id: null, name: 'system', label: 'system:auto-close' }
            : s.by;
      events.push({
        id: newId(t),
        work_order_id: id,
        community_id: h.communityId,
        type: s.action,
        from_status: null,
        to_status: order.status,
        actor_type: actor.type,
        actor_id: actor.id,
        actor_name: actor.name,
        note: tr.note,
        visibility: tr.visibility,
        data_json: JSON.stringify(
          s.action === 'dispatch'
            ? { assigneeId: s.input.assigneeId }
            : s.action === 'confirm'
              ? { rating: s.input.rating }
              : {},
        ),
        created_at: stamp,
      });
      audits.push({
        at: stamp,
        actor: actor.label,
        action: `work_order.${s.action}`,
        entityId: id,
        payload: { to: order.status, version: order.version },
      });
    }
    // from_status is filled from the previous event of the same order
    orders.push(order);
  }
  // Fill from_status along each order's timeline.
  const lastStatus = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'created') e.from_status = lastStatus.get(e.work_order_id) ?? null;
    if (e.to_status) lastStatus.set(e.work_order_id, e.to_status);
  }
  audits.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let prev = GENESIS_HASH;
  const auditRows = audits.map((a, i) => {
    const e = buildEntry(
      {
        communityId: h.communityId,
        seq: i + 1,
        createdAt: a.at,
        actor: a.actor,
        action: a.action,
        entityType: 'work_order',
        entityId: a.entityId,
      },
      a.payload,
      prev,
    );
    prev = e.entryHash;
    return auditRow(e);
  });
  await database.db.transaction().execute(async (trx) => {
    await insertOrders(trx, orders);
    await chunkedInsert(trx, 'work_order_events', events, 200);
    await chunkedInsert(trx, 'audit_entries', auditRows, 200);
    await trx
      .insertInto('audit_heads')
      .values({ community_id: h.communityId, seq: auditRows.length, entry_hash: prev })
      .execute();
    await trx
      .insertInto('sequences')
      .values({ name: `work_order:${h.communityId}`, value: orders.length })
      .execute();
  });
  return orders.length;
}
