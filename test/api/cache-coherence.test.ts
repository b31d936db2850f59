/**
 * Two app nodes on one database: what one node changes reaches the other's caches at its next
 * read of `cache_invalidations` (once a second in a server; called by hand here), not when its
 * cached copy expires. Each case first shows the other node still holding the old copy, so the
 * test fails if the change announces nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  QueryId,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { SelectQueryNode, TableNode } from 'kysely';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { BuiltApp } from '../../src/platform/http/app.ts';
import { CacheCoherence, WINDOW_MS, announceStale } from '../../src/platform/cache/coherence.ts';
import type { CacheTopic } from '../../src/platform/cache/coherence.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { deploymentAdmin } from '../sla/sla-helpers.ts';
import { square } from '../geo-helpers.ts';
import { DEFAULT_MODEL_PATH } from '../../src/modules/classification/classifier.ts';
import { ClassificationService } from '../../src/modules/classification/classification.service.ts';

describe('cache coherence: a change on one app node reaches the other nodes within a read', () => {
  let ctx: TestContext;
  let other: BuiltApp;
  let admin: string;
  let manager: string;
  let c1: string;
  const onOther = (method: string, url: string, token?: string, body?: unknown) =>
    other.app.inject({
      method: method as 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });
  const rows = async () =>
    Number(
      (
        await ctx.database.db
          .withTables<{ cache_invalidations: { id: string } }>()
          .selectFrom('cache_invalidations')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    ctx = await createTestContext();
    other = await buildApp(ctx.deps);
    await other.app.ready();
    [admin, manager] = (await Promise.all(['admin', 'manager'].map((u) => ctx.login(u)))) as [string, string];
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
  });
  after(async () => {
    await other.app.close();
    await ctx.close();
  });

  it('a sign-out on one node ends the session on the other', async () => {
    const token = await ctx.login('agent');
    assert.equal((await onOther('GET', '/api/v1/me', token)).statusCode, 200);
    assert.equal((await ctx.call('POST', '/api/v1/auth/logout', token)).statusCode, 204);
    assert.equal((await ctx.call('GET', '/api/v1/me', token)).statusCode, 401);
    assert.equal((await onOther('GET', '/api/v1/me', token)).statusCode, 200, 'cached until it reads');
    assert.ok((await other.services.coherence.poll()) >= 1);
    assert.equal((await onOther('GET', '/api/v1/me', token)).statusCode, 401);
  });

  it('a deactivated account, a new role and an own password change reach the other node', async () => {
    const made = await ctx.call('POST', '/api/v1/staff', admin, {
      username: 'coherent',
      name: '同步',
      role: 'agent',
      communityIds: [c1],
    });
    assert.equal(made.statusCode, 201, made.body);
    const { staff, temporaryPassword } = made.json() as { staff: { id: string }; temporaryPassword: string };
    const token = await ctx.login('coherent', temporaryPassword);
    const list = () => onOther('GET', '/api/v1/work-orders?limit=1', token);
    assert.equal((await list()).statusCode, 403, 'a temporary password must be replaced first');
    const changed = await ctx.call('POST', '/api/v1/me/password', token, {
      currentPassword: temporaryPassword,
      newPassword: 'coherent-own-pass-9',
    });
    assert.equal(changed.statusCode, 204, changed.body);
    assert.equal((await list()).statusCode, 403, 'cached until it reads');
    await other.services.coherence.poll();
    assert.equal((await list()).statusCode, 200);

    const me = async () => (await onOther('GET', '/api/v1/me', token)).json() as { role: string };
    assert.equal((await me()).role, 'agent');
    const patch = (body: unknown) => ctx.call('PATCH', `/api/v1/staff/${staff.id}`, admin, body);
    assert.equal((await patch({ role: 'dispatcher' })).statusCode, 200);
    assert.equal((await me()).role, 'agent', 'cached until it reads');
    await other.services.coherence.poll();
    assert.equal((await me()).role, 'dispatcher');

    assert.equal((await patch({ active: false })).statusCode, 200);
    assert.equal((await onOther('GET', '/api/v1/me', token)).statusCode, 200, 'cached until it reads');
    await other.services.coherence.poll();
    assert.equal((await onOther('GET', '/api/v1/me', token)).statusCode, 401);
  });

  it('a refused change announces nothing', async () => {
    const before = await rows();
    const agentId = await userId(ctx, 'agent');
    const refused = await ctx.call('PATCH', `/api/v1/staff/${agentId}`, admin, { role: 'wizard' });
    assert.equal(refused.statusCode, 400);
    const self = await userId(ctx, 'admin');
    const own = await ctx.call('PATCH', `/api/v1/staff/${self}`, admin, { active: false });
    assert.equal(own.statusCode, 403, own.body);
    assert.equal(await rows(), before);
  });

  it('a revoked API key stops working on the other node', async () => {
    const made = await ctx.call('POST', '/api/v1/api-keys', admin, {
      communityId: c1,
      name: 'kiosk on two nodes',
    });
    assert.equal(made.statusCode, 201, made.body);
    const k = made.json() as { id: string; key: string };
    assert.equal((await other.services.auth.principalForApiKey(k.key))?.kind, 'api_key');
    assert.equal((await ctx.call('DELETE', `/api/v1/api-keys/${k.id}`, admin)).statusCode, 204);
    assert.equal((await other.services.auth.principalForApiKey(k.key))?.kind, 'api_key', 'cached');
    await other.services.coherence.poll();
    assert.equal(await other.services.auth.principalForApiKey(k.key), null);
  });

  it('new grids and their workers reach the other node', async () => {
    const home = await ctx.database.db
      .selectFrom('households')
      .innerJoin('grids', 'grids.id', 'households.grid_id')
      .select(['households.lat', 'households.lng', 'grids.id as gridId'])
      .where('households.community_id', '=', c1)
      .orderBy('households.id')
      .executeTakeFirstOrThrow();
    const lat = home.lat ?? 0;
    const lng = home.lng ?? 0;
    const locate = () => other.services.grids.locate(c1, lat, lng, ctx.clock.now().getTime());
    assert.equal(await locate(), home.gridId);
    const worker = await ctx.login('grid_worker');
    const gridsOfWorker = async () =>
      (await other.services.auth.principalForToken(worker)) as { gridIds: string[] };
    const gridsBefore = (await gridsOfWorker()).gridIds;

    // A smaller code wins where grids overlap, so the new grid takes the household's point.
    const res = await ctx.call('POST', '/api/v1/grids/import?community=taoyuan', manager, {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { code: '0-coherence', name: '同步网格', workers: ['grid_worker'] },
          geometry: { type: 'Polygon', coordinates: [square(lng, lat, 0.0003)] },
        },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await locate(), home.gridId, 'cached until it reads');
    assert.deepEqual((await gridsOfWorker()).gridIds, gridsBefore, 'cached until it reads');
    await other.services.coherence.poll();
    const fresh = await locate();
    assert.notEqual(fresh, home.gridId);
    assert.ok(fresh && (await gridsOfWorker()).gridIds.includes(fresh));
  });

  it('the catalogue, dispatch rules and SLA catalogue are read again after a change elsewhere', async () => {
    const snap = await other.services.catalogue.snapshot(c1);
    const rules = await other.services.dispatch.rules(c1);
    const sla = await other.services.sla.catalog.runtime();

    const list = await ctx.call('GET', '/api/v1/resources?community=taoyuan', manager);
    const r = (list.json() as { items: Array<{ id: string; version: number }> }).items[0];
    assert.ok(r && snap.rows.some((x) => x.id === r.id));
    const retired = await ctx.call('DELETE', `/api/v1/resources/${r.id}?version=${r.version}`, manager);
    assert.equal(retired.statusCode, 204, retired.body);
    const put = await ctx.call('PUT', '/api/v1/dispatch/rules?community=taoyuan', manager, {
      rules: [
        { name: '紧急通道', category: null, urgencies: ['critical'], mode: 'emergency', acceptTimeoutS: 120 },
      ],
    });
    assert.equal(put.statusCode, 200, put.body);
    const policy = await ctx.call('POST', '/api/v1/sla/policies', await deploymentAdmin(ctx), {
      id: 'coherence-health-p2',
      category: 'health',
      priorityBand: 'P2',
      calendarId: 'office',
      firstResponseMinutes: 60,
      resolutionMinutes: 600,
      escalationChain: ['dispatcher'],
    });
    assert.equal(policy.statusCode, 201, policy.body);

    assert.equal(await other.services.catalogue.snapshot(c1), snap, 'cached until it reads');
    assert.equal(await other.services.dispatch.rules(c1), rules, 'cached until it reads');
    assert.equal(await other.services.sla.catalog.runtime(), sla, 'cached until it reads');
    await other.services.coherence.poll();
    const snap2 = await other.services.catalogue.snapshot(c1);
    assert.notEqual(snap2, snap);
    assert.ok(!snap2.rows.some((x) => x.id === r.id), 'the retired resource is no longer matched');
    assert.deepEqual(
      (await other.services.dispatch.rules(c1)).map((x) => x.name),
      ['紧急通道'],
    );
    const sla2 = await other.services.sla.catalog.runtime();
    assert.ok(sla2.policyIn(null, 'coherence-health-p2'));
  });

  it("a community's model switched on one node (or by the CLI) is the one the other node classifies with", async () => {
    const classify = async () => {
      const res = await onOther('POST', '/api/v1/classify', manager, {
        text: '电梯坏了',
        community: 'taoyuan',
      });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { modelVersion: number | 'default' }).modelVersion;
    };
    const activate = (version: number) =>
      ctx.call('POST', '/api/v1/classifier/activate', manager, { community: 'taoyuan', version });
    // Two stored versions of the community's own model (the shipped one, stored as its own).
    const text = readFileSync(DEFAULT_MODEL_PATH, 'utf8');
    const svc = ctx.services.classification;
    assert.equal((await svc.importModel('taoyuan', text, 'v1.json', false)).version, 1);
    assert.equal((await svc.importModel('taoyuan', text, 'v2.json', false)).version, 2);
    assert.equal(await classify(), 'default');

    assert.equal((await activate(1)).statusCode, 200);
    assert.equal(await classify(), 'default', 'cached until it reads');
    await other.services.coherence.poll();
    assert.equal(await classify(), 1);

    assert.equal((await activate(2)).statusCode, 200);
    await other.services.coherence.poll();
    assert.equal(await classify(), 2);
    assert.deepEqual(await svc.rollback('taoyuan'), { community: 'taoyuan', active: 1 });
    assert.equal(await classify(), 2, 'cached until it reads');
    await other.services.coherence.poll();
    assert.equal(await classify(), 1);

    // The CLI: its own service over the same database, no app, no reader.
    const cli = new ClassificationService(ctx.deps, ctx.services.workOrders);
    assert.deepEqual(await cli.importModel('taoyuan', text, 'v3.json', true), {
      community: 'taoyuan',
      version: 3,
      activated: true,
    });
    await other.services.coherence.poll();
    assert.equal(await classify(), 3);

    // The reader running as in a server: the switch arrives within its interval.
    other.services.coherence.start(1_000);
    try {
      await other.services.coherence.poll(); // whatever is pending, so the next read is the switch's
      assert.equal((await activate(0)).statusCode, 200);
      const t0 = Date.now();
      while ((await classify()) !== 'default') {
        assert.ok(Date.now() - t0 < 2_500, 'the other node still classifies with v3');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await other.services.coherence.stop();
    }
  });
});

describe('cache coherence: the reader', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
  });
  after(() => ctx.close());

  it('applies each row once, only inside the window, forgets everything after a gap, and purges old rows', async () => {
    const heard: string[] = [];
    const reader = new CacheCoherence(ctx.database.db, ctx.clock, silentLogger);
    reader.on('user', (k) => heard.push(`user:${k}`));
    reader.on('grids', (k) => heard.push(`grids:${k}`));
    const now = ctx.clock.now();
    await announceStale(
      ctx.database.db,
      [{ topic: 'user', key: 'ancient' }],
      new Date(now.getTime() - 2 * 3600_000),
    );
    await announceStale(
      ctx.database.db,
      [{ topic: 'user', key: 'stale' }],
      new Date(now.getTime() - WINDOW_MS - 1),
    );
    await announceStale(
      ctx.database.db,
      [
        { topic: 'user', key: 'u1' },
        { topic: 'grids', key: 'c1' },
      ],
      now,
    );
    assert.equal(await reader.poll(), 2);
    assert.deepEqual(heard.sort(), ['grids:c1', 'user:u1']);
    assert.equal(await reader.poll(), 0, 'each row once');
    const left = await ctx.database.db
      .withTables<{ cache_invalidations: { key: string } }>()
      .selectFrom('cache_invalidations')
      .select('key')
      .execute();
    assert.ok(!left.some((r) => r.key === 'ancient'), 'rows an hour old are deleted');

    // A row written while this reader could not read for over the window.
    heard.length = 0;
    ctx.clock.advance(2 * WINDOW_MS);
    await announceStale(ctx.database.db, [{ topic: 'user', key: 'u2' }], ctx.clock.now());
    assert.equal(await reader.poll(), 1);
    assert.ok(heard.includes('user:*') && heard.includes('grids:*'), heard.join());
    assert.ok(!heard.includes('user:u2'), 'covered by forgetting everything');
  });
});

/**
 * Holds the result of the next read of `table` after `hold(table)` until `open()`: a read that
 * reached the database before a change on the other node, and is still on its way back when that
 * change is heard of.
 */
