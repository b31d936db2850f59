import type { FastifyInstance, FastifyRequest } from 'fastify';
import { communitiesOf } from '../auth/principal.ts';

/** Finds, among the communities a caller serves, the one with this code. */
export type ServedCommunityByCode = (
  servedIds: readonly string[],
  code: string,
) => Promise<string | undefined>;

/**
 * A `community` query parameter names a community by id or by code, on every route. Many
 * routes compare it with the caller's community ids (list scopes, SLA views, supervisions,
 * return visits, live events), so before any handler runs this hook turns the code of a
 * community the caller serves into that community's id. Anything else (another community's
 * code, a name that exists nowhere) is left as it is and answers exactly as another
 * community's id does, so a code reveals nothing about communities the caller does not serve.
 */
export function registerCommunityRefHook(app: FastifyInstance, idOfServedCode: ServedCommunityByCode): void {
  const resolve = async (request: FastifyRequest): Promise<void> => {
    const query = request.query;
    if (query === null || typeof query !== 'object' || !request.principal) return;
    const q = query as Record<string, unknown>;
    const ref = q.community;
    if (typeof ref !== 'string' || ref === '') return;
    const served = communitiesOf(request.principal);
    if (served.includes(ref)) return;
    const id = await idOfServedCode(served, ref);
    if (id !== undefined) q.community = id;
  };
  // Only on the routes whose query has a `community` parameter: the others (intake among them)
  // pay nothing for it.
  app.addHook('onRoute', (route) => {
    const qs = route.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
    if (!qs?.properties || !('community' in qs.properties)) return;
    const own = route.preHandler;
    route.preHandler = [resolve, ...(own === undefined ? [] : Array.isArray(own) ? own : [own])];
  });
}
