// The provenance graph of a story as SVG: articles as nodes, derivations as arrows from source
// to copy labelled with the relation, derivations of unknown direction as plain lines,
// same-event links between independent reports dashed, the origin drawn bold.
//
// Each derived article has one parent, chosen as the terminal report chooses it (the
// derivation with the highest direction confidence, then the strongest relation); the parent
// arrows form the tree that is laid out and labelled. The engine also reports the derivations
// a tree implies (a copy of a copy reuses the origin too): those are drawn thin and unlabelled.
// The layout is deterministic (the same story always draws the same picture): layers by depth
// in that tree, top to bottom (an article with no known source is in layer 0); within a layer,
// articles are ordered by their parent's position, then by publication time, then by id, and a
// layer of more than six wraps into rows of six.
// Same-event links are drawn only between different trees, and only as many as join them all
// (a spanning forest, strongest links first): inside a tree every article reports the same
// event as its source, and a story of many reports would otherwise be a thicket.

import { el, uiPath, relationName } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
export const NODE_W = 168;
export const NODE_H = 48;
const GAP_X = 28;
const GAP_Y = 84;
const PAD = 24;
const ARC = 44;
const ROW = 6;

function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const RELATION_RANK = { copy: 0, light_rewrite: 1, heavy_rewrite: 2, same_event: 3, related: 4 };

/** The parent derivation of each derived article (the report's rule: highest confidence, then
 *  the strongest relation), as a Map from the derived id. */
export function parents(analysis) {
  const inStory = new Set(analysis.articles.map((a) => a.id));
  const parent = new Map();
  for (const d of analysis.derivations) {
    if (!inStory.has(d.source) || !inStory.has(d.derived)) continue;
    const cur = parent.get(d.derived);
    const better = !cur || d.confidence > cur.confidence
      || (d.confidence === cur.confidence && (RELATION_RANK[d.relation] ?? 9) < (RELATION_RANK[cur.relation] ?? 9));
    if (better) parent.set(d.derived, d);
  }
  // A chain of parents that loops (the engine should never make one) is cut where it closes.
  for (const id of [...parent.keys()]) {
    const seen = new Set([id]);
    let x = parent.get(id);
    while (x) {
      if (seen.has(x.source)) { parent.delete(id); break; }
      seen.add(x.source);
      x = parent.get(x.source);
    }
  }
  return parent;
}

/** The roots of a story's derivation tree, most descendants first (the report's rule: the
 *  first is the origin). */
export function origins(analysis, parent = parents(analysis)) {
  const children = new Map();
  for (const d of parent.values()) {
    if (!children.has(d.source)) children.set(d.source, []);
    children.get(d.source).push(d.derived);
  }
  const descendants = (r) => {
    const seen = new Set();
    const stack = [r];
    while (stack.length) {
      for (const c of children.get(stack.pop()) || []) if (!seen.has(c)) { seen.add(c); stack.push(c); }
    }
    return seen.size;
  };
  return analysis.articles.map((a) => a.id)
    .filter((id) => children.has(id) && !parent.has(id))
    .map((id, k) => [descendants(id), k, id])
    .sort((x, y) => y[0] - x[0] || x[1] - y[1])
    .map((x) => x[2]);
}

