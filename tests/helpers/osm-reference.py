#!/usr/bin/env python3
"""
The walkable street network of a real .osm.pbf, counted WITHOUT the project's importer: osmium
(C++, libosmium) reads the file into OPL text, and this script applies the rules as written in
../shared/geodata/osm/README.md and server/import/osm.ts's header, independently of its code:

  walkable: highway in footway, path, pedestrian, steps, living_street, residential, service,
            unclassified, tertiary, secondary, primary, track, cycleway and the *_link types of
            primary/secondary/tertiary (motorway and trunk excluded);
  --respect-access: drop foot in {no, private}; drop access in {no, private} unless foot in
            {yes, designated, permissive};
  split at every node used more than once by walkable ways (and at every way's two ends);
  consecutive repeated refs collapse; lengths: on the WGS84 ellipsoid (Vincenty's inverse formula,
  an independent method from the importer's).

Usage: osmium cat -f opl FILE.osm.pbf | python3 tests/helpers/osm-reference.py [--respect-access]
Prints: ways edges vertices components largest km   (the numbers pinned in server/import/osm.test.ts)
"""
import math
import sys
from collections import Counter

WALKABLE = {'footway', 'path', 'pedestrian', 'steps', 'living_street', 'residential', 'service', 'unclassified',
            'tertiary', 'secondary', 'primary', 'track', 'cycleway', 'primary_link', 'secondary_link', 'tertiary_link'}
respect = '--respect-access' in sys.argv


def unescape(s):
    # OPL escapes: %xx% hex code points
    out, i = [], 0
    while i < len(s):
        if s[i] == '%':
            j = s.index('%', i + 1)
            out.append(chr(int(s[i + 1:j], 16)))
            i = j + 1
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


nodes, ways = {}, []
ways_in = 0
for line in sys.stdin:
    f = line.rstrip('\n').split(' ')
    if f[0][0] == 'n':
        d = {x[0]: x[1:] for x in f[1:]}
        if d.get('x'):
            nodes[int(f[0][1:])] = (float(d['x']), float(d['y']))
    elif f[0][0] == 'w':
        d = {x[0]: x[1:] for x in f[1:]}
        tags = dict(unescape(kv).split('=', 1) for kv in d['T'].split(',')) if d.get('T') else {}
        if tags.get('highway') not in WALKABLE:
            continue
        ways_in += 1
        foot, access = tags.get('foot'), tags.get('access')
        if respect and (foot in ('no', 'private') or (access in ('no', 'private') and foot not in ('yes', 'designated', 'permissive'))):
            continue
        refs = [int(r[1:]) for r in d['N'].split(',')] if d.get('N') else []
        collapsed = [r for k, r in enumerate(refs) if k == 0 or r != refs[k - 1]]
        ways.append(collapsed)

ways = [w for w in ways if all(r in nodes for r in w) and len(w) >= 2]
uses = Counter(r for w in ways for r in w)


def vincenty(a, b):
    """Geodesic distance on the WGS84 ellipsoid in metres (Vincenty 1975, inverse; short lines)."""
    A, F = 6378137.0, 1 / 298.257223563
    B = A * (1 - F)
    (x1, y1), (x2, y2) = a, b
    if x1 == x2 and y1 == y2:
        return 0.0
    L = math.radians(x2 - x1)
    U1, U2 = math.atan((1 - F) * math.tan(math.radians(y1))), math.atan((1 - F) * math.tan(math.radians(y2)))
    sU1, cU1, sU2, cU2 = math.sin(U1), math.cos(U1), math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        ss = math.hypot(cU2 * sl, cU1 * sU2 - sU1 * cU2 * cl)
        if ss == 0:
            return 0.0
        cs = sU1 * sU2 + cU1 * cU2 * cl
        sig = math.atan2(ss, cs)
        sa = cU1 * cU2 * sl / ss
        c2a = 1 - sa * sa
        c2sm = cs - 2 * sU1 * sU2 / c2a if c2a else 0.0
        C = F / 16 * c2a * (4 + F * (4 - 3 * c2a))
        prev = lam
        lam = L + (1 - C) * F * sa * (sig + C * ss * (c2sm + C * cs * (-1 + 2 * c2sm * c2sm)))
        if abs(lam - prev) < 1e-13:
            break
    u2 = c2a * (A * A - B * B) / (B * B)
    k1 = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    k0 = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    ds = k1 * ss * (c2sm + k1 / 4 * (cs * (-1 + 2 * c2sm * c2sm) - k1 / 6 * c2sm * (-3 + 4 * ss * ss) * (-3 + 4 * c2sm * c2sm)))
    return B * k0 * (sig - ds)


edges, length = [], 0.0
for w in ways:
    start = 0
    for k in range(1, len(w)):
        if k == len(w) - 1 or uses[w[k]] > 1:
            edges.append((w[start], w[k]))
            start = k
    length += sum(vincenty(nodes[w[k]], nodes[w[k + 1]]) for k in range(len(w) - 1))

vertices = {v for e in edges for v in e}
parent = {v: v for v in vertices}


def find(v):
    while parent[v] != v:
        parent[v] = parent[parent[v]]
        v = parent[v]
    return v


for a, b in edges:
    ra, rb = find(a), find(b)
    if ra != rb:
        parent[ra] = rb
sizes = sorted(Counter(find(v) for v in vertices).values(), reverse=True)
print(ways_in, len(edges), len(vertices), len(sizes), sizes[0], f'{length / 1000:.1f}')
