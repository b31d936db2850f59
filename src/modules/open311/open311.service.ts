/**
 * Open311 GeoReport v2 on top of the work-order service: jurisdictions are communities, services
 * are categories, a POST is one more intake channel (`open311`) through the same pipeline as
 * every other, and the public listings go through the Open311 presenter's privacy rules.
 */
import { createHash } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import type { Deps } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import { actorLabel } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { canonicalJson } from '../audit/canonical-json.ts';
import { findIdempotent } from '../work-orders/work-order.repository.ts';
import { randomToken } from '../../platform/ids.ts';
import { findCommunity } from '../tenancy/tenancy.repository.ts';
import type { WorkOrderService } from '../work-orders/work-order.service.ts';
import { DEFAULT_SERVICE_SETTINGS } from './open311.defaults.ts';
import { badRequest, forbidden, notFound } from './open311.errors.ts';
import { readCreateForm } from './open311.intake.ts';
import { parseIds, parsePaging, parseRequestsQuery, parseUpdatesQuery } from './open311.query.ts';
import type { RawRequestsQuery } from './open311.query.ts';
import {
  presentDefinition,
  presentRequest,
  presentService,
  presentUpdate,
  serviceNotice,
} from './open311.presenter.ts';
import type { CommunityInfo, PresentContext } from './open311.presenter.ts';
import * as repo from './open311.repository.ts';
import type { RequestRow } from './open311.repository.ts';
import type {
  CreatedView,
  CreateRequestBody,
  RequestUpdateView,
  RequestView,
  ServiceDefinitionView,
  ServiceView,
  TokenView,
} from './open311.schema.ts';
import { ADDRESS_PRECISIONS, CategoryQuestionSchema } from './open311.types.ts';
import type { AddressPrecision, CategoryQuestion, Locale, ServiceEntry, Viewer } from './open311.types.ts';

export const OPEN311_SCOPE = 'open311';
export const PRIVATE_SCOPE = 'private_categories';
const SERVICES_TTL_MS = 15_000;
const HOUR = 3_600_000;
/** How long after a POST an identical one without an idempotency key is taken for its retry. */
export const RETRY_WINDOW_MS = 120_000;
const JURISDICTION_REQUIRED =
  'jurisdiction_id: required: this endpoint serves several jurisdictions (a community code, e.g. from discovery)';

/** When an order can be expected to be fulfilled. */
export type ExpectedTimes = (rows: readonly RequestRow[]) => Promise<Map<string, number | null>>;

const NOMINAL_MS: Record<string, number> = { critical: 2 * HOUR, high: 24 * HOUR, normal: 5 * 24 * HOUR };
const NO_EXPECTATION = new Set(['referred', 'duplicate', 'not_actionable', 'cancelled']);

/** Nominal targets per urgency (critical: hours, high: same day, normal: days, low: none). */
export function nominalExpected(o: RequestRow): number | null {
  const ms = NOMINAL_MS[o.urgency];
  return ms === undefined || NO_EXPECTATION.has(o.status) ? null : Date.parse(o.created_at) + ms;
}

/** The SLA module's resolution deadline where it has one, else the nominal target of the urgency. */
export function slaExpectedTimes(database: Database): ExpectedTimes {
  return async (rows) => {
    const due = await repo.resolutionDue(
      database.db,
      rows.map((r) => r.id),
    );
    const out = new Map<string, number | null>();
    for (const o of rows) {
      const d = due.get(o.id);
      out.set(o.id, NO_EXPECTATION.has(o.status) ? null : d ? Date.parse(d) : nominalExpected(o));
    }
    return out;
  };
}

function hotlineOf(contactsJson: string): string | null {
  try {
    const c = JSON.parse(contactsJson) as { hotline?: unknown };
    return typeof c.hotline === 'string' ? c.hotline : null;
  } catch {
    return null;
  }
}

export interface Caller {
  /** The principal of a valid key, or null when none was sent. */
  key: Extract<Principal, { kind: 'api_key' }> | null;
  locale: Locale;
  /** The server's configured public address (`LINLI_PUBLIC_URL`), for links (media); never the Host header. */
  baseUrl: string;
}

export class Open311Service {
  private servicesCache: { at: number; byCode: Map<string, ServiceEntry>; list: ServiceEntry[] } | null =
    null;
  private expectedTimes: ExpectedTimes;

  constructor(
    private readonly deps: Deps,
    private readonly workOrders: WorkOrderService,
  ) {
    this.expectedTimes = slaExpectedTimes(deps.database);
  }

