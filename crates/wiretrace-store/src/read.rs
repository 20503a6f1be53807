//! Reading a store: the stored corpus as the engine's own types, so `wiretrace report --db`
//! prints what `analyze` prints and the server serves the same JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use wiretrace::align::Alignment;
use wiretrace::pipeline::AlignedPair;
use wiretrace::{
    AlignmentLink, Analysis, Article, ArticleSummary, Derivation, Pair, QuoteGroup, Relation,
    RunStats, Story, UndirectedDerivation, JSON_VERSION,
};

use crate::error::{Error, Result};
use crate::Store;

/// Derivations with their pairs: the report lists derivations in the order of their pairs
/// (relation, then the similarity shown, then the story score); `d.ord` orders the rows of a
/// store that predates the rule.
const DERIVATIONS_IN_PAIR_ORDER: &str = "FROM derivations d LEFT JOIN pairs p \
     ON p.a = min(d.source, d.derived) AND p.b = max(d.source, d.derived)";
const DERIVATION_ORDER: &str = "ORDER BY p.rank, p.shown DESC, p.similarity DESC, p.a, p.b, d.ord";
/// Undirected derivations in the order of their pairs, as derivations.
const UNDIRECTED_IN_PAIR_ORDER: &str = "FROM undirected u LEFT JOIN pairs p \
     ON p.a = u.a AND p.b = u.b ORDER BY p.rank, p.shown DESC, p.similarity DESC, p.a, p.b, u.ord";

/// The columns [`article_of`] reads, in its order.
pub(crate) const ARTICLE_COLUMNS: &str = "id, title, body, url, source, published, lang";

/// The SQL condition "both sides of the pair are in `list`" (a comma-separated list of ords).
///
/// The `+` keeps SQLite from searching the primary key `(b, a)` for every combination of the two
/// lists — |list|² seeks, each reading an overflowing row, which made a batch that touches
/// 20,000 articles run for minutes — so it seeks each `b` and tests `a` against the list.
pub(crate) fn pairs_among(list: &str) -> String {
    format!("b IN ({list}) AND +a IN ({list})")
}

/// One stored article and its fingerprint by `ord`, with its document vector when `vector` (an
/// ingest reads the vectors apart, all at once; `check` reads them with the article).
pub(crate) fn stored_article(
    conn: &Connection,
    ord: i64,
    vector: bool,
) -> Result<(
    Article,
    wiretrace::fingerprint::Fingerprint,
    Option<wiretrace::semantic::Vector>,
)> {
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS}, fingerprint{} FROM articles WHERE ord = ?1",
        if vector { ", doc_vector" } else { "" }
    );
    let (article, fp, dv) = conn
        .prepare_cached(&sql)?
        .query_row([ord], |r| {
            let dv = if vector {
                r.get::<_, Option<Vec<u8>>>(8)?
            } else {
                None
            };
            Ok((article_of(r)?, r.get::<_, Vec<u8>>(7)?, dv))
        })
        .optional()?
        .ok_or_else(|| Error::Corrupt {
            what: format!("the index names article {ord}, which is not stored"),
        })?;
    let dv = dv
        .map(|b| crate::codec::decode_vector(&b).map(wiretrace::semantic::Vector::from))
        .transpose()?;
    Ok((article, crate::codec::decode_fingerprint(&fp)?, dv))
}

/// An article from a row whose first columns are [`ARTICLE_COLUMNS`].
pub(crate) fn article_of(r: &Row<'_>) -> rusqlite::Result<Article> {
    Ok(Article {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        url: r.get(3)?,
        source: r.get(4)?,
        published: r
            .get::<_, Option<String>>(5)?
            .and_then(|s| wiretrace::input::parse_time(&s)),
        lang: r.get(6)?,
    })
}

