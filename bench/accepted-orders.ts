/**
 * Orders for the SLA benches to fill tables with directly: accepted five minutes after they
 * were filed, in the demo's zone, with nothing else about them.
 */
import type { WorkOrderRow } from '../src/modules/work-orders/work-order.repository.ts';
import { newOrderRow } from '../src/modules/work-orders/work-order.repository.ts';
import { localDay } from '../src/modules/work-orders/work-order.number.ts';

/** Order `i` of a bench (ids `<prefix>-00000042`, numbers `<PREFIX>-42`), filed at `filedMs`. */
export function acceptedOrder(prefix: string, i: number, communityId: string, filedMs: number): WorkOrderRow {
  const at = (ms: number) => new Date(ms).toISOString();
  return {
    ...newOrderRow({
      id: `${prefix}-${String(i).padStart(8, '0')}`,
      number: `${prefix.toUpperCase()}-${i}`,
      community_id: communityId,
      grid_id: null,
      channel: 'window',
      status: 'accepted',
      category: 'basic_living',
      subcategory: null,
      urgency: 'normal',
      priority: 'P3',
      priority_score: 40,
      description: '楼道灯坏了',
      address: null,
      lat: null,
      lng: null,
      reporter_type: 'user',
      reporter_id: null,
      reporter_name: '坐席',
      reporter_phone: null,
      beneficiary_id: null,
      household_id: null,
      is_proxy: 0,
      classification_json: null,
      attributes_json: null,
      version: 2,
      created_at: at(filedMs),
      created_day: localDay(at(filedMs), 'Asia/Shanghai'),
      updated_at: at(filedMs + 5 * 60_000),
      needs_triage: 0,
    }),
    accepted_at: at(filedMs + 5 * 60_000),
  };
}
