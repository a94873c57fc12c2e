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
  consecutive repeated refs collapse; lengths: haversine on the 6,371,008.8 m sphere.

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


def hav(a, b):
    R = 6371008.8
    (x1, y1), (x2, y2) = a, b
    p1, p2 = math.radians(y1), math.radians(y2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(x2 - x1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


edges, length = [], 0.0
for w in ways:
    start = 0
    for k in range(1, len(w)):
        if k == len(w) - 1 or uses[w[k]] > 1:
            edges.append((w[start], w[k]))
            start = k
    length += sum(hav(nodes[w[k]], nodes[w[k + 1]]) for k in range(len(w) - 1))

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