/// Every stored article, in ingest order.
pub(crate) fn load_articles(conn: &Connection) -> Result<Vec<Article>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY ord"
    ))?;
    let rows = stmt.query_map([], article_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stored scored pairs, `a < b` by ord, in the order of their ords `(a, b)`. `filter` is an SQL
/// condition on `pairs` or empty; `remap` maps ords to other indices (empty: indices are ords),
/// and pairs with an unmapped side are left out. Sorted here, not by SQLite: the table is keyed
/// `(b, a)`, and ordering its rows would pass the features and links of every pair through the
/// sorter.
pub(crate) fn load_scored(
    conn: &Connection,
    filter: &str,
    remap: &HashMap<i64, usize>,
) -> Result<Vec<AlignedPair>> {
    let sql = format!(
        "SELECT a, b, features, links, reuse_a, reuse_b FROM pairs {}",
        if filter.is_empty() {
            String::new()
        } else {
            format!("WHERE {filter}")
        }
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out: Vec<((i64, i64), AlignedPair)> = Vec::new();
    while let Some(r) = rows.next()? {
        let key: (i64, i64) = (r.get(0)?, r.get(1)?);
        let index = |o: i64| {
            if remap.is_empty() {
                usize::try_from(o).ok()
            } else {
                remap.get(&o).copied()
            }
        };
        let (Some(a), Some(b)) = (index(key.0), index(key.1)) else {
            continue;
        };
        let features =
            serde_json::from_str(&r.get::<_, String>(2)?).map_err(|source| Error::Json {
                what: "pair features",
                source,
            })?;
        let links: Vec<AlignmentLink> =
            serde_json::from_str(&r.get::<_, String>(3)?).map_err(|source| Error::Json {
                what: "pair alignment",
                source,
            })?;
        out.push((
            key,
            AlignedPair {
                a,
                b,
                features,
                alignment: Alignment {
                    links,
                    reuse_a: r.get(4)?,
                    reuse_b: r.get(5)?,
                    ..Alignment::default()
                },
            },
        ));
    }
    out.sort_unstable_by_key(|(key, _)| *key);
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

/// The report forms of the related pairs that meet `filter` (an SQL condition on `pairs`
/// starting with `AND`, or empty), strongest first. The order is sorted on the keys alone and
/// each report read after by its key: sorting the rows themselves would copy every report (1–3
/// KB; gigabytes for a whole large store) through SQLite's sorter, and an index in this order
/// would cost every stored pair a page write anywhere in the file.
fn pairs_in_report_order(conn: &Connection, filter: &str) -> Result<Vec<Pair>> {
    let keys: Vec<(i64, i64)> = conn
        .prepare(&format!(
            "SELECT b, a FROM pairs WHERE relation != 'unrelated' AND report IS NOT NULL {filter} \
             ORDER BY rank, shown DESC, similarity DESC, a, b"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut report = conn.prepare_cached("SELECT report FROM pairs WHERE b = ?1 AND a = ?2")?;
    keys.into_iter()
        .map(|(b, a)| {
            let s: String = report.query_row([b, a], |r| r.get(0))?;
            decode("a pair", &s)
        })
        .collect()
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|source| Error::Json { what, source })
}

/// The articles paired with `?1` by pairs of rank `?2`: two seeks on the covering indexes
/// `(a, rank)` and `(b, rank)`, no pairs row read.
pub(crate) const RELATED_OF: &str = "SELECT b FROM pairs WHERE a = ?1 AND rank = ?2 \
     UNION ALL SELECT a FROM pairs WHERE b = ?1 AND rank = ?2";

/// The rank of a relation as the pairs table stores it: its place in [`Relation::ALL`].
pub(crate) fn rank_of(relation: Relation) -> i64 {
    Relation::ALL
        .iter()
        .position(|&r| r == relation)
        .unwrap_or(Relation::ALL.len()) as i64
}

/// Stored stories with their ords, in the order `sql` (`SELECT ord, json …`) gives.
fn story_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(i64, Story)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows: Vec<(i64, String)> = stmt
        .query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(ord, json)| Ok((ord, decode("a story", &json)?)))
        .collect()
}

/// Stories with their `related` lists: the stories their articles' `related` pairs lead to, in
/// report (ord) order. The lists are not stored (schema 8): one new article with 70 `related`
/// partners rewrote 70 stories' rows anywhere in the file, pages the checkpoint copies and
/// syncs; read here, a list costs a few index seeks per member. `whole`: `rows` is every
/// story, so one pass over the `related` pairs answers all of them.
fn with_related(conn: &Connection, rows: Vec<(i64, Story)>, whole: bool) -> Result<Vec<Story>> {
    let lists = if whole {
        related_among_all(conn)?
    } else {
        related_of(conn, &rows)?
    };
    let known: HashMap<i64, String> = rows.iter().map(|(o, st)| (*o, st.id.clone())).collect();
    let mut id_stmt = conn.prepare_cached("SELECT id FROM stories WHERE ord = ?1")?;
    let mut id_of = |o: i64| -> Result<String> {
        match known.get(&o) {
            Some(id) => Ok(id.clone()),
            None => Ok(id_stmt.query_row([o], |r| r.get(0))?),
        }
    };
    rows.into_iter()
        .map(|(ord, mut st)| {
            st.related = lists
                .get(&ord)
                .into_iter()
                .flatten()
                .map(|&o| id_of(o))
                .collect::<Result<_>>()?;
            Ok(st)
        })
        .collect()
}

/// Every story's `related` stories, by story ord.
fn related_among_all(conn: &Connection) -> Result<BTreeMap<i64, BTreeSet<i64>>> {
    let rank = rank_of(Relation::Related);
    let mut lists: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    // Two scans, no seeks: every article's story (article ords are dense from 0), then
    // the `related` pairs from a covering index. Joining story_members twice per pair
    // instead made `GET /stories` of the 1M store ~1.5 s slower.
    let mut story_of: Vec<Option<i64>> = Vec::new();
    let mut stmt = conn.prepare("SELECT article, story FROM story_members")?;
    let mut found = stmt.query([])?;
    while let Some(r) = found.next()? {
        let (a, st): (i64, i64) = (r.get(0)?, r.get(1)?);
        let Ok(a) = usize::try_from(a) else { continue };
        if story_of.len() <= a {
            story_of.resize(a + 1, None);
        }
        story_of[a] = Some(st);
    }
    let of = |a: i64| {
        usize::try_from(a)
            .ok()
            .and_then(|a| story_of.get(a).copied().flatten())
    };
    let mut stmt = conn.prepare("SELECT a, b FROM pairs WHERE rank = ?1")?;
    let mut found = stmt.query([rank])?;
    while let Some(r) = found.next()? {
        if let (Some(x), Some(y)) = (of(r.get(0)?), of(r.get(1)?)) {
            if x != y {
                lists.entry(x).or_default().insert(y);
                lists.entry(y).or_default().insert(x);
            }
        }
    }
    Ok(lists)
}

/// The `related` stories of the stories in `rows`, by story ord: a few index seeks per member.
fn related_of(conn: &Connection, rows: &[(i64, Story)]) -> Result<BTreeMap<i64, BTreeSet<i64>>> {
    let rank = rank_of(Relation::Related);
    let mut lists: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    let mut members = conn.prepare_cached("SELECT article FROM story_members WHERE story = ?1")?;
    let mut partners = conn.prepare_cached(RELATED_OF)?;
    let mut story_of = conn.prepare_cached("SELECT story FROM story_members WHERE article = ?1")?;
    let mut cache: HashMap<i64, Option<i64>> = HashMap::new();
    for (ord, _) in rows {
        let list = lists.entry(*ord).or_default();
        let arts: Vec<i64> = members
            .query_map([ord], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for x in arts {
            let ys: Vec<i64> = partners
                .query_map(params![x, rank], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for y in ys {
                let sy = match cache.get(&y) {
                    Some(&s) => s,
                    None => {
                        let s = story_of.query_row([y], |r| r.get(0)).optional()?;
                        cache.insert(y, s);
                        s
                    }
                };
                if let Some(sy) = sy.filter(|sy| sy != ord) {
                    list.insert(sy);
                }
            }
        }
    }
    Ok(lists)
}

fn json_rows<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    what: &'static str,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows: Vec<String> = stmt
        .query_map(args, |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    rows.iter().map(|s| decode(what, s)).collect()
}

impl Store {
    /// Every stored article, in ingest order.
    pub fn articles(&self) -> Result<Vec<Article>> {
        load_articles(&self.conn)
    }

    /// One stored article by id.
    pub fn article(&self, id: &str) -> Result<Option<Article>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?1"
            ))?
            .query_row([id], article_of)
            .optional()?)
    }

    /// The stored corpus's analysis: the JSON `analyze --json` prints for the same corpus
    /// (articles in ingest order, stories largest first, pairs strongest first, derivations,
    /// quotes). `stats` counts what is stored; stage times are zero (no stage ran).
    pub fn analysis(&self) -> Result<Analysis> {
        let mut a = self.subset(None)?;
        let scored: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM pairs", [], |r| r.get(0))?;
        a.stats.candidate_pairs = usize::try_from(scored).unwrap_or(0);
        a.stats.aligned_pairs = a.stats.candidate_pairs;
        Ok(a)
    }

    /// The stored pair of two articles (either order), with its alignment, when it has a
    /// relation above `unrelated`.
    pub fn pair(&self, a: &str, b: &str) -> Result<Option<Pair>> {
        let s: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT p.report FROM pairs p \
                 JOIN articles x ON x.ord = p.a JOIN articles y ON y.ord = p.b \
                 WHERE ((x.id = ?1 AND y.id = ?2) OR (x.id = ?2 AND y.id = ?1)) \
                 AND p.relation != 'unrelated' AND p.report IS NOT NULL",
            )?
            .query_row(params![a, b], |r| r.get(0))
            .optional()?;
        s.map(|s| decode("a pair", &s)).transpose()
    }
}

