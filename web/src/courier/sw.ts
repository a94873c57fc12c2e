/**
 * The courier page's service worker (/courier/sw.js, scope /courier): keeps the page and its
 * scripts on the phone so that a rider who loses the network (under a bridge, in a basement) can
 * still open it; the page then shows the last list it kept (web/src/courier/main.ts, localStorage)
 * and says how old it is. Self-contained (no imports: a classic worker script).
 *
 * - The page (/courier, /courier/): network first, the cached copy when the network fails or takes
 *   more than 4 s (poor signal must not mean a blank page).
 * - Hashed assets (/assets/…): cache first; they never change under one name. Cached on install
 *   (what the page names) and as the page loads more (the map library).
 * - API answers are not cached here: the page keeps its last answer itself and labels it.
 */
interface FetchEventLike extends Event {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ExtendableEventLike extends Event {
  waitUntil(p: Promise<unknown>): void;
}
const sw = self as unknown as {
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEventLike) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
};

const CACHE = 'lc-courier-1';
const PAGE = '/courier/';

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  const res = await fetch(PAGE, { cache: 'no-cache' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(PAGE, res);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  await cache.addAll(assets);
}

sw.addEventListener('install', (e) => {
  e.waitUntil(precache().then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('lc-courier-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

/** The network's answer, or null when it fails or is slower than `ms`. */
function fetchWithin(req: Request, ms: number): Promise<Response | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    fetch(req)
      .then((r) => resolve(r))
      .catch(() => resolve(null))
      .finally(() => clearTimeout(timer));
  });
}

async function page(req: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const net = await fetchWithin(req, 4000);
  if (net?.ok) {
    await cache.put(PAGE, net.clone());
    return net;
  }
  return (await cache.match(PAGE)) ?? net ?? new Response('offline', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

async function asset(req: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await cache.put(req, res.clone());
  return res;
}

sw.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  if (url.pathname === '/courier' || url.pathname === PAGE) e.respondWith(page(req));
  else if (url.pathname.startsWith('/assets/') && !req.headers.has('range')) e.respondWith(asset(req));
});
