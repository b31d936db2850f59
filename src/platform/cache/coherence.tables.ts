/**
 * Table of cache coherence (migration 2026120530_cache_invalidations): one row per change that
 * makes some node's cached copy stale, written in the change's own transaction.
 */
export type CacheInvalidationTable = {
  id: string;
  /** What kind of cached thing: `user`, `session`, `api_key`, `grids`, `resources`, `dispatch_rules`, `sla_catalog`, `classifier`. */
  topic: string;
  /** Which one: a user id, a token or key hash, a community id, or `*`. */
  key: string;
  created_at: string;
};

export type CacheTables = {
  cache_invalidations: CacheInvalidationTable;
};
