/**
 * A resident's submissions that have not reached the server yet. Each keeps the Idempotency-Key
 * it was first sent with, so a retry after a lost connection can never create a second order.
 */
import { api, ApiError, NetworkError } from './api.ts';
import type { NewOrder, WorkOrder } from './types.ts';

export interface PendingOrder {
  key: string;
  body: NewOrder;
  savedAt: string;
  /** Who saved it: only the same resident's session ever sends it (a shared phone). */
  owner?: string;
}

let owner: string | null = null;

/** The signed-in resident whose submissions this page shows and sends (null when nobody is). */
export function setOutboxOwner(id: string | null): void {
  owner = id;
}

/** The current resident's queued submissions; another resident's stay on the phone, untouched. */
function mine(): PendingOrder[] {
  return owner ? readAll().filter((p) => p.owner === owner) : [];
}

const STORE = 'linli.outbox';
const CHANGED = 'linli:outbox';

function readAll(): PendingOrder[] {
  try {
    const raw = localStorage.getItem(STORE);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as PendingOrder[]) : [];
  } catch {
    return [];
  }
}

function writeAll(items: PendingOrder[]): void {
  try {
    localStorage.setItem(STORE, JSON.stringify(items));
  } catch {
    // Storage full (large photos): keep what fits by dropping photos of the newest item.
    const last = items.at(-1);
    if (last?.body.photos) {
      delete last.body.photos;
      localStorage.setItem(STORE, JSON.stringify(items));
    }
  }
  window.dispatchEvent(new Event(CHANGED));
}

export function pendingOrders(): PendingOrder[] {
  return mine();
}

export function onOutboxChange(listener: () => void): () => void {
  window.addEventListener(CHANGED, listener);
  window.addEventListener('storage', listener);
  return () => {
    window.removeEventListener(CHANGED, listener);
    window.removeEventListener('storage', listener);
  };
}

function remove(key: string): void {
  writeAll(readAll().filter((p) => p.key !== key));
}

export type SendResult =
  | { kind: 'sent'; order: WorkOrder }
  | { kind: 'queued' }
  /** The sign-in has expired: kept in the queue, sent once the same resident signs in again. */
  | { kind: 'signed_out' }
  | { kind: 'rejected'; error: ApiError };

/** Sends one order (saving it first); on a lost connection it stays queued under the same key. */
export async function sendOrder(key: string, body: NewOrder): Promise<SendResult> {
  if (!readAll().some((p) => p.key === key)) {
    const entry: PendingOrder = { key, body, savedAt: new Date().toISOString() };
    if (owner) entry.owner = owner;
    writeAll([...readAll(), entry]);
  }
  try {
    const order = await api<WorkOrder>('/api/v1/work-orders', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': key },
    });
    remove(key);
    return { kind: 'sent', order };
  } catch (err) {
    if (err instanceof NetworkError) return { kind: 'queued' };
    // Not the network: the resident must sign in again (it read as "offline", and the order
    // waited for a connection that was never missing).
    if (err instanceof ApiError && err.status === 401) return { kind: 'signed_out' };
    if (err instanceof ApiError && (err.status >= 500 || [408, 429].includes(err.status))) {
      return { kind: 'queued' };
    }
    // A 4xx will not succeed by retrying: hand it back to the form with the field it names.
    remove(key);
    if (err instanceof ApiError) return { kind: 'rejected', error: err };
    throw err;
  }
}

let flushing = false;

/** Retries every queued order with its original key; answers the orders that went through. */
export async function flushOutbox(): Promise<WorkOrder[]> {
  if (flushing) return [];
  flushing = true;
  const sent: WorkOrder[] = [];
  try {
    for (const p of mine()) {
      const r = await sendOrder(p.key, p.body);
      if (r.kind === 'sent') sent.push(r.order);
      if (r.kind === 'queued' || r.kind === 'signed_out') break;
    }
  } finally {
    flushing = false;
  }
  return sent;
}
