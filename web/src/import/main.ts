/**
 * The upload page (/import/): log in, choose what to import, a file and its coordinate system;
 * for CSV/Excel check the detected column mapping; dry run → report (counts, rejected rows with
 * their sheet row number and reason, warnings, coordinate check); commit only after a clean dry
 * run (or with `force` when only the coordinate check objects). Upload progress is real (XHR
 * upload events), then "server processing" until the report arrives.
 */
import '../ui/base.css';
import './import.css';
import { ApiError, api, postBody, type AuthUser } from '../api/client.js';
import { applyI18n, bindLangToggle, onLangChange, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { $, h } from '../ui/dom.js';
import { errorText } from '../ui/feedback.js';
import { setupLogin, type Login } from '../ui/login.js';
import {
  ACCEPT,
  CRS_LIST,
  exportUrl,
  fmtBytes,
  formatOfFileName,
  importUrl,
  IMPORT_KINDS,
  isTable,
  kindsFor,
  mayImport,
  previewUrl,
  type Crs,
  type ImportFormat,
  type ImportKind,
} from './files.js';
import { assignField, columnsParam, missingFields, TABLE_FIELDS, type ColumnMapping } from './columns.js';
import { commitState, uploadShare, type ImportReport } from './report.js';
import { upload } from './upload.js';
import { kids, reportView } from './report-view.js';
import type { Static } from 'typebox';
import type { TablePreview } from '../../../server/schemas/imports.js';

type Preview = Static<typeof TablePreview>;

type Phase = 'idle' | 'upload' | 'server' | 'done' | 'error';

const S = {
  user: null as AuthUser | null,
  kind: 'stations' as ImportKind,
  crs: 'wgs84' as Crs,
  file: null as File | null,
  format: null as ImportFormat | null,
  contentType: '',
  preview: null as { detected: ColumnMapping[]; chosen: ColumnMapping[]; data: Preview } | null,
  previewLoading: false,
  /** The last dry run for the current file and settings (null once anything changes). */
  report: null as ImportReport | null,
  /** The last commit's report (or the 422's). */
  commitReport: null as ImportReport | null,
  force: false,
  /** Repair invalid polygons (the checkbox; kept when the file changes). */
  repair: false,
  phase: 'idle' as Phase,
  /** Phases passed through, for tests and for the record. */
  phases: [] as Phase[],
  progress: { loaded: 0, total: 0 },
  /** Upload progress events of the last upload (loaded bytes), for tests. */
  progressSamples: [] as number[],
  error: null as ApiError | Error | null,
  exportCrs: 'wgs84' as Crs,
};

declare global {
  interface Window {
    __import?: { state: typeof S };
  }
}
window.__import = { state: S };

const kindName = (k: ImportKind) => t(`import.kind.${k}` as MessageKey);
const fieldName = (f: string) => t(`import.field.${f}` as MessageKey);

function setPhase(p: Phase): void {
  S.phase = p;
  if (S.phases[S.phases.length - 1] !== p) S.phases.push(p);
  renderProgress();
}

/** Anything that changes what would be imported invalidates the dry run. */
function invalidate(): void {
  S.report = null;
  S.commitReport = null;
  S.force = false;
  S.error = null;
  $<HTMLInputElement>('#force').checked = false;
  renderRun();
}

// ---------------------------------------------------------------------------------------------
// Rendering

function radio(name: string, value: string, label: string, checked: boolean, disabled: boolean, onChange: () => void): HTMLLabelElement {
  return h(
    'label',
    { class: `imp-choice${checked ? ' on' : ''}${disabled ? ' off' : ''}` },
    h('input', { type: 'radio', name, value, checked, disabled, onchange: onChange }),
    h('span', {}, label),
  );
}

function renderKinds(): void {
  const allowed = S.format ? kindsFor(S.format) : IMPORT_KINDS;
  $('#kinds').replaceChildren(
    ...IMPORT_KINDS.map((k) =>
      radio('kind', k, kindName(k), S.kind === k, !allowed.includes(k), () => {
        S.kind = k;
        invalidate();
        renderKinds();
      }),
    ),
  );
  const warn = $('#kind-warning');
  const refused = !!S.user && !mayImport(S.user.role, S.kind);
  const tableOnly = !!S.format && isTable(S.format);
  warn.hidden = !refused && !tableOnly;
  warn.className = refused ? 'hint alert' : 'hint';
  warn.textContent = refused ? t('import.kindNotAllowed', { role: S.user!.role_name_zh, kind: kindName(S.kind) }) : tableOnly ? t('import.kindTableOnly') : '';
}

function renderCrs(): void {
  $('#crs').replaceChildren(
    ...CRS_LIST.map((c) =>
      radio('crs', c, t(`import.crs.${c}` as MessageKey), S.crs === c, false, () => {
        S.crs = c;
        invalidate();
        renderCrs();
      }),
    ),
  );
}

function renderFile(): void {
  $('#file-name').textContent = S.file
    ? `${S.file.name} · ${fmtBytes(S.file.size)}${S.format ? ` · ${t(`import.format.${S.format}` as MessageKey)}` : ''}`
    : '';
  $('#drop').classList.toggle('has-file', !!S.file);
}

function renderColumns(): void {
  const card = $('#columns-card');
  card.hidden = !(S.format && isTable(S.format));
  if (card.hidden) return;
  const box = $('#columns');
  if (S.previewLoading) {
    box.replaceChildren(h('p', { class: 'muted' }, t('import.columns.loading')));
    return;
  }
  if (!S.preview) {
    box.replaceChildren();
    return;
  }
  const { chosen, data } = S.preview;
  const missing = missingFields(chosen);
  const select = (c: ColumnMapping, i: number) =>
    h(
      'select',
      {
        'data-header': c.header,
        'aria-label': `${c.header} → ${t('import.columns.field')}`,
        onchange: (e: Event) => {
          const v = (e.target as HTMLSelectElement).value;
          S.preview!.chosen = assignField(S.preview!.chosen, i, TABLE_FIELDS.find((f) => f === v) ?? null);
          invalidate();
          renderColumns();
        },
      },
      h('option', { value: '', selected: c.field === null }, t('import.columns.ignore')),
      ...TABLE_FIELDS.map((f) => h('option', { value: f, selected: c.field === f }, fieldName(f))),
    );
  // Long cells (notes, descriptions) are cut in the preview; the import reads them whole.
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? '' : String(v);
    return text.length > 60 ? h('td', { class: 'long', title: text.slice(0, 500) }, `${text.slice(0, 60)}…`) : h('td', {}, text);
  };
  box.replaceChildren(
    ...kids(
      h('p', { class: 'hint' }, t('import.columns.hint')),
      h(
        'div',
        { class: 'imp-scroll' },
        h(
          'table',
          { class: 'imp-table imp-mapping', id: 'mapping' },
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, '#'), ...chosen.map((c) => h('th', {}, c.header || '—'))),
            h(
              'tr',
              { class: 'imp-map-row' },
              h('th', {}, '→'),
              ...chosen.map((c, i) => h('th', { class: c.field ? 'mapped' : 'ignored' }, c.header ? select(c, i) : '')),
            ),
          ),
          h('tbody', {}, ...data.rows.map((r) => h('tr', {}, h('td', { class: 'num' }, r.row), ...chosen.map((_, i) => cell(r.cells[i]))))),
        ),
      ),
      h(
        'p',
        { class: 'hint' },
        t('import.columns.rows', { n: data.rows.length, total: data.total_rows, header: data.header_row }),
        data.encoding ? ` · ${t('import.info.encoding', { v: data.encoding })}` : '',
      ),
      missing.length ? h('p', { class: 'alert', id: 'missing' }, t('import.columns.missing', { fields: missing.map(fieldName).join('、') })) : null,
    ),
  );
}

