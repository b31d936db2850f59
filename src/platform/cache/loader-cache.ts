/**
 * A node's short-lived copies of values loaded from the database, by key, that never keep what
 * was read across an invalidation.
 *
 * A value is served for `ttlMs` after its load began, then loaded again. `invalidate` drops one
 * key's copy (or every copy), as when this node or another one (see `coherence.ts`) changed what
 * it was read from. A load still under way when an invalidation arrives may have read the
 * database before the change: its caller gets what it read, but the cache keeps nothing of it,
 * or the old copy would be served for a whole lifetime after the drop. Invalidations are counted
 * for the whole cache rather than per key, so any invalidation voids every load under way: a load
 * of another key is only repeated, never wrong.
 *
 * Concurrent loads of one key share a single read. A load inside a transaction passes
 * `shared: false`: it must not wait for a read outside the transaction (on SQLite, with one
 * connection, that read waits for the transaction), nor lend others what the transaction sees.
 * An invalidation ends sharing too: a caller that comes after it starts a read of its own.
 */
export interface LoaderCacheOptions<K, V> {
  /** How long a loaded value is served, from the moment its load began. */
  ttlMs: number;
  /** The time in milliseconds (`Date.now` unless given). */
  now?: () => number;
  /** Whether a loaded value may be kept; every value is unless given (e.g. keep no "none found"). */
  keep?: (value: V, key: K) => boolean;
  /** With this many copies held, all are dropped before the next is stored. */
  maxEntries?: number;
}

export interface LoadOptions {
  /** The time the load begins (the cache's `now` unless given). */
  nowMs?: number;
  /** False inside a transaction: neither join a read under way nor let others join this one. */
  shared?: boolean;
}

/** Loads a key's value; `expired` is its previous copy, if one outlived its lifetime uninvalidated. */
export type Loader<V> = (expired: V | undefined) => Promise<V>;

export class LoaderCache<K, V> {
  private readonly entries = new Map<K, { until: number; value: V }>();
  private readonly loading = new Map<K, Promise<V>>();
  /** Counts invalidations: a load that began under another count keeps nothing. */
  private generation = 0;

  constructor(private readonly options: LoaderCacheOptions<K, V>) {}

  /** The value of `key`: the copy held, the read under way, or a new read by `load`. */
  get(key: K, load: Loader<V>, options: LoadOptions = {}): Promise<V> {
    const nowMs = options.nowMs ?? (this.options.now ?? Date.now)();
    const hit = this.entries.get(key);
    if (hit && hit.until > nowMs) return Promise.resolve(hit.value);
    const shared = options.shared ?? true;
    if (shared) {
      const under = this.loading.get(key);
      if (under) return under;
    }
    const generation = this.generation;
    const read = load(hit?.value).then((value) => {
      if (generation === this.generation && (this.options.keep?.(value, key) ?? true)) {
        const max = this.options.maxEntries;
        if (max !== undefined && this.entries.size >= max) this.entries.clear();
        this.entries.set(key, { until: nowMs + this.options.ttlMs, value });
      }
      return value;
    });
    if (!shared) return read;
    this.loading.set(key, read);
    const done = () => {
      if (this.loading.get(key) === read) this.loading.delete(key);
    };
    read.then(done, done);
    return read;
  }

  /** Drops the copy of `key`, or every copy without one; loads under way keep nothing. */
  invalidate(key?: K): void {
    this.generation += 1;
    if (key === undefined) {
      this.entries.clear();
      this.loading.clear();
    } else {
      this.entries.delete(key);
      this.loading.delete(key);
    }
  }

  /** Drops every copy `match` picks (loads under way keep nothing, and are shared no more). */
  invalidateWhere(match: (value: V, key: K) => boolean): void {
    this.generation += 1;
    this.loading.clear();
    for (const [key, entry] of this.entries) if (match(entry.value, key)) this.entries.delete(key);
  }
}
