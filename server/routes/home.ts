/**
 * A plain landing page until the map (web/) is built: what this is, and links to the API.
 */
import type { FastifyPluginAsync } from 'fastify';
import { getMeta } from '../db/dataset.repository.js';

const page = (dataset: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>生活圈 Lifecircle</title>
<style>body{font:16px/1.6 system-ui,"Noto Sans CJK SC",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2937}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}a{color:#b91c1c}li{margin:.3rem 0}.tag{color:#6b7280}</style></head>
<body>
<h1>生活圈 Lifecircle</h1>
<p>网格化治理与 15 分钟服务圈的地图服务。<span class="tag">Map service for community grids and 15-minute service circles.</span></p>
<p>当前数据 / Data: <strong>${dataset}</strong></p>
<ul>
<li><a href="/docs">/docs</a> — 接口文档 Interactive API docs (OpenAPI)</li>
<li><a href="/api/health">/api/health</a> — 运行状态 Health</li>
<li><a href="/api/admin/tree">/api/admin/tree</a> — 区、街道、社区 Admin tree</li>
<li><a href="/api/grids?limit=20">/api/grids</a> — 网格 Grids (GeoJSON)</li>
<li><a href="/api/stations?types=courier_station&amp;open_now=true">/api/stations</a> — 服务站点 Stations (GeoJSON)</li>
<li><a href="/api/stations/nearest?lon=121.6&amp;lat=38.91&amp;type=courier_station&amp;limit=3">/api/stations/nearest</a> — 最近的爱心驿站 Nearest courier stations</li>
<li><a href="/api/locate?lon=121.6&amp;lat=38.91">/api/locate</a> — 此处归谁管 Who is responsible here</li>
</ul>
</body></html>`;

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const routes: FastifyPluginAsync = async (app) => {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    const v = await getMeta<{ name?: string }>(app.db.kysely, 'dataset');
    reply.type('text/html; charset=utf-8').send(page(escapeHtml(v?.name ?? '（空数据库 / empty database）')));
  });
};
export default routes;
