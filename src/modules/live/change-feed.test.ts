import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChangeFeed, RESUME_MS, eventIdOf, streamResume, type FeedRow } from './change-feed.ts';

/** Where a stream begins, of `streamResume`'s answer. */
const streamStart = (now: string, lastEventId: string | undefined) => streamResume(now, lastEventId).start;

const T0 = Date.parse('2026-12-05T08:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const row = (id: string, version: number, ms: number): FeedRow => ({ id, version, updated_at: at(ms) });

/** A table of changes, some committed (visible) later than others stamped after them. */
function read(
  table: { r: FeedRow; visibleAt: number }[],
  now: number,
  from: { since: string; afterId: string | null },
  limit: number,
) {
  return table
    .filter(
      (x) =>
        x.visibleAt <= now &&
        x.r.updated_at >= from.since &&
        (from.afterId === null || x.r.updated_at > from.since || x.r.id > from.afterId),
    )
    .map((x) => x.r)
    .sort((a, b) =>
      a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id < b.id ? -1 : 1,
    )
    .slice(0, limit);
}

test('a change committed after a later-stamped one was read is still sent, once', () => {
  const feed = new ChangeFeed(at(0));
  const late = row('late', 1, 1_000); // stamped first, committed 3 s later (a slow batch)
  const quick = row('quick', 2, 1_500);
  const table = [
    { r: late, visibleAt: 4_000 },
    { r: quick, visibleAt: 1_500 },
  ];
  const sent: string[] = [];
  for (let now = 0; now <= 10_000; now += 1_000) {
    for (const r of feed.take(read(table, now, feed.readFrom(), feed.pageSize))) sent.push(r.id);
  }
  assert.deepEqual(sent, ['quick', 'late']);
});

test('nothing from before the stream began; a new version of an order is sent again', () => {
  const feed = new ChangeFeed(at(10_000));
  assert.deepEqual(feed.take([]), []);
  assert.deepEqual(feed.readFrom(), { since: at(10_000), afterId: null });
  assert.deepEqual(
    feed.take([row('a', 1, 10_500), row('a', 2, 10_600)]).map((r) => `${r.id}:${r.version}`),
    ['a:1', 'a:2'],
  );
  assert.deepEqual(feed.take([row('a', 1, 10_500), row('a', 2, 10_600)]), [], 'each version once');
});

test('a stream that is behind pages on, then goes back to catch late commits', () => {
  const feed = new ChangeFeed(at(0), 3);
  const page1 = [row('a', 1, 100), row('b', 1, 200), row('c', 1, 300)];
  assert.equal(feed.take(page1).length, 3);
  assert.deepEqual(feed.readFrom(), { since: at(300), afterId: 'c' }, 'a full page: on after its last row');
  assert.deepEqual(
    feed.take([row('d', 1, 400)]).map((r) => r.id),
    ['d'],
  );
  assert.deepEqual(
    feed.readFrom(),
    { since: at(0), afterId: null },
    'caught up: back by the overlap, never before the start',
  );
});

test('more changes of one instant than a page hold the stream in place no longer', () => {
  const feed = new ChangeFeed(at(0), 2);
  const table = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ r: row(id, 1, 7), visibleAt: 0 }));
  const sent: string[] = [];
  for (let k = 0; k < 5; k++)
    for (const r of feed.take(read(table, 0, feed.readFrom(), feed.pageSize))) sent.push(r.id);
  assert.deepEqual(sent, ['a', 'b', 'c', 'd', 'e']);
});

test('property: every change visible within the overlap of its stamp is sent exactly once', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ stamp: fc.integer({ min: 1, max: 20_000 }), delay: fc.integer({ min: 0, max: 4_000 }) }),
        { maxLength: 60 },
      ),
      fc.integer({ min: 2, max: 20 }),
      (changes, pageSize) => {
        const table = changes.map((c, i) => ({ r: row(`o${i}`, 1, c.stamp), visibleAt: c.stamp + c.delay }));
        const feed = new ChangeFeed(at(0), pageSize);
        const sent: string[] = [];
        for (let now = 0; now <= 40_000; now += 1_000) {
          // Several reads a tick let a stream that is behind catch up, as successive polls would.
          for (let k = 0; k < 5; k++)
            for (const r of feed.take(read(table, now, feed.readFrom(), feed.pageSize))) sent.push(r.id);
        }
        assert.equal(new Set(sent).size, sent.length, 'no change twice');
        assert.deepEqual([...sent].sort(), table.map((x) => x.r.id).sort(), 'every change');
      },
    ),
    { numRuns: 1000 },
  );
});

test('a stream resumes from the Last-Event-ID its client sends, at most RESUME_MS back, never from the future', () => {
  const now = at(10 * 60_000);
  assert.equal(streamStart(now, undefined), now);
  assert.equal(streamStart(now, at(9 * 60_000)), at(9 * 60_000));
  assert.equal(streamStart(now, at(0)), at(10 * 60_000 - RESUME_MS));
  assert.equal(streamStart(now, at(11 * 60_000)), now);
  for (const junk of ['', 'yesterday', '2026-12-05', '2026-12-05T08:00:00Z', `${at(0)} `])
    assert.equal(streamStart(now, junk), now, junk);
});

test('a resumed stream sends nothing it had sent at its stamp, and what came after', () => {
  const now = at(10 * 60_000);
  const id = eventIdOf({ id: 'b', updated_at: at(9 * 60_000) });
  assert.deepEqual(streamResume(now, id), { start: at(9 * 60_000), afterId: 'b' });
  assert.deepEqual(streamResume(now, at(9 * 60_000)), { start: at(9 * 60_000), afterId: null });
  assert.deepEqual(streamResume(now, `${at(9 * 60_000)}/b c`), { start: now, afterId: null });
  const feed = new ChangeFeed(at(9 * 60_000), 200, 5_000, 'b');
  const sent = feed.take([
    row('a', 1, 9 * 60_000),
    row('b', 2, 9 * 60_000),
    row('c', 1, 9 * 60_000),
    row('d', 1, 9 * 60_000 + 1),
  ]);
  assert.deepEqual(
    sent.map((r) => r.id),
    ['c', 'd'],
  );
});
