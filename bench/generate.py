#!/usr/bin/env python3
"""Seeded generator of a scaled news corpus with known derivations (issue 9, item 1).

    python3 bench/generate.py --reuters target/bench/reuters.jsonl --n 50000 \
        --out target/bench/gen-50000.jsonl --truth target/bench/gen-50000.truth.tsv \
        [--seed 9] [--exclude IDS.txt]

Writes N articles as JSONL ({"id", "text", "source", "published"}) and a ground-truth TSV with
one line per article: `id  family  role  source_id`, where role is `fresh`, `source`, `copy`,
`light_rewrite` or `heavy_rewrite` (source_id is the family's source for the last three, `-`
otherwise; family is `-` for fresh articles).

Corpus make-up (same proportions at every size):
* 60% fresh articles: independent texts, derived from nothing in the corpus;
* 40% in families: one source and 1-5 derived articles (uniform), each derived article made
  from the source by one mutation, drawn with weights copy 0.3, light_rewrite 0.35,
  heavy_rewrite 0.35:
  - copy: the source verbatim, sometimes with a dateline in front or a credit line at the end;
  - light_rewrite: 1-3 word substitutions, maybe one sentence dropped, one new sentence
    added, two adjacent sentences swapped;
  - heavy_rewrite (what a spinner does): synonyms swapped for about half the words the
    built-in table knows, "X, Y said." turned into "Y said X." and back, relative clauses cut,
    long sentences condensed at a comma, about a fifth of the sentences dropped, up to two
    new ones added; sentence order kept.
Texts: Reuters-21578 bodies of 50+ words, each used once, sources first; Reuters stories that
already reuse each other's text are used once per group: a body is skipped when it shares 3+
rare word 4-grams (in at most 30 bodies, so not boilerplate) with a body kept before it, which
leaves 6,046 of the 14,930 long bodies. Shorter bodies (earnings and dividend tables, "Qtly
div five cts vs five cts prior / Pay Nov 20") are not used: they are templates that look like
copies of one another with nothing to say which are. When the bodies run out (above ~6k
source and fresh texts), texts come from an order-2 word Markov chain trained on all Reuters
sentences of 8+ words, so that fresh articles are not accidental copies of one another. (Recombining Reuters
sentences would not do: 1M articles would use each of the ~190k sentences ~25 times, and
shared text is exactly what the engine is there to find.) Markov text reads as news-like word
salad: it is fine for throughput and for telling derived from independent text, not for
judging relations between independent reports of one event. Bodies listed in --exclude are
not used either.
Output order is shuffled through a 20,000-line buffer; ids (g0000001...) are a seeded
permutation, so neither order nor id tells a family.
"""
import argparse
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone

