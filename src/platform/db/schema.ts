/**
 * Table types for Kysely. Times are ISO-8601 UTC strings (sortable as text on both databases),
 * booleans are 0/1 integers and JSON is text, so one migration serves SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';

export interface StreetTable {
  id: string;
  code: string;
  name: string;
  name_en: string;
  created_at: string;
}

export interface CommunityTable {
  id: string;
  street_id: string;
  code: string;
  name: string;
  name_en: string;
  center_lat: number;
  center_lng: number;
  boundary_json: string | null;
  time_zone: string;
  /** Contact points of the guidance centre: hotline, window address and hours, WeChat. */
  contacts_json: string;
  created_at: string;
}

export interface GridTable {
  id: string;
  community_id: string;
  code: string;
  name: string;
  polygon_json: string;
  created_at: string;
}

export interface GridWorkerTable {
  grid_id: string;
  user_id: string;
}

export interface CategoryTable {
  code: string;
  parent_code: string | null;
  name_zh: string;
  name_en: string;
  is_private: number;
  sort_order: number;
  /** Extra questions asked on intake (Open311 attributes), JSON array. */
  questions_json: string;
  active: number;
}

export interface HouseholdTable {
  id: string;
  community_id: string;
  grid_id: string | null;
  address: string;
  building: string | null;
  room: string | null;
  lat: number | null;
  lng: number | null;
  created_at: string;
}

export interface ResidentTable {
  id: string;
  community_id: string;
  household_id: string | null;
  /** When the resident joined their household: they read its orders filed since then. */
  household_since: string | null;
  name: string;
  phone: string | null;
  id_number: string | null;
  birth_year: number | null;
  /** Special-group tags (sensitive): JSON array of elderly_alone, chronic_illness, … */
  tags_json: string;
  /** 1 when the resident consented to the tags being held and used. */
  tags_consent: number;
  emergency_contact_name: string | null;
  emergency_contact_phone: string | null;
  preferred_channel: string | null;
  created_at: string;
  updated_at: string;
  /** When the resident's personal data was erased; the row stays as a tombstone. */
  erased_at: string | null;
}

/**
 * A name a resident had before a rename, until `ended_at` (the rename): one row per resident and
 * name. Erasure blanks these where it blanks the current name, then deletes the rows.
 */
export interface ResidentFormerNameTable {
  resident_id: string;
  community_id: string;
  name: string;
  ended_at: string;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  phone: string | null;
  password_hash: string;
  active: number;
  created_at: string;
  /** 1 while the password is one someone else chose (temporary, reset): the person must set their own. */
  must_change_password: Generated<number>;
}

export interface UserCommunityTable {
  user_id: string;
  community_id: string;
}

/**
 * Failed sign-ins counted per username as typed, whether or not such an account exists (an
 * unknown name locks like a real one, so the lockout does not tell them apart).
 */
