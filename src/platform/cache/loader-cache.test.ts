import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LoaderCache } from './loader-cache.ts';

/** A load whose result arrives when the test says. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LoaderCache', () => {
  it('serves a copy for its lifetime, then loads again with the expired copy at hand', async () => {
    let now = 1_000;
    const cache = new LoaderCache<string, number>({ ttlMs: 100, now: () => now });
    const seen: Array<number | undefined> = [];
    let n = 0;
    const load = async (expired: number | undefined) => {
      seen.push(expired);
      return (n += 1);
    };
    assert.equal(await cache.get('a', load), 1);
    now += 99;
    assert.equal(await cache.get('a', load), 1);
    now += 1;
    assert.equal(await cache.get('a', load), 2);
    assert.deepEqual(seen, [undefined, 1]);
    assert.equal(await cache.get('a', load, { nowMs: now + 100 }), 3, 'the caller may give the time');
  });

  it('answers a load under way at an invalidation with what it read, but keeps nothing of it', async () => {
    const cache = new LoaderCache<string, string>({ ttlMs: 60_000 });
    const slow = deferred<string>();
    const during = cache.get('a', () => slow.promise);
    cache.invalidate('a');
    slow.resolve('old');
    assert.equal(await during, 'old');
    assert.equal(await cache.get('a', async () => 'new'), 'new');
    assert.equal(await cache.get('a', async () => 'newer'), 'new', 'a load after the invalidation is kept');
  });

  it('voids loads of every key at any invalidation, and drops copies by value', async () => {
    const cache = new LoaderCache<string, string>({ ttlMs: 60_000 });
    const slow = deferred<string>();
    const during = cache.get('a', () => slow.promise);
    await cache.get('b', async () => 'b1');
    await cache.get('c', async () => 'c1');
    cache.invalidateWhere((v) => v === 'b1');
    slow.resolve('a1');
    assert.equal(await during, 'a1');
    assert.equal(await cache.get('a', async () => 'a2'), 'a2');
    assert.equal(await cache.get('b', async () => 'b2'), 'b2');
    assert.equal(await cache.get('c', async () => 'c2'), 'c1');
    cache.invalidate();
    assert.equal(await cache.get('c', async () => 'c3'), 'c3');
  });

  it('shares one read among concurrent callers, unless a caller asks not to or an invalidation came between', async () => {
    const cache = new LoaderCache<string, number>({ ttlMs: 60_000 });
    const reads: Array<ReturnType<typeof deferred<number>>> = [];
    const load = () => {
      const d = deferred<number>();
      reads.push(d);
      return d.promise;
    };
    const first = cache.get('a', load);
    const second = cache.get('a', load);
    const alone = cache.get('a', load, { shared: false });
    assert.equal(reads.length, 2);
    cache.invalidate('a');
    const third = cache.get('a', load);
    assert.equal(reads.length, 3);
    reads.forEach((d, i) => d.resolve(i + 1));
    assert.deepEqual(await Promise.all([first, second, alone, third]), [1, 1, 2, 3]);
    assert.equal(await cache.get('a', load), 3);
  });

  it('forgets a failed read, keeps only what `keep` allows, and holds at most `maxEntries`', async () => {
    const cache = new LoaderCache<string, string | null>({
      ttlMs: 60_000,
      keep: (v) => v !== null,
      maxEntries: 2,
    });
    await assert.rejects(
      cache.get('a', () => Promise.reject(new Error('down'))),
      /down/,
    );
    assert.equal(await cache.get('a', async () => null), null);
    assert.equal(await cache.get('a', async () => 'a'), 'a');
    assert.equal(await cache.get('b', async () => 'b'), 'b');
    assert.equal(await cache.get('a', async () => 'a2'), 'a');
    await cache.get('c', async () => 'c');
    assert.equal(await cache.get('a', async () => 'a3'), 'a3', 'a third copy dropped the first two');
  });

  it('never answers a caller with a copy older than an invalidation before its call, nor keeps one', async () => {
    const TTL = 50;
    const key = fc.constantFrom('a', 'b');
    const step = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('get' as const), key, shared: fc.boolean() }), weight: 4 },
      fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('change' as const), key }),
      fc.record({ kind: fc.constant('changeWhere' as const), key }),
      fc.record({ kind: fc.constant('changeAll' as const) }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 40 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40, size: 'max' }), async (steps) => {
        type Copy = { key: string; version: number; readAt: number };
        let now = 0;
        const version = new Map<string, number>();
        const current = (k: string) => version.get(k) ?? 0;
        const cache = new LoaderCache<string, Copy>({ ttlMs: TTL, now: () => now });
        const reads: Array<{ finish: () => void; fail: () => void }> = [];
        const answers: Array<{ key: string; since: number; at: number; answer: Promise<Copy | null> }> = [];
        // Reads what the database holds now; the answer arrives when a `finish` step says.
        const loader = (k: string) => () => {
          const d = deferred<Copy>();
          const copy = { key: k, version: current(k), readAt: now };
          reads.push({ finish: () => d.resolve(copy), fail: () => d.reject(new Error('read failed')) });
          return d.promise;
        };
        const change = (keys: string[]) => {
          for (const k of keys) version.set(k, current(k) + 1);
        };
        // Whatever the cache would serve without loading must be the copy the database holds.
        const checkHeld = async () => {
          for (const k of ['a', 'b']) {
            const held = await cache
              .get(k, () => Promise.reject(new Error('not held')), { shared: false })
              .catch(() => null);
            if (held) {
              assert.equal(held.version, current(k), `a stale copy of ${k} is held`);
              assert.ok(held.readAt + TTL > now, `an expired copy of ${k} is served`);
            }
          }
        };
        for (const s of steps) {
          if (s.kind === 'get') {
            const answer = cache.get(s.key, loader(s.key), { shared: s.shared }).catch(() => null);
            answers.push({ key: s.key, since: current(s.key), at: now, answer });
          } else if (s.kind === 'finish' || s.kind === 'fail') {
            const d = reads.splice(s.pick % Math.max(reads.length, 1), 1)[0];
            if (s.kind === 'finish') d?.finish();
            else d?.fail();
          } else if (s.kind === 'change') {
            change([s.key]);
            cache.invalidate(s.key);
          } else if (s.kind === 'changeWhere') {
            change([s.key]);
            cache.invalidateWhere((v) => v.key === s.key);
          } else if (s.kind === 'changeAll') {
            change(['a', 'b']);
            cache.invalidate();
          } else {
            now += s.ms;
          }
          await settle();
          await checkHeld();
        }
        for (const d of reads) d.finish();
        await settle();
        await checkHeld();
        for (const a of answers) {
          const got = await a.answer;
          if (!got) continue;
          assert.equal(got.key, a.key);
          assert.ok(got.version >= a.since, 'a copy read before an earlier invalidation was answered');
        }
      }),
      { numRuns: 300 },
    );
  });
});
