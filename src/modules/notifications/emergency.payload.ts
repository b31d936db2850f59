/**
 * What the emergency lane's messages carry (pure). The responder and the grid worker get what
 * they need to go: the order number, the category in words, the urgency, where, and a few words
 * of the description with any contact data blanked (an SMS stays on a phone; the order itself
 * shows them what their role may see). The emergency contact, a family member, gets only that
 * help was sent for whom, under which category, and the number to quote.
 */
import { scrubText } from '../../platform/auth/text-privacy.ts';
import { DEFAULT_TAXONOMY } from '../taxonomy/taxonomy.default.ts';
import type { CategoryNode } from '../taxonomy/taxonomy.default.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';

/** Characters of the description an alert quotes. */
export const SUMMARY_LENGTH = 40;

/** What an emergency alert says of its order: the work order's own columns. */
export type EmergencyOrder = Pick<
  WorkOrderRow,
  'id' | 'number' | 'category' | 'subcategory' | 'urgency' | 'description' | 'address' | 'lat' | 'lng'
>;

/** The names of a category code (a sub-category's own, else its top category's); the code when unknown. */
export function categoryNames(
  code: string,
  tree: readonly CategoryNode[] = DEFAULT_TAXONOMY,
): { zh: string; en: string } {
  for (const top of tree) {
    if (top.code === code) return { zh: top.nameZh, en: top.nameEn };
    const sub = top.children?.find((c) => c.code === code);
    if (sub) return { zh: sub.nameZh, en: sub.nameEn };
  }
  return { zh: code, en: code };
}

/** The first words of a description, contact data blanked, whitespace folded. */
export function summaryOf(description: string, length = SUMMARY_LENGTH): string {
  const chars = Array.from(scrubText(description).replace(/\s+/g, ' ').trim());
  return chars.length > length ? `${chars.slice(0, length).join('')}…` : chars.join('');
}

/** The payload of `emergency_dispatch`, to the responder and the grid worker alike. */
export function emergencyAlertPayload(
  order: EmergencyOrder,
  extra: { role: 'responder' | 'grid_worker'; resource: string; responder: string },
): Record<string, unknown> {
  const names = categoryNames(order.subcategory ?? order.category);
  return {
    orderId: order.id,
    number: order.number,
    category: order.subcategory ?? order.category,
    categoryZh: names.zh,
    categoryEn: names.en,
    urgency: order.urgency,
    address: order.address,
    lat: order.lat,
    lng: order.lng,
    summary: summaryOf(order.description),
    // Delivered at once, also to staff who chose a digest.
    urgent: true,
    ...extra,
  };
}

/** The payload of `emergency_contact_notice`: no description, address or health details. */
export function emergencyContactPayload(
  order: Pick<EmergencyOrder, 'number' | 'category' | 'subcategory'>,
  who: { beneficiary: string; contactName: string | null; responder: string },
): Record<string, unknown> {
  const names = categoryNames(order.subcategory ?? order.category);
  return {
    number: order.number,
    categoryZh: names.zh,
    categoryEn: names.en,
    beneficiary: who.beneficiary,
    contactName: who.contactName ?? '',
    responder: who.responder,
  };
}
