import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Deps } from '../../platform/context.ts';
import type { DB, HouseholdTable } from '../../platform/db/schema.ts';
import {
  AppError,
  forbidden,
  invalidInput,
  isTransientDatabaseError,
  notFound,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { actorLabel, communitiesOf } from '../../platform/auth/principal.ts';
import type { Channel, Principal, StaffRole } from '../../platform/auth/principal.ts';
import { canonicalJson, sha256Hex } from '../audit/canonical-json.ts';
import { appendAudit, appendAuditBatch } from '../audit/audit.repository.ts';
import { enqueue, enqueueAssignment, enqueueMany } from '../notifications/outbox.repository.ts';
import type { OutboxMessage } from '../notifications/outbox.repository.ts';
import { GroupCommitter } from '../../platform/db/group-commit.ts';
import { findCommunity } from '../tenancy/tenancy.repository.ts';
import type { GridLocator } from '../tenancy/grid-locator.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { checkAttributes } from './work-order.attributes.ts';
import { DEFAULT_TIME_ZONE, localDay, orderNumberOfDay } from './work-order.number.ts';
import { OPEN_STATUSES, TERMINAL, transition } from './work-order.machine.ts';
import type { Action, ActionInput, Status } from './work-order.machine.ts';
import {
  allowedActions,
  canReadOrder,
  mayAct,
  refusalOf,
  mayBeAssigned,
  mayCreate,
  orderFacts,
  seesWholeCommunity,
} from './work-order.policy.ts';
import type { OrderFacts } from './work-order.policy.ts';
import { canReadResident } from '../people/resident.policy.ts';
import * as repo from './work-order.repository.ts';
import { isImageType, sniffImageType, stripImageMetadata } from '../../platform/images.ts';
import type { WorkOrderRow, ListFilter } from './work-order.repository.ts';
import type { WorkOrderClassifier, Prioritize, Understanding } from './work-order.understanding.ts';
import { stillSuspected } from './work-order.understanding.ts';
import { allCategoryCodes, topCategory, URGENCIES } from '../taxonomy/taxonomy.default.ts';

export interface CreateOrderInput {
  channel: Channel;
  description: string;
  communityId?: string | undefined;
  residentId?: string | undefined;
  reporter?:
    { name?: string | undefined; phone?: string | undefined; relation?: string | undefined } | undefined;
  location?: { lat: number; lng: number } | undefined;
  address?: string | undefined;
  category?: string | undefined;
  urgency?: string | undefined;
  attributes?: Record<string, unknown> | undefined;
  photos?: { contentType: string; dataBase64: string }[] | undefined;
}

export interface CreateResult {
  order: WorkOrderRow;
  replayed: boolean;
}

export interface ActInput extends ActionInput {
  version: number;
}

/** Hooks other modules attach to the lifecycle (SLA timers, matching, notifications), run inside the same transaction. */
export interface LifecycleHooks {
  onCreated?(trx: Kysely<DB>, order: WorkOrderRow, at: string): Promise<void>;
  /** When present, called once per group-committed batch of new orders instead of `onCreated` per order. */
  onCreatedBatch?(trx: Kysely<DB>, orders: WorkOrderRow[], at: string): Promise<void>;
  onTransition?(
    trx: Kysely<DB>,
    before: WorkOrderRow,
    after: WorkOrderRow,
    action: Action,
    at: string,
  ): Promise<void>;
  /**
   * A person changed the order's category or urgency (a correction or a triage decision);
   * `before.needs_triage` says whether it was waiting for one.
   */
  onReclassified?(trx: Kysely<DB>, before: WorkOrderRow, after: WorkOrderRow, at: string): Promise<void>;
  /**
   * The order's priority changed without a person's correction: a duplicate merged into it or a
   * "not fixed" reopen counted as one more report of its problem.
   */
  onReprioritized?(trx: Kysely<DB>, before: WorkOrderRow, after: WorkOrderRow, at: string): Promise<void>;
  /**
   * Staff replied publicly on the order (a `reply` on its timeline, the resident told): an update
   * of the order, its status unchanged. Internal notes are not replies and call no hook.
   */
  onReplied?(trx: Kysely<DB>, order: WorkOrderRow, at: string): Promise<void>;
}

const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
/** Photos an order keeps in all: the 6 a report may bring, and room for progress and after-repair photos. */
export const MAX_PHOTOS_PER_ORDER = 12;
const CATEGORY_CODES = new Set(allCategoryCodes());
/** Actions that take an order out of the open statuses, unworked, and its duplicates with it. */
const CARRIES_DUPLICATES: ReadonlySet<Action> = new Set(['merge', 'refer', 'dismiss', 'cancel']);

interface PendingCreate {
  row: WorkOrderRow;
  communityCode: string;
  photos: { id: string; key: string; contentType: string; data: Buffer }[];
  scope: string;
  idempotencyKey: string | undefined;
  requestHash: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  proxy: boolean;
  /** Who the caller is to the person the order is for (女儿, 邻居, 志愿者), as they said. */
  relation: string | null;
}

export class WorkOrderService {
  readonly hooks: LifecycleHooks[] = [];
  private readonly intake = new GroupCommitter<PendingCreate, WorkOrderRow>((batch) =>
    this.commitCreates(batch),
  );

  constructor(
    private readonly deps: Deps,
    private readonly grids: GridLocator,
    private classifier: WorkOrderClassifier,
    private prioritize: Prioritize,
  ) {}

  setClassifier(c: WorkOrderClassifier): void {
    this.classifier = c;
  }

  setPrioritize(p: Prioritize): void {
    this.prioritize = p;
  }

  private get db() {
    return this.deps.database.db;
  }

  now(): Date {
    return this.deps.clock.now();
  }

  private async resolveCommunity(p: Principal, requested: string | undefined): Promise<string> {
    const mine = communitiesOf(p);
    // A community the caller does not serve answers as one that does not exist would.
    if (requested)
      return (await servedCommunity(this.db, p.kind === 'system' ? 'any' : mine, requested, 'communityId'))
        .id;
    if (mine.length === 1 && mine[0]) return mine[0];
    throw invalidInput('communityId', 'you serve several communities: say which one (communityId)');
  }

  /** Validates, understands, places, prioritises and durably stores a new order, with its audit entry, in one transaction. */
  async create(p: Principal, input: CreateOrderInput, idempotencyKey?: string): Promise<CreateResult> {
    // First: every step after this one walks the attributes recursively.
    const attributes = input.attributes === undefined ? null : checkAttributes(input.attributes);
    if (attributes && !attributes.ok) throw invalidInput('attributes', attributes.reason);
    const description = input.description.trim();
    if (description === '') throw invalidInput('description', 'describe the need');
    if (input.category !== undefined && !CATEGORY_CODES.has(input.category)) {
      throw invalidInput('category', `unknown category "${input.category}"`);
    }
    const communityId = await this.resolveCommunity(p, input.communityId);
    if (!mayCreate(p, communityId, input.channel))
      throw forbidden(
        p.kind === 'api_key'
          ? `this key may create orders only through its scopes (${p.scopes.join(', ') || 'none'}), not ${input.channel}`
          : `you may not create orders through ${input.channel}`,
      );

    const scope = actorLabel(p);
    // Only a keyed request needs its fingerprint (to tell a retry from a different request).
    const requestHash = idempotencyKey ? createHash('sha256').update(canonicalJson(input)).digest('hex') : '';
    if (idempotencyKey) {
      const replay = await this.replay(scope, idempotencyKey, requestHash);
      if (replay) return { order: replay, replayed: true };
    }

    // Beneficiary: named, or the resident who is reporting.
    let beneficiaryId = input.residentId ?? (p.kind === 'resident' ? p.id : null);
    let beneficiary = null;
    // The beneficiary's household, read once if at all: for a grid worker's check, and for a
    // location when none was given.
    let household: Promise<HouseholdTable | undefined> | undefined;
    const householdOf = (id: string) =>
      (household ??= this.db.selectFrom('households').selectAll().where('id', '=', id).executeTakeFirst());
    if (beneficiaryId) {
      [beneficiary] = await repo.residentsByIds(this.db, [beneficiaryId]);
      // One files for a resident only as far as one may look that resident up: a family member
      // for their own household, a grid worker for the households of their grids (the answer
      // would otherwise hand them the phone, groups and home of anyone in the community), an
      // integration only as an SOS device for its wearer. Anyone else is answered as no one (a
      // refusal would tell them the id is a resident's).
      const reachable =
        beneficiary !== undefined &&
        beneficiary.community_id === communityId &&
        // An erased record is no one to file for.
        beneficiary.erased_at === null &&
        (p.kind === 'api_key'
          ? input.channel === 'device' && p.scopes.includes('device')
          : canReadResident(p, {
              id: beneficiary.id,
              communityId: beneficiary.community_id,
              householdId: beneficiary.household_id,
              gridId:
                p.kind === 'user' && p.role === 'grid_worker' && beneficiary.household_id
                  ? ((await householdOf(beneficiary.household_id))?.grid_id ?? null)
                  : null,
            }));
      if (!reachable) {
        throw new AppError('resident_not_found', `resident ${beneficiaryId} is not in this community`, {
          field: 'residentId',
        });
      }
    } else beneficiaryId = null;

    const now = this.deps.clock.now();
    const at = now.toISOString();
    const understood = await this.understand(description, communityId, input);
    const tags =
      beneficiary && beneficiary.tags_consent === 1 ? (JSON.parse(beneficiary.tags_json) as string[]) : [];
    const priority = this.prioritize({
      urgency: understood.urgency,
      tags,
      repeatCount: 0,
      waitingHours: 0,
      suspectedEmergency: understood.suspectedEmergency === true,
    });

    let lat = input.location?.lat ?? null;
    let lng = input.location?.lng ?? null;
    let address = input.address ?? null;
    if (lat === null && beneficiary?.household_id) {
      const hh = await householdOf(beneficiary.household_id);
      if (hh) {
        lat = hh.lat;
        lng = hh.lng;
        address = address ?? hh.address;
      }
    }
    const gridId =
      lat !== null && lng !== null ? await this.grids.locate(communityId, lat, lng, now.getTime()) : null;

    const reporter = this.reporterOf(p, input);
    const photos = (input.photos ?? []).map((ph, i) => this.decodePhoto(ph, i));
    const community = await this.communityLabel(communityId);
    const id = newId(now.getTime());
    const row = repo.newOrderRow({
      id,
      number: '', // given inside the commit, from the community's counter
      community_id: communityId,
      grid_id: gridId,
      channel: input.channel,
      status: 'submitted',
      category: understood.category,
      subcategory: understood.subcategory,
      urgency: understood.urgency,
      priority: priority.band,
      priority_score: Math.round(priority.score),
      description,
      address,
      lat,
      lng,
      reporter_type: reporter.type,
      reporter_id: reporter.id,
      reporter_name: reporter.name,
      reporter_phone: reporter.phone,
      beneficiary_id: beneficiaryId,
      // The household the beneficiary lives in today: its members read the order from now on.
      // Read again inside the commit (`commitCreates`), where a move made since counts.
      household_id: beneficiary?.household_id ?? null,
      is_proxy: reporter.isProxy ? 1 : 0,
      classification_json: JSON.stringify({ ...understood, priorityParts: priority.parts ?? null }),
      needs_triage: understood.needsTriage ? 1 : 0,
      attributes_json: attributes?.ok ? attributes.json : null,
      version: 1,
      created_at: at,
      created_day: localDay(at, community.timeZone),
      updated_at: at,
    });
    const pending: PendingCreate = {
      row,
      communityCode: community.code,
      photos,
      scope,
      idempotencyKey,
      requestHash,
      actorType: p.kind,
      actorId: 'id' in p ? p.id : null,
      actorName: p.name,
      proxy: reporter.isProxy,
      relation: input.reporter?.relation?.trim() || null,
    };

    // Photos are written before the order commits: an order never points at a missing file.
    for (const ph of photos) await this.deps.files.put(ph.key, ph.data);
    try {
      return { order: await this.intake.submit(pending), replayed: false };
    } catch (err) {
      await this.discardPhotoFiles(photos);
      // Two retries with the same key racing: the loser answers with the winner's order, or,
      // when the winner's request was another one, with the key's conflict (not the key's
      // unique-index violation, which was a 500 on PostgreSQL).
      if (idempotencyKey) {
        let replay: WorkOrderRow | null = null;
        try {
          replay = await this.replay(scope, idempotencyKey, requestHash);
        } catch (e) {
          if (e instanceof AppError) throw e;
        }
        if (replay) return { order: replay, replayed: true };
      }
      throw err;
    }
  }

  /** Community codes and time zones for order numbers, cached: they never change once created. */
  private readonly labels = new Map<string, { code: string; timeZone: string }>();
  private async communityLabel(communityId: string): Promise<{ code: string; timeZone: string }> {
    let label = this.labels.get(communityId);
    if (!label) {
      const c = await findCommunity(this.db, communityId);
      label = { code: c?.code ?? 'll', timeZone: c?.time_zone ?? DEFAULT_TIME_ZONE };
      this.labels.set(communityId, label);
    }
    return label;
  }

  /**
   * Commits a batch of new orders in one transaction: numbers from each community's counter,
   * multi-row inserts of orders, timeline events, idempotency keys and photos, one audit-chain
   * append per community, outbox messages, then the lifecycle hooks.
   */
  private async commitCreates(batch: PendingCreate[]): Promise<WorkOrderRow[]> {
    return this.db.transaction().execute(async (trx) => {
      const grouped = new Map<string, PendingCreate[]>();
      for (const b of batch) {
        const list = grouped.get(b.row.community_id) ?? [];
        list.push(b);
        grouped.set(b.row.community_id, list);
      }
      // Communities in one order in every batch on every node: each community's counter and audit
      // head are then locked in the same order by batches committing at once on several app
      // nodes, which wait for each other there instead of deadlocking.
      const byCommunity = new Map([...grouped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      for (const [communityId, items] of byCommunity) {
        const last = await repo.nextSequence(trx, `work_order:${communityId}`, items.length);
        items.forEach((b, i) => {
          const seq = last - items.length + 1 + i;
          // The local day is the order's `created_day`, worked out in the community's time zone.
          b.row.number = orderNumberOfDay(
            b.communityCode,
            b.row.created_day ?? b.row.created_at.slice(0, 10),
            seq,
          );
        });
      }
      const keyed = batch.filter((b) => b.idempotencyKey);
      if (keyed.length) {
        await repo.insertIdempotentMany(
          trx,
          keyed.map((b) => ({
            scope: b.scope,
            key: b.idempotencyKey ?? '',
            request_hash: b.requestHash,
            work_order_id: b.row.id,
            created_at: b.row.created_at,
          })),
        );
      }
      // The beneficiary's household as it is when the order commits, not as it was read before: a
      // move committed in between (`PATCH /residents/{id}` with `home`) counts. One select per
      // batch, none when no order in it is for a resident.
      const beneficiaries = new Set<string>();
      for (const b of batch) if (b.row.beneficiary_id) beneficiaries.add(b.row.beneficiary_id);
      if (beneficiaries.size) {
        const found = await repo.householdsOfResidents(trx, [...beneficiaries], this.deps.database.dialect);
        // A resident erased since the request was read is no one to file for (the batch fails and
        // its orders are retried one by one: only this one is refused).
        const erased = found.find((r) => r.erased_at !== null);
        if (erased)
          throw new AppError('resident_not_found', `resident ${erased.id} is not in this community`, {
            field: 'residentId',
          });
        const homes = new Map(found.map((r) => [r.id, r.household_id]));
        for (const b of batch) {
          const home = b.row.beneficiary_id ? homes.get(b.row.beneficiary_id) : undefined;
          if (home !== undefined) b.row.household_id = home;
        }
      }
      await repo.insertOrders(
        trx,
        batch.map((b) => b.row),
      );
      await repo.insertEvents(
        trx,
        batch.map((b) => ({
          id: newId(),
          work_order_id: b.row.id,
          community_id: b.row.community_id,
          type: 'created',
          from_status: null,
          to_status: 'submitted',
          actor_type: b.actorType,
          actor_id: b.actorId,
          actor_name: b.actorName,
          note: null,
          visibility: 'public',
          data_json: JSON.stringify({
            channel: b.row.channel,
            proxy: b.proxy,
            ...(b.relation ? { relation: b.relation } : {}),
          }),
          created_at: b.row.created_at,
        })),
      );
      for (const b of batch) {
        for (const ph of b.photos) {
          await repo.insertPhoto(trx, {
            id: ph.id,
            work_order_id: b.row.id,
            file_key: ph.key,
            content_type: ph.contentType,
            size_bytes: ph.data.length,
            created_at: b.row.created_at,
          });
        }
      }
      for (const [communityId, items] of byCommunity) {
        await appendAuditBatch(
          trx,
          this.deps.database.dialect,
          communityId,
          items.map((b) => ({
            createdAt: b.row.created_at,
            actor: b.scope,
            action: 'work_order.created',
            entityType: 'work_order',
            entityId: b.row.id,
            payload: {
              number: b.row.number,
              channel: b.row.channel,
              category: b.row.category,
              urgency: b.row.urgency,
              priority: b.row.priority,
              descriptionDigest: sha256Hex(b.row.description),
              beneficiaryId: b.row.beneficiary_id,
              reporterType: b.row.reporter_type,
              ...(b.relation ? { relation: b.relation } : {}),
              gridId: b.row.grid_id,
              photos: b.photos.map((ph) => createHash('sha256').update(ph.data).digest('hex')),
            },
          })),
        );
      }
      const messages = batch
        .map((b) => this.residentMessage(b.row, 'order_received'))
        .filter((m): m is OutboxMessage => m !== null);
      if (messages.length) await enqueueMany(trx, messages, batch[0]?.row.created_at ?? '');
      const rows = batch.map((b) => b.row);
      for (const h of this.hooks) {
        if (h.onCreatedBatch) await h.onCreatedBatch(trx, rows, rows[0]?.created_at ?? '');
        else for (const r of rows) await h.onCreated?.(trx, r, r.created_at);
      }
      return batch.map((b) => b.row);
    });
  }

  private async replay(scope: string, key: string, requestHash: string): Promise<WorkOrderRow | null> {
    const prior = await repo.findIdempotent(this.db, scope, key);
    if (!prior) return null;
    if (prior.request_hash !== requestHash) {
      throw new AppError('idempotency_conflict', 'this Idempotency-Key was used for a different request', {
        field: 'Idempotency-Key',
      });
    }
    return (await repo.findOrder(this.db, prior.work_order_id)) ?? null;
  }

  private async understand(
    text: string,
    communityId: string,
    input: CreateOrderInput,
  ): Promise<Understanding> {
    const u = await this.classifier.understand(text, communityId);
    // Emergency rules outrank the caller; otherwise a staff member's explicit choice stands.
    if (u.source === 'rule') return u;
    const category = input.category ? topCategory(input.category) : u.category;
    const subcategory = input.category?.includes('.')
      ? input.category
      : input.category
        ? null
        : u.subcategory;
    if (input.urgency !== undefined && !(URGENCIES as readonly string[]).includes(input.urgency)) {
      throw invalidInput('urgency', `urgency must be one of ${URGENCIES.join(', ')}`);
    }
    const urgency = input.urgency ?? u.urgency;
    const chosen = input.category !== undefined || input.urgency !== undefined;
    return {
      ...u,
      category,
      subcategory,
      urgency,
      needsTriage: chosen ? false : u.needsTriage,
      source: chosen ? 'caller' : u.source,
      // A person who chose the category or urgency has decided: nothing is left suspected.
      suspectedEmergency: chosen ? false : u.suspectedEmergency === true,
    };
  }

  private reporterOf(p: Principal, input: CreateOrderInput) {
    const relation = input.reporter?.relation;
    switch (p.kind) {
      case 'resident':
        return {
          type: 'resident',
          id: p.id,
          name: p.name,
          phone: p.phone,
          isProxy: input.residentId !== undefined && input.residentId !== p.id,
        };
      case 'user':
        return {
          type: 'user',
          id: p.id,
          name: input.reporter?.name ?? p.name,
          phone: input.reporter?.phone ?? null,
          isProxy: input.residentId !== undefined || relation !== undefined,
        };
      case 'api_key':
        return {
          type: 'api_key',
          id: p.id,
          name: input.reporter?.name ?? null,
          phone: input.reporter?.phone ?? null,
          isProxy: false,
        };
      case 'system':
        return { type: 'system', id: null, name: p.name, phone: null, isProxy: false };
    }
  }

  /**
   * A photo as it is kept: its bytes must be the image its type says (an HTML page labelled
   * image/png is refused), and what its metadata holds (EXIF with the GPS position where it was
   * taken, the camera, comments) is removed before it is stored or shown to anyone: Open311
   * publishes photos of public categories, with the location deliberately coarsened.
   */
  private decodePhoto(ph: { contentType: string; dataBase64: string }, i: number) {
    const type = ph.contentType;
    if (!isImageType(type)) {
      throw invalidInput(
        `photos.${i}.contentType`,
        `photos must be JPEG, PNG, WebP or GIF, not ${ph.contentType}`,
      );
    }
    const raw = Buffer.from(ph.dataBase64, 'base64');
    if (raw.length === 0) throw invalidInput(`photos.${i}.dataBase64`, 'the photo is empty or not base64');
    if (raw.length > MAX_PHOTO_BYTES)
      throw invalidInput(`photos.${i}.dataBase64`, 'a photo may be at most 5 MB');
    const actual = sniffImageType(raw);
    if (actual !== type)
      throw invalidInput(
        `photos.${i}.dataBase64`,
        actual ? `the photo is a ${actual}, not the ${type} it says` : `the photo is not a ${type} image`,
      );
    const stripped = stripImageMetadata(raw, type);
    if (!stripped.ok)
      throw invalidInput(`photos.${i}.dataBase64`, `the photo cannot be read: ${stripped.reason}`);
    const id = newId();
    return { id, key: `photos/${id.slice(0, 8)}/${id}`, contentType: ph.contentType, data: stripped.bytes };
  }

  /** Files written for a create that did not commit (refused, or a retry answered with the first order). */
  private async discardPhotoFiles(photos: { key: string }[]): Promise<void> {
    for (const ph of photos) {
      await this.deps.files.delete(ph.key).catch((err: unknown) => {
        this.deps.logger.warn(
          { err, key: ph.key },
          'could not remove the photo file of an order not created',
        );
      });
    }
  }

  /** What the policy needs to know about an order: all of it is on the order's row. */
  facts(o: WorkOrderRow): OrderFacts {
    return orderFacts(o);
  }

  /** Loads an order the principal may read; otherwise answers not-found, so ids of others' orders leak nothing. */
  async getReadable(p: Principal, id: string): Promise<{ order: WorkOrderRow; facts: OrderFacts }> {
    const order = await repo.findOrder(this.db, id);
    if (!order) throw notFound('work_order_not_found', 'work order', id);
    const facts = this.facts(order);
    if (!canReadOrder(p, facts)) throw notFound('work_order_not_found', 'work order', id);
    return { order, facts };
  }

  async allowed(p: Principal, facts: OrderFacts): Promise<Action[]> {
    return allowedActions(p, facts);
  }

  /** Further reports of the order's problem, as its priority counts them (see `repeatsOf`). */
  async repeats(order: WorkOrderRow): Promise<number> {
    return this.repeatsOf(this.db, order);
  }

  async timeline(orderId: string) {
    return repo.eventsOf(this.db, orderId);
  }

  async photos(orderId: string) {
    return repo.photosOf(this.db, orderId);
  }

  /** Applies a lifecycle action with optimistic concurrency; records the event, audit entry and notifications atomically. */
  async act(p: Principal, id: string, action: Action, input: ActInput): Promise<WorkOrderRow> {
    const { order, facts } = await this.getReadable(p, id);
    if (!mayAct(p, facts, action)) throw forbidden(refusalOf(p, facts, action));
    if (order.version !== input.version) {
      throw new AppError('version_conflict', 'the order changed since you loaded it: reload and try again', {
        expected: input.version,
        current: order.version,
      });
    }
    const at = this.deps.clock.now().toISOString();
    const t = transition(
      {
        status: order.status as Status,
        resumeStatus: (order.resume_status as Status | null) ?? null,
        assigneeId: order.assignee_id,
        closedAt: order.closed_at,
      },
      action,
      input,
      at,
      { reopenDays: this.deps.config.reopenDays },
    );
    if (!t.ok) {
      if (t.field) throw invalidInput(t.field, t.reason);
      throw new AppError('invalid_transition', t.reason, { status: order.status, action });
    }
    if (action === 'dispatch' && input.assigneeId)
      await this.checkAssignee(input.assigneeId, order.community_id);

    const { reopen_count_increment: reopenIncrement, ...patch } = t.patch;
    return this.db.transaction().execute(async (trx) => {
      // An order that leaves the open statuses takes its duplicates along (see `carryDuplicates`):
      // they are locked with it, all in id order.
      const carried = CARRIES_DUPLICATES.has(action) ? await repo.duplicatesOf(trx, id) : [];
      const merging = action === 'merge' && input.mergeInto ? [input.mergeInto] : [];
      if (merging.length || carried.length) {
        // Locked first, in id order, then the target checked under the lock: a concurrent merge
        // the other way round, or an action that closed the target, is seen.
        await repo.lockOrders(trx, this.deps.database.dialect, [id, ...merging, ...carried.map((d) => d.id)]);
      }
      if (action === 'merge' && input.mergeInto) await this.checkMergeTarget(p, order, input.mergeInto, trx);
      const ok = await repo.updateOrderIfVersion(
        trx,
        id,
        input.version,
        { ...patch, updated_at: at },
        !!reopenIncrement,
      );
      if (!ok) {
        throw new AppError(
          'version_conflict',
          'the order changed since you loaded it: reload and try again',
          {
            expected: input.version,
          },
        );
      }
      let after = (await repo.findOrder(trx, id)) as WorkOrderRow;
      await repo.insertEvent(trx, {
        id: newId(),
        work_order_id: id,
        community_id: order.community_id,
        type: action,
        from_status: order.status,
        to_status: after.status,
        actor_type: p.kind,
        actor_id: 'id' in p ? p.id : null,
        actor_name: p.name,
        note: t.note,
        visibility: t.visibility,
        data_json: JSON.stringify(this.eventData(action, input)),
        created_at: at,
      });
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: order.community_id,
        createdAt: at,
        actor: actorLabel(p),
        action: `work_order.${action}`,
        entityType: 'work_order',
        entityId: id,
        payload: {
          from: order.status,
          to: after.status,
          version: after.version,
          ...auditData(this.eventData(action, input)),
          noteDigest: t.note ? createHash('sha256').update(t.note).digest('hex') : null,
        },
      });
      if (t.visibility === 'public') {
        // A reopened order is back at `accepted`, but the resident is told it was taken up again.
        const template = action === 'reopen' ? 'order_accepted_reopen' : `order_${after.status}`;
        await this.notifyResident(trx, after, template, at);
      }
      if (action === 'dispatch' && after.assignee_id)
        await enqueueAssignment(trx, { ...after, assignee_id: after.assignee_id }, at);
      if (action === 'merge' && after.merged_into) {
        await this.carryDuplicates(trx, p, after, action, at);
        await this.bumpForRepeat(trx, after.merged_into, at);
      }
      // "Not fixed" is one more report of the same problem: it weighs in the priority as a repeat.
      if (action === 'reopen') {
        await this.bumpForRepeat(trx, id, at);
        after = (await repo.findOrder(trx, id)) as WorkOrderRow;
      }
      for (const h of this.hooks) await h.onTransition?.(trx, order, after, action, at);
      // A hook may change the order again (a rejected order of an automatic lane goes to the next
      // candidate at once): the caller answers with the order as it is committed.
      after = (await repo.findOrder(trx, id)) as WorkOrderRow;
      if (action !== 'merge') await this.carryDuplicates(trx, p, after, action, at);
      if (action === 'resolve') await this.tellDuplicatesResolved(trx, after, at);
      return after;
    });
  }

  /**
   * What becomes of the duplicates of an order that leaves the open statuses without being
   * worked to the end (merging into an order that is over is refused for the same reason: it
   * would close a report with nobody left to act on it):
   * - merged on into another order: they are repeats of that order's problem too, and point at it;
   * - referred or dismissed: they share its problem, and follow it into the same closure, with the
   *   same destination or reason, and their residents are told;
   * - cancelled (its reporter withdrew it, or staff cancelled it): their reporters still need it:
   *   each returns to the queue, unmerged, its resident told, and the lifecycle hooks (SLA,
   *   notifications, webhooks) see it as a reopen.
   * Each change is recorded like any other: version, timeline event, audit entry. The steps are the
   * system's, not the person's who acted on the target: a duplicate's resident does not see who that was.
   */
  private async carryDuplicates(
    trx: Kysely<DB>,
    p: Principal,
    target: WorkOrderRow,
    action: Action,
    at: string,
  ): Promise<void> {
    if (!CARRIES_DUPLICATES.has(action)) return;
    const dups = await repo.duplicatesOf(trx, target.id);
    if (dups.length === 0) return;
    // Those merged in after the first look (PostgreSQL, before the lock was taken) are locked too.
    await repo.lockOrders(
      trx,
      this.deps.database.dialect,
      dups.map((d) => d.id),
    );
    const causedBy = { by: actorLabel(p), orderId: target.id, action };
    for (const d of dups) {
      if (action === 'merge') {
        await this.recordCarried(trx, d, { merged_into: target.merged_into }, at, {
          type: 'merge',
          note: null,
          visibility: 'internal',
          data: { mergeInto: target.merged_into, via: target.id },
          causedBy,
        });
        continue;
      }
      if (action === 'cancel') {
        const after = await this.recordCarried(
          trx,
          d,
          {
            status: 'accepted',
            merged_into: null,
            assignee_id: null,
            resume_status: null,
            closed_at: null,
            closure_reason: null,
            accepted_at: d.accepted_at ?? at,
          },
          at,
          {
            type: 'reopen',
            note: `所合并的工单 ${target.number} 已撤销，本工单重新受理处理。`,
            visibility: 'public',
            data: { unmergedFrom: target.id },
            causedBy,
          },
        );
        await this.notifyResident(trx, after, 'order_accepted_reopen', at);
        for (const h of this.hooks) await h.onTransition?.(trx, d, after, 'reopen', at);
        continue;
      }
      // refer, dismiss: the same closure as the target's.
      const after = await this.recordCarried(
        trx,
        d,
        {
          status: target.status,
          closed_at: at,
          closure_reason: target.closure_reason,
          ...(action === 'refer' ? { referred_to: target.referred_to } : {}),
        },
        at,
        {
          type: action,
          note: action === 'refer' ? `转至 ${target.referred_to ?? ''}` : target.closure_reason,
          visibility: 'public',
          data: {
            followed: target.id,
            ...(action === 'refer' && target.referred_to ? { referredTo: target.referred_to } : {}),
          },
          causedBy,
        },
      );
      await this.notifyResident(trx, after, `order_${after.status}`, at);
      for (const h of this.hooks) await h.onTransition?.(trx, d, after, action, at);
    }
  }

  /** One change of a duplicate made because of its target: version bump, timeline event, audit entry. */
  private async recordCarried(
    trx: Kysely<DB>,
    d: WorkOrderRow,
    patch: Partial<WorkOrderRow>,
    at: string,
    e: {
      type: string;
      note: string | null;
      visibility: 'public' | 'internal';
      data: Record<string, unknown>;
      causedBy: Record<string, unknown>;
    },
  ): Promise<WorkOrderRow> {
    if (!(await repo.updateOrderIfVersion(trx, d.id, d.version, { ...patch, updated_at: at }, false))) {
      throw new AppError('version_conflict', 'a duplicate of the order changed meanwhile: try again', {
        orderId: d.id,
        expected: d.version,
      });
    }
    const after = (await repo.findOrder(trx, d.id)) as WorkOrderRow;
    await repo.insertEvent(trx, {
      id: newId(),
      work_order_id: d.id,
      community_id: d.community_id,
      type: e.type,
      from_status: d.status,
      to_status: after.status,
      actor_type: 'system',
      actor_id: null,
      actor_name: 'system',
      note: e.note,
      visibility: e.visibility,
      data_json: JSON.stringify(e.data),
      created_at: at,
    });
    await appendAudit(trx, this.deps.database.dialect, {
      communityId: d.community_id,
      createdAt: at,
      actor: 'system:merge',
      action: `work_order.${e.type}`,
      entityType: 'work_order',
      entityId: d.id,
      payload: {
        from: d.status,
        to: after.status,
        version: after.version,
        ...auditData(e.data),
        causedBy: e.causedBy,
        noteDigest: e.note ? createHash('sha256').update(e.note).digest('hex') : null,
      },
    });
    return after;
  }

  /**
   * The residents of an order's duplicates hear that it was resolved, each about their own order
   * (its number, its id): they are not given the order they were merged into.
   */
  private async tellDuplicatesResolved(trx: Kysely<DB>, target: WorkOrderRow, at: string): Promise<void> {
    const dups = await repo.duplicatesOf(trx, target.id);
    const messages = dups
      .map((d) => this.residentMessage(d, 'order_duplicate_resolved', `of:${target.id}:${target.version}`))
      .filter((m): m is OutboxMessage => m !== null);
    if (messages.length) await enqueueMany(trx, messages, at);
  }

  /**
   * Further reports of an order's problem, as the priority counts them: the orders merged into
   * it, and each time its resident said "not fixed" (a reopen).
   */
  private async repeatsOf(db: Kysely<DB>, order: WorkOrderRow): Promise<number> {
    return (await repo.countMergedInto(db, order.id)) + order.reopen_count;
  }

  /**
   * A duplicate merged into an order, or a reopen, is a repeat report of the same problem: the
   * order's priority is recomputed with the number of repeats (and its waiting time), the change
   * is recorded on its timeline and in the audit chain, and the lifecycle hooks hear of it (the
   * SLA policy of the new band applies: a P1 is timed round the clock).
   */
  private async bumpForRepeat(trx: Kysely<DB>, targetId: string, at: string): Promise<void> {
    const target = await repo.findOrder(trx, targetId);
    if (!target) return;
    const repeats = await this.repeatsOf(trx, target);
    const [ben] = target.beneficiary_id ? await repo.residentsByIds(trx, [target.beneficiary_id]) : [];
    const tags = ben && ben.tags_consent === 1 ? (JSON.parse(ben.tags_json) as string[]) : [];
    const waitingHours = (new Date(at).getTime() - new Date(target.created_at).getTime()) / 3_600_000;
    const pr = this.prioritize({
      urgency: target.urgency,
      tags,
      repeatCount: repeats,
      waitingHours,
      suspectedEmergency: stillSuspected(target),
    });
    const score = Math.round(pr.score);
    if (score === target.priority_score && pr.band === target.priority) return;
    await repo.updateOrderIfVersion(
      trx,
      targetId,
      target.version,
      { priority: pr.band, priority_score: score, updated_at: at },
      false,
    );
    const data = { repeats, from: target.priority, to: pr.band, score };
    await repo.insertEvent(trx, {
      id: newId(),
      work_order_id: targetId,
      community_id: target.community_id,
      type: 'reprioritized',
      from_status: target.status,
      to_status: target.status,
      actor_type: 'system',
      actor_id: null,
      actor_name: 'system',
      note: null,
      visibility: 'internal',
      data_json: JSON.stringify(data),
      created_at: at,
    });
    await appendAudit(trx, this.deps.database.dialect, {
      communityId: target.community_id,
      createdAt: at,
      actor: 'system:priority',
      action: 'work_order.reprioritized',
      entityType: 'work_order',
      entityId: targetId,
      payload: data,
    });
    const after = (await repo.findOrder(trx, targetId)) as WorkOrderRow;
    for (const h of this.hooks) await h.onReprioritized?.(trx, target, after, at);
  }

  private eventData(action: Action, input: ActInput): Record<string, unknown> {
    const d: Record<string, unknown> = {};
    if (input.assigneeId && action === 'dispatch') d.assigneeId = input.assigneeId;
    if (input.rating !== undefined && action === 'confirm') d.rating = input.rating;
    if (input.referredTo && action === 'refer') d.referredTo = input.referredTo;
    if (input.mergeInto && action === 'merge') d.mergeInto = input.mergeInto;
    return d;
  }

  private async checkAssignee(userId: string, communityId: string): Promise<void> {
    const u = await repo.userServesCommunity(this.db, userId, communityId);
    if (!u || u.active !== 1) {
      throw invalidInput('assigneeId', `assignee ${userId} does not serve this community`);
    }
    if (!mayBeAssigned(u.role as StaffRole)) {
      throw invalidInput(
        'assigneeId',
        `a ${u.role} cannot be assigned work orders: assign a grid worker, a provider or an admin, who can start and resolve them`,
      );
    }
  }

  private async checkMergeTarget(
    p: Principal,
    order: WorkOrderRow,
    targetId: string,
    db: Kysely<DB> = this.db,
  ): Promise<void> {
    if (targetId === order.id) throw invalidInput('mergeInto', 'an order cannot duplicate itself');
    const target = await repo.findOrder(db, targetId);
    if (!target || target.community_id !== order.community_id) {
      throw invalidInput('mergeInto', `order ${targetId} is not in this community`);
    }
    const facts = this.facts(target);
    if (!canReadOrder(p, facts))
      throw invalidInput('mergeInto', `order ${targetId} is not in this community`);
    if (target.status === 'duplicate')
      throw invalidInput('mergeInto', `order ${targetId} is itself a duplicate`);
    // Only into an order still being worked: merging into one that is over (cancelled, referred,
    // dismissed, resolved, closed) would close a new report with nobody left to act on it.
    if (!OPEN_STATUSES.includes(target.status as Status)) {
      throw invalidInput(
        'mergeInto',
        `order ${targetId} is ${target.status}: merge only into an order still open (${OPEN_STATUSES.join(', ')})`,
      );
    }
  }

  /**
   * Changes an order's category and/or urgency (a person's correction or triage decision):
   * priority is recomputed, the triage flag cleared, the change recorded on the timeline and in
   * the audit chain; `onCommit` runs in the same transaction (the classifier keeps the label).
   */
  async reclassify(
    p: Principal,
    id: string,
    input: {
      version: number;
      category?: string | undefined;
      subcategory?: string | null | undefined;
      urgency?: string | undefined;
      note?: string | undefined;
    },
    onCommit?: (trx: Kysely<DB>, before: WorkOrderRow, after: WorkOrderRow, at: string) => Promise<void>,
  ): Promise<WorkOrderRow> {
    const { order } = await this.getReadable(p, id);
    if (p.kind === 'user' && !p.communityIds.includes(order.community_id))
      throw forbidden('not your community');
    if (order.version !== input.version) {
      throw new AppError('version_conflict', 'the order changed since you loaded it: reload and try again', {
        expected: input.version,
        current: order.version,
      });
    }
    const urgency = input.urgency ?? order.urgency;
    const [ben] = order.beneficiary_id ? await repo.residentsByIds(this.db, [order.beneficiary_id]) : [];
    const tags = ben && ben.tags_consent === 1 ? (JSON.parse(ben.tags_json) as string[]) : [];
    const waitingHours = (this.deps.clock.now().getTime() - new Date(order.created_at).getTime()) / 3_600_000;
    // The repeats (merged reports, reopens) still count: a correction of the category is not a new order.
    const repeatCount = await this.repeatsOf(this.db, order);
    const priority = this.prioritize({ urgency, tags, repeatCount, waitingHours });
    const at = this.deps.clock.now().toISOString();
    const previous = { category: order.category, subcategory: order.subcategory, urgency: order.urgency };
    const classification = order.classification_json
      ? (JSON.parse(order.classification_json) as Record<string, unknown>)
      : {};
    const patch: Partial<WorkOrderRow> = {
      category: input.category ?? order.category,
      subcategory: input.subcategory !== undefined ? input.subcategory : order.subcategory,
      urgency,
      priority: priority.band,
      priority_score: Math.round(priority.score),
      needs_triage: 0,
      classification_json: JSON.stringify({
        ...classification,
        needsTriage: false,
        correctedBy: actorLabel(p),
        previous,
      }),
      updated_at: at,
    };
    return this.db.transaction().execute(async (trx) => {
      if (!(await repo.updateOrderIfVersion(trx, id, input.version, patch, false))) {
        throw new AppError(
          'version_conflict',
          'the order changed since you loaded it: reload and try again',
          {
            expected: input.version,
          },
        );
      }
      const after = (await repo.findOrder(trx, id)) as WorkOrderRow;
      const data = {
        previous,
        category: after.category,
        subcategory: after.subcategory,
        urgency: after.urgency,
      };
      await repo.insertEvent(trx, {
        id: newId(),
        work_order_id: id,
        community_id: order.community_id,
        type: 'reclassified',
        from_status: order.status,
        to_status: order.status,
        actor_type: p.kind,
        actor_id: 'id' in p ? p.id : null,
        actor_name: p.name,
        note: input.note ?? null,
        visibility: 'internal',
        data_json: JSON.stringify(data),
        created_at: at,
      });
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: order.community_id,
        createdAt: at,
        actor: actorLabel(p),
        action: 'work_order.reclassified',
        entityType: 'work_order',
        entityId: id,
        payload: { ...data, version: after.version, priority: after.priority },
      });
      await onCommit?.(trx, order, after, at);
      for (const h of this.hooks) await h.onReclassified?.(trx, order, after, at);
      return (await repo.findOrder(trx, id)) as WorkOrderRow;
    });
  }

  /**
   * Adds an internal note (staff only) or a public reply to the timeline; no status change. A
   * public reply is an update of the order: the lifecycle hooks hear of it (`onReplied`) in its
   * transaction, the order locked first as an action locks it, so the SLA's update deadline and
   * timer move with it.
   */
  async addNote(p: Principal, id: string, text: string, visibility: 'public' | 'internal') {
    const { order } = await this.getReadable(p, id);
    if (p.kind !== 'user' || p.role === 'auditor') throw forbidden('only staff add notes and replies');
    if (text.trim() === '') throw invalidInput('text', 'the note is empty');
    const at = this.deps.clock.now().toISOString();
    const eventId = newId();
    await this.db.transaction().execute(async (trx) => {
      if (visibility === 'public') await repo.lockOrders(trx, this.deps.database.dialect, [id]);
      await repo.insertEvent(trx, {
        id: eventId,
        work_order_id: id,
        community_id: order.community_id,
        type: visibility === 'public' ? 'reply' : 'note',
        from_status: null,
        to_status: null,
        actor_type: 'user',
        actor_id: p.id,
        actor_name: p.name,
        note: text,
        visibility,
        data_json: null,
        created_at: at,
      });
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: order.community_id,
        createdAt: at,
        actor: actorLabel(p),
        action: visibility === 'public' ? 'work_order.replied' : 'work_order.noted',
        entityType: 'work_order',
        entityId: id,
        payload: { eventId, textDigest: createHash('sha256').update(text).digest('hex') },
      });
      if (visibility === 'public') {
        await this.notifyResident(trx, order, 'order_reply', at, eventId);
        // The order as it stands under the lock: an action may have committed since it was read.
        const current = (await repo.findOrder(trx, id)) ?? order;
        for (const h of this.hooks) await h.onReplied?.(trx, current, at);
      }
    });
    return eventId;
  }

  async addPhoto(p: Principal, id: string, photo: { contentType: string; dataBase64: string }) {
    const { order } = await this.getReadable(p, id);
    if (p.kind === 'user' && p.role === 'auditor') throw forbidden('auditors only read');
    if (TERMINAL.has(order.status as Status))
      throw new AppError('invalid_transition', `the order is ${order.status}: it takes no more photos`, {
        status: order.status,
      });
    const ph = this.decodePhoto(photo, 0);
    await this.deps.files.put(ph.key, ph.data);
    const at = this.deps.clock.now().toISOString();
    try {
      await this.db.transaction().execute(async (trx) => {
        // Counted inside the transaction, so photos sent at once cannot pass the limit together.
        await repo.lockOrders(trx, this.deps.database.dialect, [id]);
        if ((await repo.photosOf(trx, id)).length >= MAX_PHOTOS_PER_ORDER)
          throw new AppError('conflict', `an order keeps at most ${MAX_PHOTOS_PER_ORDER} photos`, {
            field: 'photo',
            max: MAX_PHOTOS_PER_ORDER,
          });
        await repo.insertPhoto(trx, {
          id: ph.id,
          work_order_id: id,
          file_key: ph.key,
          content_type: ph.contentType,
          size_bytes: ph.data.length,
          created_at: at,
        });
        await appendAudit(trx, this.deps.database.dialect, {
          communityId: order.community_id,
          createdAt: at,
          actor: actorLabel(p),
          action: 'work_order.photo_added',
          entityType: 'work_order',
          entityId: id,
          payload: { photoId: ph.id, sha256: createHash('sha256').update(ph.data).digest('hex') },
        });
      });
    } catch (err) {
      await this.discardPhotoFiles([ph]);
      throw err;
    }
    return { id: ph.id, contentType: ph.contentType, size: ph.data.length, createdAt: at };
  }

  async photoFile(p: Principal, id: string, photoId: string) {
    await this.getReadable(p, id);
    const ph = (await repo.photosOf(this.db, id)).find((x) => x.id === photoId);
    if (!ph) throw notFound('not_found', 'photo', photoId);
    const data = await this.deps.files.get(ph.file_key);
    if (!data) throw notFound('not_found', 'photo file', photoId);
    return { data, contentType: ph.content_type };
  }

  /** Builds the list filter a principal is allowed: their communities, and for field staff and residents their part of it. */
  scopeFilter(p: Principal, requestedCommunity: string | undefined): Omit<ListFilter, 'limit'> {
    let communityIds = communitiesOf(p);
    if (requestedCommunity) {
      if (!communityIds.includes(requestedCommunity)) throw forbidden('you do not serve this community');
      communityIds = [requestedCommunity];
    }
    if (p.kind === 'resident')
      return {
        communityIds,
        residentScope: { residentId: p.id, householdId: p.householdId, householdSince: p.householdSince },
      };
    if (p.kind === 'api_key') return { communityIds, apiKeyScope: p.id };
    if (p.kind === 'user' && !seesWholeCommunity(p)) {
      return { communityIds, assigneeOrGridsUser: p.id, gridIds: p.role === 'grid_worker' ? p.gridIds : [] };
    }
    return { communityIds };
  }

  async changedSince(
    filter: Omit<ListFilter, 'limit' | 'cursor'>,
    since: string,
    limit = 200,
    afterId: string | null = null,
  ) {
    return repo.changedSince(this.db, filter, since, limit, afterId);
  }

  async list(filter: ListFilter) {
    return repo.listOrders(this.db, filter);
  }

  /** Closes orders resolved more than `autoCloseDays` ago with no answer from the resident. */
  async autoCloseDue(system: Principal, limit = 200): Promise<number> {
    const cutoff = new Date(
      this.deps.clock.now().getTime() - this.deps.config.autoCloseDays * 86400_000,
    ).toISOString();
    const due = await repo.dueForAutoClose(this.db, cutoff, limit);
    let closed = 0;
    for (const d of due) {
      try {
        await this.act(system, d.id, 'auto_close', { version: d.version });
        closed += 1;
      } catch (err) {
        // Changed meanwhile, or rolled back by the database (a deadlock): the next sweep takes it up.
        if (!(err instanceof AppError && err.code === 'version_conflict') && !isTransientDatabaseError(err))
          throw err;
      }
    }
    return closed;
  }

  /** The message that tells the resident about their order, on the channel they used; null when no resident is attached. */
  private residentMessage(order: WorkOrderRow, template: string, extra = ''): OutboxMessage | null {
    const residentId =
      order.reporter_type === 'resident'
        ? order.reporter_id
        : order.beneficiary_id
          ? order.beneficiary_id
          : null;
    if (!residentId) return null;
    // A resident hears back on the channel they used: the app inbox for web/miniapp, SMS otherwise.
    const channel = order.channel === 'web' || order.channel === 'miniapp' ? 'inapp' : 'sms';
    return {
      idempotencyKey: `${template}:${order.id}:${order.version}${extra ? `:${extra}` : ''}`,
      channel,
      recipientType: 'resident',
      recipientId: residentId,
      address: null,
      template,
      locale: 'zh-CN',
      payload: { orderId: order.id, number: order.number, status: order.status },
    };
  }

  private async notifyResident(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    template: string,
    at: string,
    extra = '',
  ) {
    const msg = this.residentMessage(order, template, extra);
    if (msg) await enqueue(trx, msg, at);
  }
}

/**
 * What the audit chain keeps of a step's data: ids, numbers and codes as they are, words a person
 * typed (where an order was referred to, which may name a person and a phone) as their digest,
 * like notes; the chain is read by auditors, who see no contact data.
 */
function auditData(data: Record<string, unknown>): Record<string, unknown> {
  const { referredTo, ...rest } = data;
  return typeof referredTo === 'string' ? { ...rest, referredToDigest: sha256Hex(referredTo) } : rest;
}
