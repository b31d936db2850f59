import type { Static } from '@sinclair/typebox';
import type { Certificate, WeeklyHours } from './matching.types.ts';
import { weekFrom } from './resource.model.ts';
import type { ResourceRow, ServicePackageRow, StaffLink } from './resource.repository.ts';
import type { CapabilityView, PackageView, ResourceView } from './resource.schema.ts';

const parse = <T>(json: string | null, fallback: T): T => (json ? (JSON.parse(json) as T) : fallback);

export function presentResource(row: ResourceRow, staff: readonly StaffLink[]): Static<typeof ResourceView> {
  return {
    id: row.id,
    communityId: row.community_id,
    code: row.code,
    name: row.name,
    type: row.type,
    categories: parse<string[]>(row.categories_json, []),
    keywords: parse<string[]>(row.keywords_json, []),
    location: { lat: row.lat, lng: row.lng },
    address: row.address,
    serviceArea: parse<unknown>(row.service_area_json, null),
    capacity: { concurrent: row.capacity_concurrent, dailyQuota: row.capacity_daily },
    openingHours: weekFrom(parse<Partial<WeeklyHours>>(row.opening_hours_json, {})),
    contacts: parse<Record<string, string>>(row.contacts_json, {}),
    rating: row.rating,
    onDuty: row.on_duty === 1,
    emergencyResponder: row.emergency_responder === 1,
    skills: parse<string[]>(row.skills_json, []),
    certificates: parse<Certificate[]>(row.certificates_json, []),
    staff: staff
      .filter((s) => s.resource_id === row.id)
      .map((s) => ({
        userId: s.user_id,
        username: s.username,
        name: s.display_name,
        active: s.active === 1,
      })),
    active: row.active === 1,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

export function presentPackage(row: ServicePackageRow): Static<typeof PackageView> {
  return {
    id: row.id,
    communityId: row.community_id,
    code: row.code,
    resourceId: row.resource_id,
    name: row.name,
    category: row.category,
    description: row.description,
    durationMinutes: row.duration_minutes,
    priceCny: row.price_cny,
    free: row.price_cny === 0,
    eligibility: parse<string[]>(row.eligibility_json, []),
  };
}

export function presentCapability(
  user: { id: string; username: string; name: string; role: string },
  cap: { skills_json: string; certificates_json: string; duty_hours_json: string | null } | undefined,
  today: string,
): Static<typeof CapabilityView> {
  return {
    userId: user.id,
    username: user.username,
    name: user.name,
    role: user.role,
    skills: parse<string[]>(cap?.skills_json ?? null, []),
    certificates: parse<Certificate[]>(cap?.certificates_json ?? null, []).map((c) => ({
      ...c,
      expired: c.expiresOn < today,
    })),
    dutyHours: cap?.duty_hours_json ? weekFrom(parse<Partial<WeeklyHours>>(cap.duty_hours_json, {})) : null,
  };
}
