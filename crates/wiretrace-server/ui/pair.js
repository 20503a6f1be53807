// Two articles side by side, from the server's pair view (GET /pairs/{a}/{b}/view, and each
// view of POST /check/view). Every aligned sentence is a link to its partner: hovering or
// focusing it highlights the partner, activating it scrolls to the partner and moves focus
// there (so the keyboard can walk back and forth). Reused words are marked by kind (verbatim,
// paraphrase) and words an altered quote changed are marked apart; the server decided every
// mark with the engine's tokens, this module only draws runs of text.

import { el, uiPath, when, pct, num, badge, relationName } from './dom.js';

const KIND_ORDER = { verbatim: 3, near_verbatim: 2, paraphrase: 1 };

/** A quote group: speaker, fidelity, each variant and what an altered one changed. */
export function quoteItem(q) {
  return el('li', { class: `quote quote-${q.fidelity}` },
    el('p', {}, el('strong', {}, q.speaker || 'speaker unknown'), ' ',
      el('span', { class: `badge fid-${q.fidelity}` }, q.fidelity)),
    el('ul', {}, q.variants.map((v) => el('li', {},
      el('span', { class: 'id' }, v.article), ` (${v.fidelity}) `, el('q', {}, v.text),
      v.diff ? el('span', { class: 'diff' }, ` — against ${v.diff.against}: `,
        v.diff.removed.length ? ['removed ', el('del', {}, v.diff.removed.join(' ')), ' '] : null,
        v.diff.inserted.length ? ['inserted ', el('ins', {}, v.diff.inserted.join(' '))] : null) : null))),
    q.evidence && q.evidence.length ? el('p', { class: 'evidence' }, q.evidence.join(' ')) : null);
}

function sentenceId(prefix, side, i) {
  return `${prefix}-${side}-${i}`;
}

/** The sentences of the other side that the links of a sentence cover. */
function partners(links, link, other, prefix) {
  const out = [];
  for (const k of link) {
    const l = links[k];
    if (!l) continue;
    const first = other === 'a' ? l.a : l.b;
    const lastRaw = other === 'a' ? l.a_end : l.b_end;
    const last = Math.max(first, lastRaw ?? first);
    for (let i = first; i <= last; i++) {
      const id = sentenceId(prefix, other, i);
      if (!out.includes(id)) out.push(id);
    }
  }
  return out;
}

function strongest(links, link) {
  let best = null;
  for (const k of link) {
    const l = links[k];
    if (l && (!best || KIND_ORDER[l.kind] > KIND_ORDER[best.kind])) best = l;
  }
  return best;
}

function runs(parts) {
  return parts.map((p) => {
    if (p.changed) return el('mark', { class: `changed${p.reuse ? ` r-${p.reuse}` : ''}`, title: 'changed in this wording of the quote' }, p.text);
    if (p.reuse) return el('mark', { class: `r-${p.reuse}` }, p.text);
    return p.text;
  });
}

function side(view, key, prefix, pair) {
  const other = key === 'a' ? 'b' : 'a';
  const art = view[key];
  const paragraphs = [];
  let current = null;
  art.sentences.forEach((s, i) => {
    const link = s.links || [];
    let node;
    if (link.length) {
      const targets = partners(pair.alignments, link, other, prefix);
      const best = strongest(pair.alignments, link);
      const where = targets.map((t) => `${other}[${t.split('-').pop()}]`).join(', ');
      node = el('a', {
        id: sentenceId(prefix, key, i),
        class: `sent linked k-${best.kind}`,
        href: `#${targets[0]}`,
        'data-partners': targets.join(' '),
        title: `aligned with ${where}: ${relationName(best.kind)}, similarity ${num(best.similarity)}`,
      }, runs(s.parts));
    } else {
      node = el('span', { id: sentenceId(prefix, key, i), class: 'sent' }, runs(s.parts));
    }
    if (s.heading) {
      paragraphs.push(el('p', { class: 'headline' }, node));
      current = null;
      return;
    }
    if (s.paragraph || !current) {
      current = el('p', {});
      paragraphs.push(current);
    } else {
      current.append(' ');
    }
    current.append(node);
  });
  const meta = [art.source, when(art.published)].filter(Boolean).join(' · ');
  const reused = key === 'a' ? pair.reuse.a : pair.reuse.b;
  const headingId = `${prefix}-${key}-h`;
  return el('article', { class: `side side-${key}`, 'aria-labelledby': headingId },
    el('header', {},
      el('h2', { id: headingId, class: 'side-h' },
        el('a', { href: uiPath('article', art.id) }, art.id)),
      meta ? el('p', { class: 'meta' }, meta) : null,
      el('p', { class: 'meta' }, `${pct(reused)} of its words in aligned sentences`)),
    paragraphs);
}

