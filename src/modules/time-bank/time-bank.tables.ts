/** Tables of the time bank (migrations 2026120720_time_bank, 2026120830_time_record_reversals). */

/** An account of a community: a resident's, or the community's issuance or redemption account. */
export interface TimeAccountTable {
  id: string;
  community_id: string;
  /** resident | issuance | redemption */
  kind: string;
  resident_id: string | null;
  /** The resident's id, or the kind for a system account: one account per owner and community. */
  owner_key: string;
  /** The sum of the account's postings, kept in the transaction that posts them. */
  balance: number;
  created_at: string;
}

export interface TimeTransactionTable {
  id: string;
  community_id: string;
  /** earn | transfer | redeem | reversal */
  kind: string;
  memo: string;
  /** Who made it: `resident:<id>`, `user:<username>`, `system:<name>`. */
  actor: string;
  created_at: string;
  record_id: string | null;
  work_order_id: string | null;
  /** A reversal: the transaction it undoes. */
  reverses_id: string | null;
}

export interface TimePostingTable {
  id: string;
  transaction_id: string;
  account_id: string;
  community_id: string;
  minutes: number;
  created_at: string;
}

export interface TimeServiceRecordTable {
  id: string;
  community_id: string;
  volunteer_id: string;
  beneficiary_id: string | null;
  minutes: number;
  /** The local day of the service, YYYY-MM-DD. */
  service_date: string;
  description: string;
  work_order_id: string | null;
  /** pending | verified | rejected | reversed (a verified record whose earn was reversed) */
  status: string;
  version: number;
  recorded_by: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  reject_reason: string | null;
  /** The earn transaction of a verified record. */
  transaction_id: string | null;
  /** The reversal (冲正) of that earn: the record is then `reversed`. */
  reversal_id: string | null;
}

/** A transfer's or redemption's `Idempotency-Key`: its retry is answered with the first result. */
export interface TimeRequestKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  response_json: string;
  created_at: string;
}

export type TimeBankTables = {
  time_accounts: TimeAccountTable;
  time_transactions: TimeTransactionTable;
  time_postings: TimePostingTable;
  time_service_records: TimeServiceRecordTable;
  time_request_keys: TimeRequestKeyTable;
};