SYN = {
    "said": ["stated", "added", "noted", "reported"], "says": ["states", "notes"],
    "company": ["firm", "group", "concern"], "companies": ["firms", "groups"],
    "shares": ["stock", "equity"], "rose": ["increased", "climbed", "gained"],
    "fell": ["declined", "dropped", "slipped"], "mln": ["million"], "billion": ["bln"],
    "pct": ["percent", "per cent"], "bank": ["lender"], "banks": ["lenders"],
    "buy": ["purchase", "acquire"], "bought": ["purchased", "acquired"],
    "sell": ["dispose of"], "sold": ["disposed of"], "agreed": ["consented"],
    "expected": ["anticipated", "forecast"], "also": ["additionally", "as well"],
    "government": ["administration", "authorities"], "officials": ["authorities"],
    "increase": ["rise", "gain"], "decrease": ["cut", "reduction"], "profit": ["earnings"],
    "profits": ["earnings"], "loss": ["deficit"], "quarter": ["three-month period"],
    "about": ["around", "roughly", "some"], "help": ["assist"], "plan": ["proposal", "scheme"],
    "plans": ["proposals", "intends"], "told": ["informed"], "but": ["however", "yet"],
    "total": ["overall"], "major": ["leading", "key"], "large": ["sizeable", "big"],
    "new": ["fresh", "novel"], "market": ["marketplace"], "week": ["seven days"],
    "price": ["cost"], "prices": ["costs"], "talks": ["negotiations", "discussions"],
    "meeting": ["session", "gathering"], "announced": ["disclosed", "unveiled"],
    "reported": ["posted", "recorded"], "would": ["will"], "could": ["might", "may"],
    "because": ["since", "as"], "made": ["produced", "generated"], "higher": ["greater"],
    "lower": ["smaller", "reduced"], "sales": ["revenues", "turnover"], "net": ["bottom-line"],
    "production": ["output"], "exports": ["foreign sales"], "imports": ["purchases abroad"],
    "trade": ["commerce"], "economy": ["economic activity"], "rate": ["level"],
    "rates": ["levels"], "share": ["stake"], "offer": ["bid", "proposal"],
    "acquisition": ["takeover", "purchase"], "merger": ["combination", "tie-up"],
    "president": ["head"], "chairman": ["chief"], "spokesman": ["representative"],
    "estimated": ["projected", "reckoned"], "year": ["twelve months"], "month": ["period"],
    "previous": ["prior", "earlier"], "begin": ["start"], "began": ["started"],
    "end": ["close"], "ended": ["closed"], "received": ["got", "obtained"],
    "approved": ["cleared", "endorsed"], "reached": ["hit", "attained"],
    "announce": ["disclose"], "demand": ["appetite"], "supply": ["availability"],
    "strong": ["robust", "solid"], "weak": ["soft", "feeble"], "level": ["degree"],
    "including": ["among them"], "however": ["nevertheless", "still"], "after": ["following"],
    "before": ["ahead of"], "dlrs": ["dollars"], "cts": ["cents"], "vs": ["against"],
    "nearly": ["almost"], "only": ["just", "merely"], "current": ["present"],
    "further": ["additional"], "tonnes": ["metric tons"], "growth": ["expansion"],
}
VERBS = "said|added|stated|says|told reporters"
TAIL = re.compile(rf"^(.{{25,}}), ((?:the |a |an )?[A-Za-z][\w .'-]{{1,40}}?) ({VERBS})\.$")
LEAD = re.compile(rf"^((?:The |A |An )?[A-Z][\w .'-]{{1,40}}?) ({VERBS}) (?:that )?(.{{25,}})\.$")
WHICH = re.compile(r", (?:which|who) [^,]{3,80},")
ABBREV = re.compile(r"(?:^|\s)(?:(?:[A-Z]\.)*[A-Z]|Inc|Corp|Co|Ltd|Mr|Mrs|Ms|Dr|St|Jan|Feb|Mar|Apr|"
                    r"Aug|Sept?|Oct|Nov|Dec|No|Gov|Sen|Rep|Gen|Jr|Bros)\.$")
WORD = re.compile(r"\w+")
SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z<\"(])")
DATELINES = ["NEW YORK", "LONDON", "WASHINGTON", "TOKYO", "CHICAGO", "FRANKFURT", "PARIS"]
CREDITS = ["(Reporting by staff; editing by the desk)", "Compiled by the business desk.",
           "(Additional reporting by correspondents)"]


