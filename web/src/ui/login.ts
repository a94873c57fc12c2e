/**
 * The one login of the pages that need an account (the editor /editor/ and the import page
 * /import/): the dialog (built here, the same ids on both pages), the log-out button, the first
 * `GET /api/auth/me`, and what a login means when someone is already signed in on the page
 * (`afterLogin`): the same user again (an expired session) keeps the page and its unsaved work;
 * another user reloads it, so nothing of the previous user's (streets, grids, rights) stays.
 */
import './login.css';
import { ApiError, editApi, type AuthUser } from '../api/client.js';
import { t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { $, h } from './dom.js';
import { errorText } from './feedback.js';

/** What a successful login does, given who is signed in on the page now. */
export type AfterLogin = 'start' | 'resume' | 'reload';

export function afterLogin(current: Pick<AuthUser, 'id' | 'username'> | null, next: Pick<AuthUser, 'id' | 'username'>): AfterLogin {
  if (!current) return 'start';
  return current.id === next.id && current.username === next.username ? 'resume' : 'reload';
}

export interface LoginOptions {
  /** The dialog's title and the sample-city hint (demo accounts). */
  title: MessageKey;
  demo: MessageKey;
  /** Who is signed in on the page now (null before the first login). */
  current: () => AuthUser | null;
  /** Opens the page for `user` (first login, or `me` answered). */
  start: (user: AuthUser) => void | Promise<void>;
  /** `me` failed otherwise than with 401. */
  failed: (e: unknown) => void;
}

export interface Login {
  /** Shows the dialog (also after a 401 in the middle of work). */
  show(): void;
  /** Whether the sample city's demo accounts are offered. */
  setDemo(sample: boolean): void;
  /** Signs in with the session cookie (`me`) and starts the page, or shows the dialog (401). */
  signIn(): Promise<void>;
}

/** Builds the login dialog and wires log-out; `signIn()` then opens the page. */
export function setupLogin(o: LoginOptions): Login {
  const error = h('p', { class: 'login-error alert', id: 'login-error', hidden: true });
  const demo = h('p', { class: 'hint', id: 'login-demo', hidden: true, 'data-i18n': o.demo }, t(o.demo));
  const form = h(
    'form',
    { class: 'login-card', id: 'login-form' },
    h('h1', { 'data-i18n': o.title }, t(o.title)),
    h(
      'label',
      {},
      h('span', { 'data-i18n': 'login.username' }, t('login.username')),
      h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true }),
    ),
    h(
      'label',
      {},
      h('span', { 'data-i18n': 'login.password' }, t('login.password')),
      h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    ),
    error,
    h('button', { type: 'submit', class: 'login-submit', 'data-i18n': 'login.submit' }, t('login.submit')),
    demo,
  );
  const backdrop = h('div', { class: 'login-backdrop', id: 'login', hidden: true }, form);
  document.body.append(backdrop);
  let sample = false;

  const signedIn = () => {
    backdrop.hidden = true;
    $('#logout').hidden = false;
  };
  const show = () => {
    backdrop.hidden = false;
    demo.hidden = !sample;
    $<HTMLInputElement>('#username').focus();
  };

  $('#logout').addEventListener('click', async () => {
    await editApi.logout().catch(() => undefined);
    location.reload();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    try {
      const r = await editApi.login($<HTMLInputElement>('#username').value.trim(), $<HTMLInputElement>('#password').value);
      const next = afterLogin(o.current(), r.user);
      if (next === 'reload') return location.reload();
      signedIn();
      if (next === 'start') await o.start(r.user);
    } catch (x) {
      error.hidden = false;
      error.textContent = errorText(x);
    }
  });

  return {
    show,
    setDemo(s) {
      sample = s;
      if (!backdrop.hidden) demo.hidden = !s;
    },
    async signIn() {
      try {
        const user = await editApi.me();
        signedIn();
        await o.start(user);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) show();
        else o.failed(e);
      }
    },
  };
}
