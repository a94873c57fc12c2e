/**
 * Who may do what, as one pure function so the whole matrix is testable without HTTP.
 * Roles: admin (everything), planner (read everything, edit stations anywhere), street editor
 * (edit grids and stations inside the street(s) assigned to them), viewer (read only).
 * Reading needs no account at all.
 */
import type { Role } from '../db/schema.js';

export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Street ids a street editor may edit (empty for other roles). */
  streetIds: number[];
}

export type Resource = 'grid' | 'station' | 'user';

/**
 * May `actor` write a `resource` located in all of `streetIds` (the streets the object is in
 * before and after the change, and any street its geometry reaches)?
 */
export function canWrite(actor: Actor, resource: Resource, streetIds: readonly number[]): boolean {
  switch (actor.role) {
    case 'admin':
      return true;
    case 'planner':
      return resource === 'station';
    case 'street_editor':
      return resource !== 'user' && streetIds.length > 0 && streetIds.every((s) => actor.streetIds.includes(s));
    default:
      return false;
  }
}

/** May `actor` write this kind of resource anywhere at all (decides 403 before looking at data)? */
export function canWriteSome(actor: Actor, resource: Resource): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role === 'planner') return resource === 'station';
  if (actor.role === 'street_editor') return resource !== 'user' && actor.streetIds.length > 0;
  return false;
}

export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '管理员', en: 'administrator' },
  planner: { zh: '规划人员', en: 'planner' },
  street_editor: { zh: '街道编辑', en: 'street editor' },
  viewer: { zh: '只读用户', en: 'viewer' },
};
