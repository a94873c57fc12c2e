/** The editor's pending edit (pure): which change the toolbar acts on, its key, undo, and what a save leaves. */
import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import type { AuthUser } from '../../web/src/api/client.js';
import { formValues } from '../../web/src/editor/attributes.js';
import {
  attrState,
  canEdit,
  communityUnder,
  deleteCandidates,
  deletedAfterSave,
  emptyDraft,
  focusAfterSave,
  isDirty,
  pendingEdit,
  pendingKey,
  stepUndo,
  toggleId,
  type Draft,
  type GridFeature,
} from '../../web/src/editor/pending.js';
import { UndoStack } from '../../web/src/editor/undo.js';
import { afterLogin } from '../../web/src/ui/login.js';

const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});

function grid(id: number, geometry: Polygon, over: Partial<GridFeature['properties']> = {}): GridFeature {
  return {
    type: 'Feature',
    geometry,
    properties: {
      id,
      code: `21020300100${id}`,
      name: `${id}号网格`,
      community_code: 'C1',
      community_name: '一社区',
      street_code: 'S1',
      street_name: '一街道',
      district_code: 'D1',
      district_name: '一区',
      leader_name: null,
      leader_phone: null,
      party_branch: null,
      population: 100,
      households: 40,
      area_m2: 1e4,
      version: 3,
      updated_at: '2024-01-01T00:00:00Z',
      updated_by: 'seed',
      ...over,
    },
  };
}

const editor: AuthUser = {
  id: 7,
  username: 'editor1',
  display_name: '编辑',
  role: 'street_editor',
  role_name_zh: '街道编辑',
  streets: [{ id: 1, code: 'S1', name: '一街道' }],
};
const a = grid(1, rect(0, 0, 1, 1));
const b = grid(2, rect(1, 0, 2, 1));
const c = grid(3, rect(2, 0, 3, 1), { community_code: 'C2' });
const foreign = grid(4, rect(0, 1, 1, 2), { street_code: 'S2' });

function draft(over: Partial<Draft> = {}): Draft {
  return { ...emptyDraft(), user: editor, grids: new Map([a, b, c, foreign].map((g) => [g.properties.id, g])), createCommunity: 'C1', ...over };
}

describe('pendingEdit', () => {
  it('nothing selected, nothing pending; the selected grid unchanged, nothing pending', () => {
    expect(pendingEdit(draft(), null, '新网格')).toBeNull();
    expect(pendingEdit(draft({ selected: a, attrValues: formValues(a.properties) }), a.geometry, '新网格')).toBeNull();
  });

  it('moved vertices make a reshape (normalized), with the changed attributes along', () => {
    const moved = rect(0, 0, 1.2, 1);
    const d = draft({ selected: a, attrValues: { ...formValues(a.properties), leader_name: '李四' } });
    expect(isDirty(d, moved)).toBe(true);
    const p = pendingEdit(d, moved, '新网格')!;
    expect(p).toMatchObject({ kind: 'reshape', grid: a, attrs: { leader_name: '李四' } });
    expect(p.kind === 'reshape' && p.geometry.coordinates[0]).toHaveLength(5);
  });

  it('attributes only when the outline is the saved one; none while a field is wrong', () => {
    const d = draft({ selected: a, attrValues: { ...formValues(a.properties), population: '120' } });
    expect(pendingEdit(d, a.geometry, '新网格')).toEqual({ kind: 'attributes', grid: a, attrs: { population: 120 } });
    expect(pendingEdit({ ...d, attrValues: { ...formValues(a.properties), population: '-1' } }, a.geometry, '新网格')).toBeNull();
    // A field the server refused counts as wrong until it is edited again.
    const refused = { ...d, attrServerError: { field: 'leader_phone' as const, zh: '格式错误', en: 'bad' } };
    expect(attrState(refused).errors.map((e) => e.field)).toEqual(['leader_phone']);
    expect(pendingEdit(refused, a.geometry, '新网格')).toBeNull();
  });

  it('a delete needs its neighbour; create, split, merge and restore', () => {
    expect(pendingEdit(draft({ selected: a, deleting: { grid: a, into: null } }), a.geometry, 'x')).toBeNull();
    expect(pendingEdit(draft({ selected: a, deleting: { grid: a, into: 2 } }), a.geometry, 'x')).toEqual({ kind: 'delete', grid: a, into: b });
    const drawn = rect(0.2, 0.2, 0.4, 0.4);
    expect(pendingEdit(draft({ tool: 'create', drawn, createName: '  ' }), null, '新网格')).toEqual({
      kind: 'create',
      geometry: drawn,
      community: 'C1',
      name: '新网格',
    });
    const line = {
      type: 'LineString' as const,
      coordinates: [
        [0, 0.5],
        [1, 0.5],
      ],
    };
    expect(pendingEdit(draft({ tool: 'split', selected: a, splitLine: line }), null, 'x')).toEqual({ kind: 'split', grid: a, line });
    expect(pendingEdit(draft({ tool: 'merge', mergeIds: [1] }), null, 'x')).toBeNull();
    expect(pendingEdit(draft({ tool: 'merge', mergeIds: [2, 1] }), null, 'x')).toEqual({ kind: 'merge', grids: [b, a] });
    // A restore wins over whatever else is going on.
    expect(pendingEdit(draft({ tool: 'merge', mergeIds: [2, 1], restore: { grid: a, toVersion: 1 } }), null, 'x')).toEqual({
      kind: 'restore',
      grid: a,
      toVersion: 1,
    });
  });
});

