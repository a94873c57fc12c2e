/**
 * Behind a reverse proxy (issue 14): every connection comes from the proxy, so without
 * TRUST_PROXY one client's 10 wrong passwords lock everybody out (the documented default: the
 * socket address is the client). With TRUST_PROXY naming the proxy (addresses/CIDRs or a hop
 * count), the login limit keys on the client address the proxy appends to X-Forwarded-For, and a
 * client cannot escape it by sending its own X-Forwarded-For.
 *
 * The proxy is a few lines of node:http in this file; the two clients connect to it from
 * different loopback addresses (127.0.0.2 and 127.0.0.3) so it sees two clients.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../server/config.js';
import { openTestApp } from './helpers/db.js';

/** A reverse proxy to `target` that appends the peer's address to X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does. */
async function startProxy(target: number): Promise<{ port: number; close: () => Promise<void> }> {
  const proxy = http.createServer((req, res) => {
    const xff = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = http.request(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': xff } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return { port: (proxy.address() as AddressInfo).port, close: () => new Promise((r) => proxy.close(() => r())) };
}

/** POST /api/auth/login through the proxy from a given local address. */
function login(proxyPort: number, from: string, password: string, forged?: string): Promise<number> {
  const body = JSON.stringify({ username: 'editor1', password });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        localAddress: from,
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(forged ? { 'x-forwarded-for': forged } : {}) },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function behindProxy(trustProxy: Config['trustProxy']) {
  const t = await openTestApp({ trustProxy, loginRatePerMinute: 10 });
  cleanups.push(t.close);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const proxy = await startProxy((t.app.server.address() as AddressInfo).port);
  cleanups.push(proxy.close);
  return proxy.port;
}

const A = '127.0.0.2';
const B = '127.0.0.3';

describe('login limit behind a reverse proxy', () => {
  for (const [what, setting] of [
    ['TRUST_PROXY=127.0.0.1 (the proxy’s address)', ['127.0.0.1']],
    ['TRUST_PROXY=1 (one hop)', 1],
  ] as const) {
    it(`${what}: 10 wrong passwords from one client do not lock another out, and a forged X-Forwarded-For does not help`, async () => {
      const port = await behindProxy(setting as Config['trustProxy']);
      const a: number[] = [];
      for (let i = 0; i < 10; i++) a.push(await login(port, A, `wrong-${i}`));
      expect(a).toEqual(Array(10).fill(401));
      // The 11th from A is refused, whatever address A claims to come from.
      expect(await login(port, A, 'lifecircle-demo', `10.9.8.${Math.floor(Math.random() * 250)}`)).toBe(429);
      expect(await login(port, B, 'lifecircle-demo')).toBe(200);
    });
  }

  it('without TRUST_PROXY (the default) every client behind the proxy shares its address: one client’s 10 failures lock the other out', async () => {
    const port = await behindProxy(false);
    for (let i = 0; i < 10; i++) expect(await login(port, A, `wrong-${i}`)).toBe(401);
    expect(await login(port, B, 'lifecircle-demo')).toBe(429);
  });
});