/** Positions of every article and the edges to draw, as plain data (no DOM). */
export function layout(analysis) {
  const ids = analysis.articles.map((a) => a.id);
  const inStory = new Set(ids);
  const time = new Map(analysis.articles.map((a) => [a.id, a.published ? Date.parse(a.published) : Infinity]));
  const derivations = analysis.derivations.filter((d) => inStory.has(d.source) && inStory.has(d.derived));
  const parent = parents(analysis);
  const depth = new Map();
  const depthOf = (id) => {
    if (depth.has(id)) return depth.get(id);
    const p = parent.get(id);
    const k = p ? depthOf(p.source) + 1 : 0;
    depth.set(id, k);
    return k;
  };
  for (const id of ids) depthOf(id);
  const layers = [];
  for (const id of ids) {
    const k = depth.get(id);
    while (layers.length <= k) layers.push([]);
    layers[k].push(id);
  }
  const roots = origins(analysis, parent);
  const origin = roots[0] || null;
  const position = new Map();
  const byTime = (x, y) => (time.get(x) - time.get(y)) || (x < y ? -1 : x > y ? 1 : 0);
  layers.forEach((layer, k) => {
    const key = (id) => {
      if (k === 0) return id === origin ? -1 : 0;
      const p = parent.get(id);
      return p && position.has(p.source) ? position.get(p.source) : Infinity;
    };
    layer.sort((x, y) => (key(x) - key(y)) || byTime(x, y));
    layer.forEach((id, i) => position.set(id, i));
  });
  // A wide layer (a story told by many independent reports) wraps into rows of at most
  // ROW articles, so the picture keeps a legible scale instead of one very long row.
  const rows = [];
  layers.forEach((layer, k) => {
    for (let i = 0; i < layer.length; i += ROW) rows.push({ layer: k, ids: layer.slice(i, i + ROW) });
  });
  const widest = Math.max(1, ...rows.map((r) => r.ids.length));
  const width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X;
  // Room above the first row for the arcs between its independent reports.
  const top = PAD + ARC;
  const height = top + PAD + rows.length * NODE_H + (rows.length - 1) * GAP_Y;
  const nodes = [];
  rows.forEach((row, r) => {
    // Each row is centred, so a lone copy sits under its source.
    const used = row.ids.length * NODE_W + (row.ids.length - 1) * GAP_X;
    const x0 = (width - used) / 2;
    row.ids.forEach((id, i) => nodes.push({
      id,
      layer: row.layer,
      row: r,
      x: x0 + i * (NODE_W + GAP_X),
      y: top + r * (NODE_H + GAP_Y),
      origin: id === origin,
      root: roots.includes(id),
    }));
  });

  const edges = derivations.map((d) => ({
    from: d.source, to: d.derived, kind: 'derivation', relation: d.relation, tree: parent.get(d.derived) === d,
  }));
  // Tree arrows last, so they are drawn over the implied ones.
  edges.sort((x, y) => x.tree - y.tree);
  for (const u of analysis.undirected || []) {
    if (inStory.has(u.a) && inStory.has(u.b)) edges.push({ from: u.a, to: u.b, kind: 'undirected', relation: u.relation });
  }
  // The tree of each article: follow parents up to a root.
  const tree = (id) => {
    let x = id;
    while (parent.has(x)) x = parent.get(x).source;
    return x;
  };
  // Same-event links as a spanning forest over the trees: strongest first (pairs come so),
  // links between two roots before others, each drawn only when it joins two groups of trees
  // not yet joined. Every link drawn says "these reports tell the same event"; the rest follow
  // and are in the pair table, where a story of many reports would otherwise be a thicket.
  const group = new Map();
  const find = (x) => {
    while (group.has(x) && group.get(x) !== x) x = group.get(x);
    return x;
  };
  const same = analysis.pairs.filter((p) => p.relation === 'same_event' && inStory.has(p.a) && inStory.has(p.b));
  const rootish = (p) => !parent.has(p.a) + !parent.has(p.b);
  same.sort((p, q) => rootish(q) - rootish(p));
  for (const p of same) {
    const [ga, gb] = [find(tree(p.a)), find(tree(p.b))];
    if (ga === gb) continue;
    group.set(ga, ga);
    group.set(gb, ga);
    edges.push({ from: p.a, to: p.b, kind: 'same_event', relation: 'same_event' });
  }
  return { nodes, edges, width, height, origin };
}

