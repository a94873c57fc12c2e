/**
 * Chinese first, English switchable. The choice persists in localStorage ("lc.lang").
 * Static text carries `data-i18n="key"` (or `data-i18n-title`, `data-i18n-aria`); dynamic
 * text calls `t(key)` and re-renders on `onLangChange`.
 */
import { messages, type MessageKey } from './messages.js';

export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'lc.lang';
const listeners: Array<(lang: Lang) => void> = [];

function stored(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

let current: Lang = stored();

export const lang = (): Lang => current;

/** The message for `key` in the current language; `{name}` placeholders are filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const m = messages[key][current];
  return m.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** Picks the zh or en variant of a value the API returns in both languages. */
export const pick = (zh: string, en: string): string => (current === 'zh' ? zh : en);

/** Fills every `[data-i18n]` element below `root` and sets `<html lang>`. */
export function applyI18n(root: ParentNode = document): void {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => (el.textContent = t(el.dataset.i18n as MessageKey)));
  root.querySelectorAll<HTMLElement>('[data-i18n-title]').forEach((el) => (el.title = t(el.dataset.i18nTitle as MessageKey)));
  root.querySelectorAll<HTMLElement>('[data-i18n-aria]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nAria as MessageKey)));
  root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder as MessageKey)));
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* private mode: the switch still works for this page */
  }
  applyI18n();
  listeners.forEach((fn) => fn(next));
}

export function onLangChange(fn: (lang: Lang) => void): void {
  listeners.push(fn);
}

/** Wires a `<button>` as the 中文/English toggle: it shows the language you would switch to. */
export function bindLangToggle(button: HTMLButtonElement): void {
  const label = () => {
    button.textContent = current === 'zh' ? 'English' : '中文';
    button.setAttribute('aria-label', current === 'zh' ? 'Switch to English' : '切换到中文');
  };
  label();
  button.addEventListener('click', () => {
    setLang(current === 'zh' ? 'en' : 'zh');
    label();
  });
}

/** Number formatting in the current locale. */
export const fmtInt = (n: number): string => Math.round(n).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-US');
export const fmtPct = (share: number, digits = 1): string => `${(share * 100).toFixed(digits)}%`;
/** m² → "0.92 平方公里" / "8,500 平方米" (km² from 0.1 km² up). */
export function fmtArea(m2: number): string {
  const km = m2 >= 1e5;
  const v = km ? (m2 / 1e6).toFixed(2) : fmtInt(m2);
  if (current === 'zh') return `${v} ${km ? '平方公里' : '平方米'}`;
  return `${v} ${km ? 'km²' : 'm²'}`;
}
export function fmtDistance(m: number): string {
  if (m >= 1000) return current === 'zh' ? `${(m / 1000).toFixed(1)} 公里` : `${(m / 1000).toFixed(1)} km`;
  return current === 'zh' ? `${Math.round(m)} 米` : `${Math.round(m)} m`;
}
