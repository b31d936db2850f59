/** Shared steps of the SLA tests: orders through the API, the timer worker, timeline and audit checks. */
import assert from 'node:assert/strict';
import { newId } from '../../src/platform/ids.ts';
import type { TestContext } from '../helpers.ts';

export interface OrderView {
  id: string;
  number: string;
  status: string;
  version: number;
  communityId: string;
  timeline?: { type: string; note: string | null; data: Record<string, unknown> | null }[];
}

/** Shanghai wall-clock time as an ISO instant. */
export const sh = (local: string) => new Date(`${local}:00+08:00`).toISOString();

export async function createOrder(
  ctx: TestContext,
  token: string,
  body: Record<string, unknown>,
): Promise<OrderView> {
  const res = await ctx.call('POST', '/api/v1/work-orders', token, body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as OrderView;
}

export async function act(
  ctx: TestContext,
  token: string,
  order: OrderView,
  action: string,
  body: Record<string, unknown> = {},
): Promise<OrderView> {
  const res = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/${action}`, token, {
    version: order.version,
    ...body,
  });
  assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
  return res.json() as OrderView;
}

export async function timelineTypes(ctx: TestContext, orderId: string): Promise<string[]> {
  const rows = await ctx.database.db
    .selectFrom('work_order_events')
    .select(['type'])
    .where('work_order_id', '=', orderId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.type);
}

export async function auditOk(ctx: TestContext, communityId: string): Promise<void> {
  const res = await ctx.call(
    'GET',
    `/api/v1/audit/verify?community=${communityId}`,
    await ctx.login('auditor'),
  );
  const v = res.json() as { ok: boolean; firstBadSeq: number | null };
  assert.equal(v.ok, true, `audit chain broken at ${v.firstBadSeq}`);
}

/** A staff login of the role serving the given communities (demo password); created once. */
export async function addStaff(
  ctx: TestContext,
  username: string,
  role: string,
  communityIds: readonly string[],
): Promise<string> {
  const db = ctx.database.db;
  const exists = await db
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirst();
  if (!exists) {
    const demo = await db
      .selectFrom('users')
      .select('password_hash')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    const id = newId();
    await db
      .insertInto('users')
      .values({
        id,
        username,
        display_name: username,
        role,
        phone: null,
        password_hash: demo.password_hash,
        active: 1,
        created_at: new Date().toISOString(),
      })
      .execute();
    await db
      .insertInto('user_communities')
      .values(communityIds.map((community_id) => ({ user_id: id, community_id })))
      .execute();
  }
  return ctx.login(username);
}

/**
 * An admin of every community, the one who changes shared SLA policies, calendars and holidays:
 * the demo's street administrator.
 */
export async function deploymentAdmin(ctx: TestContext): Promise<string> {
  return ctx.login('street_admin');
}

/** Adds a shared SLA policy (or a community's, given communityId) through the admin API. */
export async function addPolicy(ctx: TestContext, body: Record<string, unknown>): Promise<void> {
  const res = await ctx.call('POST', '/api/v1/sla/policies', await deploymentAdmin(ctx), {
    escalationChain: ['dispatcher', 'community_head', 'street'],
    ...body,
  });
  assert.equal(res.statusCode, 201, res.body);
}

/** Noise orders on a fast clock: 10 minutes to answer, 30 to resolve, round the clock, a level every 5 minutes. */
export async function addNoiseFastPolicy(ctx: TestContext): Promise<void> {
  await addPolicy(ctx, {
    id: 'noise-fast',
    category: 'basic_living.noise',
    priorityBand: '*',
    calendarId: '24x7',
    firstResponseMinutes: 10,
    resolutionMinutes: 30,
    escalationStepMinutes: 5,
  });
}

/** A dispatcher moves the order to another category, at the version it stands at now. */
export async function reclassify(ctx: TestContext, orderId: string, category: string): Promise<void> {
  const dispatcher = await ctx.login('dispatcher');
  const current = (await ctx.call('GET', `/api/v1/work-orders/${orderId}`, dispatcher)).json() as {
    version: number;
  };
  const moved = await ctx.call('POST', `/api/v1/work-orders/${orderId}/classification`, dispatcher, {
    version: current.version,
    category,
  });
  assert.equal(moved.statusCode, 200, moved.body);
}

export function count<T>(xs: readonly T[], pred: (x: T) => boolean): number {
  return xs.filter(pred).length;
}

/**
 * Staff calls for tests that move the clock by days: each role signs in once and again only when
 * its session ran out on the test clock (logins are rate limited); orders are created by the agent
 * and acted on at the version they stand at now.
 */
export function staffOverTime(ctx: () => TestContext) {
  const tokens = new Map<string, string>();
  const call = async (role: string, method: 'GET' | 'POST', url: string, body?: Record<string, unknown>) => {
    const c = ctx();
    const token = tokens.get(role) ?? (await c.login(role));
    tokens.set(role, token);
    const res = await c.call(method, url, token, body);
    if (res.statusCode !== 401) return res;
    tokens.set(role, await c.login(role));
    return c.call(method, url, tokens.get(role), body);
  };
  const create = async (description: string): Promise<OrderView> => {
    const body = { channel: 'hotline', description, category: 'basic_living.property' };
    const res = await call('agent', 'POST', '/api/v1/work-orders', body);
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as OrderView;
  };
  /** Runs an action on the order as it stands now. */
  const actNow = async (
    role: string,
    o: { id: string },
    action: string,
    body: Record<string, unknown> = {},
  ): Promise<OrderView> => {
    const now = (await call(role, 'GET', `/api/v1/work-orders/${o.id}`)).json() as OrderView;
    const res = await call(role, 'POST', `/api/v1/work-orders/${o.id}/actions/${action}`, {
      version: now.version,
      ...body,
    });
    assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
    return res.json() as OrderView;
  };
  return { call, create, act: actNow };
}
