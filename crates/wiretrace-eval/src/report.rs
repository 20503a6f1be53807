//! The result of evaluating one data set ([`DatasetReport`]) and its two renderings: one JSON
//! object per line (`--json`) and a plain aligned text table (no colours).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// One metric with our value and the reference values it should be read against.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// The metric's JSON name (`accuracy`, `bcubed_f1`, …).
    pub name: &'static str,
    /// Our value. NaN only when the metric is undefined on this data (rendered `n/a` / `null`,
    /// with a note saying why).
    pub value: f64,
    /// `(who, value)` reference figures, mostly from the data set's README.
    pub anchors: Vec<(String, f64)>,
}

impl MetricRow {
    /// A metric without anchors.
    pub fn new(name: &'static str, value: f64) -> Self {
        MetricRow {
            name,
            value,
            anchors: Vec::new(),
        }
    }

    /// Adds an anchor (builder style).
    #[must_use]
    pub fn anchor(mut self, who: impl Into<String>, value: f64) -> Self {
        self.anchors.push((who.into(), value));
        self
    }
}

/// A labelled count matrix (e.g. a confusion matrix, rows gold, columns predicted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// JSON key of the table in the report (`confusion`).
    pub name: String,
    /// What the rows are (`gold`).
    pub rows: String,
    /// What the columns are (`predicted`).
    pub cols: String,
    /// Row labels.
    pub row_labels: Vec<String>,
    /// Column labels.
    pub col_labels: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<usize>>,
}

/// Everything measured on one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetReport {
    /// `msrp`, `ecbplus`, `semeval8`, `clough` or `reuters`.
    pub dataset: String,
    /// Which portion was evaluated (file name, `test`/`train`, …).
    pub split: String,
    /// Number of scored items (pairs, documents, answers, bodies).
    pub items: usize,
    /// Wall time of the whole evaluation (loading, engine, scoring), in seconds.
    pub seconds: f64,
    /// Metrics in display order; the contract's names come first.
    pub metrics: Vec<MetricRow>,
    /// Caveats: skipped input, comparability of anchors, engine-side skips.
    pub notes: Vec<String>,
    /// Extra matrices (Clough & Stevenson's confusion matrix).
    pub tables: Vec<Table>,
}

impl DatasetReport {
    /// The value of a metric by name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }

    /// One line of JSON: `{"dataset", "items", "seconds", "metrics": {name: value}}` first, then
    /// `"split"`, `"anchors"` (`{metric: {who: value}}`), `"notes"` and one key per table.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            // Only a serializer bug could get here; still emit a parseable line.
            serde_json::json!({"dataset": self.dataset, "error": e.to_string()}).to_string()
        })
    }

    /// The same document as a [`serde_json::Value`] (keys sorted; use [`Self::to_json`] to print).
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl Serialize for DatasetReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("dataset", &self.dataset)?;
        map.serialize_entry("items", &self.items)?;
        map.serialize_entry("seconds", &round(self.seconds, 3))?;
        map.serialize_entry("metrics", &MetricsJson(&self.metrics))?;
        map.serialize_entry("split", &self.split)?;
        map.serialize_entry("anchors", &AnchorsJson(&self.metrics))?;
        map.serialize_entry("notes", &self.notes)?;
        for table in &self.tables {
            map.serialize_entry(&table.name, &TableJson(table))?;
        }
        map.end()
    }
}

/// `{name: value}` in metric order (NaN becomes `null`, which JSON can carry).
struct MetricsJson<'a>(&'a [MetricRow]);

impl Serialize for MetricsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for m in self.0 {
            map.serialize_entry(m.name, &finite(m.value))?;
        }
        map.end()
    }
}

/// `{metric: {who: value}}` for the metrics that have anchors.
struct AnchorsJson<'a>(&'a [MetricRow]);

impl Serialize for AnchorsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for m in self.0.iter().filter(|m| !m.anchors.is_empty()) {
            map.serialize_entry(m.name, &AnchorList(&m.anchors))?;
        }
        map.end()
    }
}

struct AnchorList<'a>(&'a [(String, f64)]);

impl Serialize for AnchorList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (who, value) in self.0 {
            map.serialize_entry(who, &finite(*value))?;
        }
        map.end()
    }
}

