/**
 * What the search box finds (pure): streets and communities among the roll-ups, grids among those
 * loaded (the view's), stations of the selected types among those loaded; by name (any part,
 * case-insensitive) or code (its start). A full 15-digit grid code not among the loaded grids is
 * offered as such (search.ts asks the API for it). Grids the API found by name are merged in later.
 */
import type { GridCollection, StationCollection, UnitStats } from '../api/client.js';

export type GridFeature = GridCollection['features'][number];
export type StationFeature = StationCollection['features'][number];

export type Match =
  | { kind: 'unit'; unit: UnitStats & { level: 'street' | 'community' } }
  | { kind: 'grid'; grid: GridFeature }
  | { kind: 'station'; station: StationFeature }
  /** A full grid code outside the loaded view. */
  | { kind: 'gridCode'; code: string };

export interface Searchable {
  units: readonly UnitStats[];
  grids: readonly GridFeature[];
  stations: readonly StationFeature[];
  selectedTypes: ReadonlySet<string>;
}

export const MAX_HITS = 12;

const isStreetOrCommunity = (u: UnitStats): u is UnitStats & { level: 'street' | 'community' } => u.level === 'street' || u.level === 'community';

/** Streets and communities first, then grids (each once), then stations; at most MAX_HITS. */
export function matchSearch(q: string, d: Searchable): Match[] {
  const s = q.trim().toLowerCase();
  if (!s) return [];
  const found: Match[] = [];
  for (const u of d.units) if (isStreetOrCommunity(u) && (u.name.toLowerCase().includes(s) || u.code.startsWith(s))) found.push({ kind: 'unit', unit: u });
  const seen = new Set<number>();
  for (const f of d.grids) {
    const p = f.properties;
    if (!seen.has(p.id) && (p.name.toLowerCase().includes(s) || p.code.startsWith(s))) found.push({ kind: 'grid', grid: f });
    seen.add(p.id);
  }
  for (const f of d.stations) {
    const p = f.properties;
    if (d.selectedTypes.has(p.type) && (p.name.toLowerCase().includes(s) || p.code.toLowerCase().startsWith(s))) found.push({ kind: 'station', station: f });
  }
  if (/^\d{15}$/.test(s) && !found.some((x) => x.kind === 'grid')) found.push({ kind: 'gridCode', code: s });
  return found.slice(0, MAX_HITS);
}

/**
 * The grids the API found for `q` merged into the local matches: those not already there, after
 * the streets and communities and before the stations; the 15-digit fallback (and a loaded grid
 * named exactly `q`) replaced by them. At most MAX_HITS.
 */
export function withApiGrids(local: Match[], apiGrids: readonly GridFeature[], q: string): Match[] {
  const known = new Set(local.flatMap((x) => (x.kind === 'grid' ? [x.grid.properties.code] : [])));
  const more: Match[] = apiGrids.filter((f) => !known.has(f.properties.code)).map((grid) => ({ kind: 'grid', grid }));
  const label = q.trim();
  const rest = local.filter((x) => !(x.kind === 'gridCode' && x.code === label) && !(x.kind === 'grid' && x.grid.properties.name === label));
  const at = rest.findIndex((x) => x.kind === 'station');
  return (at < 0 ? [...rest, ...more] : [...rest.slice(0, at), ...more, ...rest.slice(at)]).slice(0, MAX_HITS);
}
