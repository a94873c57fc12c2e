/**
 * The history panel: the versions of the selected grid (or of a grid deleted this session),
 * newest first; hovering one shows its outline; its restore button makes a restore the pending
 * edit (session.ts previews it).
 */
import { editApi, type HistoryEntry } from '../api/client.js';
import { $ } from '../ui/dom.js';
import { errorText } from '../ui/feedback.js';
import { EMPTY } from '../map/create.js';
import { polygonOverlay, setOverlay } from './overlays.js';
import { renderHistory } from './panels.js';
import type { DeletedGrid, GridFeature, GridRef } from './pending.js';
import * as store from './store.js';
import { state } from './store.js';

/** The grid the history panel is about: a deleted one opened from the list, else the selected one. */
export function historyTarget(): { ref: GridRef; deleted?: DeletedGrid; selected?: GridFeature } | null {
  if (state.historyFor) return { ref: { properties: { ...state.historyFor } }, deleted: state.historyFor };
  return state.selected ? { ref: state.selected, selected: state.selected } : null;
}

export async function loadHistory(): Promise<void> {
  const target = historyTarget();
  if (!target) {
    store.setHistory(null);
    store.changed();
    return;
  }
  const id = target.ref.properties.id;
  store.setHistory({ gridId: id, loading: true });
  store.changed();
  try {
    const r = await editApi.history(id);
    if (historyTarget()?.ref.properties.id === id) store.setHistory({ gridId: id, entries: r.entries });
  } catch (e) {
    store.setHistory({ gridId: id, error: errorText(e) });
  }
  store.changed();
}

/** Loads the history and scrolls the panel into view. */
export const revealHistory = (): Promise<void> => loadHistory().then(() => $('#history-panel').scrollIntoView({ block: 'nearest' }));

/** The 历史 button: opens the panel (a finished save's report makes room for it) or closes it. */
export function toggleHistory(): void {
  store.setHistoryOpen(!state.historyOpen);
  if (state.historyOpen && state.preview?.saved) {
    store.setPreview(null);
    setOverlay('preview', EMPTY);
  }
  if (state.historyOpen) void revealHistory();
  else setOverlay('history-geom', EMPTY);
  store.changed();
}

export function renderHistoryPanel(restore: (e: HistoryEntry) => void): void {
  const hp = $('#history-panel');
  hp.hidden = !state.historyOpen;
  if (!state.historyOpen) return;
  const target = historyTarget();
  const h = state.history;
  renderHistory(
    hp,
    {
      gridName: target?.ref.properties.name,
      currentVersion: target?.ref.properties.version,
      deleted: !!target?.deleted,
      entries: h?.entries,
      loading: h?.loading,
      error: h?.error,
    },
    {
      restore,
      hover: (e) => {
        if (!state.restore) setOverlay('history-geom', polygonOverlay(e?.after_geometry));
      },
    },
  );
}
