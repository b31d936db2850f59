/**
 * The demo's calls of today, taken through the real API once the server is up (first start
 * only): the classifier, the emergency rules, the dispatch rules, SLA and the audit chain all
 * run as they do for any call, so a newcomer finds the triage tab with work in it: a suspected
 * emergency the model alone raised (疑似紧急) waiting for a dispatcher to call back.
 */
import type { FastifyInstance } from 'fastify';
import { DEMO_PASSWORD } from './demo.ts';

/** What the agent of the first community logs this morning, in the callers' words. */
export const DEMO_LIVE_CALLS: ReadonlyArray<{ description: string; address?: string }> = [
  // No rule fires; the model alone takes it for an emergency: high, in triage, flagged.
  { description: '钥匙锁在家里了', address: '桃源社区 3栋2单元 502' },
  { description: '楼道里有人在充电动车，担心不安全', address: '桃源社区 5栋1单元' },
];

export async function takeDemoLiveCalls(app: FastifyInstance): Promise<number> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'agent', password: DEMO_PASSWORD },
  });
  if (login.statusCode !== 200) throw new Error(`demo calls: the agent could not sign in (${login.body})`);
  const { token } = login.json<{ token: string }>();
  let taken = 0;
  for (const call of DEMO_LIVE_CALLS) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/work-orders',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': `demo-live:${call.description}` },
      payload: { channel: 'hotline', ...call },
    });
    if (res.statusCode !== 201) throw new Error(`demo calls: "${call.description}" answered ${res.body}`);
    taken++;
  }
  return taken;
}
