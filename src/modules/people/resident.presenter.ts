import type { Principal } from '../../platform/auth/principal.ts';
import { maskIdNumber, maskPhone, maySee } from '../../platform/auth/privacy.ts';
import type { ResidentRow } from './resident.repository.ts';
import type { ResidentView } from './resident.schema.ts';

/** A resident as this viewer may see them: phone, ID number and special-group tags masked unless the role needs them. */
export function presentResident(viewer: Principal, r: ResidentRow): ResidentView {
  const self = viewer.kind === 'resident' && viewer.id === r.id;
  const groupsVisible = maySee(viewer, 'tags', { self });
  const tagsVisible = groupsVisible && (r.tags_consent === 1 || self);
  return {
    id: r.id,
    communityId: r.community_id,
    householdId: r.household_id,
    householdSince: r.household_since,
    name: r.name,
    phone: maySee(viewer, 'phone', { self }) ? r.phone : maskPhone(r.phone),
    idNumber: maySee(viewer, 'idNumber', { self }) ? r.id_number : maskIdNumber(r.id_number),
    birthYear: r.birth_year,
    tags: tagsVisible ? (JSON.parse(r.tags_json) as string[]) : null,
    // Consent is given for the groups a resident is in: to whom may not see the groups, it would
    // tell that there are some.
    tagsConsent: groupsVisible ? r.tags_consent === 1 : null,
    emergencyContact:
      r.emergency_contact_name || r.emergency_contact_phone
        ? {
            name: r.emergency_contact_name,
            phone: maySee(viewer, 'phone', { self })
              ? r.emergency_contact_phone
              : maskPhone(r.emergency_contact_phone),
          }
        : null,
    preferredChannel: r.preferred_channel,
    updatedAt: r.updated_at,
    erasedAt: r.erased_at,
  };
}
