/** Grids as the API sends them (server/schemas/grids.ts, grid-edits.ts): features, edit answers, the history. */
import type { Static } from 'typebox';
import type { GridRow } from '../db/grids.repository.js';
import type { EditImpact, EditResponse, GridHistoryEntry } from '../schemas/grid-edits.js';
import type { GridFeature } from '../schemas/grids.js';
import type { EditResult } from '../editing/grids/types.js';
import type { gridHistory } from '../editing/grids/queries.js';

/** A grid as GeoJSON. Who last changed it (`updated_by`, a username) only for a logged-in reader. */
export function gridFeature(r: GridRow, loggedIn: boolean): Static<typeof GridFeature> {
  const { geometry, updated_by, ...p } = r;
  return { type: 'Feature', id: r.id, geometry, properties: { ...p, updated_at: new Date(p.updated_at).toISOString(), ...(loggedIn ? { updated_by } : {}) } };
}

/** An edit's answer: its changes without the `before` geometries (they stay on the server), and the impact when asked. */
export function editAnswer(result: EditResult, dryRun: boolean, impact: Static<typeof EditImpact> | undefined): Static<typeof EditResponse> {
  return {
    dry_run: dryRun,
    change_id: dryRun ? null : result.change_id,
    operation: result.operation,
    changes: result.changes.map(({ geometry_before: _b, ...c }) => c),
    warnings: result.warnings,
    ...(impact ? { impact } : {}),
  };
}

type Recorded = Awaited<ReturnType<typeof gridHistory>>[number];

/**
 * A grid's history, newest first. The version before the first recorded change (e.g. the seeded
 * or imported grid) lives only as that change's `before`: it is listed too, as 'original', so it
 * can be looked at and restored.
 */
export function gridHistoryEntries(entries: Recorded[]): Static<typeof GridHistoryEntry>[] {
  const out: Static<typeof GridHistoryEntry>[] = entries.map(
    (e) => ({ ...e, changed_at: new Date(e.changed_at).toISOString() }) as Static<typeof GridHistoryEntry>,
  );
  const oldest = entries[entries.length - 1];
  if (oldest && oldest.version > 1 && oldest.before_geometry && oldest.before_props) {
    out.push({
      version: oldest.version - 1,
      change_id: null,
      operation: 'original',
      changed_by: 'system',
      changed_at: null,
      note: null,
      before_props: null,
      after_props: oldest.before_props as Static<typeof GridHistoryEntry>['after_props'],
      before_geometry: null,
      after_geometry: oldest.before_geometry,
      area_m2: null,
    });
  }
  return out;
}
