import { purgeDeletedTokens, reindexOrders } from '../work-orders/work-order.search-index.ts';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/context.ts';
import { AppError, forbidden, invalidInput, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { actorLabel, communitiesOf } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { freeTextFor, maySee, readsAllContacts } from '../../platform/auth/privacy.ts';
import { CsvError, decodeTextFile, parseCsvRecords } from '../../platform/csv.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { GridLocator } from '../tenancy/grid-locator.ts';
import { listOrders } from '../work-orders/work-order.repository.ts';
import type { ListFilter, WorkOrderRow } from '../work-orders/work-order.repository.ts';
import { canReadOrder, orderFacts, seesWholeCommunity } from '../work-orders/work-order.policy.ts';
import * as repo from './resident.repository.ts';
import * as erasureRepo from './resident.erasure.repository.ts';
import { anonymise, anonymiseJson, anonymisedOrder, erasedRecord } from './resident.erasure.ts';
import type { ErasedPerson, ErasureReason } from './resident.erasure.ts';
import { announceStale } from '../../platform/cache/coherence.ts';
import { lockOrders, searchTextFor } from '../work-orders/work-order.repository.ts';
import { foldedOrNull } from '../work-orders/work-order.filters.ts';
import { presentResident } from './resident.presenter.ts';
import { exportResidentData } from './resident.data.ts';
import {
  browsesResidents,
  canReadResident,
  erasesResidents,
  importsResidents,
  keepsRegister,
  residentFacts,
} from './resident.policy.ts';
import {
  tidyText,
  CONTACT_PHONE,
  MIN_PHONE_DIGITS,
  PHONE,
  RESIDENT_IMPORT_MAX_ROWS,
  SPECIAL_GROUP_TAGS,
  validateResidentRows,
} from './resident.import.ts';
import type { ImportProblem, ResidentImportRow } from './resident.import.ts';
import { scrubWal } from '../../platform/db/database.ts';
import * as proposalRepo from '../proposals/proposal.repository.ts';
import { rejectPendingOfErased } from '../time-bank/time-bank.erasure.ts';

const RECENT_ORDERS = 10;

/** What a resident's record may change (`PATCH /api/v1/residents/{id}`). */
export interface HomeInput {
  address: string;
  building?: string | undefined;
  room?: string | undefined;
  location?: { lat: number; lng: number } | undefined;
}
export interface ResidentPatch {
  name?: string | undefined;
  birthYear?: number | null | undefined;
  phone?: string | null | undefined;
  emergencyContact?:
    { name?: string | null | undefined; phone?: string | null | undefined } | null | undefined;
  preferredChannel?: 'inapp' | 'sms' | 'wechat' | null | undefined;
  home?: HomeInput | null | undefined;
  updatedAt?: string | undefined;
}
const RESIDENT_FIELDS = ['name', 'birthYear', 'phone', 'emergencyContact', 'preferredChannel', 'home'];
const RESIDENT_SELF_FIELDS = ['emergencyContact', 'preferredChannel'];

export interface ImportReport {
  dryRun: boolean;
  encoding: string;
  rows: number;
  created: number;
  households: number;
  /** Residents placed in a household already registered at their address (not a new one). */
  joined: number;
  /** Rows of empty fields only (`,,,`, as spreadsheets write them) that were skipped. */
  skippedEmptyRows: number;
  problems: ImportProblem[];
}

/** What an erasure did: counts only (what went is listed in the docs, not repeated here). */
export interface ErasureReport {
  residentId: string;
  erasedAt: string;
  reason: ErasureReason;
  /** Orders filed by or for the resident whose text was anonymised (the orders stay). */
  orders: number;
  /** Timeline entries whose note or author's name was anonymised. */
  events: number;
  /** Sessions ended. */
  sessions: number;
  /** Messages not yet sent, cancelled. */
  messagesCancelled: number;
  /** In-app inbox items deleted. */
  inboxItems: number;
  /** Their time bank service records still pending, rejected (nobody may verify them now). */
  serviceRecordsRejected: number;
}

/** How many problems a refused import lists (its `total` says how many there are). */
const MAX_PROBLEMS_LISTED = 200;

/** Who must hear that a resident's identity changed: the sessions that cache who they are. */
export interface ResidentIdentityHooks {
  /** Inside the change's transaction: every node drops its cached principal of the resident. */
  changed(trx: Kysely<DB>, residentId: string): Promise<void>;
  /** After the commit, on this node. */
  forget(residentId: string): void;
}

export class ResidentService {
  constructor(
    private readonly deps: Deps,
    private readonly identity?: ResidentIdentityHooks,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  private requireLookup(p: Principal) {
    if (p.kind !== 'user' || !browsesResidents(p))
      throw forbidden('only intake and field staff look up residents');
    return p;
  }

  /**
   * Caller lookup for the hotline console: residents with this phone whom I may see (my
   * communities; a grid worker's grids), with household and history. Anyone else is left
   * out, exactly as a resident of another community is.
   */
  async lookupByPhone(p: Principal, phone: string) {
    const u = this.requireLookup(p);
    const found = await repo.residentsByPhone(this.db, phone, u.communityIds);
    const seen = [];
    for (const r of found) {
      const hh = await this.householdOf(r);
      if (canReadResident(p, residentFacts(r, hh))) seen.push(await this.detail(p, r, hh));
    }
    return seen;
  }

  /** A resident the principal may see; otherwise not-found, so ids of others leak nothing. */
  async get(p: Principal, id: string) {
    if (p.kind === 'user' && !browsesResidents(p)) throw forbidden('your role does not browse residents');
    const r = await repo.findResident(this.db, id);
    const hh = r ? await this.householdOf(r) : undefined;
    if (!r || !canReadResident(p, residentFacts(r, hh))) throw notFound('resident_not_found', 'resident', id);
    return this.detail(p, r, hh);
  }

  /**
   * The special groups a resident is held in, and their consent to it (个人信息 of the most
   * sensitive kind). Groups are held only with consent: withdrawing it deletes them, and setting
   * groups needs it. The resident themself may withdraw; staff who may see and weigh the groups
   * (intake, dispatch, grid workers for their grids, admins) record consent and groups as the
   * resident gives them. `updatedAt`, when sent, must be the record's own (409 otherwise). Audited
   * with what changed, never the groups themselves.
   */
  async updateGroups(
    p: Principal,
    id: string,
    patch: { tagsConsent?: boolean | undefined; tags?: string[] | undefined; updatedAt?: string | undefined },
  ) {
    const r = await repo.findResident(this.db, id);
    const hh = r ? await this.householdOf(r) : undefined;
    if (!r || !canReadResident(p, residentFacts(r, hh))) throw notFound('resident_not_found', 'resident', id);
    refuseErased(r);
    const self = p.kind === 'resident' && p.id === r.id;
    const withdrawalOnly = patch.tagsConsent === false && patch.tags === undefined;
    if (!(self ? withdrawalOnly : p.kind === 'user' && maySee(p, 'tags')))
      throw forbidden(
        self
          ? 'you may withdraw your consent here (tagsConsent: false); ask the community to record groups'
          : 'your role does not see special groups, so it does not record them',
      );
    if (patch.tagsConsent === undefined && patch.tags === undefined)
      throw new AppError('invalid_input', 'say what changes: tagsConsent and/or tags', {
        field: 'tagsConsent',
      });
    for (const t of patch.tags ?? [])
      if (!(SPECIAL_GROUP_TAGS as readonly string[]).includes(t))
        throw new AppError(
          'invalid_input',
          `tags: unknown group "${t}" (known: ${SPECIAL_GROUP_TAGS.join(', ')})`,
          {
            field: 'tags',
          },
        );
    const consent = patch.tagsConsent ?? r.tags_consent === 1;
    const tags = consent ? [...new Set(patch.tags ?? (JSON.parse(r.tags_json) as string[]))].sort() : [];
    if (!consent && (patch.tags?.length ?? 0) > 0)
      throw new AppError(
        'invalid_input',
        'tags: groups are held only with the resident’s consent (tagsConsent: true)',
        {
          field: 'tags',
        },
      );
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await updateIfUnchanged(
        trx,
        id,
        patch.updatedAt ?? r.updated_at,
        { tags_consent: consent ? 1 : 0, tags_json: JSON.stringify(tags) },
        at,
      );
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: r.community_id,
        createdAt: at,
        actor: actorLabel(p),
        action: consent ? 'resident.groups_recorded' : 'resident.consent_withdrawn',
        entityType: 'resident',
        entityId: id,
        payload: {
          consentBefore: r.tags_consent === 1,
          consent,
          groupsBefore: (JSON.parse(r.tags_json) as string[]).length,
          groups: tags.length,
        },
      });
    });
    return this.get(p, id);
  }

  /**
   * Changes a resident's record: name, birth year, phone, emergency contact, preferred channel,
   * and home. A new `home` moves them into the household at that address of their community (a
   * new one, placed in its grid, when none lives there yet); `home: null` records that they moved
   * away. Either way their household's earlier orders stay with that household, and they read
   * only the new household's orders filed from now on (`householdSince`); their own orders stay
   * theirs. A new name keeps the old one as a former name (`resident_former_names`), which
   * erasure blanks too and the copy of their data lists. Staff who keep the register (admins,
   * managers) change any of it, the phone only when their role reads phones unmasked (a taken
   * number is refused, which tells it is registered); a resident changes their own emergency
   * contact and preferred channel. `updatedAt`, when sent, must be the record's own (409
   * otherwise). Audited with the names of the fields that changed and the households, never the
   * values.
   */
  async update(p: Principal, id: string, patch: ResidentPatch) {
    const r = await repo.findResident(this.db, id);
    const hh = r ? await this.householdOf(r) : undefined;
    if (!r || !canReadResident(p, residentFacts(r, hh))) throw notFound('resident_not_found', 'resident', id);
    refuseErased(r);
    const fields = (Object.keys(patch) as (keyof ResidentPatch)[]).filter(
      (k) => k !== 'updatedAt' && patch[k] !== undefined,
    );
    if (fields.length === 0)
      throw new AppError(
        'invalid_input',
        'say what changes: name, birthYear, phone, emergencyContact, preferredChannel or home',
        { field: 'name' },
      );
    const self = p.kind === 'resident' && p.id === r.id;
    const allowed: readonly string[] = self
      ? RESIDENT_SELF_FIELDS
      : keepsRegister(p)
        ? readsAllContacts(p)
          ? RESIDENT_FIELDS
          : RESIDENT_FIELDS.filter((f) => f !== 'phone')
        : [];
    const refused = fields.find((f) => !allowed.includes(f));
    if (refused)
      throw forbidden(
        allowed.length === 0
          ? 'only admins and managers change residents’ records'
          : self
            ? `you change your emergency contact and preferred channel here; ask the community to change ${refused}`
            : `your role sees phones masked, so it does not change them (${refused})`,
      );
    const set: Partial<repo.ResidentRow> = {};
    if (patch.name !== undefined) {
      const name = tidyText(patch.name);
      if (name === '') throw invalidInput('name', 'name: give the resident’s name');
      set.name = name;
    }
    if (patch.birthYear !== undefined) {
      const year = this.deps.clock.now().getUTCFullYear();
      if (patch.birthYear !== null && (patch.birthYear < 1900 || patch.birthYear > year))
        throw invalidInput('birthYear', `birthYear: a year from 1900 to ${year}`);
      set.birth_year = patch.birthYear;
    }
    if (patch.phone !== undefined) {
      if (patch.phone !== null && !PHONE.test(patch.phone))
        throw invalidInput('phone', `phone: "${patch.phone}" is not an 11-digit mobile number`);
      set.phone = patch.phone;
    }
    if (patch.emergencyContact !== undefined) {
      const c = patch.emergencyContact;
      // Only the parts sent change: a new number keeps the contact's name, and the other way round.
      const phone =
        c === null ? null : c.phone === undefined ? r.emergency_contact_phone : c.phone?.trim() || null;
      if (phone !== null && (!CONTACT_PHONE.test(phone) || phone.replace(/-/g, '').length < MIN_PHONE_DIGITS))
        throw invalidInput(
          'emergencyContact.phone',
          `emergencyContact.phone: "${phone}" is not a phone number (digits and dashes, at least ${MIN_PHONE_DIGITS} digits)`,
        );
      set.emergency_contact_name =
        c === null ? null : c.name === undefined ? r.emergency_contact_name : tidyText(c.name ?? '') || null;
      set.emergency_contact_phone = phone;
    }
    if (patch.preferredChannel !== undefined) set.preferred_channel = patch.preferredChannel;
    const home = patch.home;
    if (home) {
      if (tidyText(home.address) === '') throw invalidInput('home.address', 'home.address: give the address');
      if (home.location && (Math.abs(home.location.lat) > 90 || Math.abs(home.location.lng) > 180))
        throw invalidInput('home.location', 'home.location: lat within ±90 and lng within ±180');
    }

    const now = this.deps.clock.now();
    const at = now.toISOString();
    let householdAfter = r.household_id;
    const changes = (f: keyof ResidentPatch): boolean => {
      switch (f) {
        case 'name':
          return set.name !== r.name;
        case 'birthYear':
          return set.birth_year !== r.birth_year;
        case 'phone':
          return set.phone !== r.phone;
        case 'emergencyContact':
          return (
            set.emergency_contact_name !== r.emergency_contact_name ||
            set.emergency_contact_phone !== r.emergency_contact_phone
          );
        case 'preferredChannel':
          return set.preferred_channel !== r.preferred_channel;
        default:
          return true;
      }
    };
    const identityChanges = set.phone !== undefined || home !== undefined;
    await this.db.transaction().execute(async (trx) => {
      // Phones (one per resident) and households (one per address) are claimed by a read and a
      // write: on PostgreSQL changes to them take turns with each other and with imports (SQLite's
      // one writer already serialises them).
      if (identityChanges && this.deps.database.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtext('residents:identities'))`.execute(trx);
      if (set.phone) {
        // One phone signs in as one resident, in any community.
        const taken = await trx
          .selectFrom('residents')
          .select('id')
          .where('phone', '=', set.phone)
          .where('id', '!=', id)
          .executeTakeFirst();
        if (taken)
          throw new AppError(
            'conflict',
            'this phone is already registered: one phone signs in as one resident',
            {
              field: 'phone',
            },
          );
      }
      if (home !== undefined) {
        householdAfter = home === null ? null : await this.householdAt(trx, r.community_id, home, now);
        if (householdAfter !== r.household_id) {
          set.household_id = householdAfter;
          set.household_since = householdAfter === null ? null : at;
        }
      }
      await updateIfUnchanged(trx, id, patch.updatedAt ?? r.updated_at, set, at);
      // The name they had is kept as a former name, after the row is taken (so an erasure, which
      // takes it first, either reads this name or makes this change stale): text written before
      // the rename names them by it, and erasure blanks it too.
      if (set.name !== undefined && set.name !== r.name)
        await repo.recordFormerName(
          trx,
          { resident_id: id, community_id: r.community_id, name: r.name, ended_at: at },
          set.name,
        );
      // Signed-in sessions cache who the resident is (household, phone): every node forgets it.
      if (identityChanges) await this.identity?.changed(trx, id);
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: r.community_id,
        createdAt: at,
        actor: actorLabel(p),
        action: 'resident.updated',
        entityType: 'resident',
        entityId: id,
        payload: {
          // The fields whose value changed (sending the current value changes nothing).
          fields: fields
            .filter((f) => (f === 'home' ? householdAfter !== r.household_id : changes(f)))
            .sort(),
          ...(householdAfter !== r.household_id ? { householdBefore: r.household_id, householdAfter } : {}),
        },
      });
    });
    if (identityChanges) this.identity?.forget(id);
    if (p.kind === 'resident' && householdAfter !== r.household_id) return this.getAfterMove(p, id);
    return this.get(p, id);
  }

  /** Erases a resident's personal data: see `eraseResident`. */
  erase(p: Principal, id: string, input: { reason: ErasureReason; updatedAt?: string | undefined }) {
    return eraseResident(this.deps, p, id, input, this.identity);
  }

  /** A copy of the resident's personal data, for them or an admin acting for them (audited). */
  exportData(p: Principal, id: string) {
    return exportResidentData(this.deps, p, id);
  }

  /** The resident's own record after a move, read as the resident now is. */
  private async getAfterMove(p: Extract<Principal, { kind: 'resident' }>, id: string) {
    const r = await repo.findResident(this.db, id);
    if (!r) throw notFound('resident_not_found', 'resident', id);
    return this.get({ ...p, householdId: r.household_id, householdSince: r.household_since }, id);
  }

  /** The household at this address of the community, made (and placed in its grid) when none lives there. */
  private async householdAt(
    trx: Kysely<DB>,
    communityId: string,
    home: HomeInput,
    now: Date,
  ): Promise<string> {
    const address = tidyText(home.address);
    // A household registered before addresses were tidied is found by the address as it is stored.
    const typed = home.address.trim();
    const existing =
      (await repo.findHouseholdByAddress(trx, communityId, address)) ??
      (typed !== address ? await repo.findHouseholdByAddress(trx, communityId, typed) : undefined);
    if (existing) return existing.id;
    const lat = home.location?.lat ?? null;
    const lng = home.location?.lng ?? null;
    const id = newId();
    await repo.insertHousehold(trx, {
      id,
      community_id: communityId,
      grid_id:
        lat !== null && lng !== null
          ? await new GridLocator(trx).locate(communityId, lat, lng, now.getTime())
          : null,
      address,
      building: home.building?.trim() || null,
      room: home.room?.trim() || null,
      lat,
      lng,
      created_at: now.toISOString(),
    });
    return id;
  }

  private async householdOf(r: repo.ResidentRow) {
    return r.household_id ? repo.findHousehold(this.db, r.household_id) : undefined;
  }

  private async detail(p: Principal, r: repo.ResidentRow, hh: repo.HouseholdRow | undefined) {
    const members = hh ? await repo.householdMembers(this.db, hh.id) : [];
    const history = await this.readableOrdersOf(p, r);
    return {
      ...presentResident(p, r),
      household: hh
        ? {
            id: hh.id,
            address: hh.address,
            gridId: hh.grid_id,
            location: hh.lat !== null && hh.lng !== null ? { lat: hh.lat, lng: hh.lng } : null,
            members: members.filter((m) => m.id !== r.id).map((m) => presentResident(p, m)),
          }
        : null,
      recentOrders: history.map((o) => ({
        id: o.id,
        number: o.number,
        status: o.status,
        category: o.category,
        urgency: o.urgency,
        // Typed contact data blanked for this viewer, as in the order itself.
        description: freeTextFor(p, concerns(p, o))(o.description),
        createdAt: o.created_at,
      })),
    };
  }

  /**
   * The resident's latest orders (reported by or for them) that the viewer may read by the
   * work-order rules: the same list scope as the work-order listing, then the same predicate.
   */
  private async readableOrdersOf(p: Principal, r: repo.ResidentRow): Promise<WorkOrderRow[]> {
    const fieldStaff = p.kind === 'user' && !seesWholeCommunity(p);
    const filter: ListFilter = {
      communityIds: p.kind === 'system' ? [r.community_id] : communitiesOf(p),
      residentScope: { residentId: r.id, householdId: null, householdSince: null },
      ...(fieldStaff
        ? { assigneeOrGridsUser: p.id, gridIds: p.role === 'grid_worker' ? p.gridIds : [] }
        : {}),
      limit: RECENT_ORDERS,
    };
    const orders = await listOrders(this.db, filter);
    return orders.filter((o) => canReadOrder(p, orderFacts(o)));
  }

  /**
   * Imports residents from CSV (UTF-8 or GBK), all or nothing; `dryRun` validates and reports
   * without writing residents. Only admins (and the command line) import: the report says which
   * phones and ID numbers are already registered. Every import and dry run of a readable file is
   * audited (how many rows, the file's SHA-256, how many problems: no personal data), refused
   * ones too, so a run of dry runs probing the register is on the record.
   */
  async importCsv(
    p: Principal,
    communityRef: string,
    file: Buffer,
    fileName: string,
    dryRun: boolean,
  ): Promise<ImportReport> {
    if (!importsResidents(p)) {
      throw forbidden(
        'only admins import residents: an import reports which phones and ID numbers are registered, and your role sees them masked',
      );
    }
    const community = await servedCommunity(
      this.db,
      p.kind === 'user' ? communitiesOf(p) : 'any',
      communityRef,
      'community',
    );
    let decoded;
    let parsed;
    try {
      decoded = decodeTextFile(file, fileName);
      // Rows past the limit are not parsed: a file of millions of tiny rows is refused at once.
      parsed = parseCsvRecords(decoded.text, {
        fileName,
        maxRows: RESIDENT_IMPORT_MAX_ROWS,
        skipEmptyRows: true,
      });
    } catch (err) {
      if (err instanceof CsvError) {
        throw new AppError('invalid_input', err.message, {
          file: fileName,
          row: err.row,
          column: err.column,
        });
      }
      throw err;
    }
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const { rows, problems } = validateResidentRows(parsed, now.getUTCFullYear());
    const report: ImportReport = {
      dryRun,
      encoding: decoded.encoding,
      rows: rows.length,
      created: 0,
      households: 0,
      joined: 0,
      skippedEmptyRows: parsed.skipped,
      problems,
    };
    const audit = (action: string, payload: Record<string, unknown>) =>
      this.db
        .transaction()
        .execute((trx) => this.auditImport(trx, p, community.id, at, action, file, payload));
    // A file with problems, and a dry run, also report what the database already holds; a real
    // import checks that again inside its transaction, under a lock (below).
    if (dryRun || problems.length) {
      problems.push(...(await alreadyRegistered(this.db, community.id, rows)));
      // In row order (stable: within a row the file's problems come before the database's).
      problems.sort((a, b) => a.row - b.row);
      await audit(dryRun ? 'residents.import_dry_run' : 'residents.import_refused', {
        rows: rows.length,
        problems: problems.length,
      });
      if (problems.length && !dryRun) throw refuseImport(fileName, problems);
      if (!dryRun || problems.length) return report;
      // What the import would do: the new households, and who would join one already there.
      const registered = await repo.householdAddresses(
        this.db,
        community.id,
        rows.map((r) => r.address),
      );
      const addresses = new Set(rows.map((r) => r.address));
      return {
        ...report,
        created: rows.length,
        households: [...addresses].filter((a) => !registered.has(a)).length,
        joined: rows.filter((r) => registered.has(r.address)).length,
      };
    }

    const households = new Map<string, string>();
    const joinedExisting = new Set<string>();
    let refused: AppError | undefined;
    try {
      await this.db.transaction().execute(async (trx) => {
        // Two imports at once must not both find a phone free and both register it: on PostgreSQL
        // they take turns here (SQLite's one writer already serialises them).
        if (this.deps.database.dialect === 'postgres')
          await sql`select pg_advisory_xact_lock(hashtext('residents:identities'))`.execute(trx);
        const taken = await alreadyRegistered(trx, community.id, rows);
        if (taken.length) throw (refused = refuseImport(fileName, taken));
        // Inside the transaction every read goes through it: SQLite has one connection.
        const locator = new GridLocator(trx);
        for (const r of rows) {
          let hhId = households.get(r.address);
          if (!hhId) {
            const existing = await repo.findHouseholdByAddress(trx, community.id, r.address);
            hhId = existing?.id;
            if (hhId) joinedExisting.add(hhId);
            if (!hhId) {
              hhId = newId();
              const gridId =
                r.lat !== null && r.lng !== null
                  ? await locator.locate(community.id, r.lat, r.lng, now.getTime())
                  : null;
              await repo.insertHousehold(trx, {
                id: hhId,
                community_id: community.id,
                grid_id: gridId,
                address: r.address,
                building: r.building,
                room: r.room,
                lat: r.lat,
                lng: r.lng,
                created_at: at,
              });
              report.households += 1;
            }
            households.set(r.address, hhId);
          }
          if (joinedExisting.has(hhId)) report.joined += 1;
          await repo.insertResident(trx, {
            id: newId(),
            community_id: community.id,
            household_id: hhId,
            household_since: at,
            name: r.name,
            phone: r.phone,
            id_number: r.idNumber,
            birth_year: r.birthYear,
            tags_json: JSON.stringify(r.tags),
            tags_consent: r.tagsConsent ? 1 : 0,
            emergency_contact_name: r.emergencyContactName,
            emergency_contact_phone: r.emergencyContactPhone,
            preferred_channel: null,
            created_at: at,
            updated_at: at,
            erased_at: null,
          });
          report.created += 1;
        }
        await this.auditImport(trx, p, community.id, at, 'residents.imported', file, {
          rows: rows.length,
          created: report.created,
          households: report.households,
          joined: report.joined,
        });
      });
    } catch (err) {
      // Refused by what the register holds: that answer is recorded like a dry run's.
      if (err === refused && refused)
        await audit('residents.import_refused', {
          rows: rows.length,
          problems: (refused.details?.total as number | undefined) ?? 0,
        });
      throw err;
    }
    return report;
  }

  /** One audit entry of an import: what was done, by whom, how many rows, the file's hash; no personal data. */
  private async auditImport(
    trx: Kysely<DB>,
    p: Principal,
    communityId: string,
    at: string,
    action: string,
    file: Buffer,
    counts: Record<string, unknown>,
  ) {
    await appendAudit(trx, this.deps.database.dialect, {
      communityId,
      createdAt: at,
      actor: actorLabel(p),
      action,
      entityType: 'community',
      entityId: communityId,
      payload: { ...counts, sha256: createHash('sha256').update(file).digest('hex') },
    });
  }
}

/**
 * Phones and ID numbers of the file that a resident already has, in any community: a phone signs
 * in as one resident, and an ID number is one person. A clash within this community says so; one
 * elsewhere says only that the number is registered, neither where nor whose, nor the number.
 */
async function alreadyRegistered(
  db: Kysely<DB>,
  communityId: string,
  rows: ResidentImportRow[],
): Promise<ImportProblem[]> {
  const phones = rows.flatMap((r) => (r.phone ? [r.phone] : []));
  const idNumbers = rows.flatMap((r) => (r.idNumber ? [r.idNumber] : []));
  const taken = await repo.registeredIdentities(db, phones, idNumbers);
  // Without a phone or an ID number, the same name at the same address of this community is
  // taken as the same person: importing a file again must not register everyone twice.
  const anonymous = rows.filter((r) => !r.phone && !r.idNumber);
  const living = await repo.namesAtAddresses(
    db,
    communityId,
    anonymous.map((r) => r.address),
  );
  const problems: ImportProblem[] = [];
  for (const r of anonymous)
    if (living.has(`${r.name}\u0000${r.address}`))
      problems.push({
        row: r.row,
        column: 'name',
        message: `${r.name} already lives at this address: give a phone or an ID number if this is another person`,
      });
  const where = (held: Set<string>) => (held.has(communityId) ? ' in this community' : '');
  for (const r of rows) {
    const phone = r.phone ? taken.phones.get(r.phone) : undefined;
    if (phone)
      problems.push({
        row: r.row,
        column: 'phone',
        message: `this phone is already registered${where(phone)}: one phone signs in as one resident`,
      });
    const idNumber = r.idNumber ? taken.idNumbers.get(r.idNumber) : undefined;
    if (idNumber)
      problems.push({
        row: r.row,
        column: 'id_number',
        message: `this ID number is already registered${where(idNumber)}: one ID number is one person`,
      });
  }
  return problems;
}

function refuseImport(fileName: string, problems: ImportProblem[]): AppError {
  return new AppError(
    'validation_failed',
    `${problems.length} problem(s) in ${fileName}: nothing was imported`,
    // The first 200, and how many in all (a dry run reports every one).
    { file: fileName, problems: problems.slice(0, MAX_PROBLEMS_LISTED), total: problems.length },
  );
}

/**
 * Writes a resident's change if the record is still at `updatedAt`; 409 `version_conflict`
 * otherwise. The new `updated_at` is always later than the one checked, also for a change made in
 * the same millisecond as the last (or on a node whose clock is behind): were it equal, a second
 * change prepared against the same record would pass the check too.
 */
async function updateIfUnchanged(
  trx: Kysely<DB>,
  id: string,
  updatedAt: string,
  set: Partial<repo.ResidentRow>,
  at: string,
): Promise<void> {
  const changed = await trx
    .updateTable('residents')
    .set({ ...set, updated_at: laterThan(updatedAt, at) })
    .where('id', '=', id)
    .where('updated_at', '=', updatedAt)
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) !== 1)
    throw new AppError(
      'version_conflict',
      'the resident changed since you loaded them: reload and try again',
      {
        field: 'updatedAt',
      },
    );
}

/** `at`, or one millisecond after `before` when `at` is not later (same millisecond, or a clock behind). */
export function laterThan(before: string, at: string): string {
  if (at > before) return at;
  const t = Date.parse(before);
  return Number.isNaN(t) ? at : new Date(t + 1).toISOString();
}

/**
 * Erases a resident's personal data (个人信息删除): admins only, once, audited with the reason's
 * code and counts. In one transaction: the record keeps its id and loses everything personal
 * (name, phone, ID number, birth year, emergency contact, special groups and consent, preferred
 * channel, household, the names they had before a rename); the orders filed by or for them
 * stay, counted as before, with their names (today's and former) and every phone, ID number and
 * e-mail address blanked from their text (description, notes, replies, resolution, rating
 * comment, intake answers, classifier labels, survey comments, return-visit notes; the title,
 * description and notes of their proposals) and the
 * reporter's name and phone cleared where they were the resident's; each changed order gets a
 * new version and a `work_order.anonymised` audit entry.
 * Their sessions end, one-time codes go, messages not yet sent are cancelled and no message
 * keeps their address, and their in-app inbox is deleted. Their time bank service still pending is
 * rejected (`rejectPendingOfErased`). The audit chain is not rewritten: it holds ids and digests,
 * not personal data.
 */
export async function eraseResident(
  deps: Pick<Deps, 'database' | 'clock'>,
  p: Principal,
  id: string,
  input: { reason: ErasureReason; updatedAt?: string | undefined },
  identity?: ResidentIdentityHooks,
): Promise<ErasureReport> {
  const db = deps.database.db;
  const r = await repo.findResident(db, id);
  const hh = r ? await (r.household_id ? repo.findHousehold(db, r.household_id) : undefined) : undefined;
  if (!r || !canReadResident(p, residentFacts(r, hh))) throw notFound('resident_not_found', 'resident', id);
  if (!erasesResidents(p))
    throw forbidden('only admins erase a resident’s personal data (it cannot be undone)');
  refuseErased(r);
  // Scans, read before the transaction: the community's orders reported from the resident's
  // phone however typed, and the messages and inbox items about their orders. The orders filed by
  // or for them (indexed) are read again inside it, after the resident's row is taken.
  const byPhone = r.phone ? await erasureRepo.orderIdsByReporterPhone(db, r.community_id, r.phone) : [];
  const ownBefore = [...new Set([...(await erasureRepo.ownOrderIds(db, id)), ...byPhone])];
  const addresses = [r.phone, r.emergency_contact_phone].filter((x): x is string => !!x);
  const messageIds = await erasureRepo.messageIdsAbout(db, ownBefore, addresses);
  const inboxIds = await erasureRepo.inboxIdsAbout(db, ownBefore);
  const household = r.household_id ? await erasureRepo.householdOrderIds(db, r.household_id) : [];
  const at = deps.clock.now().toISOString();
  const report: ErasureReport = {
    residentId: id,
    erasedAt: at,
    reason: input.reason,
    orders: 0,
    events: 0,
    sessions: 0,
    messagesCancelled: 0,
    inboxItems: 0,
    serviceRecordsRejected: 0,
  };
  await db.transaction().execute(async (trx) => {
    const dialect = deps.database.dialect;
    // The resident's row first: intake reads it (FOR SHARE on PostgreSQL) in the commit of an
    // order for them, so an order either committed before (and is found below) or sees the
    // tombstone and is refused.
    await updateIfUnchanged(trx, id, input.updatedAt ?? r.updated_at, erasedRecord(at), at);
    // The names they had before a rename, read once the row is taken: a rename records the name
    // it replaces after taking the row, so one that committed first is read here, and one still
    // waiting finds the tombstone and is refused. The record read above is the one updated (the
    // update checked its `updated_at`), so its name is today's.
    const formerNames = (await repo.formerNamesOf(trx, id)).map((f) => f.name);
    const who: ErasedPerson = {
      id: r.id,
      name: r.name,
      formerNames,
      phone: r.phone,
      idNumber: r.id_number,
      emergencyContactName: r.emergency_contact_name,
      emergencyContactPhone: r.emergency_contact_phone,
    };
    const own = [...new Set([...(await erasureRepo.ownOrderIds(trx, id)), ...byPhone])].sort();
    // Then their orders, in id order (as every action and merge takes them), then the audit head.
    await lockOrders(trx, dialect, own);
    let reindexed = false;
    for (const o of await erasureRepo.ordersByIds(trx, own)) {
      const set = anonymisedOrder(o, who);
      const fields = Object.keys(set).sort();
      const description = set.description ?? o.description;
      const next = {
        ...set,
        ...(set.description !== undefined
          ? { search_text: searchTextFor(description), description_folded: foldedOrNull(description) }
          : {}),
        updated_at: at,
      };
      // Every order of theirs gets a new version, changed text or not: a change prepared before
      // the erasure (a note naming them, sent with an action) is refused as stale. Under its lock
      // (PostgreSQL) or SQLite's one writer, the version read is the current one.
      if (!(await erasureRepo.updateOrder(trx, o.id, o.version, next)))
        throw new AppError('version_conflict', 'an order of the resident changed meanwhile: try again', {
          field: 'updatedAt',
        });
      // The index forgets the old text with it: a search for her name finds nothing, even as a candidate.
      if (set.description !== undefined) {
        await reindexOrders(trx, [{ ...o, ...next }]);
        reindexed = true;
      }
      report.orders += 1;
      await appendAudit(trx, dialect, {
        communityId: o.community_id,
        createdAt: at,
        actor: actorLabel(p),
        action: 'work_order.anonymised',
        entityType: 'work_order',
        entityId: o.id,
        payload: {
          reason: 'resident_erased',
          residentId: id,
          fields,
          ...(set.description !== undefined
            ? { descriptionDigest: createHash('sha256').update(description).digest('hex') }
            : {}),
        },
      });
    }
    // Not even marked deleted: the old tokens (her name's and phone's pairs) leave the index's segments.
    if (reindexed) await purgeDeletedTokens(trx);
    // Timelines: every note and step data of the resident's own orders (a referral names where it
    // went, with whom); on their household's, what they wrote.
    const ownSet = new Set(own);
    for (const e of await erasureRepo.eventsOf(trx, [...new Set([...own, ...household])])) {
      const byThem = e.actor_type === 'resident' && e.actor_id === id;
      if (!byThem && !ownSet.has(e.work_order_id)) continue;
      const set: { actor_name?: string | null; note?: string | null; data_json?: string } = {};
      if (byThem && e.actor_name !== null) set.actor_name = null;
      const note = anonymise(e.note, who);
      if (note !== e.note) set.note = note;
      const data = anonymiseJson(e.data_json, who);
      if (data !== null) set.data_json = data;
      if (Object.keys(set).length === 0) continue;
      await erasureRepo.updateEvent(trx, e.id, set);
      report.events += 1;
    }
    for (const l of await erasureRepo.labelsOf(trx, own)) {
      const text = anonymise(l.text, who);
      if (text !== l.text) await erasureRepo.setLabelText(trx, l.id, text);
    }
    const feedback = await erasureRepo.feedbackOf(trx, id, own);
    for (const sv of feedback.surveys) {
      const comment = anonymise(sv.comment, who);
      if (comment !== sv.comment) await erasureRepo.setSurveyComment(trx, sv.id, comment);
    }
    for (const v of feedback.visits) {
      const note = anonymise(v.note, who);
      const outcome = anonymise(v.outcome, who);
      if (note !== v.note || outcome !== v.outcome)
        await erasureRepo.setVisitText(trx, v.id, { note, outcome });
    }
    // What staff wrote about their orders: a rejection's reason, supervision (督办) and its answer.
    const staffTexts = await erasureRepo.staffTextsOf(trx, own);
    for (const a of staffTexts.assignments) {
      const note = anonymise(a.response_note, who);
      const reason = anonymise(a.reason, who);
      if (note !== a.response_note || reason !== a.reason)
        await erasureRepo.setAssignmentText(trx, a.id, { response_note: note, reason });
    }
    for (const sv of staffTexts.supervisions) {
      const reason = anonymise(sv.reason, who);
      const response = anonymise(sv.response, who);
      if (reason !== sv.reason || response !== sv.response)
        await erasureRepo.setSupervisionText(trx, sv.id, { reason, response });
    }
    // The time bank: service they gave or received, and the memos of their account's transactions.
    const timeBank = await erasureRepo.timeBankTextsOf(trx, id);
    for (const rec of timeBank.records) {
      const description = anonymise(rec.description, who);
      const reason = anonymise(rec.reject_reason, who);
      if (description !== rec.description || reason !== rec.reject_reason)
        await erasureRepo.setServiceRecordText(trx, rec.id, { description, reject_reason: reason });
    }
    for (const x of timeBank.transactions) {
      const memo = anonymise(x.memo, who);
      if (memo !== x.memo) await erasureRepo.setTransactionMemo(trx, x.id, memo);
    }
    await erasureRepo.dropTimeBankAnswers(
      trx,
      timeBank.transactions.map((x) => x.id),
    );
    // The service they gave that still awaits verification is rejected (no minutes go to a
    // tombstone); what they received and were to confirm stays for staff to decide.
    report.serviceRecordsRejected = await rejectPendingOfErased(trx, dialect, id, actorLabel(p), at);
    // Their proposals stay (with their votes) under the tombstone, their words anonymised.
    const proposalTexts = await proposalRepo.proposalTextsOf(trx, id);
    for (const pr of proposalTexts.proposals) {
      const text = {
        title: anonymise(pr.title, who),
        description: anonymise(pr.description, who),
        reject_reason: anonymise(pr.reject_reason, who),
      };
      if (
        text.title !== pr.title ||
        text.description !== pr.description ||
        text.reject_reason !== pr.reject_reason
      )
        await proposalRepo.setProposalText(trx, pr.id, text);
    }
    for (const u of proposalTexts.updates) {
      const note = anonymise(u.note, who);
      if (note !== u.note) await proposalRepo.setProposalUpdateNote(trx, u.id, note);
    }
    const messages = await erasureRepo.dropMessages(trx, id);
    report.messagesCancelled = messages.cancelled;
    report.inboxItems = messages.inbox;
    // Messages about their orders (staff alerts name them) are anonymised; those to their phone or
    // their emergency contact's (a family notice) are cancelled if not yet sent, and keep no address.
    const theirs = new Set(addresses);
    for (const m of await erasureRepo.messagesByIds(trx, messageIds)) {
      const set: { status?: string; address?: null; payload_json?: string; last_error?: string } = {};
      const payload = anonymiseJson(m.payload_json, who);
      if (payload !== null) set.payload_json = payload;
      if (m.address !== null && theirs.has(m.address)) {
        set.address = null;
        if (m.status === 'pending' || m.status === 'held') {
          set.status = 'cancelled';
          set.last_error = 'the recipient’s personal data was erased';
          report.messagesCancelled += 1;
        }
      }
      if (Object.keys(set).length) await erasureRepo.updateMessage(trx, m.id, set);
    }
    for (const item of await erasureRepo.inboxByIds(trx, inboxIds)) {
      const title = anonymise(item.title, who);
      const body = anonymise(item.body, who);
      const payload = anonymiseJson(item.payload_json, who);
      if (title !== item.title || body !== item.body || payload !== null)
        await erasureRepo.updateInboxItem(trx, item.id, {
          title,
          body,
          payload_json: payload ?? item.payload_json,
        });
    }
    report.sessions = await erasureRepo.endSessions(trx, id, r.phone);
    // Their former names are blanked from everything above: the rows go too.
    await erasureRepo.dropFormerNames(trx, id);
    // Every node drops its cached principal of the resident (their sessions are gone).
    await announceStale(trx, [{ topic: 'user', key: id }], deps.clock.now());
    await appendAudit(trx, dialect, {
      communityId: r.community_id,
      createdAt: at,
      actor: actorLabel(p),
      action: 'resident.erased',
      entityType: 'resident',
      entityId: id,
      payload: {
        reason: input.reason,
        orders: report.orders,
        events: report.events,
        sessions: report.sessions,
        messagesCancelled: report.messagesCancelled,
        inboxItems: report.inboxItems,
        serviceRecordsRejected: report.serviceRecordsRejected,
      },
    });
  });
  identity?.forget(id);
  // The old pages of what was erased, still in SQLite's write-ahead log, go too.
  await scrubWal(deps.database);
  return report;
}

/** An erased record changes no more: 409 `conflict`. */
function refuseErased(r: repo.ResidentRow): void {
  if (r.erased_at !== null)
    throw new AppError(
      'conflict',
      `this resident's personal data was erased on ${r.erased_at}: the record changes no more`,
      {
        field: 'id',
      },
    );
}

/** Whether the order is about the viewing resident (they reported it or it is for them). */
function concerns(p: Principal, o: WorkOrderRow): boolean {
  return (
    p.kind === 'resident' &&
    (o.beneficiary_id === p.id || (o.reporter_type === 'resident' && o.reporter_id === p.id))
  );
}