/** Highlights a sentence and its partners while it is hovered or focused; activating it
 *  scrolls to its first partner and focuses it. */
function wire(root) {
  const partnersOf = (s) => (s.dataset.partners || '').split(' ').filter(Boolean)
    .map((id) => root.querySelector(`[id="${CSS.escape(id)}"]`)).filter(Boolean);
  const on = (s) => {
    for (const x of root.querySelectorAll('.sent.hl')) x.classList.remove('hl');
    s.classList.add('hl');
    for (const p of partnersOf(s)) p.classList.add('hl');
  };
  const off = (s) => {
    s.classList.remove('hl');
    for (const p of partnersOf(s)) p.classList.remove('hl');
  };
  for (const s of root.querySelectorAll('a.sent.linked')) {
    s.addEventListener('mouseenter', () => on(s));
    s.addEventListener('mouseleave', () => off(s));
    s.addEventListener('focus', () => on(s));
    s.addEventListener('blur', () => off(s));
    s.addEventListener('click', (ev) => {
      const [p] = partnersOf(s);
      if (!p) return;
      ev.preventDefault();
      const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      p.scrollIntoView({ block: 'center', behavior: smooth ? 'smooth' : 'auto' });
      p.focus({ preventScroll: true });
    });
  }
}

/** The pair view as an element. `prefix` keeps sentence ids unique when a page shows several
 *  views; `collapsed` puts the texts in a disclosure (the check page lists many pairs);
 *  `quotes: false` leaves out the quotes (a page that lists them once). */
export function pairView(view, { prefix = 'p', collapsed = false, open = false, quotes: withQuotes = true } = {}) {
  const p = view.pair;
  const d = view.derivation;
  const direction = d
    ? el('span', {}, el('a', { href: uiPath('article', d.source) }, d.source), ' → ',
      el('a', { href: uiPath('article', d.derived) }, d.derived), ` (direction confidence ${num(d.confidence)})`)
    : 'not decided';
  const counts = {};
  for (const l of p.alignments) counts[l.kind] = (counts[l.kind] || 0) + 1;
  const facts = el('dl', { class: 'facts' },
    el('div', {}, el('dt', {}, 'relation'), el('dd', {}, badge(p.relation))),
    el('div', {}, el('dt', {}, 'confidence'), el('dd', {}, num(p.confidence))),
    el('div', {}, el('dt', {}, 'similarity'), el('dd', {}, num(p.similarity))),
    el('div', {}, el('dt', {}, 'direction'), el('dd', {}, direction)),
    el('div', {}, el('dt', {}, 'aligned sentences'), el('dd', {},
      Object.keys(counts).length ? Object.entries(counts).map(([k, n]) => `${n} ${relationName(k)}`).join(', ') : 'none')));
  const legend = el('p', { class: 'legend' },
    el('mark', { class: 'r-verbatim' }, 'reused verbatim'), ' ',
    el('mark', { class: 'r-paraphrase' }, 'reused in a paraphrase'), ' ',
    el('mark', { class: 'changed' }, 'changed in a quote'), ' ',
    el('span', { class: 'hint' }, 'Hover or focus an underlined sentence to see its partner; activate it to jump there.'));
  const sides = el('div', { class: 'sides' }, side(view, 'a', prefix, p), side(view, 'b', prefix, p));
  wire(sides);
  const evidence = p.evidence && p.evidence.length ? el('ul', { class: 'evidence' }, p.evidence.map((e) => el('li', {}, e))) : null;
  const quotes = withQuotes && view.quotes.length
    ? el('section', { class: 'pair-quotes', 'aria-label': 'Quotes in both' }, el('h3', {}, 'Quotes in both'), el('ul', { class: 'quotes' }, view.quotes.map(quoteItem)))
    : null;
  const body = collapsed
    ? el('details', { open: open || null }, el('summary', {}, 'Both texts side by side'), legend, sides)
    : [legend, sides];
  return el('div', { class: 'pair-view', 'data-pair': `${p.a} ${p.b}` }, facts, evidence, body, quotes);
}