impl Store {
    /// Every story, largest first.
    pub fn stories(&self) -> Result<Vec<Story>> {
        let rows = story_rows(&self.conn, "SELECT ord, json FROM stories ORDER BY ord", [])?;
        with_related(&self.conn, rows, true)
    }

    /// A page of [`Self::stories`]: `limit` stories from the `offset`-th, read and completed
    /// alone, so a page costs the same in a store of any size.
    pub fn stories_page(&self, offset: usize, limit: usize) -> Result<Vec<Story>> {
        let rows = story_rows(
            &self.conn,
            "SELECT ord, json FROM stories ORDER BY ord LIMIT ?1 OFFSET ?2",
            [
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX),
            ],
        )?;
        with_related(&self.conn, rows, false)
    }

    /// The analysis of one story (`s1`, …): its articles, their pairs, derivations and quotes.
    pub fn story(&self, id: &str) -> Result<Option<Analysis>> {
        let ords = self.ords(
            "SELECT m.article FROM story_members m JOIN stories s ON s.ord = m.story \
             WHERE s.id = ?1 ORDER BY m.article",
            id,
        )?;
        if ords.is_empty() {
            return Ok(None);
        }
        self.subset(Some(&ords)).map(Some)
    }

    /// Where an article came from: the analysis of its story with only the pairs and quotes
    /// that involve it, and every derivation of the story (the graph back to the origin).
    pub fn provenance(&self, id: &str) -> Result<Option<Analysis>> {
        let ords = self.ords(
            "SELECT m.article FROM story_members m \
             WHERE m.story = (SELECT m2.story FROM story_members m2 JOIN articles a ON a.ord = m2.article WHERE a.id = ?1) \
             ORDER BY m.article",
            id,
        )?;
        if ords.is_empty() {
            return Ok(None);
        }
        let mut a = self.subset(Some(&ords))?;
        a.pairs.retain(|p| p.a == id || p.b == id);
        a.quotes
            .retain(|q| q.variants.iter().any(|v| v.article == id));
        Ok(Some(a))
    }

    /// Quote groups whose speaker contains `speaker` (any case), or all of them.
    pub fn quotes(&self, speaker: Option<&str>) -> Result<Vec<QuoteGroup>> {
        match speaker.filter(|s| !s.is_empty()) {
            Some(s) => json_rows(
                &self.conn,
                "a quote",
                "SELECT json FROM quotes WHERE instr(lower(speaker), lower(?1)) > 0 ORDER BY ord",
                [s],
            ),
            None => json_rows(
                &self.conn,
                "a quote",
                "SELECT json FROM quotes ORDER BY ord",
                [],
            ),
        }
    }

    /// The summary line of one stored article (as `analyze --json` lists it).
    pub fn article_summary(&self, id: &str) -> Result<Option<ArticleSummary>> {
        let ords = self.ords("SELECT ord FROM articles WHERE id = ?1", id)?;
        Ok(self.summaries(Some(&ords))?.pop())
    }

    fn ords(&self, sql: &str, arg: &str) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let v = stmt
            .query_map([arg], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(v)
    }

    fn summaries(&self, ords: Option<&[i64]>) -> Result<Vec<ArticleSummary>> {
        let sql = format!(
            "SELECT id, title, source, url, published, lang, sentences, words FROM articles \
             {} ORDER BY ord",
            within(ords, "WHERE ord IN ({})")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let v = stmt
            .query_map([], summary_of)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(v)
    }

    /// The stored analysis restricted to some articles (`None`: all): their summaries, the
    /// stories that hold them, and the pairs, derivations and quotes among them.
    fn subset(&self, ords: Option<&[i64]>) -> Result<Analysis> {
        let c = &self.conn;
        let articles = self.summaries(ords)?;
        let ids: std::collections::HashSet<&str> = articles.iter().map(|a| a.id.as_str()).collect();
        let stories = story_rows(
            c,
            &format!(
                "SELECT ord, json FROM stories {} ORDER BY ord",
                within(
                    ords,
                    "WHERE ord IN (SELECT story FROM story_members WHERE article IN ({}))"
                )
            ),
            [],
        )?;
        let stories = with_related(c, stories, ords.is_none())?;
        let pairs =
            pairs_in_report_order(c, &within(ords, &format!("AND {}", pairs_among("{0}"))))?;
        let derivations: Vec<Derivation> = json_rows(
            c,
            "a derivation",
            &format!(
                "SELECT d.json {DERIVATIONS_IN_PAIR_ORDER} {} {DERIVATION_ORDER}",
                within(ords, "WHERE d.source IN ({0}) AND d.derived IN ({0})")
            ),
            [],
        )?;
        let mut undirected: Vec<UndirectedDerivation> = json_rows(
            c,
            "an undirected derivation",
            &format!("SELECT u.json {UNDIRECTED_IN_PAIR_ORDER}"),
            [],
        )?;
        undirected.retain(|u| ids.contains(u.a.as_str()) && ids.contains(u.b.as_str()));
        let quotes: Vec<QuoteGroup> = json_rows(
            c,
            "a quote",
            &format!(
                "SELECT json FROM quotes {} ORDER BY ord",
                within(
                    ords,
                    "WHERE ord IN (SELECT quote FROM quote_variants WHERE article IN ({}))"
                )
            ),
            [],
        )?;
        let n = articles.len() as u64;
        let stats = RunStats {
            articles: articles.len(),
            sentences: articles.iter().map(|a| a.sentences).sum(),
            all_pairs: n * n.saturating_sub(1) / 2,
            ..RunStats::default()
        };
        Ok(Analysis {
            version: JSON_VERSION,
            articles,
            stories,
            pairs,
            derivations,
            undirected,
            quotes,
            skipped: Vec::new(),
            warnings: Vec::new(),
            stats,
        })
    }
}