struct TableJson<'a>(&'a Table);

impl Serialize for TableJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("rows", &t.rows)?;
        map.serialize_entry("cols", &t.cols)?;
        map.serialize_entry("row_labels", &t.row_labels)?;
        map.serialize_entry("col_labels", &t.col_labels)?;
        map.serialize_entry("matrix", &t.cells)?;
        map.end()
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn round(v: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    if v.is_finite() {
        (v * k).round() / k
    } else {
        v
    }
}

/// Metrics that are counts, printed without decimals.
fn is_count(name: &str) -> bool {
    name.starts_with("n_")
        || name.starts_with("pairs_")
        || ["_found", "_total", "_pairs", "_groups"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// A value formatted for the text table, by what kind of metric it is.
pub fn format_value(name: &str, value: f64) -> String {
    if !value.is_finite() {
        "n/a".to_owned()
    } else if is_count(name) {
        format!("{value:.0}")
    } else if name.ends_with("_per_second") || name.ends_with("_mb") || name.ends_with("_seconds") {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

/// A plain aligned table, `dataset | split | metric | ours | anchors | items | seconds`, one row
/// per metric (and one continuation row per further anchor), followed by each report's notes
/// and tables.
pub fn render_table(reports: &[DatasetReport]) -> String {
    let rows: Vec<[String; 7]> = reports.iter().flat_map(metric_rows).collect();
    let mut out = aligned_table(&rows);
    for r in reports {
        out.push_str(&notes_and_tables(r));
    }
    out
}

const HEADER: [&str; 7] = [
    "dataset", "split", "metric", "ours", "anchors", "items", "seconds",
];

/// The table rows of one data set: a row per metric with its first anchor, a row per further
/// anchor; the data set, split, items and seconds on its first row only.
fn metric_rows(r: &DatasetReport) -> Vec<[String; 7]> {
    let mut rows: Vec<[String; 7]> = Vec::new();
    let mut first = true;
    let lead = |first: bool| -> [String; 2] {
        if first {
            [r.dataset.clone(), r.split.clone()]
        } else {
            [String::new(), String::new()]
        }
    };
    let tail = |first: bool| -> [String; 2] {
        if first {
            [r.items.to_string(), format!("{:.2}", r.seconds)]
        } else {
            [String::new(), String::new()]
        }
    };
    if r.metrics.is_empty() {
        let [d, s] = lead(true);
        let [i, t] = tail(true);
        rows.push([d, s, "-".into(), "-".into(), String::new(), i, t]);
    }
    for m in &r.metrics {
        let anchors: Vec<String> = m
            .anchors
            .iter()
            .map(|(who, v)| format!("{} {}", format_value(m.name, *v), who))
            .collect();
        let mut anchors = anchors.into_iter();
        let [d, s] = lead(first);
        let [i, t] = tail(first);
        rows.push([
            d,
            s,
            m.name.to_owned(),
            format_value(m.name, m.value),
            anchors.next().unwrap_or_default(),
            i,
            t,
        ]);
        first = false;
        for more in anchors {
            rows.push([
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                more,
                String::new(),
                String::new(),
            ]);
        }
    }
    rows
}

/// The header, a rule and `rows`, in columns as wide as their widest cell.
fn aligned_table(rows: &[[String; 7]]) -> String {
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // Numbers right-aligned, text left-aligned.
    let right = [false, false, false, true, false, true, true];
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths)
            .zip(right)
            .map(|((c, w), r)| pad(c, w, r))
            .collect();
        parts.join(" | ").trim_end().to_owned()
    };
    let mut out = String::new();
    out.push_str(&line(&HEADER.map(String::from)));
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    out.push_str(&rule.join("-+-"));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

/// What follows the table for one data set: its notes, then its extra tables.
fn notes_and_tables(r: &DatasetReport) -> String {
    let mut out = String::new();
    if !r.notes.is_empty() {
        out.push_str(&format!("\nnotes ({}):\n", r.dataset));
        for note in &r.notes {
            out.push_str(&format!("  - {note}\n"));
        }
    }
    for t in &r.tables {
        out.push_str(&format!(
            "\n{} ({}; rows {}, columns {}):\n",
            t.name, r.dataset, t.rows, t.cols
        ));
        out.push_str(&render_matrix(t));
    }
    out
}

fn pad(cell: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(cell.chars().count()));
    if right {
        format!("{fill}{cell}")
    } else {
        format!("{cell}{fill}")
    }
}

fn render_matrix(t: &Table) -> String {
    let label_w = t
        .row_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(t.rows.chars().count());
    let cell_w = t
        .cells
        .iter()
        .flatten()
        .map(|c| c.to_string().len())
        .chain(t.col_labels.iter().map(|l| l.chars().count()))
        .max()
        .unwrap_or(1);
    let mut out = format!("  {}", pad(&t.rows, label_w, false));
    for l in &t.col_labels {
        out.push_str(&format!("  {}", pad(l, cell_w, true)));
    }
    out.push('\n');
    for (label, row) in t.row_labels.iter().zip(&t.cells) {
        out.push_str(&format!("  {}", pad(label, label_w, false)));
        for c in row {
            out.push_str(&format!("  {}", pad(&c.to_string(), cell_w, true)));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DatasetReport {
        DatasetReport {
            dataset: "clough".into(),
            split: "all".into(),
            items: 57,
            seconds: 1.23456,
            metrics: vec![
                MetricRow::new("acc4", 0.75)
                    .anchor("majority class", 0.4)
                    .anchor("other", 0.5),
                MetricRow::new("acc2", f64::NAN),
                MetricRow::new("n_clusters", 70.0),
            ],
            notes: vec!["a note".into()],
            tables: vec![Table {
                name: "confusion".into(),
                rows: "gold".into(),
                cols: "predicted".into(),
                row_labels: vec!["cut".into(), "non".into()],
                col_labels: vec!["cut".into(), "non".into()],
                cells: vec![vec![3, 1], vec![0, 12]],
            }],
        }
    }

    #[test]
    fn json_has_the_contract_keys_first_and_extras() {
        let r = sample();
        let line = r.to_json();
        assert!(!line.contains('\n'));
        assert!(
            line.starts_with(r#"{"dataset":"clough","items":57,"seconds":1.235,"metrics":{"acc4":0.75,"acc2":null,"n_clusters":70.0}"#),
            "{line}"
        );
        let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(v["split"], "all");
        assert_eq!(v["anchors"]["acc4"]["majority class"], 0.4);
        assert!(v["anchors"].get("acc2").is_none());
        assert_eq!(v["notes"][0], "a note");
        assert_eq!(v["confusion"]["matrix"][1][1], 12);
        assert_eq!(v["confusion"]["row_labels"][0], "cut");
        assert_eq!(r.to_json_value(), v);
        assert_eq!(r.metric("acc4"), Some(0.75));
    }

    #[test]
    fn table_is_aligned_and_has_notes_and_matrix() {
        let text = render_table(&[sample()]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("dataset | split | metric"), "{text}");
        assert!(
            lines[2].contains("clough") && lines[2].contains("0.750"),
            "{text}"
        );
        assert!(lines[2].contains("0.400 majority class") && lines[2].contains("1.23"));
        assert!(lines[3].contains("0.500 other") && !lines[3].contains("clough"));
        assert!(lines[4].contains("acc2") && lines[4].contains("n/a"));
        assert!(lines[5].contains("n_clusters") && lines[5].contains(" 70 "));
        // Every table row has its separators at the same columns.
        let bars = |l: &str| l.match_indices(" | ").map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(bars(lines[2]), bars(lines[0]));
        assert!(text.contains("notes (clough):\n  - a note"));
        assert!(text.contains("confusion (clough; rows gold, columns predicted)"));
        assert!(text.contains("  cut     3    1"), "{text}");
    }

    #[test]
    fn empty_inputs_render() {
        assert!(render_table(&[]).starts_with("dataset"));
        let mut r = sample();
        r.metrics.clear();
        assert!(render_table(&[r]).contains(" - "));
    }

    #[test]
    fn value_formats() {
        assert_eq!(format_value("exact_groups_found", 279.0), "279");
        assert_eq!(format_value("docs_per_second", 1234.567), "1234.6");
        assert_eq!(format_value("f1", 0.81234), "0.812");
        assert_eq!(format_value("f1", f64::INFINITY), "n/a");
    }
}
