import type { Kysely } from 'kysely';
import { announceStale } from '../../platform/cache/coherence.ts';
import { LoaderCache } from '../../platform/cache/loader-cache.ts';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, forbidden, invalidInput, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { actorLabel } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { listCommunities } from '../tenancy/tenancy.repository.ts';
import { allCategoryCodes } from '../taxonomy/taxonomy.default.ts';
import type { LatLng } from '../grids/geo.types.ts';
import { createMatchingIndex } from './matching.rank.ts';
import type { MatchingIndex } from './matching.rank.ts';
import type { Certificate, ResourceProfile, WeeklyHours } from './matching.types.ts';
import { communityFor, requireEditor } from './resource.access.ts';
import type { CommunityRow } from './resource.access.ts';
import {
  boundaryOf,
  checkCertificates,
  checkHours,
  columnsOf,
  profileOf,
  validateResource,
  weekFrom,
} from './resource.model.ts';
import type { CommunityArea, Problem, ResourceInput } from './resource.model.ts';
import { ResourceImporter } from './resource.importer.ts';
import { mayBeAssigned } from '../work-orders/work-order.policy.ts';
import type { StaffRole } from '../../platform/auth/principal.ts';
import * as repo from './resource.repository.ts';
import type { ResourceRow, StaffLink } from './resource.repository.ts';

/** A person who works for a resource, with what they can do and when. */
export interface StaffMember {
  userId: string;
  username: string;
  name: string;
  phone: string | null;
  active: boolean;
  skills: string[];
  certificates: Certificate[];
  /** Weekly on-duty hours; null follows the resource's hours (or its on-duty flag). */
  dutyHours: WeeklyHours | null;
}

/** One community's catalogue, prepared for matching. */
export interface CatalogueSnapshot {
  communityId: string;
  communityCode: string;
  center: LatLng;
  rows: ResourceRow[];
  profiles: ResourceProfile[];
  index: MatchingIndex;
  byCode: ReadonlyMap<string, ResourceRow>;
  staff: ReadonlyMap<string, StaffMember[]>;
  /** Staff user → the resource they work for. */
  resourceOfUser: ReadonlyMap<string, ResourceRow>;
}

/** How long a node trusts its cached catalogue before reloading (other nodes may have changed it). */
const SNAPSHOT_TTL_MS = 30_000;
const CATEGORY_CODES = new Set(allCategoryCodes());

const parseJson = <T>(json: string | null, fallback: T): T => (json ? (JSON.parse(json) as T) : fallback);

export class CatalogueService {
  private readonly cache = new LoaderCache<string, CatalogueSnapshot>({ ttlMs: SNAPSHOT_TTL_MS });

  private readonly importer: ResourceImporter;

  constructor(private readonly deps: Deps) {
    this.importer = new ResourceImporter(deps, this);
  }

  /** CSV or XLSX catalogue import, all or nothing; a dry run only reports. */
  async importFile(p: Principal, communityRef: string, file: Buffer, fileName: string, dryRun: boolean) {
    return this.importer.import(p, communityRef, file, fileName, dryRun);
  }

  private get db() {
    return this.deps.database.db;
  }

  /** Inside a change's transaction: every node's snapshot of the community is stale once it commits. */
  async staleInside(trx: Kysely<DB>, communityId: string): Promise<void> {
    await announceStale(trx, [{ topic: 'resources', key: communityId }], this.deps.clock.now());
  }

  invalidate(communityId?: string): void {
    this.cache.invalidate(communityId);
  }

  /**
   * The community's catalogue for matching. Pass the open transaction when called inside one:
   * SQLite has one connection, so a query outside the transaction would wait for it forever.
   */
  snapshot(communityId: string, executor: Kysely<DB> = this.db): Promise<CatalogueSnapshot> {
    return this.cache.get(communityId, () => this.load(communityId, executor), {
      shared: executor === this.db,
    });
  }

  private async load(communityId: string, executor: Kysely<DB>): Promise<CatalogueSnapshot> {
    const community = await executor
      .selectFrom('communities')
      .select(['id', 'code', 'center_lat', 'center_lng'])
      .where('id', '=', communityId)
      .executeTakeFirst();
    if (!community) throw notFound('community_not_found', 'community', communityId);
    const rows = await repo.resourcesOf(executor, communityId);
    const links = await repo.staffOfCommunity(executor, communityId);
    const caps = await repo.capabilitiesOf(executor, [...new Set(links.map((l) => l.user_id))]);
    return buildSnapshot(community, rows, links, caps);
  }

  async list(p: Principal, communityRef: string, includeInactive = false) {
    const c = await communityFor(this.db, p, communityRef);
    const rows = await repo.resourcesOf(this.db, c.id, { includeInactive });
    const staff = await repo.staffOf(
      this.db,
      rows.map((r) => r.id),
    );
    return { community: c, rows, staff };
  }

