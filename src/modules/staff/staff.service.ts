/**
 * Staff accounts: create, change (role, communities, name, phone, active) and reset passwords.
 * Each change is written with its audit entry, in the chain of every community it touches, in one
 * transaction; a deactivated or reset account's sessions end at once.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { hashPassword, verifyPassword } from '../../platform/auth/password.ts';
import { actorLabel } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { announceStale, type CacheCoherence, type Invalidation } from '../../platform/cache/coherence.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { servedCommunityIdByCode } from '../tenancy/tenancy.repository.ts';
import { passwordProblem, staffChangeProblem } from './staff.policy.ts';
import { addCommunities, insertUser } from './staff.repository.ts';
import { clearLoginAttempts } from '../auth/auth.repository.ts';
import type { StaffProblem } from './staff.policy.ts';
import { tidyText } from '../people/resident.import.ts';

type Admin = Extract<Principal, { kind: 'user' }>;
/** Who acts in `linli staff …`, run at the server's console: `system:console` in the audit chain. */
const CONSOLE: Principal = { kind: 'system', name: 'console' };

export interface StaffView {
  id: string;
  username: string;
  name: string;
  role: string;
  phone: string | null;
  active: boolean;
  communityIds: string[];
}

export interface NewStaff {
  username: string;
  name: string;
  role: string;
  phone?: string | null | undefined;
  communityIds: string[];
  password?: string | undefined;
}

export interface StaffPatch {
  name?: string | undefined;
  role?: string | undefined;
  phone?: string | null | undefined;
  communityIds?: string[] | undefined;
  active?: boolean | undefined;
}

function raise(p: StaffProblem): never {
  if (p.code === 'invalid_input') throw new AppError('invalid_input', p.message, { field: p.field });
  if (p.code === 'forbidden') throw new AppError('forbidden', p.message, { reason: p.reason });
  throw new AppError(p.code, p.message);
}

/** A made-up password: 16 random letters and digits (setup prints it as it is). */
export function madeUpPassword(): string {
  return randomToken(12)
    .replace(/[^A-Za-z0-9]/g, 'x')
    .slice(0, 16);
}

/** A password to read out once: a made-up one in groups of four. */
function temporaryPassword(): string {
  return madeUpPassword().replace(/(.{4})(?=.)/g, '$1-');
}

