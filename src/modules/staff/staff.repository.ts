import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';

export interface NewUser {
  id?: string;
  username: string;
  name: string;
  role: string;
  phone: string | null;
  passwordHash: string;
  at: string;
  communityIds: readonly string[];
  /** Someone else chose the password: the person must set their own first. */
  mustChangePassword?: boolean;
}

/** A staff account serving the given communities (the one insert of users: API, setup, demo); answers its id. */
export async function insertUser(trx: Kysely<DB>, u: NewUser): Promise<string> {
  const id = u.id ?? newId();
  await trx
    .insertInto('users')
    .values({
      id,
      username: u.username,
      display_name: u.name,
      role: u.role,
      phone: u.phone,
      password_hash: u.passwordHash,
      active: 1,
      created_at: u.at,
      must_change_password: u.mustChangePassword ? 1 : 0,
    })
    .execute();
  await addCommunities(trx, id, u.communityIds);
  return id;
}

export async function addCommunities(
  trx: Kysely<DB>,
  userId: string,
  communityIds: readonly string[],
): Promise<void> {
  if (communityIds.length === 0) return;
  await trx
    .insertInto('user_communities')
    .values(communityIds.map((community_id) => ({ user_id: userId, community_id })))
    .execute();
}