  async get(p: Principal, id: string) {
    const row = await repo.findResource(this.db, id);
    if (!row) throw notFound('not_found', 'resource', id);
    const c = await communityFor(this.db, p, row.community_id).catch(() => {
      throw notFound('not_found', 'resource', id);
    });
    return { community: c, row, staff: await repo.staffOf(this.db, [row.id]) };
  }

  /** Context for validating resources of one community (boundaries of all, so a misplaced one is named). */
  async checkContext(community: CommunityRow) {
    const all = await listCommunities(this.db);
    const areas: CommunityArea[] = all.map((c) => ({
      id: c.id,
      code: c.code,
      name: c.name,
      boundary: boundaryOf(c.boundary_json),
    }));
    const own = areas.find((a) => a.id === community.id) ?? {
      id: community.id,
      code: community.code,
      name: community.name,
      boundary: boundaryOf(community.boundary_json),
    };
    return { community: own, communities: areas, categoryCodes: CATEGORY_CODES };
  }

  /** Staff references (usernames or ids) → user ids, each serving the community. */
  async resolveStaff(communityId: string, refs: readonly string[], field = 'staff') {
    const problems: Problem[] = [];
    const byName = await repo.usersByUsername(this.db, [...refs]);
    const ids = refs.map((r) => byName.find((u) => u.username === r)?.id ?? r);
    const serving = await repo.communityUsers(this.db, communityId, ids);
    const userIds: string[] = [];
    refs.forEach((ref, i) => {
      const u = serving.find((s) => s.id === ids[i]);
      if (!u || u.active !== 1) {
        problems.push({ field: `${field}[${i}]`, message: `${ref} is not a staff member of this community` });
      } else if (!['provider', 'grid_worker'].includes(u.role)) {
        problems.push({ field: `${field}[${i}]`, message: `${ref} is a ${u.role}, not field staff` });
      } else userIds.push(u.id);
    });
    return { userIds, problems };
  }

  async create(p: Principal, communityRef: string, input: ResourceInput) {
    const c = await communityFor(this.db, p, communityRef);
    requireEditor(p, c.id);
    const { problems, serviceArea } = validateResource(input, await this.checkContext(c));
    const staff = await this.resolveStaff(c.id, input.staff ?? []);
    problems.push(...staff.problems);
    if (await repo.findResourceByCode(this.db, c.id, input.code)) {
      problems.push({
        field: 'code',
        message: `a resource with code ${input.code} exists in this community`,
      });
    }
    if (problems.length || !serviceArea) throw refused(problems);
    const at = this.deps.clock.now().toISOString();
    const row: ResourceRow = {
      id: newId(),
      community_id: c.id,
      ...columnsOf(input, serviceArea),
      active: 1,
      version: 1,
      created_at: at,
      updated_at: at,
    };
    await this.db.transaction().execute(async (trx) => {
      await repo.insertResource(trx, row);
      await repo.replaceStaff(trx, row.id, staff.userIds);
      await this.staleInside(trx, c.id);
      await this.audit(trx, p, c.id, 'resource.created', row.id, { code: row.code, at });
    });
    this.invalidate(c.id);
    return this.get(p, row.id);
  }