/// An SQL condition on article ords: `template` with `{}`/`{0}` standing for the list, or
/// nothing for `None` (every article). The ords are integers from the store, never input.
fn within(ords: Option<&[i64]>, template: &str) -> String {
    let Some(ords) = ords else {
        return String::new();
    };
    let list = if ords.is_empty() {
        "NULL".to_string()
    } else {
        ords.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    template.replace("{0}", &list).replace("{}", &list)
}

fn summary_of(r: &Row<'_>) -> rusqlite::Result<ArticleSummary> {
    Ok(ArticleSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        source: r.get(2)?,
        url: r.get(3)?,
        published: r
            .get::<_, Option<String>>(4)?
            .and_then(|s| wiretrace::input::parse_time(&s)),
        lang: r.get(5)?,
        sentences: r.get::<_, i64>(6)?.try_into().unwrap_or(0),
        words: r.get::<_, i64>(7)?.try_into().unwrap_or(0),
    })
}

/// One line of the story list: what a reader needs to pick a story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryOverview {
    /// `s1`, `s2`, …
    pub id: String,
    /// A few salient terms shared by the members.
    pub label: String,
    /// Number of member articles.
    pub articles: usize,
    /// The origin as the report names it: each derived article's parent is its derivation of
    /// highest confidence, and the origin is the root of those parents with the most
    /// descendants; `None` when no derivation in the story has a direction.
    pub origin: Option<String>,
    /// The headline that stands for the story: the origin's, else the earliest dated member's,
    /// else the first member's that has one.
    pub title: Option<String>,
    /// Earliest publication time among the members that have one (RFC 3339, as stored).
    pub first_published: Option<String>,
    /// Latest publication time among the members that have one.
    pub last_published: Option<String>,
    /// Why the story matched a search (empty when listing without a query).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<SearchMatch>,
}