export interface LoginAttemptTable {
  username: string;
  /** Failures since the last lock or success. */
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

export interface SessionTable {
  token_hash: string;
  subject_type: string;
  subject_id: string;
  created_at: string;
  expires_at: string;
}

export interface OtpTable {
  id: string;
  phone: string;
  code_hash: string;
  attempts: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ApiKeyTable {
  id: string;
  community_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  /** JSON array of scopes, e.g. ["open311", "private_categories"]. */
  scopes_json: string;
  created_at: string;
  revoked_at: string | null;
}

export interface WorkOrderTable {
  id: string;
  number: string;
  community_id: string;
  grid_id: string | null;
  channel: string;
  status: string;
  /** Status to return to when a wait on the resident ends. */
  resume_status: string | null;
  category: string;
  subcategory: string | null;
  urgency: string;
  priority: string;
  priority_score: number;
  description: string;
  /** The description with typed contact data blanked, where that changes it: what viewers who may not see such data search. */
  search_text: string | null;
  /** The description with full-width digits and letters folded, where that changes it (what search reads). */
  description_folded: string | null;
  /** The address likewise. */
  address_folded: string | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  reporter_type: string;
  reporter_id: string | null;
  reporter_name: string | null;
  reporter_phone: string | null;
  beneficiary_id: string | null;
  /** The beneficiary's household when the order was filed: that household's members (since then) read it. */
  household_id: string | null;
  is_proxy: number;
  assignee_id: string | null;
  resolution_note: string | null;
  rating: number | null;
  rating_comment: string | null;
  closure_reason: string | null;
  referred_to: string | null;
  merged_into: string | null;
  reopen_count: number;
  classification_json: string | null;
  /** 1 while the model was unsure and no person has confirmed the category. */
  needs_triage: number;
  attributes_json: string | null;
  version: number;
  created_at: string;
  /** Local date (`YYYY-MM-DD`) of `created_at` in the community's time zone: the dashboard's day. */
  created_day: string | null;
  updated_at: string;
  accepted_at: string | null;
  /**
   * When the order was first answered, straight from the queue: accepted, dispatched, referred or
   * dismissed while `submitted` (the SLA's first response). Null for one merged or cancelled
   * unanswered, also after a merge it follows into a closure or returns from: the dashboard's
   * first response (migration 2026120870_dashboard_first_response).
   */
  first_response_at: string | null;
  dispatched_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
}

export interface WorkOrderEventTable {
  id: string;
  work_order_id: string;
  community_id: string;
  type: string;
  from_status: string | null;
  to_status: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  note: string | null;
  /** public: shown to the resident; internal: staff only. */
  visibility: string;
  data_json: string | null;
  created_at: string;
}

export interface WorkOrderPhotoTable {
  id: string;
  work_order_id: string;
  file_key: string;
  content_type: string;
  size_bytes: number;
  created_at: string;
}

export interface IdempotencyTable {
  scope: string;
  key: string;
  request_hash: string;
  work_order_id: string;
  created_at: string;
}

export interface AuditEntryTable {
  community_id: string;
  seq: number;
  created_at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  payload_json: string;
  payload_digest: string;
  prev_hash: string;
  entry_hash: string;
}

export interface AuditHeadTable {
  community_id: string;
  seq: number;
  entry_hash: string;
}

export interface AuditSigningKeyTable {
  key_id: string;
  algorithm: string;
  /** SPKI PEM. */
  public_key: string;
  created_at: string;
}

export interface OutboxTable {
  id: string;
  idempotency_key: string;
  channel: string;
  recipient_type: string;
  recipient_id: string | null;
  address: string | null;
  template: string;
  locale: string;
  payload_json: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface ClassificationLabelTable {
  id: string;
  work_order_id: string;
  community_id: string;
  text: string;
  category: string;
  subcategory: string | null;
  urgency: string;
  previous_json: string;
  source: string;
  actor: string;
  created_at: string;
}

export interface ClassifierModelTable {
  id: string;
  community_id: string;
  version: number;
  taxonomy_id: string;
  status: string;
  metrics_json: string;
  model_json: string;
  created_at: string;
  activated_at: string | null;
}

export interface SequenceTable {
  name: string;
  value: number;
}

/** Sums of the orders of a rollup row (see migration 2026120510_order_rollups). */
export interface RollupSumColumns {
  orders: number;
  open: number;
  resolved: number;
  response_ms: number;
  responded: number;
  resolution_ms: number;
  rated: number;
  rating_sum: number;
  ever_resolved: number;
  reopened: number;
}

/** One row per community, local creation day, category and grid ('' for none), kept by triggers. */
export interface OrderRollupTable extends RollupSumColumns {
  community_id: string;
  day: string;
  category: string;
  grid_id: string;
}

/** One row per community, local creation day and assignee (orders with one), kept by triggers. */
export interface OrderRollupAssigneeTable extends RollupSumColumns {
  community_id: string;
  day: string;
  assignee_id: string;
}

/** SQLite: the integer the search index (FTS5, which keys rows by integers) knows each order by. */
export interface WorkOrderSearchKeyTable {
  rowid: number;
  order_id: string;
}

/**
 * The search index's tokens (`work-order.search-index.ts`): on SQLite an FTS5 table of `rowid`
 * and the tokens as one space-separated text; on PostgreSQL `order_id` and `tokens text[]`.
 */
export interface WorkOrderSearchTokenTable {
  rowid?: number;
  order_id?: string;
  tokens: string | string[];
}

export interface DB {
  order_rollups: OrderRollupTable;
  order_rollups_assignee: OrderRollupAssigneeTable;
  streets: StreetTable;
  communities: CommunityTable;
  grids: GridTable;
  grid_workers: GridWorkerTable;
  categories: CategoryTable;
  households: HouseholdTable;
  residents: ResidentTable;
  resident_former_names: ResidentFormerNameTable;
  users: UserTable;
  user_communities: UserCommunityTable;
  sessions: SessionTable;
  login_attempts: LoginAttemptTable;
  otp_codes: OtpTable;
  api_keys: ApiKeyTable;
  work_orders: WorkOrderTable;
  work_order_events: WorkOrderEventTable;
  work_order_photos: WorkOrderPhotoTable;
  work_order_search_keys: WorkOrderSearchKeyTable;
  work_order_search_tokens: WorkOrderSearchTokenTable;
  idempotency_keys: IdempotencyTable;
  audit_entries: AuditEntryTable;
  audit_heads: AuditHeadTable;
  audit_signing_keys: AuditSigningKeyTable;
  outbox: OutboxTable;
  sequences: SequenceTable;
  classification_labels: ClassificationLabelTable;
  classifier_models: ClassifierModelTable;
}
