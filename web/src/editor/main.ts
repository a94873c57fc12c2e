/**
 * Street-office grid editor (/editor/): log in, see your street's grids (editable) and the
 * neighbouring streets' (grey, locked); reshape a grid with terra-draw (vertices snap to the
 * neighbours' vertices and edges), draw a new grid, split with a line, merge grids; undo/redo;
 * every change is validated and its impact previewed (the same endpoint with ?dry_run=true)
 * before it is saved; a version conflict (409) opens a dialog with both versions on the map;
 * the history panel restores earlier versions. The attribute form edits name, leader, phone, party
 * branch, population and households the same way (preview, then save); a grid can be deleted into
 * an adjacent grid of its community and restored from its history; grids carry HTML labels.
 *
 * This file only wires the parts: store.ts (state), pending.ts (the unsaved edit, pure),
 * drawing.ts (terra-draw and the tools), session.ts (server: grids, preview, save, conflicts),
 * history.ts, view.ts (panels), overlays.ts (the map's layers); the login is ui/login.ts.
 */
import '../ui/base.css';
import '../planner/planner.css';
import './editor.css';
import type { TerraDraw } from 'terra-draw';
import { api, type AuthUser } from '../api/client.js';
import { applyI18n, bindLangToggle, onLangChange, t } from '../i18n/index.js';
import { boundsOf, createMap, networkLoader } from '../map/create.js';
import { $ } from '../ui/dom.js';
import { errorText, message, status } from '../ui/feedback.js';
import { setupLogin } from '../ui/login.js';
import { afterChange, chooseTool, discard, drawInstance, onMapClick, onMapHover, pending, setupDraw, undo } from './drawing.js';
import { toggleHistory } from './history.js';
import { attachMap } from './overlays.js';
import { canEdit, type Pending, type Tool } from './pending.js';
import { loadGrids, onLoginNeeded, runPreview, save } from './session.js';
import * as store from './store.js';
import { state } from './store.js';
import { render } from './view.js';
import type { Static } from 'typebox';
import type { AdminTree as AdminTreeSchema } from '../../../server/schemas/admin.js';

declare global {
  interface Window {
    /** Editor internals, for browser tests and debugging. */
    __editor?: { state: typeof state; draw: () => TerraDraw | undefined; pending: () => Pending | null };
  }
}
window.__editor = { state, draw: drawInstance, pending };

type AdminTree = Static<typeof AdminTreeSchema>;

async function start(user: AuthUser): Promise<void> {
  store.setUser(user);
  $('#toolbar').hidden = false;
  $('#sidebar').hidden = false;
  const streets = user.streets.map((s) => s.name).join('、');
  $('#who').textContent =
    `${user.display_name}（${user.role_name_zh}）${streets ? ` · ${t('editor.street')}：${streets}` : user.role === 'admin' ? ` · ${t('editor.allStreets')}` : ''}`;
  if (user.role !== 'street_editor' && user.role !== 'admin') message(t('login.readOnly', { role: user.role_name_zh }), 'info');
  status(t('status.loading'));
  const [types, tree] = await Promise.all([
    api.stationTypes().catch(() => null),
    fetch('/api/admin/tree')
      .then((r) => r.json() as Promise<AdminTree>)
      .catch(() => null),
  ]);
  store.setTypeNames(types?.types ?? []);
  const mine = new Set(user.streets.map((s) => s.code));
  for (const d of tree?.districts ?? [])
    for (const s of d.streets)
      if (user.role === 'admin' || mine.has(s.code)) store.addCommunities(s.communities.map((c) => ({ code: c.code, name: c.name, street: s.name })));
  await loadGrids();
  const own = [...state.grids.values()].filter((g) => canEdit(user, g));
  const bounds = boundsOf({ type: 'FeatureCollection', features: own.length ? own : [...state.grids.values()] }) ?? state.datasetBbox;
  const map = createMap($('#map'), bounds, { fitBoundsOptions: { padding: 30 } });
  map.on('load', () => {
    attachMap(map);
    networkLoader(map);
    setupDraw(map);
    map.on('click', onMapClick);
    map.on('mousemove', onMapHover);
    status(null);
    render();
    document.body.dataset.ready = 'true';
  });
}

function wire(): void {
  applyI18n();
  bindLangToggle($<HTMLButtonElement>('#lang'));
  store.whenChanged(render);
  onLangChange(() => {
    if (state.user) render();
  });
  document.querySelectorAll<HTMLButtonElement>('[data-tool]').forEach((b) => b.addEventListener('click', () => chooseTool(b.dataset.tool as Tool)));
  $('#undo').addEventListener('click', () => undo(false));
  $('#redo').addEventListener('click', () => undo(true));
  $('#discard').addEventListener('click', discard);
  $('#preview').addEventListener('click', () => void runPreview());
  $('#save').addEventListener('click', () => void save());
  $<HTMLInputElement>('#allow-community').addEventListener('change', (e) => {
    store.setAllowCommunity((e.target as HTMLInputElement).checked);
    afterChange();
  });
  $('#history-btn').addEventListener('click', toggleHistory);
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || (e.target as HTMLElement).closest('input, select, textarea')) return;
    const k = e.key.toLowerCase();
    if (k !== 'z' && k !== 'y') return;
    e.preventDefault();
    undo(k === 'y' || e.shiftKey);
  });
}

async function main(): Promise<void> {
  wire();
  const login = setupLogin({
    title: 'login.title',
    demo: 'login.demo',
    current: () => state.user,
    start,
    failed: (e) => {
      status(null);
      message(t('status.error', { msg: errorText(e) }));
    },
  });
  onLoginNeeded(login.show);
  const health = await api.health().catch(() => null);
  store.setDataset(!!health?.dataset?.sample, health?.dataset?.bbox);
  login.setDemo(state.sampleCity);
  await login.signIn();
}

void main();