export class StaffService {
  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
    private readonly coherence?: CacheCoherence,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * The account as it is. With `lock` (inside a transaction) its row stays locked until the
   * commit, so two admins changing the same person at once take turns instead of one silently
   * undoing the other (SQLite's single writer already makes them take turns).
   */
  private async load(db: Kysely<DB>, id: string, lock = false): Promise<StaffView | null> {
    let q = db.selectFrom('users').selectAll().where('id', '=', id);
    if (lock && this.deps.database.dialect === 'postgres') q = q.forUpdate();
    const u = await q.executeTakeFirst();
    if (!u) return null;
    const cs = await db
      .selectFrom('user_communities')
      .select('community_id')
      .where('user_id', '=', id)
      .execute();
    return {
      id: u.id,
      username: u.username,
      name: u.display_name,
      role: u.role,
      phone: u.phone,
      active: u.active === 1,
      communityIds: cs.map((c) => c.community_id).sort(),
    };
  }

  private async audit(
    trx: Kysely<DB>,
    communityIds: Iterable<string>,
    admin: Principal,
    action: string,
    entityId: string,
    payload: unknown,
    at: string,
  ): Promise<void> {
    for (const communityId of [...new Set(communityIds)].sort())
      await appendAudit(trx, this.deps.database.dialect, {
        communityId,
        createdAt: at,
        actor: actorLabel(admin),
        action,
        entityType: 'user',
        entityId,
        payload,
      });
  }

  /** Creates an account; without a password one is made up and returned once. */
  /**
   * Community references as ids: an id stays as it is, a code of a community the admin serves
   * becomes its id. Anything else is kept, and the policy refuses it like any community the admin
   * does not administer (so a code tells nothing about communities out of reach).
   */
  private async communityIdsOf(admin: Admin, refs: readonly string[]): Promise<string[]> {
    const ids = await Promise.all(
      refs.map(async (ref) =>
        admin.communityIds.includes(ref)
          ? ref
          : ((await servedCommunityIdByCode(this.db, admin.communityIds, ref)) ?? ref),
      ),
    );
    return [...new Set(ids)].sort();
  }

  async create(admin: Admin, input: NewStaff): Promise<{ staff: StaffView; temporaryPassword?: string }> {
    input = { ...input, name: staffName(input.name) };
    const communityIds = await this.communityIdsOf(admin, input.communityIds);
    const id = newId();
    const problem = staffChangeProblem(admin, null, { id, role: input.role, communityIds, active: true });
    if (problem) raise(problem);
    const made = input.password === undefined ? temporaryPassword() : undefined;
    const password = input.password ?? (made as string);
    const weak = passwordProblem(password, input.username);
    if (weak)
      throw new AppError('invalid_input', `password: ${weak.message}`, {
        field: 'password',
        reason: weak.reason,
      });
    const passwordHash = await hashPassword(password);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('users')
        .select('id')
        .where('username', '=', input.username)
        .executeTakeFirst();
      if (taken)
        throw new AppError('conflict', `the username ${input.username} is taken`, { field: 'username' });
      await insertUser(trx, {
        id,
        username: input.username,
        name: input.name,
        role: input.role,
        phone: input.phone ?? null,
        passwordHash,
        at,
        communityIds,
        mustChangePassword: true,
      });
      const payload = { username: input.username, name: input.name, role: input.role, communityIds };
      await this.audit(trx, communityIds, admin, 'user.created', id, payload, at);
    });
    const staff = (await this.load(this.db, id)) as StaffView;
    return made ? { staff, temporaryPassword: made } : { staff };
  }

  /** Changes an account; only what the patch names. */
  async update(admin: Admin, id: string, patch: StaffPatch): Promise<StaffView> {
    if (patch.name !== undefined) patch = { ...patch, name: staffName(patch.name) };
    const at = this.deps.clock.now().toISOString();
    const wanted = patch.communityIds ? await this.communityIdsOf(admin, patch.communityIds) : undefined;
    const catalogues: Invalidation[] = [];
    const after = await this.db.transaction().execute(async (trx) => {
      const before = await this.load(trx, id, true);
      if (!before) throw new AppError('not_found', `staff ${id} was not found`);
      // The account as it will be: what the patch names, the rest as it was.
      const next: StaffView = {
        ...before,
        name: patch.name ?? before.name,
        role: patch.role ?? before.role,
        phone: patch.phone !== undefined ? patch.phone : before.phone,
        communityIds: wanted ?? before.communityIds,
        active: patch.active ?? before.active,
      };
      const problem = staffChangeProblem(admin, before, next);
      if (problem) raise(problem);
      for (const c of new Set([...before.communityIds, ...next.communityIds]))
        catalogues.push({ topic: 'resources', key: c });
      await trx
        .updateTable('users')
        .set({ display_name: next.name, role: next.role, phone: next.phone, active: next.active ? 1 : 0 })
        .where('id', '=', id)
        .execute();
      if (wanted) {
        await trx.deleteFrom('user_communities').where('user_id', '=', id).execute();
        await addCommunities(trx, id, next.communityIds);
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of ['name', 'role', 'phone', 'active', 'communityIds'] as const)
        if (JSON.stringify(before[k]) !== JSON.stringify(next[k]))
          changes[k] = { from: before[k], to: next[k] };
      if (Object.keys(changes).length)
        await this.audit(
          trx,
          [...before.communityIds, ...next.communityIds],
          admin,
          'user.updated',
          id,
          changes,
          at,
        );
      if (!next.active) await this.auth.endSessionsOf(trx, id);
      else await this.auth.userChanged(trx, id);
      // Matching's catalogue names staff (their names, phones, whether active) in each community.
      await announceStale(trx, catalogues, this.deps.clock.now());
      return next;
    });
    // A new role or community takes effect on this node's next request.
    this.auth.forgetUser(id);
    this.coherence?.apply(...catalogues);
    return after;
  }

  /** Sets a new password made up by the server, shown once; the account's sessions end and a lockout is lifted. */
  async resetPassword(admin: Admin, id: string): Promise<{ temporaryPassword: string }> {
    const before = await this.load(this.db, id);
    if (!before) throw new AppError('not_found', `staff ${id} was not found`);
    const problem = staffChangeProblem(admin, before, before);
    if (problem) raise(problem);
    return this.applyReset(admin, before);
  }

  /**
   * The way back in from the server's console (`linli staff reset-password`): an admin locked out
   * or with a forgotten password, where no other admin can reset it. Recorded as the console's (`system:console`).
   */
  async resetPasswordFromConsole(username: string): Promise<{ temporaryPassword: string } | null> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    const before = row ? await this.load(this.db, row.id) : null;
    return before ? this.applyReset(CONSOLE, before) : null;
  }

  /**
   * Lifts a sign-in lock from the server's console (`linli staff unlock`), the password kept: the
   * way back in for a single admin locked out by someone else's guesses. False when the name had
   * no failures on record.
   */
  async unlockFromConsole(username: string): Promise<boolean> {
    const at = this.deps.clock.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      if ((await clearLoginAttempts(trx, username)) === 0) return false;
      const row = await trx
        .selectFrom('users')
        .select('id')
        .where('username', '=', username)
        .executeTakeFirst();
      const user = row ? await this.load(trx, row.id) : null;
      if (user) await this.audit(trx, user.communityIds, CONSOLE, 'user.unlocked', user.id, { username }, at);
      return true;
    });
  }

  private async applyReset(actor: Principal, before: StaffView): Promise<{ temporaryPassword: string }> {
    const id = before.id;
    const password = temporaryPassword();
    const hash = await hashPassword(password);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 1 })
        .where('id', '=', id)
        .execute();
      await clearLoginAttempts(trx, before.username);
      await this.auth.endSessionsOf(trx, id);
      await this.audit(
        trx,
        before.communityIds,
        actor,
        'user.password_reset',
        id,
        { username: before.username },
        at,
      );
    });
    this.auth.forgetUser(id);
    return { temporaryPassword: password };
  }

  /**
   * A signed-in staff member sets their own password (after a reset, say): the current one must
   * be right, and each wrong one counts towards the lockout as a failed sign-in does (a session
   * left open must not be a way to guess the password). The person's other sessions end: changing
   * a password is what one does after a device was lost or a password seen.
   */
  async changeOwnPassword(
    user: Admin,
    current: string,
    next: string,
    address: string,
    sessionToken?: string,
  ): Promise<void> {
    const row = await this.db
      .selectFrom('users')
      .select(['password_hash', 'username'])
      .where('id', '=', user.id)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 'your account was not found');
    await this.auth.takeAttempt(row.username, address);
    if (!(await verifyPassword(current, row.password_hash)))
      throw new AppError('invalid_input', 'the current password is not right', { field: 'currentPassword' });
    await this.auth.passwordAccepted(row.username, address);
    const weak = passwordProblem(next, row.username);
    if (weak)
      throw new AppError('invalid_input', `newPassword: ${weak.message}`, {
        field: 'newPassword',
        reason: weak.reason,
      });
    if (next === current)
      throw new AppError('invalid_input', 'newPassword: choose a password other than the current one', {
        field: 'newPassword',
        reason: 'same_as_current',
      });
    const hash = await hashPassword(next);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 0 })
        .where('id', '=', user.id)
        .execute();
      await this.auth.endSessionsOf(trx, user.id, sessionToken);
      await this.audit(
        trx,
        user.communityIds,
        user,
        'user.password_changed',
        user.id,
        { username: row.username },
        at,
      );
    });
    // Served in full from the next request on, on this node at once.
    this.auth.forgetUser(user.id);
  }
}

/** A name as people read it: white space runs as one, no invisible characters, and something left. */
function staffName(name: string): string {
  const tidy = tidyText(name);
  if (!tidy)
    throw new AppError('invalid_input', 'name: write the name people know them by', { field: 'name' });
  return tidy;
}