  private get db() {
    return this.deps.database.db;
  }

  setExpectedTimes(fn: ExpectedTimes): void {
    this.expectedTimes = fn;
  }

  /** Forget cached categories (after an administrator changed them). */
  invalidate(): void {
    this.servicesCache = null;
  }

  /**
   * The community a request is about: the one named, else the operator's configured default
   * (`LINLI_DEFAULT_JURISDICTION`), else the only one. GeoReport v2 requires `jurisdiction_id`
   * where an endpoint serves several jurisdictions, so with several communities and no default
   * a request that names none is refused with 400 rather than answered for one chosen for it.
   */
  async jurisdiction(id: string | undefined): Promise<CommunityInfo> {
    const c = await this.jurisdictionOrSeveral(id);
    if (c === 'several') throw badRequest(JURISDICTION_REQUIRED);
    return c;
  }

  /**
   * For service discovery, which describes the whole endpoint: the community named or configured,
   * or, where several are served and none is named, the codes to name one by.
   */
  async discoveryScope(id: string | undefined): Promise<CommunityInfo | { codes: string[] }> {
    const c = await this.jurisdictionOrSeveral(id);
    if (c !== 'several') return c;
    return { codes: (await repo.someCommunities(this.db, 51)).map((r) => r.code) };
  }

  private async jurisdictionOrSeveral(id: string | undefined): Promise<CommunityInfo | 'several'> {
    const wanted = id?.trim() || this.deps.config.defaultJurisdiction;
    let c;
    if (wanted) c = await findCommunity(this.db, wanted);
    else {
      const some = await repo.someCommunities(this.db, 2);
      if (some.length > 1) return 'several';
      c = some[0];
    }
    if (!c) throw notFound(`jurisdiction_id: ${wanted ?? '(default)'} was not found`);
    return {
      id: c.id,
      code: c.code,
      name: c.name,
      nameEn: c.name_en,
      lat: c.center_lat,
      lng: c.center_lng,
      timeZone: c.time_zone,
      hotline: hotlineOf(c.contacts_json),
    };
  }

  /** Who may see what: a key of this community with `private_categories` sees private categories. */
  viewer(caller: Caller, community: CommunityInfo): Viewer {
    const k = caller.key;
    return { privateCategories: !!k && k.communityId === community.id && k.scopes.includes(PRIVATE_SCOPE) };
  }

  async services(): Promise<{ byCode: Map<string, ServiceEntry>; list: ServiceEntry[] }> {
    const now = Date.now();
    if (this.servicesCache && now - this.servicesCache.at < SERVICES_TTL_MS) return this.servicesCache;
    const rows = await repo.listServiceRows(this.db);
    const tops = new Map(rows.filter((r) => r.parent_code === null).map((r) => [r.code, r]));
    const list: ServiceEntry[] = rows.map((r) => {
      const top = r.parent_code ? (tops.get(r.parent_code) ?? r) : r;
      const defaults = DEFAULT_SERVICE_SETTINGS[r.code];
      const precision = (ADDRESS_PRECISIONS as readonly string[]).includes(r.address_precision ?? '')
        ? (r.address_precision as AddressPrecision)
        : (defaults?.precision ?? (r.is_private ? 'community' : 'street'));
      return {
        code: r.code,
        parentCode: r.parent_code,
        nameZh: r.name_zh,
        nameEn: r.name_en,
        groupZh: top.name_zh,
        groupEn: top.name_en,
        isPrivate: r.is_private === 1,
        exposed: r.exposed !== 0,
        serviceType: r.service_type === 'batch' ? 'batch' : 'realtime',
        precision,
        keywordsZh: r.keywords_zh ?? defaults?.keywordsZh ?? '',
        keywordsEn: r.keywords_en ?? defaults?.keywordsEn ?? '',
        descriptionZh: r.description_zh ?? null,
        descriptionEn: r.description_en ?? null,
        questions: this.parseQuestions(r.code, r.questions_json),
      };
    });
    this.servicesCache = { at: now, byCode: new Map(list.map((s) => [s.code, s])), list };
    return this.servicesCache;
  }

