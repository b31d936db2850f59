/**
 * Request-rate counters in the database, so that several app nodes count together: with counters
 * in memory each node allowed the full rate, and N nodes N times it. A store for
 * `@fastify/rate-limit`: fixed windows, one row per key and window, bumped by an atomic upsert.
 * Rows of windows an hour gone are deleted now and then by whichever node counts.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export type RateLimitTables = {
  rate_limit_counters: { key: string; window_start: string; count: number };
};

type Result = { current: number; ttl: number };
type Callback = (err: Error | null, result?: Result) => void;

const KEEP_MS = 60 * 60_000;
const PURGE_EVERY_MS = 60_000;

/** A store class bound to one database (the plugin constructs it with its options). */
export function databaseRateLimitStore(db: Kysely<DB>, now: () => number = Date.now) {
  const t = db.withTables<RateLimitTables>();
  let lastPurge = 0;

  const purge = async (at: number) => {
    if (at - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = at;
    await t
      .deleteFrom('rate_limit_counters')
      .where('window_start', '<', new Date(at - KEEP_MS).toISOString())
      .execute();
  };

  const windowOf = (timeWindow: number) => {
    const at = now();
    const start = Math.floor(at / timeWindow) * timeWindow;
    return { at, start: new Date(start).toISOString(), ttl: start + timeWindow - at };
  };

  return class DatabaseRateLimitStore {
    constructor(
      _options: unknown = {},
      /** Each route counts apart, as the in-memory store's per-route children do. */
      private readonly scope = '',
    ) {}

    incr(key: string, cb: Callback, timeWindow: number): void {
      const w = windowOf(timeWindow);
      t.insertInto('rate_limit_counters')
        .values({ key: this.scope + key, window_start: w.start, count: 1 })
        .onConflict((oc) =>
          oc
            .columns(['key', 'window_start'])
            .doUpdateSet({ count: sql<number>`rate_limit_counters.count + 1` }),
        )
        .returning('count')
        .executeTakeFirstOrThrow()
        .then(async (row) => {
          cb(null, { current: Number(row.count), ttl: w.ttl });
          await purge(w.at);
        })
        .catch((err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
    }

    read(key: string, cb: Callback, timeWindow: number): void {
      const w = windowOf(timeWindow);
      t.selectFrom('rate_limit_counters')
        .select('count')
        .where('key', '=', this.scope + key)
        .where('window_start', '=', w.start)
        .executeTakeFirst()
        .then((row) => cb(null, { current: row ? Number(row.count) : 0, ttl: row ? w.ttl : 0 }))
        .catch((err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
    }

    child(routeOptions: { routeInfo?: { method?: string; url?: string } }): DatabaseRateLimitStore {
      const r = routeOptions.routeInfo;
      return new DatabaseRateLimitStore(routeOptions, r ? `${r.method ?? ''} ${r.url ?? ''}|` : this.scope);
    }
  };
}
