/** Shared pieces of the dispatch tests: the order and assignment views, two orders, calls as a dispatcher. */
import assert from 'node:assert/strict';
import type { TestContext } from '../helpers.ts';

export interface Order {
  id: string;
  status: string;
  version: number;
  assignee: { id: string } | null;
  timeline?: Array<{ type: string; note: string | null }>;
}
export interface Assignments {
  assignments: Array<{
    userId: string;
    role: string;
    lane: string;
    state: string;
    attempt: number;
    resourceCode: string | null;
    deadlineAt: string | null;
    responseNote: string | null;
  }>;
}

export const WATER = {
  channel: 'hotline',
  description: '厨房水管漏水，水龙头关不紧',
  category: 'basic_living.water_electric',
  urgency: 'normal',
  location: { lat: 22.5604, lng: 113.9436 },
};
export const HAZARD = {
  channel: 'hotline',
  description: '楼道里电线裸露，存在安全隐患',
  category: 'safety_emergency.hazard',
  urgency: 'high',
  location: { lat: 22.5604, lng: 113.9436 },
};

/** Orders created and read by the dispatcher whose token `dispatcher()` answers; any user signed in by id. */
export function dispatchCalls(ctx: () => TestContext, dispatcher: () => string) {
  return {
    async create(body: Record<string, unknown>): Promise<Order> {
      const res = await ctx().call('POST', '/api/v1/work-orders', dispatcher(), body);
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as Order;
    },
    async get(id: string): Promise<Order> {
      return (await ctx().call('GET', `/api/v1/work-orders/${id}`, dispatcher())).json() as Order;
    },
    async assignments(id: string): Promise<Assignments['assignments']> {
      const res = await ctx().call('GET', `/api/v1/work-orders/${id}/assignments`, dispatcher());
      return (res.json() as Assignments).assignments;
    },
    async loginAs(uid: string): Promise<string> {
      const u = await ctx()
        .database.db.selectFrom('users')
        .select('username')
        .where('id', '=', uid)
        .executeTakeFirstOrThrow();
      return ctx().login(u.username, 'demo1234');
    },
  };
}
