/**
 * The CSV export of a filtered order list, streamed. The list is read a page at a time through
 * its cursor (newest first, as the list pages), each page's people are loaded with it, and its
 * rows are written as soon as they are ready: memory stays that of a page or two however many
 * orders match, and every one of them is written. The export used to build the whole file in
 * memory, holding the event loop for seconds, and stopped at 100,000 rows without a word.
 */
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { listOrders, withTextCandidates } from './work-order.repository.ts';
import type { ListFilter } from './work-order.repository.ts';
import { loadContext, presentOrder } from './work-order.presenter.ts';
import type { WorkOrderView } from './work-order.schema.ts';
import { CSV_HEADER, csvRows, type ExportPlaces } from './work-order.export.ts';

/** Orders read, presented and written at a time. */
export const EXPORT_PAGE_ROWS = 1000;

/**
 * Every order of the filtered list, as `viewer` may see it (masked as in the list), a page at a
 * time, newest first. Between pages the event loop takes a turn: SQLite answers synchronously,
 * and without one the pages would follow each other with no other request served.
 */
export async function* exportPages(
  db: Kysely<DB>,
  filter: Omit<ListFilter, 'limit' | 'cursor'>,
  viewer: Principal,
  pageSize = EXPORT_PAGE_ROWS,
): AsyncGenerator<WorkOrderView[]> {
  let cursor: ListFilter['cursor'];
  // A search's candidates once for the whole export, not again for each page.
  const searched = await withTextCandidates(db, filter);
  for (;;) {
    const rows = await listOrders(db, { ...searched, cursor, limit: pageSize });
    const last = rows[rows.length - 1];
    if (!last) return;
    const ctx = await loadContext(db, rows);
    yield rows.map((o) => presentOrder(viewer, o, ctx, []));
    if (rows.length < pageSize) return;
    cursor = { createdAt: last.created_at, id: last.id };
    await nextTurn();
  }
}

/**
 * The grid names and community time zones the rows of an export name, read as pages need them
 * (each grid and community once per export).
 */
function placesOf(db: Kysely<DB>) {
  const grids = new Map<string, string | null>();
  const zones = new Map<string, string>();
  const places: ExportPlaces = {
    gridName: (id) => grids.get(id) ?? null,
    timeZone: (id) => zones.get(id) ?? 'Asia/Shanghai',
  };
  async function load(page: readonly WorkOrderView[]): Promise<ExportPlaces> {
    const gridIds = [
      ...new Set(page.flatMap((o) => (o.gridId !== null && !grids.has(o.gridId) ? [o.gridId] : []))),
    ];
    if (gridIds.length) {
      for (const id of gridIds) grids.set(id, null);
      for (const g of await db
        .selectFrom('grids')
        .select(['id', 'name'])
        .where('id', 'in', gridIds)
        .execute())
        grids.set(g.id, g.name);
    }
    const communityIds = [...new Set(page.map((o) => o.communityId).filter((id) => !zones.has(id)))];
    if (communityIds.length)
      for (const c of await db
        .selectFrom('communities')
        .select(['id', 'time_zone'])
        .where('id', 'in', communityIds)
        .execute())
        zones.set(c.id, c.time_zone);
    return places;
  }
  return load;
}

/**
 * The export as a CSV file being written: a UTF-8 byte order mark and the header, then each
 * page's rows as it comes. The first page is read before this returns, so a query that fails at
 * once is answered as an error rather than as a file cut short.
 */
export async function csvFile(db: Kysely<DB>, pages: AsyncGenerator<WorkOrderView[]>): Promise<Readable> {
  const places = placesOf(db);
  const first = await pages.next();
  const firstPlaces = first.done ? null : await places(first.value);
  async function* chunks(): AsyncGenerator<string> {
    yield '\ufeff' + CSV_HEADER;
    if (first.done || !firstPlaces) return;
    yield csvRows(first.value, firstPlaces);
    for await (const page of pages) yield csvRows(page, await places(page));
  }
  return Readable.from(chunks(), { objectMode: false });
}
