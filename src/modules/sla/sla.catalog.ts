/**
 * SLA policies, business calendars and holiday files as data: admin edits with validation, and
 * the runtime view the engine reads (policies, calendars with their region's holidays applied),
 * cached briefly and dropped on every local edit. Who may read and change what is decided in
 * `sla.access.ts`; every change is audited in each community it affects.
 */
import type { Kysely } from 'kysely';
import { announceStale } from '../../platform/cache/coherence.ts';
import { LoaderCache } from '../../platform/cache/loader-cache.ts';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { CHANNELS } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { allCategoryCodes } from '../taxonomy/taxonomy.default.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { listCommunities } from '../tenancy/tenancy.repository.ts';
import { validateCalendar } from './calendar.ts';
import type { BusinessCalendar, BusinessCalendarInput } from './calendar.ts';
import { parseHolidayFile } from './holidays.ts';
import type { HolidayFile } from './holidays.ts';
import { MAX_TARGET_MINUTES, unreachableTargets, validatePolicies } from './sla.policy.ts';
import {
  affectedCommunities,
  findInView,
  inView,
  mayContinueInto,
  maySeePolicy,
  requireAdmin,
  requireScope,
  requireSharedEditor,
  scopeOf,
  viewsTouched,
} from './sla.access.ts';
import type { Admin, SlaScope } from './sla.access.ts';
import type { SlaIssue } from './sla.errors.ts';
import {
  calendarInputFromRow,
  effectiveCalendar,
  holidayFilesByRegion,
  policyFromRow,
  policyToRow,
} from './sla.metrics.ts';
import type { StoredPolicy } from './sla.metrics.ts';
import * as repo from './sla.repository.ts';
import type { SlaCalendarTable } from './sla.tables.ts';

export interface SlaRuntime {
  policies: StoredPolicy[];
  /** The policy `id` as seen from a community (its own, else a shared one): where chains continue. */
  policyIn(view: SlaScope, id: string): StoredPolicy | undefined;
  calendars: Map<string, BusinessCalendar>;
}

export type PolicyInput = Omit<StoredPolicy, 'id' | 'escalationStepMinutes'> & {
  id?: string | undefined;
  escalationStepMinutes?: number | undefined;
};

export type CalendarInput = BusinessCalendarInput & { holidayRegion?: string | null | undefined };

const CACHE_MS = 10_000;
const DEFAULT_STEP_MINUTES = 120;
const REGION = /^[a-z]{2,8}$/;
const CATEGORY_CODES = new Set(allCategoryCodes());

/** The first issue as a typed API error naming its field; all issues travel in the details. */
export function refuse(issues: SlaIssue[], prefix?: string): AppError {
  const strip = (f: string) => (prefix && f.startsWith(prefix) ? f.slice(prefix.length) : f);
  const first = issues[0];
  return new AppError('validation_failed', first?.message ?? 'invalid', {
    field: strip(first?.field ?? ''),
    code: first?.code,
    issues: issues.slice(0, 20).map((i) => ({ ...i, field: strip(i.field) })),
  });
}

/** The business-minute spans a policy asks its calendar to place, by field. */
function targetsOf(p: StoredPolicy): Record<string, number | undefined> {
  return {
    firstResponseMinutes: p.firstResponseMinutes,
    resolutionMinutes: p.resolutionMinutes,
    updateIntervalMinutes: p.updateIntervalMinutes,
    escalationStepMinutes: p.escalationStepMinutes,
  };
}

/** Re-times the open orders on calendars that changed, inside the change's transaction. */
export type CalendarsChanged = (
  trx: Kysely<DB>,
  calendars: ReadonlyMap<string, BusinessCalendar>,
  at: string,
) => Promise<unknown>;

export class SlaCatalog {
  private readonly cache = new LoaderCache<'runtime', SlaRuntime>({ ttlMs: CACHE_MS });
  private calendarsChanged: CalendarsChanged = async () => undefined;

