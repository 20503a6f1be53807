// The wiretrace web UI: one module per concern (this file: routing, the API, the pages;
// dom.js: building elements and formatting; graph.js: the provenance graph; pair.js: two
// texts side by side). Pages are real URLs under /ui/, so links, the back button and bookmarks
// work as anywhere else; each page load draws its page from the JSON API. Article text is only
// ever inserted with text nodes (`el` in dom.js),
// never parsed as HTML.

import { el, append, uiPath, when, span, pct, num, badge } from './dom.js';
import { storyGraph, origins, parents } from './graph.js';
import { pairView, quoteItem } from './pair.js';

class ApiError extends Error {}

async function api(path, options) {
  let res;
  try {
    res = await fetch(path, options);
  } catch (e) {
    throw new ApiError(`the server did not answer (${e.message})`);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`the server answered ${res.status} without JSON`);
  }
  if (!res.ok) throw new ApiError(body && body.error ? body.error : `the server answered ${res.status}`);
  return body;
}

const main = () => document.getElementById('main');

/** Replaces the page's content, sets its title and says so to screen readers. */
function show(title, ...children) {
  document.title = `${title} · wiretrace`;
  const m = main();
  m.replaceChildren();
  append(m, children);
  m.setAttribute('aria-busy', 'false');
}

function failed(what, e) {
  show('Error', el('h1', {}, what), el('p', { class: 'error', role: 'alert' }, e.message || String(e)),
    el('p', {}, el('a', { href: '/ui/' }, 'Back to the stories')));
}

function crumbs(...items) {
  return el('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
    el('ol', {}, items.filter(Boolean).map(([label, href]) =>
      el('li', {}, href ? el('a', { href }, label) : el('span', { 'aria-current': 'page' }, label)))));
}

function articleLink(id, text) {
  return el('a', { href: uiPath('article', id) }, text ?? id);
}

function pairLink(a, b, text) {
  return el('a', { href: uiPath('pair', a, b) }, text);
}

// ---------------------------------------------------------------------------------------
// Story list and search

async function storyList() {
  const params = new URLSearchParams(location.search);
  const q = params.get('q') || '';
  const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
  const limit = 50;
  const list = await api(`/search?q=${encodeURIComponent(q)}&offset=${offset}&limit=${limit}`);
  const form = el('form', { role: 'search', action: '/ui/', method: 'get', class: 'search' },
    el('label', { for: 'q' }, 'Search headlines and quote speakers'),
    el('div', { class: 'row' },
      el('input', { id: 'q', name: 'q', type: 'search', value: q, autocomplete: 'off' }),
      el('button', { type: 'submit' }, 'Search')));
  const summary = q
    ? `${list.total} ${list.total === 1 ? 'story matches' : 'stories match'} “${q}”`
    : `${list.total} ${list.total === 1 ? 'story' : 'stories'}, largest first`;
  const items = list.stories.map((s) => el('li', { class: 'story' },
    el('h2', {}, el('a', { href: uiPath('story', s.id) }, s.title || s.label || s.id)),
    el('p', { class: 'meta' },
      el('span', {}, `${s.articles} ${s.articles === 1 ? 'article' : 'articles'}`), ' · ',
      el('span', {}, span(s.first_published, s.last_published)),
      s.origin ? [' · origin ', el('span', { class: 'id' }, s.origin)] : null),
    s.label ? el('p', { class: 'label' }, s.label) : null,
    s.matches && s.matches.length
      ? el('ul', { class: 'matches', 'aria-label': 'Why it matched' }, s.matches.slice(0, 4).map((m) =>
        el('li', {}, m.field === 'speaker' ? 'quote by ' : 'headline ', el('q', {}, m.text), ' in ', el('span', { class: 'id' }, m.article))))
      : null));
  const page = (o, label) => {
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (o) p.set('offset', String(o));
    const qs = p.toString();
    return el('a', { href: `/ui/${qs ? `?${qs}` : ''}` }, label);
  };
  const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' },
    offset > 0 ? page(Math.max(0, offset - limit), '← Previous') : null,
    offset + limit < list.total ? page(offset + limit, 'Next →') : null);
  show(q ? `Search: ${q}` : 'Stories',
    el('h1', {}, 'Stories'),
    form,
    el('p', { class: 'summary', role: 'status' }, summary),
    items.length ? el('ol', { class: 'stories', start: offset + 1 }, items) : el('p', {}, 'Nothing here yet.'),
    pager);
}

// ---------------------------------------------------------------------------------------
// Story page