function renderProgress(): void {
  const box = $('#progress');
  const text = $('#progress-text');
  const fill = $('#progress-fill');
  box.hidden = S.phase !== 'upload' && S.phase !== 'server';
  box.classList.toggle('indeterminate', S.phase === 'server');
  if (S.phase === 'upload') {
    const share = uploadShare(S.progress.loaded, S.progress.total) ?? 0;
    fill.style.width = `${(share * 100).toFixed(1)}%`;
    text.textContent = t('import.progress.upload', {
      sent: fmtBytes(S.progress.loaded),
      total: fmtBytes(S.progress.total),
      pct: `${Math.round(share * 100)}%`,
    });
  } else if (S.phase === 'server') {
    fill.style.width = '';
    text.textContent = t('import.progress.server');
  }
}

function renderReport(): void {
  $('#report').replaceChildren(...reportView(S.commitReport ?? S.report));
}

function renderRun(): void {
  const busy = S.phase === 'upload' || S.phase === 'server';
  const state = commitState(S.report, S.force);
  const ready = !!S.file && !!S.format && (!S.preview || missingFields(S.preview.chosen).length === 0);
  $<HTMLButtonElement>('#dry-run').disabled = busy || !ready;
  $<HTMLButtonElement>('#commit').disabled = busy || state !== 'ready' || !!S.commitReport?.committed;
  $('#force-label').hidden = !(S.report && (state === 'needs_force' || (state === 'ready' && S.force)));
  $('#commit-hint').textContent = S.commitReport?.committed
    ? ''
    : !S.file
      ? t('import.noFile')
      : !S.report
        ? t('import.commitHint.none')
        : t(state === 'ready' ? 'import.commitHint.ready' : state === 'needs_force' ? 'import.commitHint.force' : 'import.commitHint.blocked');
  const err = $('#error');
  err.hidden = !S.error;
  err.textContent = S.error ? t('import.error', { msg: errorText(S.error) }) : '';
  renderProgress();
  renderReport();
}

