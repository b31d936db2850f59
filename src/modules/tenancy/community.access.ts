import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { findCommunity } from './tenancy.repository.ts';

export type CommunityRow = NonNullable<Awaited<ReturnType<typeof findCommunity>>>;

/**
 * The community a caller names (by id or code) when it is one they serve (`served`; `any` for
 * the system). Any other community answers `community_not_found`, as one that does not exist
 * does: asking reveals nothing of communities the caller does not serve. `field` names the
 * parameter in the error's details.
 */
export async function servedCommunity(
  db: Kysely<DB>,
  served: readonly string[] | 'any',
  ref: string,
  field?: string,
): Promise<CommunityRow> {
  const c = await findCommunity(db, ref);
  if (!c || (served !== 'any' && !served.includes(c.id))) {
    throw new AppError(
      'community_not_found',
      `community ${ref} was not found`,
      field ? { field } : undefined,
    );
  }
  return c;
}