def sentences(text):
    out = []
    for para in re.split(r"\n\s+|\n\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        for s in SPLIT.split(para):
            if out and ABBREV.search(out[-1]) and not para.startswith(s):
                out[-1] += " " + s  # "J.P. Industries", "Gareth L. Reed", "Corp. said"
            elif s:
                out.append(s)
    return out


class Markov:
    """Order-2 word chain; sentences start from (<s>, <s>) and end at </s>."""

    def __init__(self, sents):
        self.next = {}
        for s in sents:
            w = s.split()
            if len(w) < 8:  # no tabular lines ("Qtly div five cts vs five cts prior")
                continue
            a, b = "<s>", "<s>"
            for x in w + ["</s>"]:
                self.next.setdefault((a, b), []).append(x)
                a, b = b, x

    def sentence(self, rng):
        for _ in range(20):
            a, b, out = "<s>", "<s>", []
            while len(out) < 45:
                x = rng.choice(self.next[(a, b)])
                if x == "</s>":
                    break
                out.append(x)
                a, b = b, x
            if len(out) >= 8:
                return " ".join(out)
        return " ".join(out)


def unlinked(bodies):
    """Bodies that share fewer than 3 rare word 4-grams (occurring in at most 30 bodies, so
    not boilerplate) with every body kept before them: greedy, in input order."""
    grams, df = [], {}
    for b in bodies:
        w = WORD.findall(" ".join(b).lower())
        g = {hash(tuple(w[i:i + 4])) for i in range(len(w) - 3)}
        grams.append(g)
        for h in g:
            df[h] = df.get(h, 0) + 1
    kept, owners = [], {}
    for k, g in enumerate(grams):
        shared = {}
        for h in g:
            if df[h] <= 30:
                for j in owners.get(h, ()):
                    shared[j] = shared.get(j, 0) + 1
        if any(c >= 3 for c in shared.values()):
            continue
        kept.append(bodies[k])
        for h in g:
            if df[h] <= 30:
                owners.setdefault(h, []).append(k)
    return kept


def swap_word(w, rng):
    core = w.strip(".,;:\"'()")
    alts = SYN.get(core.lower())
    if not alts or not core:
        return None
    alt = rng.choice(alts)
    if core[0].isupper():
        alt = alt[0].upper() + alt[1:]
    return w.replace(core, alt, 1)


def light(sents, rng, markov):
    s = list(sents)
    edits = rng.randint(1, 3)
    for _ in range(edits * 4):  # a few tries to find words the table knows
        if edits == 0:
            break
        i = rng.randrange(len(s))
        words = s[i].split()
        j = rng.randrange(len(words))
        new = swap_word(words[j], rng)
        if new:
            words[j] = new
            s[i] = " ".join(words)
            edits -= 1
    if len(s) >= 4 and rng.random() < 0.5:
        del s[rng.randrange(1, len(s))]
    if rng.random() < 0.3:
        s.insert(rng.randint(1, len(s)), markov.sentence(rng))
    if len(s) >= 3 and rng.random() < 0.2:
        i = rng.randrange(1, len(s) - 1)
        s[i], s[i + 1] = s[i + 1], s[i]
    return s


def cap(s):
    return s[:1].upper() + s[1:]


def uncap(s):
    """Lower-case a leading article only (names keep their capital)."""
    first, _, rest = s.partition(" ")
    return f"{first.lower()} {rest}" if first in ("The", "A", "An") and rest else s


def paraphrase(sentence, rng):
    s = WHICH.sub("", sentence) if rng.random() < 0.7 else sentence
    m = TAIL.match(s)
    if m and rng.random() < 0.7:
        body, who, verb = m.groups()
        s = f"{cap(who)} {verb} {uncap(body)}."
    else:
        m = LEAD.match(s)
        if m and rng.random() < 0.7:
            who, verb, body = m.groups()
            s = f"{cap(body)}, {uncap(who)} {verb}."
    words = s.split()
    if len(words) > 28 and rng.random() < 0.6:  # condense: cut at the last comma past the middle
        cut = max((k for k, w in enumerate(words) if w.endswith(",") and k > len(words) // 2),
                  default=None)
        if cut:
            words = words[:cut + 1]
            words[-1] = words[-1].rstrip(",") + "."
    out = []
    for w in words:
        new = swap_word(w, rng) if rng.random() < 0.5 else None
        out.append(new or w)
    return " ".join(out)


def heavy(sents, rng, markov):
    s = [paraphrase(x, rng) for x in sents]
    if len(s) >= 3:
        s = [x for k, x in enumerate(s) if k == 0 or rng.random() >= 0.2]
    for _ in range(rng.randint(0, 2)):
        s.insert(rng.randint(1, len(s)), markov.sentence(rng))
    return s


def copy(sents, rng):
    s = list(sents)
    r = rng.random()
    if r < 0.3:
        s[0] = f"{rng.choice(DATELINES)} - {s[0]}"
    elif r < 0.5:
        s.append(rng.choice(CREDITS))
    return s


def render(sents):
    return "\n    ".join(sents)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reuters", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--exclude", help="file of Reuters ids not to use (one a line)")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    excluded = set()
    if args.exclude:
        excluded = {l.strip() for l in open(args.exclude, encoding="utf-8") if l.strip()}
    bodies, all_sents = [], []
    for line in open(args.reuters, encoding="utf-8"):
        d = json.loads(line)
        ss = sentences(d.get("text") or "")
        all_sents.extend(ss)
        if d["id"] not in excluded and sum(len(x.split()) for x in ss) >= 50:
            bodies.append(ss)
    bodies = unlinked(bodies)
    markov = Markov(all_sents)
    lengths = [len(b) for b in bodies]
    rng.shuffle(bodies)

    n = args.n
    # Families until 40% of the articles are in one.
    families = []
    in_fam = 0
    while in_fam < 0.4 * n:
        k = min(rng.randint(1, 5), n - in_fam - 1) if n - in_fam > 1 else 0
        families.append(k)
        in_fam += 1 + k
    n_fresh = n - in_fam

    def text(min_sentences):
        if bodies:
            return bodies.pop()
        return [markov.sentence(rng) for _ in range(max(min_sentences, rng.choice(lengths)))]

    ids = list(range(1, n + 1))
    rng.shuffle(ids)
    next_id = iter(f"g{i:07d}" for i in ids)
    t0 = datetime(1987, 2, 26, tzinfo=timezone.utc)
    buf = []
    out = open(args.out, "w", encoding="utf-8")
    truth = open(args.truth, "w", encoding="utf-8")
    truth.write("id\tfamily\trole\tsource_id\n")

    def emit(sents, when, aid):
        buf.append(json.dumps({"id": aid, "text": render(sents), "source": "Generated",
                               "published": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
                              ensure_ascii=False))
        if len(buf) >= 20000:
            k = rng.randrange(len(buf))
            buf[k], buf[-1] = buf[-1], buf[k]
            out.write(buf.pop() + "\n")

    # Sources are taken first so they get the long real bodies; fresh texts get what is left
    # over beyond the families still to come.
    plan = ["f"] * n_fresh + ["F"] * len(families)
    rng.shuffle(plan)
    families_left = list(families)
    fam_no = 0
    src_texts = [text(3) for _ in families]
    for p in plan:
        when = t0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        if p == "f":
            aid = next(next_id)
            emit(text(2), when, aid)
            truth.write(f"{aid}\t-\tfresh\t-\n")
            continue
        k = families_left.pop()
        fam_no += 1
        src = src_texts.pop()
        sid = next(next_id)
        emit(src, when, sid)
        truth.write(f"{sid}\tF{fam_no}\tsource\t-\n")
        for _ in range(k):
            kind = rng.choices(["copy", "light_rewrite", "heavy_rewrite"], [0.3, 0.35, 0.35])[0]
            txt = copy(src, rng) if kind == "copy" else (
                light(src, rng, markov) if kind == "light_rewrite" else heavy(src, rng, markov))
            did = next(next_id)
            emit(txt, when + timedelta(minutes=rng.randrange(10, 48 * 60)), did)
            truth.write(f"{did}\tF{fam_no}\t{kind}\t{sid}\n")
    rng.shuffle(buf)
    for line in buf:
        out.write(line + "\n")
    out.close()
    truth.close()
    print(f"generate: {n} articles ({n_fresh} fresh, {len(families)} families, "
          f"{in_fam - len(families)} derived) -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