describe('pendingKey', () => {
  it('changes with the shape, the community checkbox and a re-applied version', () => {
    const p = pendingEdit(draft({ selected: a, attrValues: formValues(a.properties) }), rect(0, 0, 1.2, 1), 'x')!;
    const k = pendingKey(p, { versionOverride: new Map(), allowCommunity: false });
    expect(pendingKey(p, { versionOverride: new Map(), allowCommunity: false })).toBe(k);
    expect(pendingKey(p, { versionOverride: new Map(), allowCommunity: true })).not.toBe(k);
    expect(pendingKey(p, { versionOverride: new Map([[1, 4]]), allowCommunity: false })).not.toBe(k);
    const q = pendingEdit(draft({ selected: a, attrValues: formValues(a.properties) }), rect(0, 0, 1.3, 1), 'x')!;
    expect(pendingKey(q, { versionOverride: new Map(), allowCommunity: false })).not.toBe(k);
  });
});

describe('who may edit, where a deleted grid can go, where a new one belongs', () => {
  it('street editors edit their streets; administrators all; others none', () => {
    expect(canEdit(editor, a)).toBe(true);
    expect(canEdit(editor, foreign)).toBe(false);
    expect(canEdit({ ...editor, role: 'admin', streets: [] }, foreign)).toBe(true);
    expect(canEdit({ ...editor, role: 'viewer' }, a)).toBe(false);
    expect(canEdit(null, a)).toBe(false);
  });

  it('delete candidates: own, same community, sharing a border', () => {
    expect(deleteCandidates(draft(), a)).toEqual([b]);
    expect(deleteCandidates(draft(), b)).toEqual([a]); // c borders b but is another community
  });

  it('a drawn polygon takes the community of the own grid under its centre', () => {
    expect(communityUnder(draft(), rect(2.2, 0.2, 2.4, 0.4))).toBe('C2');
    expect(communityUnder(draft(), rect(0.2, 1.2, 0.4, 1.4))).toBeUndefined(); // another street's grid
  });
});

describe('undo of the pending shape', () => {
  it('select: steps through the outlines, nothing before the first; create: may step to no polygon', () => {
    const undo = new UndoStack<Polygon>();
    undo.reset(a.geometry);
    undo.push(rect(0, 0, 1.2, 1));
    const d = draft({ selected: a, undo });
    expect(stepUndo(d, true, false)).toEqual({ shape: a.geometry });
    expect(stepUndo(d, true, false)).toBeNull();
    expect(stepUndo(d, true, true)).toEqual({ shape: rect(0, 0, 1.2, 1) });
    expect(stepUndo(d, false, false)).toBeNull(); // no outline in terra-draw: nothing to undo
    const u2 = new UndoStack<Polygon>();
    u2.push(rect(0, 0, 0.5, 0.5));
    expect(stepUndo(draft({ tool: 'create', undo: u2 }), false, false)).toEqual({ shape: undefined });
    expect(stepUndo(draft({ tool: 'merge', undo: u2 }), false, false)).toBeNull();
  });
});

describe('after a save', () => {
  it('selects the merged, the receiving, the created or the edited grid', () => {
    const changes = [{ role: 'created', grid_id: 9 }] as never;
    expect(focusAfterSave({ kind: 'merge', grids: [b, a] }, { changes: [] })).toBe(2);
    expect(focusAfterSave({ kind: 'delete', grid: a, into: b }, { changes: [] })).toBe(2);
    expect(focusAfterSave({ kind: 'create', geometry: a.geometry, community: 'C1', name: 'x' }, { changes })).toBe(9);
    expect(focusAfterSave({ kind: 'attributes', grid: a, attrs: {} }, { changes: [] })).toBe(1);
  });

  it('remembers deleted grids once, forgets restored ones', () => {
    const del = { role: 'deleted' as const, grid_id: 1, code: 'g1', name: '一', version_after: 4 };
    const once = deletedAfterSave([], [del]);
    expect(once).toEqual([{ id: 1, code: 'g1', name: '一', version: 4 }]);
    expect(deletedAfterSave(once, [{ ...del, version_after: 5 }])).toEqual([{ id: 1, code: 'g1', name: '一', version: 5 }]);
    expect(deletedAfterSave(once, [{ ...del, role: 'restored' }])).toEqual([]);
  });

  it('merge picks toggle', () => {
    expect(toggleId([1, 2], 3)).toEqual([1, 2, 3]);
    expect(toggleId([1, 2, 3], 2)).toEqual([1, 3]);
  });
});

describe('afterLogin (ui/login.ts)', () => {
  it('first login starts the page; the same user again resumes it; another user reloads it (no previous streets kept)', () => {
    expect(afterLogin(null, editor)).toBe('start');
    expect(afterLogin(editor, { ...editor })).toBe('resume');
    expect(afterLogin(editor, { id: 8, username: 'editor2' })).toBe('reload');
  });
});
