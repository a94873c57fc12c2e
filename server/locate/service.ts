/**
 * Who is responsible for a point: its grid (with the grid leader), community, street and district.
 * From the in-memory city when a grid clearly contains the point; on a border, outside every grid
 * or for a grid loaded since, PostGIS answers (`ST_Intersects` counts the border as inside, and
 * communities, streets and districts are not held in memory).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AnalysisGrid } from '../db/analysis.repository.js';
import { locate as locateInDatabase } from '../db/admin.repository.js';
import { gridPartyBranches } from '../db/grids.repository.js';
import type { CityStore } from '../city/store.js';
import { derived, forget } from '../city/snapshot.js';
import { GridLocator } from './locator.js';

export interface Located {
  lon: number;
  lat: number;
  found: boolean;
  grid: { id: number; code: string; name: string; leader_name: string | null; leader_phone: string | null; party_branch: string | null } | null;
  community: { code: string; name: string } | null;
  street: { code: string; name: string } | null;
  district: { code: string; name: string } | null;
  /** Where the answer came from: the in-memory grids or the database. */
  source: 'memory' | 'database';
}

export class LocateService {
  constructor(
    readonly city: CityStore,
    private readonly db: Kysely<Database>,
  ) {}

  async locate(lon: number, lat: number): Promise<Located> {
    const { grids } = await this.city.snapshot();
    const mem = derived(grids, 'locator', () => {
      const p = this.loadLocator(grids);
      p.catch(() => forget(grids, 'locator')); // a failed load is retried by the next request
      return p;
    });
    const { locator, partyBranch } = await mem;
    const hit = locator.locate(lon, lat);
    if (hit && hit !== 'unsure' && partyBranch.has(hit.id)) {
      return {
        lon,
        lat,
        found: true,
        grid: {
          id: hit.id,
          code: hit.code,
          name: hit.name,
          leader_name: hit.leader_name,
          leader_phone: hit.leader_phone,
          party_branch: partyBranch.get(hit.id)!,
        },
        community: { code: hit.community_code, name: hit.community_name },
        street: { code: hit.street_code, name: hit.street_name },
        district: { code: hit.district_code, name: hit.district_name },
        source: 'memory',
      };
    }
    const r = await locateInDatabase(this.db, lon, lat);
    const unit = (code: string | null, name: string | null) => (code ? { code, name: name! } : null);
    return {
      lon,
      lat,
      found: r.grid_id !== null,
      grid:
        r.grid_id !== null
          ? { id: r.grid_id, code: r.grid_code!, name: r.grid_name!, leader_name: r.leader_name, leader_phone: r.leader_phone, party_branch: r.party_branch }
          : null,
      community: unit(r.community_code, r.community_name),
      street: unit(r.street_code, r.street_name),
      district: unit(r.district_code, r.district_name),
      source: 'database',
    };
  }

  private async loadLocator(grids: readonly AnalysisGrid[]) {
    return { locator: new GridLocator(grids), partyBranch: await gridPartyBranches(this.db) };
  }
}