/// One reason a story matched a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchMatch {
    /// `title` (a member's headline) or `speaker` (a quote's speaker).
    pub field: &'static str,
    /// The member article that matched.
    pub article: String,
    /// The headline or the speaker's name.
    pub text: String,
}

/// A page of the story list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryList {
    /// Stories that matched (every story without a query).
    pub total: usize,
    /// Position of the first story of this page among them.
    pub offset: usize,
    /// The page, largest story first.
    pub stories: Vec<StoryOverview>,
}

struct Member {
    ord: i64,
    id: String,
    title: Option<String>,
    /// Seconds since the epoch (for ordering across offsets) and the stored text.
    published: Option<(i64, String)>,
}

impl Store {
    /// The story list, largest first, with each story's size, time span and origin; with a
    /// query, only the stories with a member whose headline, or a quote whose speaker, contains
    /// it (any case). `offset` and `limit` page through the result.
    pub fn story_overview(
        &self,
        query: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<StoryList> {
        let query = query
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase);
        let c = &self.conn;
        // Without a query the page is known before any member is read: only its stories'
        // members and derivations are, so a page costs the same in a store of any size.
        let page = match query {
            Some(_) => None,
            None => Some(story_page(c, offset, limit)?),
        };
        let page_stories: Option<Vec<i64>> = page
            .as_ref()
            .map(|(_, rows)| rows.iter().map(|r| r.0).collect());
        let Members {
            by_story: members,
            story_of,
        } = story_members(c, page_stories.as_deref())?;
        let matches = match &query {
            Some(q) => search_matches(c, q, &members, &story_of)?,
            None => HashMap::new(),
        };
        // A derivation joins two articles of one story: the page's members are enough.
        let page_members: Option<Vec<i64>> = page_stories
            .as_ref()
            .map(|_| story_of.keys().copied().collect());
        let lineage = Lineage::read(c, page_members.as_deref())?;
        let stories = match page {
            Some((total, rows)) => {
                let mut stories = Vec::with_capacity(rows.len());
                for (ord, json) in rows {
                    let story: Story = decode("a story", &json)?;
                    let ms = members.get(&ord).map(Vec::as_slice).unwrap_or_default();
                    stories.push(overview(story, ms, &lineage, Vec::new()));
                }
                (total, stories)
            }
            None => matching_stories(c, matches, &members, &lineage, offset, limit)?,
        };
        Ok(StoryList {
            total: stories.0,
            offset,
            stories: stories.1,
        })
    }
}

