/**
 * The coverage standard form: each type's own, a custom radius or custom walking minutes
 * (validation and the URL hash in standard.ts). A valid entry is applied (new coverage request,
 * URL hash); an invalid one only shows why.
 */
import { t } from '../i18n/index.js';
import { $ } from '../ui/dom.js';
import { refreshCoverage } from './coverage.js';
import { showServiceArea } from './map-view.js';
import { checkMinutes, checkRadius, type FieldCheck, formatHash, type Mode, parseHash } from './standard.js';
import * as store from './store.js';
import { state } from './store.js';

/** The standard last applied (its URL hash): Enter, then the change event on blur, ask once. */
let appliedStandard = '';

/** The input of the chosen mode (none for each type's own). */
const modeInput = (): HTMLInputElement | null =>
  state.mode === 'radius' ? $<HTMLInputElement>('#radius') : state.mode === 'walk' ? $<HTMLInputElement>('#minutes') : null;
const checkOf = (input: HTMLInputElement | null): FieldCheck | undefined =>
  input ? (state.mode === 'radius' ? checkRadius : checkMinutes)(input.value) : undefined;

/** Shows the input of the chosen mode and its validation message (current language). */
export function renderStandard(check?: FieldCheck): void {
  $('#radius-row').hidden = state.mode !== 'radius';
  $('#minutes-row').hidden = state.mode !== 'walk';
  const err = $('#standard-error');
  const input = modeInput();
  const c = check ?? checkOf(input);
  const bad = !!c && !c.ok && state.mode !== 'standard';
  err.hidden = !bad;
  err.textContent = c && !c.ok ? t(c.key, c.vars) : '';
  for (const el of [$<HTMLInputElement>('#radius'), $<HTMLInputElement>('#minutes')]) el.setAttribute('aria-invalid', String(bad && el === input));
}

function applyStandard(): void {
  const check = checkOf(modeInput());
  renderStandard(check);
  if (check && !check.ok) return;
  if (check && state.mode === 'radius') store.setStandard({ radius: check.value });
  if (check && state.mode === 'walk') store.setStandard({ minutes: check.value });
  const key = formatHash(state);
  if (key === appliedStandard) return; // Enter, then the change event on blur: one request
  appliedStandard = key;
  history.replaceState(null, '', `${location.pathname}${location.search}${formatHash(state)}`);
  showServiceArea();
  void refreshCoverage();
}

/** The standard in the URL hash (before the first coverage request), and the form's events. */
export function bindStandard(): void {
  store.setStandard(parseHash(location.hash));
  appliedStandard = formatHash(state);
  $<HTMLInputElement>('#radius').value = String(state.radius);
  $<HTMLInputElement>('#minutes').value = String(state.minutes);
  document.querySelectorAll<HTMLInputElement>('#mode input').forEach((r) => {
    r.checked = r.value === state.mode;
    r.addEventListener('change', () => {
      store.setStandard({ mode: r.value as Mode });
      applyStandard();
    });
  });
  for (const [sel, check] of [
    ['#radius', checkRadius],
    ['#minutes', checkMinutes],
  ] as const) {
    const input = $<HTMLInputElement>(sel);
    input.addEventListener('input', () => renderStandard(check(input.value)));
    input.addEventListener('change', applyStandard);
    input.addEventListener('keydown', (e) => e.key === 'Enter' && applyStandard());
  }
  renderStandard();
}
