/**
 * The demo's calls of today, taken through the real API once the server is up: the
 * classifier, the emergency rules, the dispatch rules, SLA and the audit chain all run as they
 * do for any call, so a newcomer finds the triage tab with work in it: a suspected emergency
 * the model alone raised (疑似紧急) waiting for a dispatcher to call back.
 *
 * They are taken on the first `serve --demo` that finds them missing, whether that start
 * seeded the demo or `linli seed --demo` did before it. The orders themselves are the marker:
 * a call already among the first community's orders is never taken again.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/database.ts';
import { DEMO_PASSWORD } from './demo.ts';
import { DEMO_COMMUNITIES } from './demo-geography.ts';

export interface DemoLiveCall {
  description: string;
  address?: string;
}

/** What the agent of the first community logs this morning, in the callers' words. */
export const DEMO_LIVE_CALLS: ReadonlyArray<DemoLiveCall> = [
  // No rule fires; the model alone takes it for an emergency: high, in triage, flagged.
  { description: '钥匙锁在家里了', address: '桃源社区 3栋2单元 502' },
  { description: '楼道里有人在充电动车，担心不安全', address: '桃源社区 5栋1单元' },
];

/** The demo calls the agent's community does not hold yet (none when that community is missing). */
export async function missingDemoLiveCalls(database: Database): Promise<DemoLiveCall[]> {
  const code = DEMO_COMMUNITIES[0]?.code ?? '';
  const community = await database.db
    .selectFrom('communities')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirst();
  if (!community) return [];
  const taken = await database.db
    .selectFrom('work_orders')
    .select('description')
    .where('community_id', '=', community.id)
    .where('channel', '=', 'hotline')
    .where(
      'description',
      'in',
      DEMO_LIVE_CALLS.map((c) => c.description),
    )
    .execute();
  const have = new Set(taken.map((o) => o.description));
  return DEMO_LIVE_CALLS.filter((c) => !have.has(c.description));
}

/** Takes `calls` through the API as the demo agent; answers how many were taken. */
export async function takeDemoLiveCalls(
  app: FastifyInstance,
  calls: ReadonlyArray<DemoLiveCall> = DEMO_LIVE_CALLS,
): Promise<number> {
  if (calls.length === 0) return 0;
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'agent', password: DEMO_PASSWORD },
  });
  if (login.statusCode !== 200) throw new Error(`demo calls: the agent could not sign in (${login.body})`);
  const { token } = login.json<{ token: string }>();
  let taken = 0;
  for (const call of calls) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/work-orders',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': `demo-live:${call.description}` },
      payload: { channel: 'hotline', ...call },
    });
    if (res.statusCode !== 201) throw new Error(`demo calls: "${call.description}" answered ${res.body}`);
    // A replay is a call another node started with the demo took first: not taken here.
    if (res.headers['idempotent-replayed'] !== 'true') taken++;
  }
  return taken;
}
