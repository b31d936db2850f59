import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { parseCandidates } from '../../web/src/staff/dispatch/candidates.ts';

interface Candidates {
  orderId: string;
  keywords: string[];
  location: { source: string };
  rule: { mode: string };
  candidates: Array<{
    rank: number;
    code: string;
    score: number;
    distanceM: number;
    parts: Record<string, { value: number; weight: number; contribution: number; detail: string }>;
    staff: Array<{ userId: string; name: string; onDuty: boolean }>;
  }>;
  rejected: Array<{ code: string; failures: Array<{ code: string }> }>;
  baseline: Array<{ code: string; score: number }>;
  suggestion: { resourceCode: string; assigneeId: string; assigneeName: string } | null;
}

describe('candidates API: ranked, explained, scoped to the community', () => {
  let ctx: TestContext;
  let dispatcher: string;
  let orderId: string;
  before(async () => {
    ctx = await createTestContext();
    dispatcher = await ctx.login('dispatcher');
    const res = await ctx.call('POST', '/api/v1/work-orders', dispatcher, {
      channel: 'hotline',
      description: '家里卫生间水管漏水，水龙头也关不紧',
      category: 'basic_living.water_electric',
      urgency: 'normal',
      location: { lat: 22.5604, lng: 113.9436 },
    });
    assert.equal(res.statusCode, 201, res.body);
    orderId = (res.json() as { id: string }).id;
  });
  after(() => ctx.close());

  it('seeds the demo catalogue with named staff', async () => {
    const res = await ctx.call('GET', '/api/v1/resources?community=taoyuan', dispatcher);
    assert.equal(res.statusCode, 200, res.body);
    const items = (res.json() as { items: Array<{ code: string; staff: unknown[] }> }).items;
    assert.ok(items.length >= 40, `${items.length} resources`);
    assert.ok(
      items.every((r) => r.staff.length >= 1),
      'every resource names at least one person',
    );
    const packages = await ctx.call('GET', '/api/v1/service-packages?community=taoyuan', dispatcher);
    assert.ok((packages.json() as { items: unknown[] }).items.length >= 10);
  });

  it('ranks the water and electricity team first, with every score part and a named suggestion', async () => {
    const res = await ctx.call(
      'GET',
      `/api/v1/work-orders/${orderId}/candidates?includeRejected=true`,
      dispatcher,
    );
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json() as Candidates;
    assert.equal(c.location.source, 'order');
    assert.equal(c.rule.mode, 'queue');
    assert.ok(c.keywords.includes('漏水'), c.keywords.join(','));
    const top = c.candidates[0];
    assert.ok(top);
    assert.equal(top.code, 'taoyuan-water-electric');
    assert.deepEqual(Object.keys(top.parts).sort(), [
      'capacity',
      'category',
      'distance',
      'fairness',
      'keywords',
      'openNow',
      'rating',
    ]);
    const sum = Object.values(top.parts).reduce((s, p) => s + p.contribution, 0);
    const weights = Object.values(top.parts).reduce((s, p) => s + p.weight, 0);
    assert.ok(Math.abs(sum / weights - top.score) < 0.001, 'the score is the weighted mean of its parts');
    assert.ok(top.staff.length >= 2);
    for (let i = 1; i < c.candidates.length; i++) {
      assert.ok((c.candidates[i - 1]?.score ?? 0) >= (c.candidates[i]?.score ?? 0), 'best first');
    }
    assert.ok(c.baseline.length > 0, 'the keyword baseline is reported alongside');
    assert.equal(c.suggestion?.resourceCode, 'taoyuan-water-electric');
    assert.ok(c.suggestion?.assigneeName);
  });

  it("the dispatch board reads the answer: every team, with a person to assign and its score's parts", async () => {
    const res = await ctx.call('GET', `/api/v1/work-orders/${orderId}/candidates`, dispatcher);
    const c = res.json() as Candidates;
    const board = parseCandidates(res.json(), 'zh');
    assert.equal(board.length, c.candidates.length, 'no candidate dropped');
    const top = board[0];
    const first = c.candidates[0];
    assert.ok(top && first);
    assert.ok(
      first.staff.some((s) => s.userId === top.assigneeId),
      'the person to assign is one of the team',
    );
    assert.ok(top.name.includes(' · '), `team and person: ${top.name}`);
    assert.deepEqual(
      top.parts.map(([k]) => k).sort(),
      ['余量', '关键词', '均衡', '在岗', '类别', '评价', '距离'].sort(),
    );
    assert.ok(top.reasons.some((r) => r.startsWith('距离')));
    assert.equal(parseCandidates(res.json(), 'en')[0]?.parts.length, 7);
  });

  it('the staff list names the teams each person works for, so two of the same name are told apart', async () => {
    const res = await ctx.call('GET', '/api/v1/staff?community=taoyuan', dispatcher);
    assert.equal(res.statusCode, 200, res.body);
    const items = (res.json() as { items: Array<{ name: string; role: string; teams: string[] }> }).items;
    const providers = items.filter((u) => u.role === 'provider');
    assert.ok(
      providers.length > 0 && providers.every((u) => u.teams.length > 0),
      'every provider has a team',
    );
    const byName = new Map<string, string[]>();
    for (const u of providers) byName.set(u.name, [...(byName.get(u.name) ?? []), u.teams.join('、')]);
    for (const [name, teams] of byName)
      assert.equal(new Set(teams).size, teams.length, `${name}: same name, different teams`);
  });

  it('staff capability: an expired licence keeps a person from being named', async () => {
    const manager = await ctx.login('manager');
    const pick = async () =>
      ((await ctx.call('GET', `/api/v1/work-orders/${orderId}/candidates`, dispatcher)).json() as Candidates)
        .suggestion?.assigneeId;
    const uid = (await pick()) ?? '';
    assert.ok(uid);
    const put = await ctx.call('PUT', `/api/v1/staff/${uid}/capability`, manager, {
      skills: ['水电维修'],
      certificates: [{ name: '低压电工作业证', expiresOn: '2026-01-31' }],
      dutyHours: { mon: [{ open: '08:00', close: '20:00' }], fri: [{ open: '08:00', close: '20:00' }] },
    });
    assert.equal(put.statusCode, 200, put.body);
    const cap = put.json() as { certificates: Array<{ expired: boolean }>; dutyHours: { sun: unknown[] } };
    assert.equal(cap.certificates[0]?.expired, true);
    assert.deepEqual(cap.dutyHours.sun, []);
    const bad = await ctx.call('PUT', `/api/v1/staff/${uid}/capability`, manager, {
      skills: [],
      certificates: [{ name: 'x', expiresOn: '31/01/2026' }],
      dutyHours: null,
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(
      (bad.json() as { error: { details: { field: string } } }).error.details.field,
      'certificates[0].expiresOn',
    );
    const next = await pick();
    assert.ok(next && next !== uid, 'the person whose licence lapsed is no longer named');
    const other = await ctx.call('GET', `/api/v1/staff/${uid}/capability`, await ctx.login('manager2'));
    assert.equal(other.statusCode, 404);
  });

  it('a person serving two communities: only who edits both catalogues changes their capability, and both chains record it', async () => {
    const street = await userId(ctx, 'street_admin');
    const body = { skills: ['统筹'], certificates: [], dutyHours: { mon: [] } };
    const entries = async () =>
      (
        await ctx.database.db
          .selectFrom('audit_entries')
          .select(['community_id'])
          .where('action', '=', 'staff.capability_set')
          .where('entity_id', '=', street)
          .execute()
      )
        .map((e) => e.community_id)
        .sort();
    for (const who of ['admin', 'manager', 'admin2']) {
      const r = await ctx.call('PUT', `/api/v1/staff/${street}/capability`, await ctx.login(who), body);
      assert.equal(r.statusCode, 403, `${who}: ${r.body}`);
      assert.match(r.body, /also serves communities you do not administer/);
    }
    assert.deepEqual(await entries(), []);
    const r = await ctx.call(
      'PUT',
      `/api/v1/staff/${street}/capability`,
      await ctx.login('street_admin'),
      body,
    );
    assert.equal(r.statusCode, 200, r.body);
    const communities = (
      await ctx.database.db
        .selectFrom('user_communities')
        .select('community_id')
        .where('user_id', '=', street)
        .execute()
    )
      .map((c) => c.community_id)
      .sort();
    assert.equal(communities.length, 2);
    assert.deepEqual(await entries(), communities);
  });

  it("hides candidates from another community's dispatcher, and from roles that do not dispatch", async () => {
    const other = await ctx.login('dispatcher2');
    const res = await ctx.call('GET', `/api/v1/work-orders/${orderId}/candidates`, other);
    assert.equal(res.statusCode, 404);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'work_order_not_found');
    const agent = await ctx.login('agent');
    const byAgent = await ctx.call('GET', `/api/v1/work-orders/${orderId}/candidates`, agent);
    assert.equal(byAgent.statusCode, 403);
    const anonymous = await ctx.call('GET', `/api/v1/work-orders/${orderId}/candidates`);
    assert.equal(anonymous.statusCode, 401);
    const otherCatalogue = await ctx.call('GET', '/api/v1/resources?community=taoyuan', other);
    assert.equal(otherCatalogue.statusCode, 404);
  });
});