/// The number of stories and the rows (`ord`, `json`) of the page `offset`, `limit`.
fn story_page(c: &Connection, offset: usize, limit: usize) -> Result<(usize, Vec<(i64, String)>)> {
    let total: i64 = c.query_row("SELECT COUNT(*) FROM stories", [], |r| r.get(0))?;
    let mut stmt = c.prepare("SELECT ord, json FROM stories ORDER BY ord LIMIT ?1 OFFSET ?2")?;
    let rows = stmt
        .query_map(
            [
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX),
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
    Ok((usize::try_from(total).unwrap_or(0), rows))
}

/// The members of some stories, seen from both ends.
struct Members {
    /// Each story's members, in ingest order.
    by_story: HashMap<i64, Vec<Member>>,
    /// Each member's story.
    story_of: HashMap<i64, i64>,
}

/// The members of the stories `stories` (every story for `None`).
fn story_members(c: &Connection, stories: Option<&[i64]>) -> Result<Members> {
    let mut members: HashMap<i64, Vec<Member>> = HashMap::new();
    let mut story_of: HashMap<i64, i64> = HashMap::new();
    let sql = format!(
        "SELECT m.story, a.ord, a.id, a.title, a.published FROM story_members m \
         JOIN articles a ON a.ord = m.article {} ORDER BY a.ord",
        within(stories, "WHERE m.story IN ({})")
    );
    let mut stmt = c.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let story: i64 = r.get(0)?;
        let published: Option<String> = r.get(4)?;
        let m = Member {
            ord: r.get(1)?,
            id: r.get(2)?,
            title: r.get(3)?,
            published: published
                .and_then(|s| wiretrace::input::parse_time(&s).map(|t| (t.timestamp(), s))),
        };
        story_of.insert(m.ord, story);
        members.entry(story).or_default().push(m);
    }
    Ok(Members {
        by_story: members,
        story_of,
    })
}

