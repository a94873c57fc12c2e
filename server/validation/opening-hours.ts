/**
 * Opening hours in OSM `opening_hours` syntax, checked the same way for station edits and station
 * imports. (The coverage engine's ../analysis/hours validateOpeningHours answers a different
 * question with other messages — empty values, the first line of the parser's error — and is kept.)
 */
import opening_hours from 'opening_hours';

/** Validates an opening_hours value (OSM syntax). Returns null when valid, else the parser's message. */
export function openingHoursError(value: string, lonLat: readonly [number, number] = [121.6, 38.91]): string | null {
  try {
    // A country is needed for PH (public holiday) rules; the project is China-only.
    new opening_hours(value, { lat: lonLat[1], lon: lonLat[0], address: { country_code: 'cn', state: '' } });
    return null;
  } catch (e) {
    return String(e instanceof Error ? e.message : e)
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 160);
  }
}
