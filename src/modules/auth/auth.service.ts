import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { randomInt } from 'node:crypto';
import { AppError } from '../../platform/errors.ts';
import type { Deps } from '../../platform/context.ts';
import { hashSecret, verifyPassword } from '../../platform/auth/password.ts';
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import { STAFF_ROLES, SYSTEM, actorLabel, residentPrincipalOf } from '../../platform/auth/principal.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { announceStale, type CacheCoherence } from '../../platform/cache/coherence.ts';
import { LoaderCache } from '../../platform/cache/loader-cache.ts';
import { enqueue } from '../notifications/outbox.repository.ts';
import * as repo from './auth.repository.ts';

export const MAX_FAILED_LOGINS = 5;
/**
 * Failures of one username from every address together before it is locked for everyone. Five
 * from one address lock that address out of the name (`MAX_FAILED_LOGINS`); the name itself is
 * locked only at this many, so one client cannot keep a colleague locked out (five guesses, and
 * its own tries stop counting), while guesses spread over many addresses are still capped.
 */
export const MAX_FAILED_LOGINS_PER_NAME = 20;
export const LOCKOUT_MINUTES = 15;
const STAFF_SESSION_HOURS = 12;
const RESIDENT_SESSION_DAYS = 30;
const OTP_TTL_MINUTES = 5;
const OTP_MIN_INTERVAL_SECONDS = 30;
const OTP_MAX_ATTEMPTS = 5;

// Other app nodes hear of a sign-out, a deactivation or a revocation within about a second
// (`src/platform/cache/coherence.ts`); these lifetimes are the bound should that reading stop.
const PRINCIPAL_CACHE_MS = 30_000;
export const API_KEY_CACHE_MS = 5_000;

// A dummy hash, so an unknown username costs the same scrypt time as a known one.
const DUMMY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const isStaffRole = (r: string): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r);

export class AuthService {
  // A lookup still under way when this node forgets what it read (a change here, or one another
  // node announced) answers but keeps nothing, or a revoked key, an ended session or a
  // deactivated account read just before the change would be served for another lifetime.
  private readonly sessions: LoaderCache<string, Principal | null>;
  private readonly apiKeys: LoaderCache<string, Principal | null>;

  constructor(private readonly deps: Deps) {
    const now = () => deps.clock.now().getTime();
    const keep = (p: Principal | null) => p !== null;
    this.sessions = new LoaderCache({ ttlMs: PRINCIPAL_CACHE_MS, now, keep, maxEntries: 10_000 });
    this.apiKeys = new LoaderCache({ ttlMs: API_KEY_CACHE_MS, now, keep, maxEntries: 10_000 });
  }

  private get db() {
    return this.deps.database.db;
  }

  now(): Date {
    return this.deps.clock.now();
  }

  private nowIso(offsetMs = 0): string {
    return new Date(this.deps.clock.now().getTime() + offsetMs).toISOString();
  }

