// Building elements and formatting values, shared by the pages. `el` is the only way the UI
// makes elements: strings always become text nodes, so article text is never parsed as HTML.

/** Creates an element: `attrs` become attributes (`on*` functions become listeners), children
 *  that are strings become text nodes, null/false children are skipped. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** A UI path from raw segments (each percent-encoded: ids may hold `/` or spaces). */
export function uiPath(...segments) {
  return '/ui/' + segments.map(encodeURIComponent).join('/');
}

/** A time as `2026-03-02 06:15 UTC` (UTC, so a page reads the same everywhere). */
export function when(s) {
  if (!s) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function span(first, last) {
  if (!first) return 'no dates';
  if (!last || last === first) return when(first);
  const [a, b] = [when(first), when(last)];
  // The same day: give the day once.
  return a.slice(0, 10) === b.slice(0, 10) ? `${a.slice(0, 16)}–${b.slice(11)}` : `${a} – ${b}`;
}

export const pct = (x) => `${Math.round((x || 0) * 100)}%`;
export const num = (x) => (typeof x === 'number' ? x.toFixed(2) : '–');
export const relationName = (r) => String(r || '').replace('_', ' ');

export function badge(relation) {
  return el('span', { class: `badge rel-${relation}` }, relationName(relation));
}