/// Why each story matches the lowercased query `q`: its members' headlines, then the speakers
/// of its quotes.
fn search_matches(
    c: &Connection,
    q: &str,
    members: &HashMap<i64, Vec<Member>>,
    story_of: &HashMap<i64, i64>,
) -> Result<HashMap<i64, Vec<SearchMatch>>> {
    let mut matches: HashMap<i64, Vec<SearchMatch>> = HashMap::new();
    // Matched in Rust, not with SQL `lower()`, which folds ASCII only.
    for (story, ms) in members {
        for m in ms {
            if let Some(t) = m.title.as_deref().filter(|t| t.to_lowercase().contains(q)) {
                matches.entry(*story).or_default().push(SearchMatch {
                    field: "title",
                    article: m.id.clone(),
                    text: t.to_string(),
                });
            }
        }
    }
    let mut stmt = c.prepare(
        "SELECT q.speaker, a.ord, a.id FROM quotes q \
         JOIN quote_variants v ON v.quote = q.ord JOIN articles a ON a.ord = v.article \
         WHERE q.speaker IS NOT NULL ORDER BY q.ord, a.ord",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let speaker: String = r.get(0)?;
        if !speaker.to_lowercase().contains(q) {
            continue;
        }
        let ord: i64 = r.get(1)?;
        if let Some(story) = story_of.get(&ord) {
            let found = matches.entry(*story).or_default();
            // One line per speaker and story is enough to say why it matched.
            if !found
                .iter()
                .any(|m| m.field == "speaker" && m.text == speaker)
            {
                found.push(SearchMatch {
                    field: "speaker",
                    article: r.get(2)?,
                    text: speaker,
                });
            }
        }
    }
    Ok(matches)
}

