/**
 * A resident's submissions that have not reached the server yet. Each keeps the Idempotency-Key
 * it was first sent with, so a retry after a lost connection can never create a second order.
 * One the server refuses when it is sent from the queue (the form is gone by then) is kept,
 * marked refused with the reason, until the resident has read it and rewritten or removed it.
 */
import { api, ApiError, NetworkError } from './api.ts';
import type { NewOrder, WorkOrder } from './types.ts';

export interface PendingOrder {
  key: string;
  body: NewOrder;
  savedAt: string;
  /** Who saved it: only the same resident's session ever sends it (a shared phone). */
  owner?: string;
  /** The server refused it when it was sent from the queue: why, in the UI's words, and when. */
  refused?: { message: string; at: string };
  /** Photos the phone's storage could not hold: the queued copy is without them. */
  photosDropped?: number;
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

/**
 * Saves the queue; answers false when the phone's storage cannot hold it. Storage full (large
 * photos): the newest item is kept without its photos, and says so (`photosDropped`). The body
 * being sent is never changed (removing the photos from it sent the order without them).
 */
function writeAll(items: PendingOrder[]): boolean {
  let stored = true;
  try {
    localStorage.setItem(STORE, JSON.stringify(items));
  } catch {
    stored = false;
    const last = items.at(-1);
    if (last?.body.photos?.length) {
      const { photos, ...body } = last.body;
      const lighter = [...items.slice(0, -1), { ...last, body, photosDropped: photos.length }];
      try {
        localStorage.setItem(STORE, JSON.stringify(lighter));
        stored = true;
      } catch {
        // Not even that fits: the caller says the report could not be kept.
      }
    }
  }
  window.dispatchEvent(new Event(CHANGED));
  return stored;
}

/** The current resident's submissions waiting to be sent. */
export function pendingOrders(): PendingOrder[] {
  return mine().filter((p) => !p.refused);
}

/** The current resident's queued submissions the server refused: kept until they deal with them. */
export function refusedOrders(): PendingOrder[] {
  return mine().filter((p) => p.refused);
}

/** Removes a queued submission (the resident rewrote or dropped a refused one). */
export function discardPending(key: string): void {
  remove(key);
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
  /** Kept on the phone (`photosDropped` photos could not be kept with it) and sent later. */
  | { kind: 'queued'; photosDropped: number }
  /** Neither sent nor kept (the phone's storage is full): the form still holds it. */
  | { kind: 'not_saved' }
  /** The sign-in has expired: kept in the queue, sent once the same resident signs in again. */
  | { kind: 'signed_out' }
  | { kind: 'rejected'; error: ApiError };

/** Sends one order (saving it first); on a lost connection it stays queued under the same key. */
export async function sendOrder(key: string, body: NewOrder): Promise<SendResult> {
  // Sent again from the queue: nobody is looking at its form any more.
  const fromQueue = readAll().some((p) => p.key === key);
  let kept = true;
  if (!fromQueue) {
    const entry: PendingOrder = { key, body, savedAt: new Date().toISOString() };
    if (owner) entry.owner = owner;
    kept = writeAll([...readAll(), entry]);
  }
  const queued = (): SendResult =>
    kept
      ? { kind: 'queued', photosDropped: readAll().find((p) => p.key === key)?.photosDropped ?? 0 }
      : { kind: 'not_saved' };
  try {
    const order = await api<WorkOrder>('/api/v1/work-orders', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': key },
    });
    remove(key);
    return { kind: 'sent', order };
  } catch (err) {
    if (err instanceof NetworkError) return queued();
    // Not the network: the resident must sign in again (it read as "offline", and the order
    // waited for a connection that was never missing).
    if (err instanceof ApiError && err.status === 401) return kept ? { kind: 'signed_out' } : queued();
    if (err instanceof ApiError && (err.status >= 500 || [408, 429].includes(err.status))) {
      return queued();
    }
    // A 4xx will not succeed by retrying: hand it back to the form with the field it names, or,
    // sent from the queue, keep it marked refused so the resident is told (it used to vanish).
    if (fromQueue && err instanceof ApiError) {
      const refused = { message: err.message, at: new Date().toISOString() };
      writeAll(readAll().map((p) => (p.key === key ? { ...p, refused } : p)));
    } else remove(key);
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
    for (const p of pendingOrders()) {
      const r = await sendOrder(p.key, p.body);
      if (r.kind === 'sent') sent.push(r.order);
      if (r.kind === 'queued' || r.kind === 'signed_out') break;
    }
  } finally {
    flushing = false;
  }
  return sent;
}