class SlowRead implements KyselyPlugin {
  private table: string | null = null;
  private readonly held = new Set<QueryId>();
  private opened: (() => void) | null = null;
  private arrived: (() => void) | null = null;
  /** Resolves once the held read has its rows. */
  reached: Promise<void> = Promise.resolve();

  hold(table: string): void {
    this.table = table;
    this.reached = new Promise((resolve) => {
      this.arrived = resolve;
    });
  }

  open(): void {
    this.opened?.();
    this.opened = null;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    if (this.table && SelectQueryNode.is(node)) {
      const from = node.from?.froms[0];
      if (from && TableNode.is(from) && from.table.identifier.name === this.table) {
        this.table = null;
        this.held.add(args.queryId);
      }
    }
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.held.delete(args.queryId)) {
      const wait = new Promise<void>((resolve) => {
        this.opened = resolve;
      });
      this.arrived?.();
      await wait;
    }
    return args.result;
  }
}

describe('cache coherence: a copy read while another node changes it', () => {
  let ctx: TestContext;
  let other: BuiltApp;
  let otherDatabase: Database;
  const slow = new SlowRead();
  let admin: string;
  let c1: string;

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    // The other node's own connections (its own pool on PostgreSQL, its own handle on SQLite).
    const url = process.env.DATABASE_URL;
    const own = url
      ? await openDatabase({ url, schema: ctx.database.schema, poolSize: 3 })
      : await openDatabase({ sqliteFile: join(ctx.dataDir, 'test.sqlite') });
    otherDatabase = { ...own, db: own.db.withPlugin(slow) };
    other = await buildApp({ ...ctx.deps, database: otherDatabase });
    await other.app.ready();
    admin = await ctx.login('admin');
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
  });
  after(async () => {
    await other.app.close();
    await otherDatabase.destroy();
    await ctx.close();
  });

  /** Starts `read` on the other node, lets `change` commit and the other node hear of it while the read is on its way back. */
  async function readAcross<T>(
    table: string,
    read: () => Promise<T>,
    change: () => Promise<void>,
  ): Promise<T> {
    const since = new Date(ctx.clock.now().getTime() - 1).toISOString();
    slow.hold(table);
    const reading = read();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      slow.reached,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no read of ${table} reached the database`)), 5_000);
      }),
    ]).finally(() => clearTimeout(timer));
    await change();
    // What the other node's reader hands its caches at its next read (read here through the first
    // node's connection: on SQLite the other node's one connection is busy with the held read).
    const rows = await ctx.database.db
      .withTables<{ cache_invalidations: { topic: CacheTopic; key: string; created_at: string } }>()
      .selectFrom('cache_invalidations')
      .select(['topic', 'key'])
      .where('created_at', '>=', since)
      .execute();
    assert.ok(rows.length >= 1, 'the change was announced');
    other.services.coherence.apply(...rows);
    slow.open();
    return reading;
  }

  it('a sign-out is not cached as signed in by a lookup that began before it', async () => {
    const token = await ctx.login('agent');
    const during = await readAcross(
      'sessions',
      () => other.services.auth.principalForToken(token),
      async () => {
        assert.equal((await ctx.call('POST', '/api/v1/auth/logout', token)).statusCode, 204);
      },
    );
    assert.equal(during?.kind, 'user', 'the lookup read the session before it ended');
    assert.equal(await other.services.auth.principalForToken(token), null);
  });

  it('a deactivation is not cached as active by a lookup that began before it', async () => {
    const made = await ctx.call('POST', '/api/v1/staff', admin, {
      username: 'slow.read',
      name: '慢读',
      role: 'agent',
      communityIds: [c1],
    });
    assert.equal(made.statusCode, 201, made.body);
    const { staff, temporaryPassword } = made.json() as { staff: { id: string }; temporaryPassword: string };
    const token = await ctx.login('slow.read', temporaryPassword);
    const during = await readAcross(
      'users',
      () => other.services.auth.principalForToken(token),
      async () => {
        const r = await ctx.call('PATCH', `/api/v1/staff/${staff.id}`, admin, { active: false });
        assert.equal(r.statusCode, 200, r.body);
      },
    );
    assert.equal(during?.kind, 'user', 'the lookup read the account before it was deactivated');
    assert.equal(await other.services.auth.principalForToken(token), null);
  });

  it('grids, the catalogue, dispatch rules and the SLA catalogue read before a change are not kept', async () => {
    const manager = await ctx.login('manager');
    const home = await ctx.database.db
      .selectFrom('households')
      .innerJoin('grids', 'grids.id', 'households.grid_id')
      .select(['households.lat', 'households.lng', 'grids.id as gridId'])
      .where('households.community_id', '=', c1)
      .orderBy('households.id')
      .executeTakeFirstOrThrow();
    const [lat, lng] = [home.lat ?? 0, home.lng ?? 0];
    const locate = () => other.services.grids.locate(c1, lat, lng, ctx.clock.now().getTime());
    const held = await readAcross('grids', locate, async () => {
      // A smaller code wins where grids overlap, so the new grid takes the household's point.
      const res = await ctx.call('POST', '/api/v1/grids/import?community=taoyuan', manager, {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { code: '0-slow-read', name: '慢读网格' },
            geometry: { type: 'Polygon', coordinates: [square(lng, lat, 0.0003)] },
          },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
    });
    assert.equal(held, home.gridId, 'the read began before the import');
    assert.notEqual(await locate(), home.gridId);

    const list = await ctx.call('GET', '/api/v1/resources?community=taoyuan', manager);
    const r = (list.json() as { items: Array<{ id: string; version: number }> }).items[0];
    assert.ok(r, 'a resource to retire');
    const snap = await readAcross(
      'resources',
      () => other.services.catalogue.snapshot(c1),
      async () => {
        const retired = await ctx.call('DELETE', `/api/v1/resources/${r.id}?version=${r.version}`, manager);
        assert.equal(retired.statusCode, 204, retired.body);
      },
    );
    assert.ok(
      snap.rows.some((x) => x.id === r.id),
      'the read began before the resource was retired',
    );
    assert.ok(
      !(await other.services.catalogue.snapshot(c1)).rows.some((x) => x.id === r.id),
      'the retired resource is no longer matched',
    );

    const rules = await readAcross(
      'dispatch_rules',
      () => other.services.dispatch.rules(c1),
      async () => {
        const put = await ctx.call('PUT', '/api/v1/dispatch/rules?community=taoyuan', manager, {
          rules: [
            {
              name: '慢读规则',
              category: null,
              urgencies: ['critical'],
              mode: 'emergency',
              acceptTimeoutS: 120,
            },
          ],
        });
        assert.equal(put.statusCode, 200, put.body);
      },
    );
    assert.ok(!rules.some((x) => x.name === '慢读规则'), 'the read began before the rules were replaced');
    assert.deepEqual(
      (await other.services.dispatch.rules(c1)).map((x) => x.name),
      ['慢读规则'],
    );

    const sla = await readAcross(
      'sla_policies',
      () => other.services.sla.catalog.runtime(),
      async () => {
        const policy = await ctx.call('POST', '/api/v1/sla/policies', await deploymentAdmin(ctx), {
          id: 'slow-read-health-p2',
          category: 'health',
          priorityBand: 'P2',
          calendarId: 'office',
          firstResponseMinutes: 60,
          resolutionMinutes: 600,
          escalationChain: ['dispatcher'],
        });
        assert.equal(policy.statusCode, 201, policy.body);
      },
    );
    assert.equal(sla.policyIn(null, 'slow-read-health-p2'), undefined);
    assert.ok(
      (await other.services.sla.catalog.runtime()).policyIn(null, 'slow-read-health-p2'),
      'the new policy applies',
    );
  });
});
