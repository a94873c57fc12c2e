/**
 * Status and error text shared by the four pages: an error in the current language (`errorText`),
 * the loading line over the map (`#status`) and a message over it that fades after 8 s (`#message`).
 */
import { ApiError } from '../api/client.js';
import { pick } from '../i18n/index.js';
import { $ } from './dom.js';

/** Any thrown value as text in the current language (an `ApiError` carries both). */
export const errorText = (e: unknown): string => (e instanceof ApiError ? pick(e.zh, e.en) : e instanceof Error ? e.message : String(e));

/** The status line (`#status`); null hides it. */
export function status(msg: string | null): void {
  const el = $('#status');
  el.hidden = msg === null;
  el.textContent = msg ?? '';
}

let messageTimer: ReturnType<typeof setTimeout> | undefined;

/** A message over the map (`#message`: refusals, locked grids); stays 8 s. */
export function message(msg: string | null, kind: 'alert' | 'info' = 'alert'): void {
  const el = $('#message');
  clearTimeout(messageTimer);
  el.hidden = msg === null;
  el.textContent = msg ?? '';
  el.className = `message ${kind}`;
  if (msg) messageTimer = setTimeout(() => (el.hidden = true), 8000);
}
