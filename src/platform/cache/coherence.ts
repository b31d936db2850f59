/**
 * Cache coherence across app nodes.
 *
 * Each node keeps short-lived copies of what it reads on every request (each in a `LoaderCache`,
 * see `loader-cache.ts`): signed-in principals, API keys, each community's grid index, resource
 * catalogue, dispatch rules and classifier model, the SLA catalogue. A change on one node drops
 * that node's copy at once; the others used to keep theirs until it expired (up to 60 s), so a
 * signed-out token, a deactivated account or a revoked key still worked there, and a switched
 * model was not yet used.
 *
 * Now a change also writes what it made stale into `cache_invalidations`, in its own
 * transaction, so the row exists exactly when the change does. Every node reads the rows of the
 * last minute once a second and hands each one it has not seen yet to the handlers of its topic.
 * A plain table, rather than PostgreSQL's LISTEN/NOTIFY, works the same on SQLite (the CLI
 * changing a database the server has open) and on distributed PostgreSQL flavours that have no
 * LISTEN; the live queue already polls the database the same way.
 *
 * Rows are read by a window of time rather than after the last id, because on PostgreSQL a
 * transaction that began earlier can commit after a later one: a row can appear behind one
 * already seen. The window is a minute; a node that could not read for longer than that (the
 * database was unreachable) forgets every cached copy before trusting its caches again. Rows an
 * hour old are deleted by whichever node gets there.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../context.ts';
import { newId } from '../ids.ts';
import type { CacheTables } from './coherence.tables.ts';

export const CACHE_TOPICS = [
  'user',
  'session',
  'api_key',
  'grids',
  'resources',
  'dispatch_rules',
  'sla_catalog',
  'classifier',
] as const;
export type CacheTopic = (typeof CACHE_TOPICS)[number];

export interface Invalidation {
  topic: CacheTopic;
  key: string;
}

/** How far back each read looks. */
export const WINDOW_MS = 60_000;
/** Rows older than this are deleted. */
const KEEP_MS = 60 * 60_000;
const PURGE_EVERY_MS = 60_000;
const READ_LIMIT = 5_000;

const t = (db: Kysely<DB>) => db.withTables<CacheTables>();

/**
 * Records, inside the change's own transaction, that what `items` name is stale on every node.
 * Call it with the transaction that makes the change, so the row commits (or not) with it.
 */
export async function announceStale(executor: Kysely<DB>, items: Invalidation[], at: Date): Promise<void> {
  if (items.length === 0) return;
  const createdAt = at.toISOString();
  await t(executor)
    .insertInto('cache_invalidations')
    .values(
      items.map((i) => ({ id: newId(at.getTime()), topic: i.topic, key: i.key, created_at: createdAt })),
    )
    .execute();
}

type Handler = (key: string) => void;

/** One node's reader of `cache_invalidations`, and the handlers that drop its cached copies. */
export class CacheCoherence {
  private readonly handlers = new Map<CacheTopic, Handler[]>();
  /** Ids already handled, with their time, kept while they are inside the window. */
  private readonly seen = new Map<string, number>();
  private lastRead: number | null = null;
  private lastPurge = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Drops this node's copy of what `key` names whenever a row of `topic` is read. The key `*`
   * means every copy of the topic (also used after a gap in reading).
   */
  on(topic: CacheTopic, handler: Handler): void {
    const list = this.handlers.get(topic) ?? [];
    list.push(handler);
    this.handlers.set(topic, list);
  }

  /** Hands invalidations to this node's handlers now (the node that made the change, after its commit). */
  apply(...items: Invalidation[]): void {
    for (const item of items) for (const h of this.handlers.get(item.topic) ?? []) h(item.key);
  }

  private resetAll(): void {
    for (const topic of CACHE_TOPICS) this.apply({ topic, key: '*' });
  }

  /** Reads the window once and applies what is new. Returns how many rows it applied. */
  async poll(): Promise<number> {
    const now = this.clock.now().getTime();
    const rows = await t(this.db)
      .selectFrom('cache_invalidations')
      .select(['id', 'topic', 'key', 'created_at'])
      .where('created_at', '>=', new Date(now - WINDOW_MS).toISOString())
      .orderBy('created_at')
      .limit(READ_LIMIT)
      .execute();
    // Rows could have been missed while this node could not read: start again from nothing.
    const gap = this.lastRead !== null && now - this.lastRead > WINDOW_MS - 5_000;
    const full = rows.length === READ_LIMIT;
    if (gap || full) {
      this.logger.warn(
        { gapMs: this.lastRead === null ? null : now - this.lastRead, rows: rows.length },
        'cache coherence: dropping every cached copy (reads fell behind)',
      );
      this.resetAll();
    }
    this.lastRead = now;
    let applied = 0;
    for (const r of rows) {
      if (this.seen.has(r.id)) continue;
      this.seen.set(r.id, Date.parse(r.created_at));
      applied += 1;
      if (gap || full) continue;
      if ((CACHE_TOPICS as readonly string[]).includes(r.topic))
        this.apply({ topic: r.topic as CacheTopic, key: r.key });
    }
    const horizon = now - WINDOW_MS - 5_000;
    for (const [id, at] of this.seen) if (at < horizon) this.seen.delete(id);
    if (now - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = now;
      await t(this.db)
        .deleteFrom('cache_invalidations')
        .where('created_at', '<', new Date(now - KEEP_MS).toISOString())
        .execute();
    }
    return applied;
  }

  /** Reads once a second until `stop`. */
  start(intervalMs = 1_000): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.poll()
        .catch((err: unknown) => this.logger.warn({ err }, 'cache coherence: read failed; retrying'))
        .finally(() => {
          this.running = null;
          if (this.timer) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