/// The stories that `matches` names, counted in full and paged by `offset` and `limit`.
fn matching_stories(
    c: &Connection,
    mut matches: HashMap<i64, Vec<SearchMatch>>,
    members: &HashMap<i64, Vec<Member>>,
    lineage: &Lineage,
    offset: usize,
    limit: usize,
) -> Result<(usize, Vec<StoryOverview>)> {
    let mut stories = Vec::new();
    let mut total = 0;
    let mut stmt = c.prepare("SELECT ord, json FROM stories ORDER BY ord")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let ord: i64 = r.get(0)?;
        let found = matches.remove(&ord).unwrap_or_default();
        if found.is_empty() {
            continue;
        }
        total += 1;
        if total <= offset || stories.len() >= limit {
            continue;
        }
        let story: Story = decode("a story", &r.get::<_, String>(1)?)?;
        let ms = members.get(&ord).map(Vec::as_slice).unwrap_or_default();
        stories.push(overview(story, ms, lineage, found));
    }
    Ok((total, stories))
}

/// Each derived article's parent, chosen as the report chooses it (the derivation with the
/// highest direction confidence, then the strongest relation), seen from both ends.
struct Lineage {
    children: HashMap<i64, Vec<i64>>,
    derived: std::collections::HashSet<i64>,
}

impl Lineage {
    /// The parents of the articles `derived` (every article for `None`).
    fn read(c: &Connection, derived: Option<&[i64]>) -> Result<Lineage> {
        let mut parent: HashMap<i64, (i64, Derivation)> = HashMap::new();
        let sql = format!(
            "SELECT d.source, d.derived, d.json {DERIVATIONS_IN_PAIR_ORDER} {} {DERIVATION_ORDER}",
            within(derived, "WHERE d.derived IN ({})")
        );
        let mut stmt = c.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (s, d): (i64, i64) = (r.get(0)?, r.get(1)?);
            let x: Derivation = decode("a derivation", &r.get::<_, String>(2)?)?;
            let better = parent.get(&d).is_none_or(|(_, cur)| {
                (x.confidence, std::cmp::Reverse(x.relation))
                    > (cur.confidence, std::cmp::Reverse(cur.relation))
            });
            if better {
                parent.insert(d, (s, x));
            }
        }
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for (&d, (s, _)) in &parent {
            children.entry(*s).or_default().push(d);
        }
        let derived = parent.keys().copied().collect();
        Ok(Lineage { children, derived })
    }
}

/// A story's line: its origin (the report's rule), time span and headline.
fn overview(
    story: Story,
    members: &[Member],
    lineage: &Lineage,
    matches: Vec<SearchMatch>,
) -> StoryOverview {
    let Lineage { children, derived } = lineage;
    let descendants = |root: i64| {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            for &c in children.get(&x).into_iter().flatten() {
                if seen.insert(c) {
                    stack.push(c);
                }
            }
        }
        seen.len()
    };
    // Ties go to the earlier article in ingest order (members are in that order).
    let origin = members
        .iter()
        .filter(|m| children.contains_key(&m.ord) && !derived.contains(&m.ord))
        .map(|m| (descendants(m.ord), m))
        .fold(None::<(usize, &Member)>, |best, (n, m)| match best {
            Some((b, _)) if b >= n => best,
            _ => Some((n, m)),
        })
        .map(|(_, m)| m);
    let dated = members
        .iter()
        .filter_map(|m| m.published.as_ref().map(|p| (p, m)));
    let first = dated.clone().min_by_key(|(p, _)| p.0);
    let last = dated.max_by_key(|(p, _)| p.0);
    let title = origin
        .and_then(|m| m.title.clone())
        .or_else(|| first.and_then(|(_, m)| m.title.clone()))
        .or_else(|| members.iter().find_map(|m| m.title.clone()));
    StoryOverview {
        id: story.id,
        label: story.label,
        articles: members.len(),
        origin: origin.map(|m| m.id.clone()),
        title,
        first_published: first.map(|(p, _)| p.1.clone()),
        last_published: last.map(|(p, _)| p.1.clone()),
        matches,
    }
}