  constructor(private readonly deps: Deps) {}

  private get db() {
    return this.deps.database.db;
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  /** Who re-times the open orders when calendars change (the SLA service). */
  onCalendarsChanged(handler: CalendarsChanged): void {
    this.calendarsChanged = handler;
  }

  /** Holiday files by region: the shipped CN years, overridden by imported ones. */
  private async holidayFiles(db: Kysely<DB>): Promise<Map<string, HolidayFile[]>> {
    return holidayFilesByRegion(await repo.listHolidayFiles(db));
  }

  /** Policies and effective calendars; pass the transaction when called inside one. */
  runtime(db: Kysely<DB> = this.db): Promise<SlaRuntime> {
    return this.cache.get('runtime', () => this.load(db), { shared: db === this.db });
  }

  private async load(db: Kysely<DB>): Promise<SlaRuntime> {
    const [policyRows, calendarRows, files] = await Promise.all([
      repo.listPolicyRows(db),
      repo.listCalendarRows(db),
      this.holidayFiles(db),
    ]);
    const policies = policyRows.map(policyFromRow);
    const calendars = new Map<string, BusinessCalendar>();
    for (const row of calendarRows) {
      calendars.set(
        row.id,
        effectiveCalendar(row, row.holiday_region ? (files.get(row.holiday_region) ?? []) : []),
      );
    }
    const byKey = new Map(policies.map((p) => [`${scopeOf(p) ?? ''}\u0000${p.id}`, p]));
    const policyIn = (view: SlaScope, id: string) =>
      byKey.get(`${view ?? ''}\u0000${id}`) ?? byKey.get(`\u0000${id}`);
    return { policies, policyIn, calendars };
  }

  private async allPolicies(): Promise<StoredPolicy[]> {
    return (await repo.listPolicyRows(this.db)).map(policyFromRow);
  }

  private async allCommunityIds(): Promise<string[]> {
    return (await listCommunities(this.db)).map((c) => c.id);
  }

  /** The shared policies and those of the communities the caller serves. */
  async listPolicies(p: Principal): Promise<StoredPolicy[]> {
    return (await this.allPolicies()).filter((x) => maySeePolicy(p, scopeOf(x)));
  }

  /**
   * One policy by id, among those the caller may see. Ids are unique per community (its own
   * policies and the shared ones), so a caller who serves several communities may see two
   * policies of one id: `community` then says which community's view to look in. Another
   * community's policy answers as not found, so its ids leak nothing.
   */
  async getPolicy(p: Principal, id: string, community?: string): Promise<StoredPolicy> {
    const all = await this.allPolicies();
    const found =
      community === undefined
        ? all.filter((x) => x.id === id && maySeePolicy(p, scopeOf(x)))
        : maySeePolicy(p, community)
          ? [findInView(all, community, id)].filter((x): x is StoredPolicy => x !== undefined)
          : [];
    if (found.length > 1)
      throw new AppError(
        'validation_failed',
        `several of your communities have a policy ${id}: say which (community)`,
        { field: 'community', communityIds: found.map((x) => x.communityId ?? null) },
      );
    const one = found[0];
    if (!one) throw notFound('not_found', 'SLA policy', id);
    return one;
  }

  /**
   * Checks a policy against the views it joins or leaves (the communities whose orders it may
   * govern): fields, scopes, calendars, chains that end, and an id no other policy of those
   * views has. `replacing` is the scope of the policy it replaces, on an update.
   */
  private async check(
    p: Principal,
    input: PolicyInput,
    id: string,
    allCommunityIds: readonly string[],
    replacing?: SlaScope,
  ): Promise<StoredPolicy> {
    if (input.category !== '*' && !CATEGORY_CODES.has(input.category))
      throw new AppError('validation_failed', `unknown category "${input.category}"`, { field: 'category' });
    if (input.channel !== undefined && !(CHANNELS as readonly string[]).includes(input.channel))
      throw new AppError('validation_failed', `unknown channel "${input.channel}"`, { field: 'channel' });
    const step = input.escalationStepMinutes ?? DEFAULT_STEP_MINUTES;
    if (!(Number.isFinite(step) && step > 0 && step <= MAX_TARGET_MINUTES))
      throw new AppError(
        'validation_failed',
        `escalationStepMinutes must be a positive number of minutes, at most ${MAX_TARGET_MINUTES} (a year)`,
        { field: 'escalationStepMinutes' },
      );
    const policy: StoredPolicy = { ...input, id, escalationStepMinutes: step };
    if (policy.channel === undefined) delete policy.channel;
    if (policy.communityId === undefined) delete policy.communityId;
    if (policy.updateIntervalMinutes === undefined) delete policy.updateIntervalMinutes;
    const scope = scopeOf(policy);
    const others = (await this.allPolicies()).filter(
      (x) => !(replacing !== undefined && x.id === id && scopeOf(x) === replacing),
    );
    // Another policy of the same id in a view this one joins: the caller administers every such
    // view (its own community and the shared set, or every community for a shared policy).
    const clash = scope === null ? others.find((x) => x.id === id) : findInView(others, scope, id);
    if (clash) throw new AppError('conflict', `an SLA policy ${id} already exists`, { field: 'id' });
    // A chain that continues with another policy: one this policy's view holds (its community's
    // own or a shared one). Another community's answers as unknown unless the editor sees it.
    const last = policy.escalationChain[policy.escalationChain.length - 1];
    if (typeof last === 'object' && last !== null && 'next' in last) {
      const field = `escalationChain.${policy.escalationChain.length - 1}.next`;
      const target = findInView(others, scope, last.next);
      if (!target) {
        const elsewhere = others.some((x) => x.id === last.next && maySeePolicy(p, scopeOf(x)));
        if (elsewhere)
          throw new AppError(
            'validation_failed',
            `a chain continues only with a shared policy or one of its own community, not ${last.next}`,
            { field },
          );
        throw new AppError('validation_failed', `no SLA policy ${last.next} to continue with`, { field });
      }
      if (!mayContinueInto(scope, scopeOf(target)))
        throw new AppError(
          'validation_failed',
          `a chain continues only with a shared policy or one of its own community, not ${last.next}`,
          { field },
        );
    }
    const calendars = (await repo.listCalendarRows(this.db)).map((c) => c.id);
    const next = [...others, policy];
    const touched = viewsTouched(replacing === undefined ? [scope] : [scope, replacing], allCommunityIds);
    for (const view of touched) {
      const members = inView(next, view);
      const checked = validatePolicies(members, { calendarIds: calendars });
      if (!checked.ok) throw refuse(checked.errors, `policies[${members.length - 1}].`);
    }
    const calendar = (await this.runtime()).calendars.get(policy.calendarId);
    const unreachable = calendar
      ? unreachableTargets(calendar, this.deps.clock.now().getTime(), targetsOf(policy))
      : [];
    if (unreachable.length > 0) throw refuse(unreachable);
    return { ...policy, warnAtRatio: policy.warnAtRatio ?? 0.75 };
  }

  /** A community's policy by one of its admins; a shared one (no community) by an admin of every community. */
  async createPolicy(p: Principal, input: PolicyInput): Promise<StoredPolicy> {
    const admin = requireAdmin(p);
    const all = await this.allCommunityIds();
    requireScope(admin, scopeOf(input), all);
    const id =
      input.id ??
      `${input.category}-${input.priorityBand}-${Date.now().toString(36)}`.replace(/[^\w.-]/g, '_');
    const policy = await this.check(admin, input, id, all);
    const at = this.deps.clock.now().toISOString();
    const affected = affectedCommunities([scopeOf(policy)], all);
    await this.db.transaction().execute(async (trx) => {
      await repo.insertPolicy(trx, policyToRow(policy, at));
      await this.audit(trx, admin, affected, 'sla.policy_created', id, policy, at);
    });
    this.invalidate();
    return policy;
  }

  /**
   * Replaces a policy. The caller must be allowed to edit both the scope it had and the one it
   * gets, so moving it to another community, or making it shared, needs an admin of both.
   */
  async updatePolicy(
    p: Principal,
    id: string,
    input: PolicyInput,
    community?: string,
  ): Promise<StoredPolicy> {
    const admin = requireAdmin(p);
    const before = await this.getPolicy(admin, id, community);
    const all = await this.allCommunityIds();
    const scopes = [scopeOf(before), scopeOf(input)];
    for (const scope of scopes) requireScope(admin, scope, all);
    const policy = await this.check(admin, input, id, all, scopeOf(before));
    const at = this.deps.clock.now().toISOString();
    const affected = affectedCommunities(scopes, all);
    await this.db.transaction().execute(async (trx) => {
      await repo.updatePolicy(trx, scopeOf(before) ?? '', policyToRow(policy, at));
      await this.audit(trx, admin, affected, 'sla.policy_updated', id, policy, at);
    });
    this.invalidate();
    return policy;
  }

  async deletePolicy(p: Principal, id: string, community?: string): Promise<void> {
    const admin = requireAdmin(p);
    const before = await this.getPolicy(admin, id, community);
    const all = await this.allCommunityIds();
    const scope = scopeOf(before);
    requireScope(admin, scope, all);
    const rest = (await this.allPolicies()).filter((x) => !(x.id === id && scopeOf(x) === scope));
    for (const view of viewsTouched([scope], all)) {
      const checked = validatePolicies(inView(rest, view));
      if (!checked.ok)
        throw new AppError('conflict', `another policy's escalation chain continues with ${id}`, {
          field: 'id',
          issues: checked.errors.slice(0, 5),
        });
    }
    const at = this.deps.clock.now().toISOString();
    const affected = affectedCommunities([scope], all);
    await this.db.transaction().execute(async (trx) => {
      await repo.deletePolicy(trx, scope ?? '', id);
      await this.audit(trx, admin, affected, 'sla.policy_deleted', id, before, at);
    });
    this.invalidate();
  }

  async listCalendars(): Promise<Array<CalendarInput & { holidayRegion: string | null }>> {
    return (await repo.listCalendarRows(this.db)).map(calendarInputFromRow);
  }

  /**
   * Creates or replaces a calendar after validation (overlapping or inverted periods, bad dates,
   * zones). Calendars are shared by every community, so only an admin of all of them does this.
   */
  async putCalendar(
    p: Principal,
    input: CalendarInput,
  ): Promise<CalendarInput & { holidayRegion: string | null }> {
    const admin = requireAdmin(p);
    const all = await this.allCommunityIds();
    requireSharedEditor(admin, all);
    const { holidayRegion, ...cal } = input;
    const checked = validateCalendar(cal);
    if (!checked.ok) throw refuse(checked.errors);
    if (holidayRegion !== undefined && holidayRegion !== null && !REGION.test(holidayRegion))
      throw new AppError('validation_failed', 'holidayRegion is a short lower-case region code such as cn', {
        field: 'holidayRegion',
      });
    const v = checked.value;
    const at = this.deps.clock.now().toISOString();
    const existing = (await repo.listCalendarRows(this.db)).find((c) => c.id === v.id);
    const row: SlaCalendarTable = {
      id: v.id,
      name: v.name,
      time_zone: v.timeZone,
      mode: v.mode,
      weekly_json: JSON.stringify(v.weekly),
      holidays_json: JSON.stringify(v.holidays),
      workdays_json: JSON.stringify(v.workdays),
      workday_hours_from: v.workdayHoursFrom,
      holiday_region: holidayRegion ?? null,
      created_at: existing?.created_at ?? at,
      updated_at: at,
    };
    const calendar = await this.refuseStranding(row, at);
    await this.db.transaction().execute(async (trx) => {
      await repo.upsertCalendar(trx, row);
      await this.calendarsChanged(trx, new Map([[row.id, calendar]]), at);
      const action = existing ? 'sla.calendar_updated' : 'sla.calendar_created';
      await this.audit(trx, admin, all, action, v.id, row, at);
    });
    this.invalidate();
    return calendarInputFromRow(row);
  }

  /**
   * Refuses a calendar on which a policy that uses it could no longer place a deadline (hours cut
   * to less working time in ten years than its target): every order of that policy would fail.
   */
  private async refuseStranding(row: SlaCalendarTable, at: string): Promise<BusinessCalendar> {
    const files = row.holiday_region
      ? ((await this.holidayFiles(this.db)).get(row.holiday_region) ?? [])
      : [];
    const calendar = effectiveCalendar(row, files);
    const from = Date.parse(at);
    for (const policy of await this.allPolicies()) {
      if (policy.calendarId !== row.id) continue;
      const unreachable = unreachableTargets(calendar, from, targetsOf(policy));
      if (unreachable.length === 0) continue;
      throw new AppError(
        'validation_failed',
        `policy ${policy.id} could no longer place its deadlines: ${unreachable[0]?.message ?? ''}`,
        { field: 'weekly', policyId: policy.id, communityId: policy.communityId ?? null },
      );
    }
    return calendar;
  }

  /**
   * Imports (or replaces) a region's holiday file for one year; refuses a file for another year.
   * Every calendar of the region follows it, so only an admin of every community does this.
   */
  async importHolidays(p: Principal, region: string, year: number, json: unknown): Promise<HolidayFile> {
    const admin = requireAdmin(p);
    const all = await this.allCommunityIds();
    requireSharedEditor(admin, all);
    if (!REGION.test(region))
      throw new AppError('validation_failed', 'region is a short lower-case code such as cn', {
        field: 'region',
      });
    const parsed = parseHolidayFile(json, year);
    if (!parsed.ok) throw refuse(parsed.errors);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await repo.upsertHolidayFile(trx, {
        region,
        year,
        file_json: JSON.stringify(parsed.value),
        provisional: parsed.value.provisional ? 1 : 0,
        imported_at: at,
        imported_by: admin.username,
      });
      // Every calendar of the region follows the new file, from this transaction's view of the files.
      const files = (await this.holidayFiles(trx)).get(region) ?? [];
      const calendars = new Map(
        (await repo.listCalendarRows(trx))
          .filter((c) => c.holiday_region === region)
          .map((c) => [c.id, effectiveCalendar(c, files)] as const),
      );
      await this.calendarsChanged(trx, calendars, at);
      await this.audit(trx, admin, all, 'sla.holidays_imported', `${region}:${year}`, parsed.value, at);
    });
    this.invalidate();
    return parsed.value;
  }

  async holidayFilesList(): Promise<
    Array<{ region: string; year: number; file: HolidayFile; imported: boolean }>
  > {
    const imported = new Set((await repo.listHolidayFiles(this.db)).map((r) => `${r.region}:${r.year}`));
    const files = await this.holidayFiles(this.db);
    return [...files.entries()].flatMap(([region, list]) =>
      list
        .sort((a, b) => a.year - b.year)
        .map((file) => ({ region, year: file.year, file, imported: imported.has(`${region}:${file.year}`) })),
    );
  }

  /** Appends the change to the chain of each community it affects (not those of the editor). */
  private async audit(
    trx: Kysely<DB>,
    admin: Admin,
    communityIds: readonly string[],
    action: string,
    id: string,
    payload: unknown,
    at: string,
  ) {
    // Every change of the catalogue is audited here: every node's cached copy is stale once it commits.
    await announceStale(trx, [{ topic: 'sla_catalog', key: '*' }], new Date(at));
    for (const communityId of communityIds) {
      await appendAudit(trx, this.deps.database.dialect, {
        communityId,
        createdAt: at,
        actor: `user:${admin.username}`,
        action,
        entityType: 'sla_settings',
        entityId: id,
        payload,
      });
    }
  }
}