const short = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The graph of story `storyId` as an SVG element inside a scrolling figure. */
export function storyGraph(analysis, storyId) {
  const g = layout(analysis);
  const byId = new Map(analysis.articles.map((a) => [a.id, a]));
  const at = new Map(g.nodes.map((n) => [n.id, n]));
  const edges = g.edges.map((e, k) => {
    const [p, q] = [at.get(e.from), at.get(e.to)];
    let d;
    let mid;
    if (p.row === q.row) {
      // Same row: an arc above the row, so it does not run through the nodes between.
      const x1 = p.x + NODE_W / 2;
      const x2 = q.x + NODE_W / 2;
      const y = p.y;
      const lift = Math.min(ARC, 18 + Math.abs(x2 - x1) / 6);
      d = `M ${x1} ${y} C ${x1} ${y - lift}, ${x2} ${y - lift}, ${x2} ${y}`;
      mid = [(x1 + x2) / 2, y - lift * 0.75];
    } else {
      // From the source's edge facing the copy to the copy's edge facing the source.
      const down = p.row < q.row;
      const x1 = p.x + NODE_W / 2;
      const y1 = down ? p.y + NODE_H : p.y;
      const x2 = q.x + NODE_W / 2;
      const gap = e.kind === 'derivation' ? 3 : 0;
      const y2 = down ? q.y - gap : q.y + NODE_H + gap;
      const bend = down ? GAP_Y / 2 : -GAP_Y / 2;
      d = `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`;
      mid = [(x1 + x2) / 2, (y1 + y2) / 2];
    }
    const implied = e.kind === 'derivation' && !e.tree;
    // Dashes say "same event" (the legend says so); only relations between texts are written.
    const label = implied || e.kind === 'same_event' ? null
      : relationName(e.relation) + (e.kind === 'undirected' ? ' (?)' : '');
    const what = e.kind === 'derivation' ? `${e.from} to ${e.to}: ${relationName(e.relation)}`
      : e.kind === 'undirected' ? `${e.from} and ${e.to}: ${relationName(e.relation)}, direction unknown`
        : `${e.from} and ${e.to}: same event, independent reports`;
    return svg('a', {
      href: uiPath('pair', e.from, e.to), class: `edge edge-${e.kind}${implied ? ' implied' : ''} rel-${e.relation}`,
      'aria-label': `Compare ${what}${implied ? ' (implied by the tree)' : ''}`, 'data-from': e.from, 'data-to': e.to,
    },
    svg('title', {}, `Compare ${what}`),
    svg('path', { d, class: 'hit' }),
    svg('path', { d, class: 'line', 'marker-end': e.kind === 'derivation' ? `url(#${implied ? 'thin' : 'arrow'}-${storyId})` : null }),
    label ? svg('text', { x: mid[0], y: mid[1], class: 'edge-label', 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, label) : null);
  });
  const nodes = g.nodes.map((n) => {
    const a = byId.get(n.id) || {};
    const sub = [a.source, a.published ? a.published.slice(0, 10) : null].filter(Boolean).join(' · ');
    const what = `${n.id}${n.origin ? ' (origin)' : ''}${a.title ? `: ${a.title}` : ''}`;
    return svg('a', { href: uiPath('article', n.id), class: `node${n.origin ? ' origin' : ''}${n.root ? ' root' : ''}`, 'aria-label': `Article ${what}`, 'data-id': n.id },
      svg('title', {}, what),
      svg('rect', { x: n.x, y: n.y, width: NODE_W, height: NODE_H, rx: 6 }),
      svg('text', { x: n.x + 10, y: n.y + 19, class: 'node-id' }, short((n.origin ? '★ ' : '') + n.id, 22)),
      svg('text', { x: n.x + 10, y: n.y + 37, class: 'node-sub' }, short(sub || (a.title || ''), 26)));
  });
  const description = `${g.nodes.length} articles, ${g.edges.filter((e) => e.kind === 'derivation').length} derivations` +
    (g.origin ? `, origin ${g.origin}` : ', no known origin');
  const picture = svg('svg', {
    viewBox: `0 0 ${g.width} ${g.height}`, width: g.width, height: g.height, class: 'graph', role: 'group',
    'aria-label': `Provenance graph of story ${storyId}: ${description}`, 'data-nodes': g.nodes.length,
  },
  svg('title', {}, `Provenance graph: ${description}`),
  svg('defs', {},
    svg('marker', { id: `arrow-${storyId}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' })),
    svg('marker', { id: `thin-${storyId}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead implied' }))),
  svg('g', { class: 'edges' }, edges),
  svg('g', { class: 'nodes' }, nodes));
  return el('figure', { class: 'graph-box' }, el('div', { class: 'scroll' }, picture));
}
