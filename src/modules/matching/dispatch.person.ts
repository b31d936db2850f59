/**
 * Which person of a resource gets the order (pure): active staff not tried before on this order,
 * licensed (not every certificate expired) and holding any required skill; on duty now first
 * (their own weekly duty hours, or else the resource's on-duty flag or opening hours), then the
 * fewest open assignments, then the fewest today, then username order so the choice is stable.
 */
import type { LocalMoment } from './matching.time.ts';
import { isOpenAt } from './matching.time.ts';
import type { ResourceLoad, ResourceProfile } from './matching.types.ts';

export interface PersonCandidate {
  userId: string;
  username: string;
  active: boolean;
  skills: readonly string[];
  certificates: ReadonlyArray<{ name: string; expiresOn: string }>;
  dutyHours: Parameters<typeof isOpenAt>[0] | null;
}

export interface PersonChoice<T extends PersonCandidate> {
  person: T;
  onDuty: boolean;
}

export function personOnDuty(
  s: PersonCandidate,
  resource: Pick<ResourceProfile, 'onDuty' | 'openingHours'>,
  at: LocalMoment,
): boolean {
  return s.dutyHours ? isOpenAt(s.dutyHours, at) : resource.onDuty || isOpenAt(resource.openingHours, at);
}

export function qualified(
  s: PersonCandidate,
  today: string,
  requiredSkills: readonly string[] = [],
): boolean {
  if (s.certificates.length > 0 && s.certificates.every((c) => c.expiresOn < today)) return false;
  return requiredSkills.every(
    (k) => s.skills.includes(k) || s.certificates.some((c) => c.name === k && c.expiresOn >= today),
  );
}

/** The person to name, or undefined when nobody of the resource can take it. */
export function choosePerson<T extends PersonCandidate>(
  staff: readonly T[],
  resource: Pick<ResourceProfile, 'onDuty' | 'openingHours'>,
  at: LocalMoment,
  options: {
    exclude?: ReadonlySet<string>;
    loadOf?: (userId: string) => ResourceLoad | undefined;
    /** Only people on duty now (the emergency lane). */
    onDutyOnly?: boolean;
    requiredSkills?: readonly string[];
  } = {},
): PersonChoice<T> | undefined {
  const pool = staff
    .filter(
      (s) => s.active && !options.exclude?.has(s.userId) && qualified(s, at.date, options.requiredSkills),
    )
    .map((s) => ({ s, onDuty: personOnDuty(s, resource, at), load: options.loadOf?.(s.userId) }))
    .filter((x) => !options.onDutyOnly || x.onDuty);
  pool.sort(
    (a, b) =>
      Number(b.onDuty) - Number(a.onDuty) ||
      (a.load?.open ?? 0) - (b.load?.open ?? 0) ||
      (a.load?.today ?? 0) - (b.load?.today ?? 0) ||
      (a.s.username < b.s.username ? -1 : a.s.username > b.s.username ? 1 : 0),
  );
  const best = pool[0];
  return best ? { person: best.s, onDuty: best.onDuty } : undefined;
}
