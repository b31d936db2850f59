/**
 * Where a live stream reads next, and which changes it has already sent. Pure.
 *
 * `updated_at` is stamped before a transaction commits, so on PostgreSQL a change can become
 * visible after a later-stamped one was already read (a batch that waited for a lock, another app
 * node's slower commit). Reading strictly after the newest stamp seen would skip it for good. So
 * the feed reads again from a little before the newest stamp (`overlapMs`) and sends each
 * (order, version) once. A full page means the stream is behind: it then pages on from the page's
 * last stamp without going back, and goes back again once it has caught up.
 */
/** How far back a stream resumes from the `Last-Event-ID` its client sends when it reconnects. */
export const RESUME_MS = 5 * 60_000;

/**
 * An event's id: the stamp of its change and the order's id (`2026-12-05T08:00:00.000Z/0193…`).
 * An EventSource sends the last one back as `Last-Event-ID` when it reconnects (to the same node
 * restarted, or to another after this one stopped).
 */
export function eventIdOf(r: { id: string; updated_at: string }): string {
  return `${r.updated_at}/${r.id}`;
}

/**
 * Where a stream begins: now, or where its client left off, so the changes committed while it
 * reconnected are sent too; at most `RESUME_MS` back, and never from the future. A header that is
 * not such an id is ignored; an id of a stamp alone (as ids were before) is accepted. With it,
 * the last order the client got at that stamp: changes of the same stamp up to it (in the feed's
 * order) were sent before it reconnected and are not sent again (the last event arrived twice).
 */
export function streamResume(
  now: string,
  lastEventId: string | undefined,
): { start: string; afterId: string | null } {
  if (!lastEventId) return { start: now, afterId: null };
  const slash = lastEventId.indexOf('/');
  const stamp = slash === -1 ? lastEventId : lastEventId.slice(0, slash);
  const id = slash === -1 ? null : lastEventId.slice(slash + 1);
  const ms = Date.parse(stamp);
  if (!Number.isFinite(ms) || new Date(ms).toISOString() !== stamp || stamp > now)
    return { start: now, afterId: null };
  if (id !== null && !/^[0-9A-Za-z-]{1,64}$/.test(id)) return { start: now, afterId: null };
  const oldest = new Date(Date.parse(now) - RESUME_MS).toISOString();
  return stamp < oldest ? { start: oldest, afterId: null } : { start: stamp, afterId: id };
}

export interface FeedRow {
  id: string;
  version: number;
  updated_at: string;
}

/** Where to read from: changes stamped at or after `since`, and at `since` itself only after `afterId`. */
export interface FeedCursor {
  since: string;
  afterId: string | null;
}

export class ChangeFeed {
  private cursor: FeedCursor;
  private newest: string;
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly start: string,
    readonly pageSize = 200,
    private readonly overlapMs = 5_000,
    /** Resumed: the last order the client got at `start` (changes of that stamp up to it were sent). */
    private readonly resumedAfter: string | null = null,
  ) {
    this.cursor = { since: start, afterId: null };
    this.newest = start;
  }

  /** Read changes in (stamp, id) order from here. */
  readFrom(): FeedCursor {
    return this.cursor;
  }

  /** Of a page read from `readFrom()`, the changes not sent yet (in order); moves the cursor on. */
  take<R extends FeedRow>(rows: readonly R[]): R[] {
    const fresh: R[] = [];
    for (const r of rows) {
      const key = `${r.id}:${r.version}`;
      if (this.sent.has(key)) continue;
      if (this.resumedAfter !== null && r.updated_at === this.start && r.id <= this.resumedAfter) continue;
      this.sent.set(key, r.updated_at);
      fresh.push(r);
      if (r.updated_at > this.newest) this.newest = r.updated_at;
    }
    // Never before the stream began, nor further back than the overlap behind the newest change.
    const back = new Date(Date.parse(this.newest) - this.overlapMs).toISOString();
    const floor = back > this.start ? back : this.start;
    const last = rows[rows.length - 1];
    // A full page: on after its last row (by stamp and id, so many changes of one instant never
    // hold the stream in place); otherwise back to the floor, to catch late commits.
    this.cursor =
      rows.length >= this.pageSize && last
        ? { since: last.updated_at, afterId: last.id }
        : { since: floor, afterId: null };
    // What lies before the floor is never read again: forget it.
    for (const [key, at] of this.sent) if (at < floor) this.sent.delete(key);
    return fresh;
  }
}
