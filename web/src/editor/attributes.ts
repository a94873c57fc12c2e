/**
 * The attribute form of a grid, as pure functions: the form's text values from the grid's
 * properties, the PATCH body of what changed (checked with the server's rules first, so most
 * mistakes are named next to the field before anything is sent), the field a server 400 names,
 * and which grids border a grid (for "delete into a neighbour").
 */
import type { Polygon, Position } from 'geojson';
import type { GridAttributes, GridProps } from '../api/client.js';

export const ATTR_FIELDS = ['name', 'leader_name', 'leader_phone', 'party_branch', 'population', 'households'] as const;
export type AttrField = (typeof ATTR_FIELDS)[number];

export type AttrValues = Record<AttrField, string>;

/** The PATCH body: the changed attributes. */
export type AttrBody = GridAttributes;

export type AttrSource = Pick<GridProps, AttrField>;

export interface FieldError {
  field: AttrField;
  zh: string;
  en: string;
}

/** Same limits as the server's schema (server/routes/grid-edits.ts). */
const MAX_LEN: Record<'name' | 'leader_name' | 'leader_phone' | 'party_branch', number> = { name: 100, leader_name: 50, leader_phone: 30, party_branch: 100 };
const MAX_INT: Record<'population' | 'households', number> = { population: 10_000_000, households: 5_000_000 };
const PHONE = /^[0-9+() -]*$/;

export function formValues(p: AttrSource): AttrValues {
  return {
    name: p.name,
    leader_name: p.leader_name ?? '',
    leader_phone: p.leader_phone ?? '',
    party_branch: p.party_branch ?? '',
    population: String(p.population),
    households: String(p.households),
  };
}

/**
 * What the form changes, as a PATCH body (only the fields that differ; an emptied optional text
 * becomes null), and the problems found. Text is trimmed; numbers must be whole and ≥ 0.
 */
export function attributeChanges(p: AttrSource, values: AttrValues): { body: AttrBody; errors: FieldError[] } {
  const body: AttrBody = {};
  const errors: FieldError[] = [];
  const name = values.name.trim();
  if (!name) errors.push({ field: 'name', zh: '名称不能为空', en: 'The name may not be empty' });
  else if (name.length > MAX_LEN.name)
    errors.push({ field: 'name', zh: `名称过长（最多 ${MAX_LEN.name} 字）`, en: `The name is too long (max ${MAX_LEN.name})` });
  else if (name !== p.name) body.name = name;
  for (const f of ['leader_name', 'leader_phone', 'party_branch'] as const) {
    const v = values[f].trim();
    if (v.length > MAX_LEN[f]) {
      errors.push({ field: f, zh: `过长（最多 ${MAX_LEN[f]} 字）`, en: `Too long (max ${MAX_LEN[f]})` });
      continue;
    }
    if (f === 'leader_phone' && !PHONE.test(v)) {
      errors.push({ field: f, zh: '电话只能包含数字、空格、+ - ( )', en: 'A phone number may only contain digits, spaces and + - ( )' });
      continue;
    }
    const next = v === '' ? null : v;
    if (next !== (p[f] ?? null)) body[f] = next;
  }
  for (const f of ['population', 'households'] as const) {
    const v = values[f].trim();
    if (!/^\d+$/.test(v)) {
      errors.push({ field: f, zh: '请填写不小于 0 的整数', en: 'Enter a whole number, 0 or more' });
      continue;
    }
    const n = Number(v);
    if (n > MAX_INT[f]) {
      errors.push({ field: f, zh: `不能大于 ${MAX_INT[f]}`, en: `May not exceed ${MAX_INT[f]}` });
      continue;
    }
    if (n !== p[f]) body[f] = n;
  }
  return { body, errors };
}

/** The attribute a server validation message names (`请求体“leader_phone”格式错误`), if any. */
export function fieldOfMessage(msg: string): AttrField | undefined {
  for (const m of msg.matchAll(/[“"]([a-z_]+)[”"]/g)) if ((ATTR_FIELDS as readonly string[]).includes(m[1])) return m[1] as AttrField;
  return undefined;
}

const segDist2 = (p: Position, a: Position, b: Position): number => {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2));
  const x = a[0] + t * dx - p[0];
  const y = a[1] + t * dy - p[1];
  return x * x + y * y;
};

function onRing(p: Position, ring: Position[], tol2: number): boolean {
  for (let i = 0; i < ring.length - 1; i++) if (segDist2(p, ring[i], ring[i + 1]) <= tol2) return true;
  return false;
}

/**
 * Whether two polygons of one partition share a border, not just a corner: at least two distinct
 * points, each a vertex of one lying on the other's outline (within `tol` degrees, ≈ 1 cm).
 */
export function sharesBorder(a: Polygon, b: Polygon, tol = 1e-7): boolean {
  const tol2 = tol * tol;
  const ra = a.coordinates[0];
  const rb = b.coordinates[0];
  const hits: Position[] = [];
  for (const [from, to] of [
    [ra, rb],
    [rb, ra],
  ])
    for (const p of from.slice(0, -1))
      if (onRing(p, to, tol2) && !hits.some((q) => (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2 <= tol2)) {
        hits.push(p);
        if (hits.length >= 2) return true;
      }
  return false;
}