async function storyPage(id) {
  const a = await api(`/stories/${encodeURIComponent(id)}`);
  const byId = new Map(a.articles.map((x) => [x.id, x]));
  const parent = parents(a);
  const roots = origins(a, parent);
  const origin = roots[0] || null;
  const head = byId.get(origin) || a.articles.find((x) => x.title) || a.articles[0];
  const story = a.stories.find((s) => s.id === id) || a.stories[0] || { id, label: '' };
  const dates = a.articles.map((x) => x.published).filter(Boolean).sort((x, y) => new Date(x) - new Date(y));
  const title = (head && head.title) || story.label || id;

  const articleRows = a.articles.map((x) => {
    const d = parent.get(x.id);
    const role = x.id === origin ? el('strong', {}, 'origin')
      : d ? [badge(d.relation), ' of ', el('span', { class: 'id' }, d.source), ' ', pairLink(d.source, x.id, 'compare')]
        : 'no known source';
    return el('tr', { id: `article-${x.id}` },
      el('th', { scope: 'row' }, articleLink(x.id)),
      el('td', {}, x.title || ''),
      el('td', {}, x.source || ''),
      el('td', { class: 'nowrap' }, when(x.published) || ''),
      el('td', {}, role));
  });
  const pairRows = a.pairs.map((p) => el('tr', {},
    el('td', {}, pairLink(p.a, p.b, `${p.a} ↔ ${p.b}`)),
    el('td', {}, badge(p.relation)),
    el('td', { class: 'num' }, num(p.confidence)),
    el('td', { class: 'num' }, num(p.similarity)),
    el('td', { class: 'num' }, `${pct(p.reuse.a)} / ${pct(p.reuse.b)}`)));

  show(title,
    crumbs(['Stories', '/ui/'], [story.id, null]),
    el('h1', {}, title),
    el('p', { class: 'meta' }, `${a.articles.length} articles · ${span(dates[0], dates[dates.length - 1])}`,
      story.label ? ` · ${story.label}` : ''),
    el('section', { 'aria-labelledby': 'graph-h' },
      el('h2', { id: 'graph-h' }, 'Provenance graph'),
      storyGraph(a, story.id),
      el('p', { class: 'legend' },
        el('span', { class: 'key key-arrow' }, 'source → copy (derivation)'),
        el('span', { class: 'key key-undirected' }, 'derivation, direction unknown'),
        el('span', { class: 'key key-implied' }, 'also derives from (implied by the tree)'),
        el('span', { class: 'key key-dashed' }, 'same event, independent reports'),
        el('span', { class: 'key key-origin' }, 'origin'))),
    el('section', { 'aria-labelledby': 'articles-h' },
      el('h2', { id: 'articles-h' }, 'Articles'),
      el('div', { class: 'scroll' }, el('table', {},
        el('thead', {}, el('tr', {}, ['id', 'headline', 'outlet', 'published', 'where it came from'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, articleRows)))),
    el('section', { 'aria-labelledby': 'pairs-h' },
      el('h2', { id: 'pairs-h' }, 'Pairs'),
      pairRows.length ? el('div', { class: 'scroll' }, el('table', {},
        el('thead', {}, el('tr', {}, ['pair', 'relation', 'confidence', 'similarity', 'reused'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, pairRows))) : el('p', {}, 'No pair: this story is one article.')),
    quotesSection(a.quotes));
}

function quotesSection(quotes) {
  if (!quotes || !quotes.length) return null;
  return el('section', { 'aria-labelledby': 'quotes-h' },
    el('h2', { id: 'quotes-h' }, 'Quotes that travelled'),
    el('ul', { class: 'quotes' }, quotes.map(quoteItem)));
}

// ---------------------------------------------------------------------------------------
// Pair page

async function pairPage(a, b) {
  const v = await api(`/pairs/${encodeURIComponent(a)}/${encodeURIComponent(b)}/view`);
  const story = await api(`/articles/${encodeURIComponent(v.pair.a)}/provenance`).catch(() => null);
  const sid = story && story.stories[0] ? story.stories[0].id : null;
  const title = `${v.pair.a} ↔ ${v.pair.b}`;
  show(title,
    crumbs(['Stories', '/ui/'], sid ? [sid, uiPath('story', sid)] : null, [title, null]),
    el('h1', {}, title),
    pairView(v, { prefix: 'p' }));
}

// ---------------------------------------------------------------------------------------
// Article page

async function articlePage(id) {
  const [art, prov] = await Promise.all([
    api(`/articles/${encodeURIComponent(id)}`),
    api(`/articles/${encodeURIComponent(id)}/provenance`),
  ]);
  const sid = prov.stories[0] ? prov.stories[0].id : null;
  const d = prov.derivations.find((x) => x.derived === id);
  const paragraphs = String(art.text || '').split(/\n\s*\n/).slice(art.title ? 1 : 0)
    .filter((p) => p.trim()).map((p) => el('p', {}, p.trim()));
  const pairs = prov.pairs.map((p) => {
    const other = p.a === id ? p.b : p.a;
    return el('li', {}, pairLink(p.a, p.b, other), ' ', badge(p.relation), ` confidence ${num(p.confidence)}`);
  });
  show(art.title || id,
    crumbs(['Stories', '/ui/'], sid ? [sid, uiPath('story', sid)] : null, [id, null]),
    el('h1', {}, art.title || id),
    el('p', { class: 'meta' }, [el('span', { class: 'id' }, id), art.source, when(art.published)].filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x])),
      art.url ? [' · ', el('a', { href: art.url, rel: 'noopener noreferrer' }, 'original')] : null),
    d ? el('p', {}, badge(d.relation), ' of ', articleLink(d.source), ' — ', pairLink(d.source, id, 'compare side by side')) : null,
    el('section', { 'aria-labelledby': 'pairs-h' }, el('h2', { id: 'pairs-h' }, 'Related articles'),
      pairs.length ? el('ul', { class: 'pairs' }, pairs) : el('p', {}, 'None found.')),
    el('section', { 'aria-labelledby': 'text-h', class: 'article-text' }, el('h2', { id: 'text-h' }, 'Text'), paragraphs));
}

// ---------------------------------------------------------------------------------------
// Check page

function checkPage() {
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const results = el('div', { id: 'results' });
  const title = el('input', { id: 'check-title', name: 'title', type: 'text', autocomplete: 'off' });
  const text = el('textarea', { id: 'check-text', name: 'text', rows: 12, required: true });
  const button = el('button', { type: 'submit' }, 'Check');
  const form = el('form', { class: 'check', onsubmit: async (ev) => {
    ev.preventDefault();
    if (!text.value.trim()) {
      status.textContent = 'Paste the text of an article first.';
      text.focus();
      return;
    }
    button.disabled = true;
    status.textContent = 'Checking…';
    results.replaceChildren();
    try {
      const body = { text: text.value };
      if (title.value.trim()) body.title = title.value.trim();
      const r = await api('/check/view', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      checkResults(r, results);
      const n = results.querySelectorAll('.match').length;
      status.textContent = n ? `${n} ${n === 1 ? 'match' : 'matches'} found.` : 'No match in the store.';
    } catch (e) {
      status.textContent = '';
      results.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    } finally {
      button.disabled = false;
    }
  } },
  el('div', { class: 'field' }, el('label', { for: 'check-title' }, 'Headline (optional)'), title),
  el('div', { class: 'field' }, el('label', { for: 'check-text' }, 'Article text'), text),
  button);
  show('Check an article',
    el('h1', {}, 'Check an article'),
    el('p', {}, 'Paste an article to see where it came from: the stored articles it copies, rewrites or reports independently, the passages they share and the quotes. Nothing is stored.'),
    form, status, results);
}

function checkResults(r, into) {
  const a = r.analysis;
  const me = r.checked;
  const byId = new Map(a.articles.map((x) => [x.id, x]));
  const dir = (other) => {
    const d = a.derivations.find((x) => (x.source === other && x.derived === me) || (x.source === me && x.derived === other));
    if (!d) return a.undirected.find((u) => u.a === other || u.b === other) ? 'direction unknown' : '';
    return d.source === other ? 'its source' : 'derived from it';
  };
  const rows = a.pairs.filter((p) => p.a === me || p.b === me).map((p) => {
    const other = p.a === me ? p.b : p.a;
    const x = byId.get(other) || {};
    return el('tr', { class: 'match' },
      el('th', { scope: 'row' }, articleLink(other)),
      el('td', {}, x.title || ''),
      el('td', {}, badge(p.relation)),
      el('td', {}, dir(other)),
      el('td', { class: 'num' }, num(p.confidence)),
      el('td', { class: 'num' }, pct(p.a === me ? p.reuse.a : p.reuse.b)));
  });
  append(into, [
    el('h2', {}, 'Matches'),
    rows.length ? el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, ['article', 'headline', 'relation', 'it is', 'confidence', 'of yours reused'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))) : el('p', {}, 'Nothing in the store tells this story.'),
    r.views.length ? el('h2', {}, 'Aligned passages') : null,
    r.views.map((v, k) => el('section', { class: 'check-pair', 'aria-label': `${v.pair.a} and ${v.pair.b}` },
      el('h3', {}, `${v.pair.a} ↔ ${v.pair.b}`),
      pairView(v, { prefix: `v${k}`, collapsed: true, open: k === 0, quotes: false }))),
    quotesSection(a.quotes),
  ]);
}

// ---------------------------------------------------------------------------------------
// Routing

async function route() {
  const parts = location.pathname.replace(/^\/ui\/?/, '').split('/').filter((s) => s !== '').map((s) => {
    try { return decodeURIComponent(s); } catch { return s; }
  });
  const [page, ...args] = parts;
  try {
    if (!page) await storyList();
    else if (page === 'story' && args.length === 1) await storyPage(args[0]);
    else if (page === 'pair' && args.length === 2) await pairPage(args[0], args[1]);
    else if (page === 'article' && args.length === 1) await articlePage(args[0]);
    else if (page === 'check' && args.length === 0) checkPage();
    else show('Not found', el('h1', {}, 'Not found'), el('p', {}, 'No such page. ', el('a', { href: '/ui/' }, 'The stories')));
  } catch (e) {
    failed('This page could not be drawn', e);
  }
  // Tests and people wait for this: the page is drawn.
  document.body.dataset.ready = 'true';
}

route();
