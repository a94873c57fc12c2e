/**
 * Walking profiles: named speeds a life-circle rule (or a request) walks at. Pure.
 *
 * Sources (see ../shared/docs/standards.md and domain.md): 4.8 km/h is the project's standard
 * walk (domain.md: "usually taken as 4.5–5 km/h"; the coverage default WALK_SPEED_KMH); the
 * standards name no figure for elderly residents (a study calls 800–1,100 m too far for them), so
 * 3.6 km/h is the project's default; 15 km/h for a rider on an e-bike is the project's default
 * (EBIKE_SPEED_KMH of the couriers' view).
 */

export interface WalkProfile {
  id: ProfileId;
  nameZh: string;
  nameEn: string;
  speedKmh: number;
  /** Where the speed comes from ("project default" when no standard names one). */
  source: string;
}

export const PROFILE_IDS = ['standard', 'elderly', 'ebike'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

export const WALK_PROFILES: Readonly<Record<ProfileId, WalkProfile>> = {
  standard: {
    id: 'standard',
    nameZh: '标准步行',
    nameEn: 'Standard walk',
    speedKmh: 4.8,
    source: 'project default (domain.md: a 15-minute circle is usually walked at 4.5–5 km/h)',
  },
  elderly: {
    id: 'elderly',
    nameZh: '老年人步行',
    nameEn: 'Elderly walk',
    speedKmh: 3.6,
    source: 'project default (standards.md: 800–1,100 m in 15 minutes is too far for elderly residents; no standard names a speed)',
  },
  ebike: { id: 'ebike', nameZh: '电动自行车骑行', nameEn: 'Rider on an e-bike', speedKmh: 15, source: 'project default (EBIKE_SPEED_KMH)' },
};

export const isProfileId = (s: string): s is ProfileId => (PROFILE_IDS as readonly string[]).includes(s);

/** Metres covered in `minutes` at the profile's speed. */
export function metresIn(minutes: number, profile: ProfileId): number {
  return (minutes * WALK_PROFILES[profile].speedKmh * 1000) / 60;
}