  /**
   * Username + password → a bearer token. Each try takes an attempt for the username first (see
   * `takeAttempt`): failures lock the name for a while, known or not, and a locked name is refused
   * before its password is checked.
   */
  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ token: string; expiresAt: string }> {
    await this.takeAttempt(username, address);
    const user = await repo.findUserByUsername(this.db, username);
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok || user.active !== 1)
      throw new AppError('invalid_credentials', 'wrong username or password');
    await this.passwordAccepted(username, address);
    return this.startSession('user', user.id, STAFF_SESSION_HOURS * 3600_000);
  }

  private lastAttemptPurge = 0;

  /**
   * Takes one password attempt for a username from a client address (signing in, or a signed-in
   * person giving their current password), or refuses with 423 while the name is locked for that
   * address (5 failures from it) or for everyone (20 from all addresses together). The attempt
   * counts as a failure until `passwordAccepted` clears it. A locked address takes no attempt of
   * the name: one client adds at most five failures to it in a lockout period.
   */
  async takeAttempt(username: string, address: string): Promise<void> {
    const now = this.deps.clock.now();
    const lockUntil = this.nowIso(LOCKOUT_MINUTES * 60_000);
    const fromHere = await repo.claimLoginAttempt(
      this.db,
      repo.attemptKey(username, address),
      MAX_FAILED_LOGINS,
      now.toISOString(),
      lockUntil,
    );
    const claim = fromHere.ok
      ? await repo.claimLoginAttempt(
          this.db,
          repo.attemptKey(username),
          MAX_FAILED_LOGINS_PER_NAME,
          now.toISOString(),
          lockUntil,
        )
      : fromHere;
    if (now.getTime() - this.lastAttemptPurge > 60_000) {
      this.lastAttemptPurge = now.getTime();
      await repo.purgeLoginAttempts(this.db, this.nowIso(-86_400_000), now.toISOString());
    }
    if (!claim.ok)
      throw new AppError(
        'account_locked',
        `too many failed attempts: try again after ${LOCKOUT_MINUTES} minutes, or ask an admin to reset the password`,
        { lockedUntil: claim.lockedUntil },
      );
  }

  /** The right password was given from this address: the name's failures, and this address's, are cleared. */
  async passwordAccepted(username: string, address: string): Promise<void> {
    await repo.clearAttemptsFrom(this.db, username, address);
  }

  /** Sends a one-time code to a resident's phone through the outbox. Answers the same whether or not the phone is known. */
  async requestOtp(phone: string): Promise<{ sent: true; retryAfterSeconds: number }> {
    const now = this.deps.clock.now();
    const tooSoon = (last: { created_at: string } | undefined) => {
      const waited = last ? now.getTime() - new Date(last.created_at).getTime() : Infinity;
      if (waited >= OTP_MIN_INTERVAL_SECONDS * 1000) return;
      const retryAfterSeconds = Math.max(1, Math.ceil((OTP_MIN_INTERVAL_SECONDS * 1000 - waited) / 1000));
      throw new AppError('rate_limited', `wait ${retryAfterSeconds} seconds before asking for another code`, {
        field: 'phone',
        retryAfterSeconds,
      });
    };
    /**
     * The hourly and daily caps (LINLI_OTP_PER_HOUR, LINLI_OTP_PER_DAY), over the times codes were
     * sent in the last day, oldest first: each code is a text message to a person who may not have
     * asked for it, and a cost; the 30-second interval alone let one phone be sent 2,880 a day.
     */
    const { otpPerHour: perHour, otpPerDay: perDay } = this.deps.config;
    const overCap = (sent: string[]) => {
      const hourAgo = now.getTime() - 3_600_000;
      const inHour = sent.filter((t) => Date.parse(t) >= hourAgo);
      const opensAt =
        sent.length >= perDay
          ? Date.parse(sent[sent.length - perDay] ?? '') + 86_400_000
          : inHour.length >= perHour
            ? Date.parse(inHour[inHour.length - perHour] ?? '') + 3_600_000
            : null;
      if (opensAt === null) return;
      const retryAfterSeconds = Math.max(1, Math.ceil((opensAt - now.getTime()) / 1000));
      const per = sent.length >= perDay ? `${perDay} a day` : `${perHour} an hour`;
      throw new AppError(
        'rate_limited',
        `this phone has been sent ${per}, the most it is sent: try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`,
        { field: 'phone', retryAfterSeconds },
      );
    };
    tooSoon(await repo.latestOtp(this.db, phone));
    let resident: Awaited<ReturnType<typeof repo.findResidentByPhone>>;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const at = now.toISOString();
    const id = newId();
    await this.db.transaction().execute(async (trx) => {
      // Asked twice at once: the second waits for the first and is then too soon.
      await repo.lockPhoneCodes(trx, this.deps.database.dialect, phone);
      tooSoon(await repo.latestOtp(trx, phone));
      overCap(await repo.otpTimesSince(trx, phone, new Date(now.getTime() - 86_400_000).toISOString()));
      // Read in the transaction (FOR SHARE on PostgreSQL): a code is never sent, nor linked, to a
      // resident whose data an erasure racing this request removed.
      resident = await repo.findResidentByPhone(trx, phone, this.deps.database.dialect);
      await repo.insertOtp(trx, {
        id,
        phone,
        code_hash: hashSecret(`${phone}:${code}`),
        created_at: at,
        expires_at: this.nowIso(OTP_TTL_MINUTES * 60_000),
      });
      if (resident) {
        await enqueue(
          trx,
          {
            idempotencyKey: `otp:${id}`,
            channel: 'sms',
            recipientType: 'resident',
            recipientId: resident.id,
            address: phone,
            template: 'otp',
            locale: 'zh-CN',
            payload: { code, minutes: OTP_TTL_MINUTES },
          },
          at,
        );
      }
    });
    if (resident && this.deps.config.logOtpCodes) {
      this.deps.logger.info({ phone, code }, 'one-time code (shown because LINLI_LOG_OTP=1)');
    }
    return { sent: true, retryAfterSeconds: OTP_MIN_INTERVAL_SECONDS };
  }

  async verifyOtp(phone: string, code: string): Promise<{ token: string; expiresAt: string }> {
    const otp = await repo.latestOtp(this.db, phone);
    const now = this.deps.clock.now();
    const invalid = () => new AppError('otp_invalid', 'the code is wrong or has expired', { field: 'code' });
    if (!otp || otp.used_at || new Date(otp.expires_at) <= now) throw invalid();
    // Every guess takes an attempt before it is checked, so guesses sent at once all count.
    if (!(await repo.claimOtpAttempt(this.db, otp.id, OTP_MAX_ATTEMPTS))) throw invalid();
    if (hashSecret(`${phone}:${code}`) !== otp.code_hash) throw invalid();
    const resident = await repo.findResidentByPhone(this.db, phone);
    if (!resident) throw invalid();
    if (!(await repo.useOtp(this.db, otp.id, now.toISOString()))) throw invalid();
    return this.startSession('resident', resident.id, RESIDENT_SESSION_DAYS * 86400_000);
  }

  private async startSession(subjectType: 'user' | 'resident', subjectId: string, ttlMs: number) {
    const token = randomToken();
    const expiresAt = this.nowIso(ttlMs);
    await repo.insertSession(this.db, {
      token_hash: hashSecret(token),
      subject_type: subjectType,
      subject_id: subjectId,
      created_at: this.nowIso(),
      expires_at: expiresAt,
    });
    return { token, expiresAt };
  }

  /** Drops this node's cached copies when another node's change is read (see `CacheCoherence`). */
  listen(coherence: CacheCoherence): void {
    coherence.on('user', (id) => (id === '*' ? this.sessions.invalidate() : this.forgetUser(id)));
    coherence.on('session', (h) => this.sessions.invalidate(h === '*' ? undefined : h));
    coherence.on('api_key', (h) => this.apiKeys.invalidate(h === '*' ? undefined : h));
  }

  /**
   * Ends every session of a staff member (deactivated, password reset), or every one but the
   * session whose token is `keep` (they changed their own password in it): the rows go, and every
   * node forgets their cached principal (this one at once, the others within about a second).
   */
  async endSessionsOf(trx: Kysely<DB>, userId: string, keep?: string): Promise<void> {
    let q = trx.deleteFrom('sessions').where('subject_type', '=', 'user').where('subject_id', '=', userId);
    if (keep) q = q.where('token_hash', '!=', hashSecret(keep));
    await q.execute();
    await this.userChanged(trx, userId);
  }

  /**
   * A staff member's account changed (role, communities, active, password state), or a
   * resident's (a move to another household, a new phone): inside the change's transaction,
   * tells every node to drop its cached principal; this node drops it now. Callers drop it again
   * after the commit, in case a request read the old row meanwhile.
   */
  async userChanged(trx: Kysely<DB>, userId: string): Promise<void> {
    await announceStale(trx, [{ topic: 'user', key: userId }], this.deps.clock.now());
    this.forgetUser(userId);
  }

  /** Drops this node's cached principal of a staff member or resident (ids are unique across both). */
  forgetUser(userId: string): void {
    this.sessions.invalidateWhere((p) => (p?.kind === 'user' || p?.kind === 'resident') && p.id === userId);
  }

  /** Ends the session: its row goes, and every node forgets it (this one at once). */
  async logout(token: string): Promise<void> {
    const h = hashSecret(token);
    this.sessions.invalidate(h);
    await this.db.transaction().execute(async (trx) => {
      await repo.deleteSession(trx, h);
      await announceStale(trx, [{ topic: 'session', key: h }], this.deps.clock.now());
    });
    this.sessions.invalidate(h);
  }

  /** Resolves a bearer token to its principal, with a short in-process cache (stateless nodes stay consistent within 30 s). */
  principalForToken(token: string): Promise<Principal | null> {
    const h = hashSecret(token);
    const nowMs = this.deps.clock.now().getTime();
    const load = async () => {
      const session = await repo.findSession(this.db, h);
      if (!session || new Date(session.expires_at).getTime() <= nowMs) return null;
      return session.subject_type === 'user'
        ? this.userPrincipal(session.subject_id)
        : this.residentPrincipal(session.subject_id);
    };
    return this.sessions.get(h, load, { nowMs });
  }

  async userPrincipal(userId: string): Promise<Principal | null> {
    const user = await repo.findUserById(this.db, userId);
    if (!user || user.active !== 1 || !isStaffRole(user.role)) return null;
    const [communityIds, gridIds] = await Promise.all([
      repo.communitiesOfUser(this.db, user.id),
      repo.gridsOfUser(this.db, user.id),
    ]);
    return {
      kind: 'user',
      id: user.id,
      username: user.username,
      name: user.display_name,
      role: user.role,
      communityIds,
      gridIds,
      ...(user.must_change_password === 1 ? { mustChangePassword: true } : {}),
    };
  }

  async residentPrincipal(residentId: string): Promise<Principal | null> {
    const r = await repo.findResidentById(this.db, residentId);
    // An erased record signs in as no one, even with a session started as it was being erased.
    if (!r || r.erased_at !== null) return null;
    return residentPrincipalOf(r);
  }

  /** Resolves an integration API key (kiosks, devices, Open311 clients), cached for a few seconds. */
  principalForApiKey(key: string): Promise<Principal | null> {
    const h = hashSecret(key);
    return this.apiKeys.get(h, async () => {
      const row = await repo.findApiKeyByHash(this.db, h);
      if (!row || row.revoked_at) return null;
      return {
        kind: 'api_key',
        id: row.id,
        name: row.name,
        communityId: row.community_id,
        scopes: JSON.parse(row.scopes_json) as string[],
      };
    });
  }

  /** Creates an API key and records it in the community's audit chain; the secret is shown once and stored hashed. */
  async createApiKey(
    communityId: string,
    name: string,
    scopes: string[],
    actor: Principal = SYSTEM,
    secret = `lk_${randomToken(24)}`,
  ) {
    const id = newId();
    const at = this.nowIso();
    const prefix = secret.slice(0, 7);
    await this.db.transaction().execute(async (trx) => {
      await repo.insertApiKey(trx, {
        id,
        community_id: communityId,
        name,
        prefix,
        key_hash: hashSecret(secret),
        scopes_json: JSON.stringify(scopes),
        created_at: at,
      });
      await appendAudit(trx, this.deps.database.dialect, {
        communityId,
        createdAt: at,
        actor: actorLabel(actor),
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: id,
        payload: { id, name, prefix, scopes },
      });
    });
    return { id, key: secret, prefix, name, scopes, communityId, createdAt: at };
  }

  /**
   * Revokes a key of one of the admin's communities and records it in the audit chain. This
   * node forgets the key at once; other nodes within `API_KEY_CACHE_MS`. A key that is unknown,
   * out of reach or already revoked answers not_found, and an earlier revocation keeps its time.
   */
  async revokeApiKey(admin: Extract<Principal, { kind: 'user' }>, id: string): Promise<void> {
    const k = await repo.findApiKeyById(this.db, id);
    if (!k || !admin.communityIds.includes(k.community_id) || k.revoked_at)
      throw new AppError('not_found', `api key ${id} was not found`, { id });
    const at = this.nowIso();
    this.apiKeys.invalidate(k.key_hash);
    await this.db.transaction().execute(async (trx) => {
      if (!(await repo.revokeApiKey(trx, k.id, at)))
        throw new AppError('not_found', `api key ${id} was not found`, { id });
      await announceStale(trx, [{ topic: 'api_key', key: k.key_hash }], this.deps.clock.now());
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: k.community_id,
        createdAt: at,
        actor: actorLabel(admin),
        action: 'api_key.revoked',
        entityType: 'api_key',
        entityId: k.id,
        payload: {
          id: k.id,
          name: k.name,
          prefix: k.prefix,
          scopes: JSON.parse(k.scopes_json) as string[],
        },
      });
    });
    // Again after the commit: a lookup that ran during the transaction may have read the live row.
    this.apiKeys.invalidate(k.key_hash);
  }
}