  private parseQuestions(code: string, json: string): CategoryQuestion[] {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      raw = [];
    }
    if (!Array.isArray(raw)) return [];
    const ok = raw.filter((q): q is CategoryQuestion => Value.Check(CategoryQuestionSchema, q));
    if (ok.length !== raw.length) {
      this.deps.logger.warn(
        { category: code },
        'open311: some extra questions are malformed and were skipped',
      );
    }
    return ok;
  }

  /** Category codes this viewer may not see in listings. */
  private async hiddenCodes(viewer: Viewer): Promise<string[]> {
    if (viewer.privateCategories) return [];
    const { list } = await this.services();
    return list.filter((s) => s.isPrivate).map((s) => s.code);
  }

  async listServices(locale: Locale): Promise<ServiceView[]> {
    const { list } = await this.services();
    return list.filter((s) => s.exposed).map((s) => presentService(s, locale));
  }

  async definition(code: string, locale: Locale): Promise<ServiceDefinitionView> {
    const s = (await this.services()).byCode.get(code);
    if (!s?.exposed) throw notFound(`service_code: ${code} was not found`);
    return presentDefinition(s, locale);
  }

  /** A key that may submit: present, valid, with the open311 scope; else 403 as the standard says. */
  requireKey(caller: Caller, apiKeySent: boolean): Extract<Principal, { kind: 'api_key' }> {
    if (!apiKeySent) throw forbidden('api_key: missing -- cannot proceed with create_request');
    if (!caller.key) throw forbidden("api_key: invalid -- can't proceed with create_request");
    if (!caller.key.scopes.includes(OPEN311_SCOPE))
      throw forbidden('api_key: this key is not allowed to use Open311');
    return caller.key;
  }

  async create(
    caller: Caller,
    key: Extract<Principal, { kind: 'api_key' }>,
    body: CreateRequestBody & Record<string, unknown>,
    idempotencyKey: string | undefined,
  ): Promise<CreatedView> {
    const community = body.jurisdiction_id?.trim()
      ? await this.jurisdiction(body.jurisdiction_id)
      : await this.communityOfKey(key);
    if (community.id !== key.communityId)
      throw forbidden(`api_key: not valid for jurisdiction ${community.code}`);
    const code = body.service_code?.trim();
    if (!code) throw badRequest('service_code: required');
    const service = (await this.services()).byCode.get(code);
    if (!service?.exposed) throw notFound(`service_code: ${code} was not found`);

    const form = readCreateForm(body, service);
    if (form.problems.length) throw badRequest(...form.problems);
    const { order, replayed } = await this.workOrders.create(
      key,
      { channel: 'open311', communityId: community.id, category: code, ...form.input },
      idempotencyKey ?? (await this.retryKey(key, community.id, body)),
    );
    const notice = serviceNotice(order.urgency, caller.locale);
    if (service.serviceType === 'batch') {
      // A retry answered with the first order answers with its token too, not a new one.
      const earlier = replayed ? await repo.tokenOfOrder(this.db, order.id, key.id) : undefined;
      if (earlier) return { token: earlier, service_notice: notice, account_id: form.accountId };
      const token = randomToken(12);
      await repo.insertToken(this.db, {
        token,
        community_id: community.id,
        work_order_id: order.id,
        api_key_id: key.id,
        created_at: order.created_at,
      });
      return { token, service_notice: notice, account_id: form.accountId };
    }
    return { service_request_id: order.number, service_notice: notice, account_id: form.accountId };
  }

  /**
   * The idempotency key of a POST sent without one: the same api_key sending exactly the same
   * parameters (submitter, service_code, description, location, address, attributes, media_url,
   * everything but the key itself) within `RETRY_WINDOW_MS` of the first is a retry (a client that
   * timed out and sent again), answered with the first request's answer instead of a second order.
   * Keys name a 2-minute window; a retry early in one finds its first attempt under the window
   * before, when that is at most 2 minutes old.
   */
  private async retryKey(
    key: Extract<Principal, { kind: 'api_key' }>,
    communityId: string,
    body: Record<string, unknown>,
  ): Promise<string | undefined> {
    const form = Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'api_key'));
    let fingerprint: string;
    try {
      fingerprint = createHash('sha256')
        .update(canonicalJson({ key: key.id, community: communityId, form }))
        .digest('hex');
    } catch {
      return undefined; // nothing canonical JSON can hold: no retry to recognise
    }
    const now = this.deps.clock.now().getTime();
    const window = Math.floor(now / RETRY_WINDOW_MS);
    const before = await findIdempotent(
      this.db,
      actorLabel(key),
      `open311-retry:${fingerprint}:${window - 1}`,
    );
    if (before && now - Date.parse(before.created_at) <= RETRY_WINDOW_MS) return before.key;
    return `open311-retry:${fingerprint}:${window}`;
  }

  private async communityOfKey(key: Extract<Principal, { kind: 'api_key' }>): Promise<CommunityInfo> {
    return this.jurisdiction(key.communityId);
  }

  async token(community: CommunityInfo, token: string): Promise<TokenView> {
    const row = await repo.findToken(this.db, token);
    if (!row || row.community_id !== community.id) throw notFound(`token: ${token} was not found`);
    return { service_request_id: row.number ?? null, token: row.token };
  }

  async listRequests(caller: Caller, community: CommunityInfo, q: RawRequestsQuery): Promise<RequestView[]> {
    const filter = parseRequestsQuery(q, this.deps.clock.now().getTime());
    const viewer = this.viewer(caller, community);
    const { byCode } = await this.services();
    if (filter.codes) {
      const unknown = filter.codes.filter((c) => !byCode.get(c)?.exposed);
      if (unknown.length) throw badRequest(`service_code: ${unknown.join(', ')} was not found`);
    }
    const rows = await repo.listRequests(this.db, {
      communityId: community.id,
      ...filter,
      hidden: await this.hiddenCodes(viewer),
    });
    return this.present(caller, community, rows, filter.extensions);
  }

  async getRequest(
    caller: Caller,
    community: CommunityInfo,
    number: string,
    extensions: boolean,
  ): Promise<RequestView[]> {
    const viewer = this.viewer(caller, community);
    const row = await repo.findRequestByNumber(this.db, community.id, number);
    const hidden = new Set(await this.hiddenCodes(viewer));
    if (!row || hidden.has(row.category) || (row.subcategory !== null && hidden.has(row.subcategory)))
      throw notFound(`service_request_id: ${number} was not found`);
    return this.present(caller, community, [row], extensions);
  }

  private async present(
    caller: Caller,
    community: CommunityInfo,
    rows: RequestRow[],
    extensions: boolean,
  ): Promise<RequestView[]> {
    const distinct = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))];
    const [{ byCode }, roles, names, expected, photos] = await Promise.all([
      this.services(),
      repo.assigneeRoles(this.db, distinct(rows.map((r) => r.assignee_id))),
      repo.residentNames(this.db, distinct(rows.map((r) => r.beneficiary_id))),
      this.expectedTimes(rows),
      repo.photosOf(
        this.db,
        rows.map((r) => r.id),
      ),
    ]);
    const ctx: PresentContext = {
      locale: caller.locale,
      community,
      services: byCode,
      assigneeRoles: roles,
      residentNames: names,
      expected,
    };
    const byOrder = new Map<string, { url: string; createdAt: string }[]>();
    for (const p of photos) {
      const list = byOrder.get(p.work_order_id) ?? [];
      list.push({ url: `${caller.baseUrl}/open311/v2/media/${p.id}`, createdAt: p.created_at });
      byOrder.set(p.work_order_id, list);
    }
    ctx.photos = byOrder;
    return rows.map((r) => presentRequest(r, ctx, extensions));
  }

  async updates(
    caller: Caller,
    community: CommunityInfo,
    q: {
      start_date?: string;
      end_date?: string;
      service_request_id?: string;
      page?: string;
      page_size?: string;
    },
  ): Promise<RequestUpdateView[]> {
    const range = parseUpdatesQuery(q, this.deps.clock.now().getTime());
    const paging = parsePaging(q);
    const viewer = this.viewer(caller, community);
    const rows = await repo.listUpdates(this.db, {
      communityId: community.id,
      ...range,
      numbers: q.service_request_id?.trim() ? parseIds(q.service_request_id) : undefined,
      hidden: await this.hiddenCodes(viewer),
      limit: paging.limit,
      offset: paging.offset,
    });
    return rows.map((e) => presentUpdate(e, caller.locale, community.timeZone));
  }

  /** A photo of a request the caller may see. */
  async media(caller: Caller, photoId: string): Promise<{ data: Buffer; contentType: string }> {
    const photo = await repo.findPhoto(this.db, photoId);
    const order = photo ? await repo.findRequestById(this.db, photo.work_order_id) : undefined;
    if (!photo || !order) throw notFound(`media: ${photoId} was not found`);
    const community = await this.jurisdiction(order.community_id);
    const hidden = new Set(await this.hiddenCodes(this.viewer(caller, community)));
    if (hidden.has(order.category) || (order.subcategory !== null && hidden.has(order.subcategory)))
      throw notFound(`media: ${photoId} was not found`);
    const data = await this.deps.files.get(photo.file_key);
    if (!data) throw notFound(`media: ${photoId} was not found`);
    return { data, contentType: photo.content_type };
  }
}
