/**
 * The planner's state and the only functions that change it. Everything else reads `state`
 * (typed read-only) and calls a named update. No DOM, no map, no fetch.
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { BoundaryProps, CoverageParams, CoverageStats, GapCollection, GridCollection, GridShare, StationCollection, StationType } from '../api/client.js';
import type { LayerGroup } from './layers.js';
import { defaultType, coverageParams as paramsOf } from './question.js';
import type { Standard } from './standard.js';

export type Tab = 'street' | 'community' | 'gaps';
/** What a covered share is measured by, in the tables and on the map alike (one choice drives both). */
export type Measure = 'population' | 'area';
export type Selection = { level: 'street' | 'community' | 'grid'; code: string };
export type Boundaries = FeatureCollection<Polygon | MultiPolygon, BoundaryProps>;

export interface PlannerState extends Standard {
  types: StationType[];
  selectedTypes: Set<string>;
  /** 'HH:MM' the stations must be open at, or '' for any time. */
  openAt: string;
  /** With several types: covered by any of them, or by all of them. */
  combine: 'any' | 'all';
  measure: Measure;
  tab: Tab;
  selected: Selection | undefined;
  /** Roll-ups only (city, districts, streets, communities; `grids` empty). */
  stats: CoverageStats | null;
  /** The city's top TOP_GAPS gaps: the gap list, and the gaps on the map below GRID_MIN_ZOOM. */
  gaps: GapCollection | null;
  /** Shares of the grids loaded so far under the current question (cleared when it changes). */
  shareById: Map<number, GridShare>;
  /** The grids of the view (only those are in the browser). */
  grids: GridCollection | null;
  /** Community, street and district outlines, ids = numeric codes. */
  boundaries: Boundaries | null;
  stations: StationCollection | null;
  layers: Record<LayerGroup, boolean>;
  datasetName: { zh: string; en: string };
}

const S: PlannerState = {
  types: [],
  selectedTypes: new Set<string>(),
  mode: 'standard',
  /** Custom standard (modes radius / walk), validated; see standard.ts. */
  radius: 1000,
  minutes: 15,
  openAt: '',
  combine: 'any',
  measure: 'population',
  tab: 'street',
  selected: undefined,
  stats: null,
  gaps: null,
  shareById: new Map<number, GridShare>(),
  grids: null,
  boundaries: null,
  stations: null,
  layers: { coverage: true, gridLines: true, labels: true, boundaries: true, gaps: true, stations: true, network: true, service: true },
  datasetName: { zh: '', en: '' },
};

export const state: Readonly<PlannerState> = S;

/** The API parameters of the current question (types, standard, opening time). */
export const coverageParams = (): CoverageParams => paramsOf(S, new Date());

// The question -----------------------------------------------------------------------------------

/** The city's station types; one selected (question.ts defaultType), so the first figure is about one service. */
export function setTypes(types: StationType[]): void {
  S.types = types;
  const first = defaultType(types.map((x) => x.code));
  S.selectedTypes = new Set(first ? [first] : []);
}

export function setCombine(combine: 'any' | 'all'): void {
  S.combine = combine;
}

export function setMeasure(measure: Measure): void {
  S.measure = measure;
}

/** Selects or deselects a type; false (and nothing changed) when it would leave none selected. */
export function selectType(code: string, selected: boolean): boolean {
  if (!selected && S.selectedTypes.size === 1) return false;
  if (selected) S.selectedTypes.add(code);
  else S.selectedTypes.delete(code);
  return true;
}

export function setStandard(s: Partial<Standard>): void {
  Object.assign(S, s);
}

export function setOpenAt(openAt: string): void {
  S.openAt = openAt;
}

// The answers ------------------------------------------------------------------------------------

/** A new question: forget the answers to the last one. */
export function clearAnswers(): void {
  S.stats = null;
  S.gaps = null;
  S.shareById.clear();
}

export function setStats(stats: CoverageStats): void {
  S.stats = stats;
}

export function setGaps(gaps: GapCollection): void {
  S.gaps = gaps;
}

export function addShares(shares: GridShare[]): void {
  for (const s of shares) S.shareById.set(s.id, s);
}

// What is loaded ---------------------------------------------------------------------------------

export function setGrids(grids: GridCollection): void {
  S.grids = grids;
}

export function setStations(stations: StationCollection): void {
  S.stations = stations;
}

/** One admin level's outlines arrived: merged with the others' (replacing its own), ids = numeric codes. */
export function mergeBoundaries(fc: Boundaries): Boundaries {
  const level = fc.features[0]?.properties.level;
  const others = (S.boundaries?.features ?? []).filter((f) => f.properties.level !== level);
  S.boundaries = { type: 'FeatureCollection', features: [...others, ...fc.features.map((f) => ({ ...f, id: Number(f.properties.code) }))] };
  return S.boundaries;
}

export function setDatasetName(name: { zh: string; en: string }): void {
  S.datasetName = name;
}

// The view ---------------------------------------------------------------------------------------

export function setTab(tab: Tab): void {
  S.tab = tab;
}

export function select(selection: Selection): void {
  S.selected = selection;
}

export function setLayerShown(group: LayerGroup, shown: boolean): void {
  S.layers[group] = shown;
}