function renderExports(): void {
  $('#export-crs').replaceChildren(
    ...CRS_LIST.map((c) =>
      radio('export-crs', c, t(`import.crs.${c}` as MessageKey), S.exportCrs === c, false, () => {
        S.exportCrs = c;
        renderExports();
      }),
    ),
  );
  const formats = [
    ['geojson', 'GeoJSON'],
    ['shapefile', 'Shapefile'],
    ['kml', 'KML'],
  ] as const;
  $('#exports').replaceChildren(
    h(
      'tbody',
      {},
      ...(['grids', 'stations', 'gaps'] as const).map((w) =>
        h(
          'tr',
          {},
          h('th', {}, t(`import.export.${w}` as MessageKey)),
          ...formats.map(([f, label]) => h('td', {}, h('a', { href: exportUrl(w, f, S.exportCrs), download: '', 'data-export': `${w}-${f}` }, label))),
        ),
      ),
    ),
  );
}

function renderAll(): void {
  renderKinds();
  renderCrs();
  renderFile();
  renderColumns();
  renderRun();
  renderExports();
}

// ---------------------------------------------------------------------------------------------
// Actions

async function loadPreview(): Promise<void> {
  if (!S.file || !S.format || !isTable(S.format)) return;
  const file = S.file;
  S.previewLoading = true;
  renderColumns();
  try {
    const data = await postBody<Preview>(previewUrl(S.format), file, S.contentType).catch((e: unknown) => (S.file === file ? Promise.reject(e) : null));
    if (S.file !== file || !data) return;
    S.preview = { detected: data.columns.map((c) => ({ ...c })), chosen: data.columns.map((c) => ({ ...c })), data };
  } catch (e) {
    S.error = e as Error;
  } finally {
    if (S.file === file) S.previewLoading = false;
    renderColumns();
    renderRun();
  }
}

function setFile(file: File): void {
  const f = formatOfFileName(file.name);
  const err = $('#file-error');
  S.preview = null;
  invalidate();
  if (!f.ok) {
    S.file = null;
    S.format = null;
    err.hidden = false;
    err.textContent = t(`import.badFile.${f.reason}` as MessageKey, { ext: f.extension || '?' });
    renderAll();
    return;
  }
  err.hidden = true;
  S.file = file;
  S.format = f.format;
  S.contentType = f.contentType;
  if (!kindsFor(f.format).includes(S.kind)) S.kind = kindsFor(f.format)[0];
  renderAll();
  void loadPreview();
}

async function run(dryRun: boolean): Promise<void> {
  if (!S.file || !S.format) return;
  S.error = null;
  if (dryRun) {
    S.report = null;
    S.commitReport = null;
  }
  S.progress = { loaded: 0, total: S.file.size };
  S.phases = [];
  S.progressSamples = [];
  setPhase('upload');
  renderRun();
  const columns = S.preview ? columnsParam(S.preview.detected, S.preview.chosen) : undefined;
  const url = importUrl(S.kind, { format: S.format, crs: S.crs, dryRun, force: !dryRun && S.force, repair: S.repair, columns });
  try {
    const report = await upload<ImportReport>(url, S.file, S.contentType, {
      onProgress: (loaded, total) => {
        S.progress = { loaded, total };
        S.progressSamples.push(loaded);
        if (S.phase === 'upload') renderProgress();
      },
      onSent: () => setPhase('server'),
    }).promise;
    if (dryRun) S.report = report;
    else S.commitReport = report;
    setPhase('done');
  } catch (e) {
    setPhase('error');
    if (e instanceof ApiError && e.code === 'import_rejected' && e.details && typeof e.details === 'object' && 'rejected' in e.details) {
      const r = e.details as ImportReport;
      if (dryRun) S.report = r;
      else S.commitReport = r;
    }
    S.error = e as Error;
    if (e instanceof ApiError && e.status === 401) login.show();
  }
  renderRun();
}

// ---------------------------------------------------------------------------------------------
// Login and start

let login: Login;

function start(user: AuthUser): void {
  S.user = user;
  $('#main').hidden = false;
  $('#who').textContent = `${user.display_name}（${user.role_name_zh}）`;
  renderAll();
  document.body.dataset.ready = 'true';
}

function wire(): void {
  applyI18n();
  bindLangToggle($<HTMLButtonElement>('#lang'));
  onLangChange(() => renderAll());
  const input = $<HTMLInputElement>('#file');
  input.accept = ACCEPT;
  input.addEventListener('change', () => {
    if (input.files?.[0]) setFile(input.files[0]);
  });
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files?.[0];
    if (f) setFile(f);
  });
  $('#dry-run').addEventListener('click', () => void run(true));
  $('#commit').addEventListener('click', () => void run(false));
  $<HTMLInputElement>('#repair').addEventListener('change', (e) => {
    S.repair = (e.target as HTMLInputElement).checked;
    invalidate(); // the dry run was for the other setting
  });
  $<HTMLInputElement>('#force').addEventListener('change', (e) => {
    S.force = (e.target as HTMLInputElement).checked;
    renderRun();
  });
  login = setupLogin({
    title: 'import.loginTitle',
    demo: 'import.loginDemo',
    current: () => S.user,
    start,
    failed: (e) => {
      $('#main').hidden = false;
      S.error = e as Error;
      renderRun();
    },
  });
}

async function main(): Promise<void> {
  wire();
  const health = await api.health().catch(() => null);
  login.setDemo(!!health?.dataset?.sample);
  await login.signIn();
}

void main();
