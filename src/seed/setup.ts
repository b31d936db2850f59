/**
 * `linli setup`: the first community of a real deployment (no demo) and its first admin, so that
 * someone can sign in and do the rest through the apps and the API (grids, staff, residents,
 * resources). It lays down the baseline first (categories, SLA defaults). Run it again to add
 * another community: an admin username that exists already is given the new community too.
 */
import type { Database } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';
import { hashPassword } from '../platform/auth/password.ts';
import { newId } from '../platform/ids.ts';
import { appendAudit } from '../modules/audit/audit.repository.ts';
import { isValidTimeZone } from '../modules/sla/zone.ts';
import { passwordProblem } from '../modules/staff/staff.policy.ts';
import { madeUpPassword } from '../modules/staff/staff.service.ts';
import { ensureBaseline } from './baseline.ts';
import { addCommunities, insertUser } from '../modules/staff/staff.repository.ts';
import { announceStale } from '../platform/cache/coherence.ts';

export interface SetupInput {
  streetCode: string;
  streetName: string;
  communityCode: string;
  communityName: string;
  communityNameEn?: string | undefined;
  center: { lat: number; lng: number };
  timeZone: string;
  adminUsername: string;
  adminName: string;
  /** Absent: one is made up and returned once. */
  adminPassword?: string | undefined;
}

export interface SetupResult {
  communityId: string;
  streetCreated: boolean;
  adminCreated: boolean;
  /** Only when the admin was created without a given password. */
  adminPassword?: string;
  /** The admin's name as kept: an admin who existed keeps theirs (and their password). */
  adminName: string;
}

const CODE = /^[a-z][a-z0-9-]{1,31}$/;
const USERNAME = /^[a-z][a-z0-9_.-]{2,31}$/;

/** What is wrong with the input, field by field (empty when it may be used). */
export function setupProblems(i: SetupInput): Array<{ field: string; message: string }> {
  const p: Array<{ field: string; message: string }> = [];
  if (!CODE.test(i.streetCode))
    p.push({ field: 'street', message: 'a lower-case code of 2–32 letters, digits or -' });
  if (!CODE.test(i.communityCode))
    p.push({ field: 'community', message: 'a lower-case code of 2–32 letters, digits or -' });
  if (!i.streetName.trim()) p.push({ field: 'street-name', message: 'required' });
  if (!i.communityName.trim()) p.push({ field: 'name', message: 'required' });
  if (i.communityNameEn !== undefined && !i.communityNameEn.trim())
    p.push({ field: 'name-en', message: 'a name, or leave the option out (the name is used)' });
  const { lat, lng } = i.center;
  if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180))
    p.push({ field: 'center', message: 'LAT,LNG in degrees' });
  if (!isValidTimeZone(i.timeZone))
    p.push({ field: 'time-zone', message: `unknown time zone "${i.timeZone}"` });
  if (!USERNAME.test(i.adminUsername))
    p.push({ field: 'admin', message: 'a lower-case username of 3–32 letters, digits, _ . or -' });
  if (!i.adminName.trim())
    p.push({ field: 'admin-name', message: 'a name, or leave the option out (the username is used)' });
  if (i.adminPassword !== undefined) {
    const weak = passwordProblem(i.adminPassword, i.adminUsername);
    if (weak) p.push({ field: 'LINLI_ADMIN_PASSWORD', message: weak.message });
  }
  return p;
}

export async function setUpCommunity(database: Database, input: SetupInput, now: Date): Promise<SetupResult> {
  const problems = setupProblems(input);
  if (problems.length)
    throw new AppError('invalid_input', problems.map((x) => `${x.field}: ${x.message}`).join('; '), {
      field: problems[0]?.field,
      problems,
    });
  await ensureBaseline(database, now);
  const at = now.toISOString();
  const made = input.adminPassword === undefined ? madeUpPassword() : undefined;
  const passwordHash = await hashPassword(input.adminPassword ?? (made as string));
  return database.db.transaction().execute(async (trx) => {
    if (
      await trx
        .selectFrom('communities')
        .select('id')
        .where('code', '=', input.communityCode)
        .executeTakeFirst()
    )
      throw new AppError('conflict', `community ${input.communityCode} exists already`, {
        field: 'community',
      });
    let street: { id: string; name?: string } | undefined = await trx
      .selectFrom('streets')
      .select(['id', 'name'])
      .where('code', '=', input.streetCode)
      .executeTakeFirst();
    // The name given for a street that exists must be its name: it was silently left unused.
    if (street && street.name !== input.streetName)
      throw new AppError(
        'conflict',
        `street ${input.streetCode} exists already, named ${street.name ?? ''}: give that --street-name, or another --street code for a new street`,
        { field: 'street-name' },
      );
    const streetCreated = !street;
    if (!street) {
      street = { id: newId() };
      await trx
        .insertInto('streets')
        .values({
          id: street.id,
          code: input.streetCode,
          name: input.streetName,
          name_en: input.streetName,
          created_at: at,
        })
        .execute();
    }
    const communityId = newId();
    await trx
      .insertInto('communities')
      .values({
        id: communityId,
        street_id: street.id,
        code: input.communityCode,
        name: input.communityName,
        name_en: input.communityNameEn ?? input.communityName,
        center_lat: input.center.lat,
        center_lng: input.center.lng,
        boundary_json: null,
        time_zone: input.timeZone,
        contacts_json: '{}',
        created_at: at,
      })
      .execute();
    const existing = await trx
      .selectFrom('users')
      .select(['id', 'role', 'display_name'])
      .where('username', '=', input.adminUsername)
      .executeTakeFirst();
    if (existing && existing.role !== 'admin')
      throw new AppError('conflict', `${input.adminUsername} exists and is not an admin`, { field: 'admin' });
    const adminId = existing
      ? existing.id
      : await insertUser(trx, {
          username: input.adminUsername,
          name: input.adminName,
          role: 'admin',
          phone: null,
          passwordHash,
          at,
          communityIds: [],
          mustChangePassword: made !== undefined,
        });
    await addCommunities(trx, adminId, [communityId]);
    // A server running on this database serves the admin the new community within a second.
    if (existing) await announceStale(trx, [{ topic: 'user', key: adminId }], new Date(at));
    const dialect = database.dialect;
    const entry = { communityId, createdAt: at, actor: 'system:setup' };
    await appendAudit(trx, dialect, {
      ...entry,
      action: 'community.created',
      entityType: 'community',
      entityId: communityId,
      payload: {
        code: input.communityCode,
        name: input.communityName,
        street: input.streetCode,
        timeZone: input.timeZone,
      },
    });
    await appendAudit(trx, dialect, {
      ...entry,
      action: existing ? 'user.updated' : 'user.created',
      entityType: 'user',
      entityId: adminId,
      payload: { username: input.adminUsername, role: 'admin', communityIds: [communityId] },
    });
    return {
      communityId,
      streetCreated,
      adminCreated: !existing,
      adminName: existing ? existing.display_name : input.adminName,
      ...(made && !existing ? { adminPassword: made } : {}),
    };
  });
}