  async update(p: Principal, id: string, version: number, input: ResourceInput) {
    const { community: c, row } = await this.get(p, id);
    requireEditor(p, c.id);
    const { problems, serviceArea } = validateResource(input, await this.checkContext(c));
    const staff = await this.resolveStaff(c.id, input.staff ?? []);
    problems.push(...staff.problems);
    if (input.code !== row.code && (await repo.findResourceByCode(this.db, c.id, input.code))) {
      problems.push({
        field: 'code',
        message: `a resource with code ${input.code} exists in this community`,
      });
    }
    if (problems.length || !serviceArea) throw refused(problems);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const ok = await repo.updateResourceIfVersion(trx, id, version, {
        ...columnsOf(input, serviceArea),
        updated_at: at,
      });
      if (!ok) throw versionConflict(version, row.version);
      if (input.staff !== undefined) await repo.replaceStaff(trx, id, staff.userIds);
      await this.staleInside(trx, c.id);
      await this.audit(trx, p, c.id, 'resource.updated', id, { code: input.code, version: version + 1 });
    });
    this.invalidate(c.id);
    return this.get(p, id);
  }

  /** Retires a resource (kept for the history of past dispatches, no longer a candidate). */
  async deactivate(p: Principal, id: string, version: number) {
    const { community: c, row } = await this.get(p, id);
    requireEditor(p, c.id);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const ok = await repo.updateResourceIfVersion(trx, id, version, { active: 0, updated_at: at });
      if (!ok) throw versionConflict(version, row.version);
      await this.staleInside(trx, c.id);
      await this.audit(trx, p, c.id, 'resource.deactivated', id, { code: row.code });
    });
    this.invalidate(c.id);
  }

  async capability(p: Principal, userId: string) {
    const user = await this.staffUser(p, userId);
    const [cap] = await repo.capabilitiesOf(this.db, [user.id]);
    return { user, cap };
  }

  async setCapability(
    p: Principal,
    userId: string,
    input: { skills: string[]; certificates: Certificate[]; dutyHours: Partial<WeeklyHours> | null },
  ) {
    const user = await this.staffUser(p, userId);
    // A person's skills, certificates and duty hours are matched in every community they serve:
    // only who edits the catalogue of each of them changes them (as only who administers each
    // changes their account), and each community's chain records it.
    const served = await repo.communitiesOfUser(this.db, user.id);
    if (p.kind !== 'user' || !served.every((c) => p.communityIds.includes(c)))
      throw forbidden('this person also serves communities you do not administer');
    for (const c of served) requireEditor(p, c);
    const problems = [
      ...checkCertificates(input.certificates, 'certificates'),
      ...(input.dutyHours ? checkHours(input.dutyHours, 'dutyHours') : []),
    ];
    if (problems.length) throw refused(problems);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await repo.upsertCapability(trx, {
        user_id: user.id,
        skills_json: JSON.stringify(input.skills),
        certificates_json: JSON.stringify(input.certificates),
        duty_hours_json: input.dutyHours ? JSON.stringify(weekFrom(input.dutyHours)) : null,
        updated_at: at,
      });
      for (const c of served) {
        await this.staleInside(trx, c);
        await this.audit(trx, p, c, 'staff.capability_set', user.id, {
          skills: input.skills,
          certificates: input.certificates.length,
        });
      }
    });
    for (const c of served) this.invalidate(c);
    return this.capability(p, userId);
  }

  private async staffUser(p: Principal, userId: string) {
    if (p.kind !== 'user') throw notFound('not_found', 'staff member', userId);
    for (const communityId of p.communityIds) {
      const [u] = await repo.communityUsers(this.db, communityId, [userId]);
      if (u) return { id: u.id, username: u.username, name: u.display_name, role: u.role, communityId };
    }
    throw notFound('not_found', 'staff member', userId);
  }

  async audit(
    trx: Kysely<DB>,
    p: Principal,
    communityId: string,
    action: string,
    entityId: string,
    payload: Record<string, unknown>,
  ): Promise<void> {
    await appendAudit(trx, this.deps.database.dialect, {
      communityId,
      createdAt: this.deps.clock.now().toISOString(),
      actor: actorLabel(p),
      action,
      entityType: action.split('.')[0] ?? 'resource',
      entityId,
      payload,
    });
  }
}

export function refused(problems: Problem[]): AppError {
  const first = problems[0];
  if (problems.length === 1 && first) return invalidInput(first.field, first.message);
  return new AppError(
    'validation_failed',
    `${problems.length} problems: ${problems
      .slice(0, 3)
      .map((x) => `${x.field}: ${x.message}`)
      .join('; ')}`,
    { field: first?.field, problems: problems.slice(0, 200) },
  );
}

const versionConflict = (expected: number, current: number) =>
  new AppError('version_conflict', 'the resource changed since you loaded it: reload and try again', {
    expected,
    current,
  });

function buildSnapshot(
  community: { id: string; code: string; center_lat: number; center_lng: number },
  rows: ResourceRow[],
  links: Array<StaffLink & { role: string }>,
  caps: repo.StaffCapabilityRow[],
): CatalogueSnapshot {
  const profiles = rows.map((r) => profileOf(r, community.code));
  const capOf = new Map(caps.map((c) => [c.user_id, c]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const staff = new Map<string, StaffMember[]>();
  const resourceOfUser = new Map<string, ResourceRow>();
  for (const l of links) {
    // Someone whose role was changed to one that cannot start and resolve orders is no candidate.
    if (!mayBeAssigned(l.role as StaffRole)) continue;
    const cap = capOf.get(l.user_id);
    const member: StaffMember = {
      userId: l.user_id,
      username: l.username,
      name: l.display_name,
      phone: l.phone,
      active: l.active === 1,
      skills: parseJson<string[]>(cap?.skills_json ?? null, []),
      certificates: parseJson<Certificate[]>(cap?.certificates_json ?? null, []),
      dutyHours: cap?.duty_hours_json
        ? weekFrom(parseJson<Partial<WeeklyHours>>(cap.duty_hours_json, {}))
        : null,
    };
    staff.set(l.resource_id, [...(staff.get(l.resource_id) ?? []), member]);
    const r = byId.get(l.resource_id);
    if (r && !resourceOfUser.has(l.user_id)) resourceOfUser.set(l.user_id, r);
  }
  return {
    communityId: community.id,
    communityCode: community.code,
    center: { lat: community.center_lat, lng: community.center_lng },
    rows,
    profiles,
    index: createMatchingIndex(profiles),
    byCode: new Map(rows.map((r) => [r.code, r])),
    staff,
    resourceOfUser,
  };
}
