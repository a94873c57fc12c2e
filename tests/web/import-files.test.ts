/** web/src/import/files.ts: file name → format and content type; import/preview/export URLs. */
import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, exportUrl, fmtBytes, formatOfFileName, importUrl, kindsFor, mayImport, previewUrl } from '../../web/src/import/files.js';

describe('formatOfFileName', () => {
  it.each([
    ['网格.zip', 'shapefile', 'application/zip'],
    ['grids.gcj02.KML', 'kml', 'application/vnd.google-earth.kml+xml'],
    ['grids.kmz', 'kmz', 'application/vnd.google-earth.kmz'],
    ['stations.gcj02.zh.csv', 'csv', 'text/csv'],
    ['站点.XLSX', 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['city.geojson', 'geojson', 'application/geo+json'],
    ['city.json', 'geojson', 'application/geo+json'],
  ])('%s → %s', (name, format, contentType) => {
    expect(formatOfFileName(name)).toEqual({ ok: true, format, contentType });
  });

  it('explains .xls, loose Shapefile parts and unknown types', () => {
    expect(formatOfFileName('站点.xls')).toEqual({ ok: false, reason: 'xls', extension: 'xls' });
    expect(formatOfFileName('grids.shp')).toEqual({ ok: false, reason: 'shp', extension: 'shp' });
    expect(formatOfFileName('grids.DBF')).toMatchObject({ ok: false, reason: 'shp' });
    expect(formatOfFileName('notes.docx')).toEqual({ ok: false, reason: 'unknown', extension: 'docx' });
    expect(formatOfFileName('README')).toEqual({ ok: false, reason: 'unknown', extension: '' });
  });

  it('uses the content types the server parses', () => {
    expect(Object.values(CONTENT_TYPES)).not.toContain('application/octet-stream');
  });
});

describe('kinds and roles', () => {
  it('tables import stations only; geodata every kind', () => {
    expect(kindsFor('csv')).toEqual(['stations']);
    expect(kindsFor('xlsx')).toEqual(['stations']);
    expect(kindsFor('shapefile')).toContain('grids');
    expect(kindsFor('kml')).toHaveLength(5);
  });
  it('admin: all; planner: stations; others: nothing', () => {
    expect(mayImport('admin', 'grids')).toBe(true);
    expect(mayImport('planner', 'stations')).toBe(true);
    expect(mayImport('planner', 'grids')).toBe(false);
    expect(mayImport('street_editor', 'grids')).toBe(false);
    expect(mayImport('viewer', 'stations')).toBe(false);
  });
});

describe('URLs', () => {
  it('import: format, crs, dry_run always; force, columns only when given', () => {
    expect(importUrl('stations', { format: 'csv', crs: 'gcj02', dryRun: true })).toBe('/api/imports/stations?format=csv&crs=gcj02&dry_run=true');
    const u = new URL(importUrl('stations', { format: 'csv', crs: 'bd09', dryRun: false, force: true, columns: '{"站名":"name","备注":null}' }), 'http://x');
    expect(u.pathname).toBe('/api/imports/stations');
    expect(Object.fromEntries(u.searchParams)).toEqual({ format: 'csv', crs: 'bd09', dry_run: 'false', force: 'true', columns: '{"站名":"name","备注":null}' });
    expect(importUrl('grids', { format: 'shapefile', crs: 'wgs84', dryRun: true, force: false, layer: 'grids' })).toBe(
      '/api/imports/grids?format=shapefile&crs=wgs84&dry_run=true&layer=grids',
    );
    // The repair checkbox (grids and admin units).
    expect(importUrl('districts', { format: 'geojson', crs: 'gcj02', dryRun: true, repair: true })).toBe(
      '/api/imports/districts?format=geojson&crs=gcj02&dry_run=true&repair=true',
    );
    expect(importUrl('districts', { format: 'geojson', crs: 'gcj02', dryRun: true, repair: false })).toBe(
      '/api/imports/districts?format=geojson&crs=gcj02&dry_run=true',
    );
  });
  it('preview and export', () => {
    expect(previewUrl('csv')).toBe('/api/imports/preview?format=csv');
    expect(new URL(previewUrl('xlsx', '{"a":null}', '服务站点'), 'http://x').searchParams.get('sheet')).toBe('服务站点');
    expect(exportUrl('grids', 'shapefile', 'gcj02')).toBe('/api/export/grids?format=shapefile&crs=gcj02');
  });
  it('fmtBytes', () => {
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(2048)).toBe('2 KB');
    expect(fmtBytes(3.5 * 1024 * 1024)).toBe('3.5 MB');
  });
});
