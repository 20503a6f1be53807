//! Clough & Stevenson loader: `file_information.csv` (`File,Task,Category`) plus `texts/*.txt`.
//!
//! The texts come in mixed encodings (ASCII, UTF-8, Windows-1252), so each is decoded with
//! [`decode_text`]. The tasks evaluated are whatever the CSV lists; a task's source is its
//! `orig` row (or, failing that, `texts/orig_task<t>.txt`). A listed file that is missing or
//! unreadable is skipped and reported rather than failing the run, because a folder may hold a
//! different portion of the corpus than its CSV lists; the run fails only when no answer is
//! left to score.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use wiretrace::{Article, Relation};

use super::{decode_text, numbered_lines, Skips, TextEncoding};

/// The metadata file.
pub const CSV_FILE: &str = "file_information.csv";
/// The folder holding the texts.
pub const TEXTS_DIR: &str = "texts";

/// How an answer was derived from its task's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CloughClass {
    /// Copy-paste.
    Cut,
    /// Light revision.
    Light,
    /// Heavy revision (paraphrase).
    Heavy,
    /// Written independently.
    Non,
}

impl CloughClass {
    /// All classes in matrix order (most to least derived).
    pub const ALL: [CloughClass; 4] = [
        CloughClass::Cut,
        CloughClass::Light,
        CloughClass::Heavy,
        CloughClass::Non,
    ];

    /// The corpus's category name.
    pub fn as_str(self) -> &'static str {
        match self {
            CloughClass::Cut => "cut",
            CloughClass::Light => "light",
            CloughClass::Heavy => "heavy",
            CloughClass::Non => "non",
        }
    }

    /// Row / column of the confusion matrix.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses a gold category (`cut`, `light`, `heavy`, `non`; case and blanks ignored).
    pub fn from_category(category: &str) -> Option<Self> {
        let c = category.trim().to_ascii_lowercase();
        CloughClass::ALL.into_iter().find(|k| k.as_str() == c)
    }

    /// The class the engine's relation stands for: copy → cut, light rewrite → light, heavy
    /// rewrite → heavy, anything else (or no pair at all, `None`) → non.
    pub fn from_relation(relation: Option<Relation>) -> Self {
        match relation {
            Some(Relation::Copy) => CloughClass::Cut,
            Some(Relation::LightRewrite) => CloughClass::Light,
            Some(Relation::HeavyRewrite) => CloughClass::Heavy,
            _ => CloughClass::Non,
        }
    }

    /// True for cut, light and heavy: the answer reuses the source.
    pub fn is_reused(self) -> bool {
        self != CloughClass::Non
    }
}

/// One decoded text file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloughText {
    /// File name (`g0pA_taska.txt`).
    pub file: String,
    /// Article id: the file name without its extension, as `analyze` would name it.
    pub id: String,
    /// The text.
    pub text: String,
    /// How the bytes were decoded.
    pub encoding: TextEncoding,
}

impl CloughText {
    /// The article the engine sees.
    pub fn to_article(&self) -> Article {
        Article::new(self.id.clone(), self.text.clone())
    }
}

/// An answer with its gold class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloughAnswer {
    /// The answer text.
    pub text: CloughText,
    /// Gold derivation class.
    pub gold: CloughClass,
}

/// A task: its source passage and the answers written for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloughTask {
    /// Task letter (`a`).
    pub task: String,
    /// The Wikipedia source passage.
    pub source: CloughText,
    /// Answers in CSV order.
    pub answers: Vec<CloughAnswer>,
}

/// Everything usable in one folder.
#[derive(Debug, Clone)]
pub struct CloughSet {
    /// The folder that was read.
    pub dir: PathBuf,
    /// Tasks with a source and at least one answer, by task name.
    pub tasks: Vec<CloughTask>,
    /// CSV rows or files that could not be used.
    pub skipped: Skips,
}

impl CloughSet {
    /// Number of answers over all tasks.
    pub fn n_answers(&self) -> usize {
        self.tasks.iter().map(|t| t.answers.len()).sum()
    }

    /// Number of sources (one per task).
    pub fn n_sources(&self) -> usize {
        self.tasks.len()
    }

    /// Number of texts (sources and answers) that were not UTF-8 and decoded as Windows-1252.
    pub fn n_cp1252(&self) -> usize {
        self.tasks
            .iter()
            .flat_map(|t| std::iter::once(&t.source).chain(t.answers.iter().map(|a| &a.text)))
            .filter(|t| t.encoding == TextEncoding::Windows1252)
            .count()
    }
}

/// One row of `file_information.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// File name under `texts/`.
    pub file: String,
    /// Task letter.
    pub task: String,
    /// Category (`orig`, `cut`, …), lower case.
    pub category: String,
}

/// Loads the CSV and the texts it lists.
pub fn load(dir: &Path) -> Result<CloughSet> {
    super::require_dir("clough", dir)?;
    let csv_path = dir.join(CSV_FILE);
    if !csv_path.is_file() {
        bail!("clough: {CSV_FILE} not found in {}", dir.display());
    }
    let texts_dir = dir.join(TEXTS_DIR);
    if !texts_dir.is_dir() {
        bail!("clough: folder {TEXTS_DIR}/ not found in {}", dir.display());
    }
    let csv_bytes = super::read_maybe_gz(&csv_path)?;
    let (csv_text, _) = decode_text(&csv_bytes);
    let (rows, mut skipped) = parse_csv(&csv_text);
    let read = |file: &str| -> std::result::Result<CloughText, &'static str> {
        if !is_plain_file_name(file) {
            return Err("rows with a file name that is not a plain name");
        }
        let bytes = std::fs::read(texts_dir.join(file)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "listed files missing from texts/",
            _ => "listed files that could not be read",
        })?;
        let (text, encoding) = decode_text(&bytes);
        Ok(CloughText {
            file: file.to_owned(),
            id: stem(file),
            text,
            encoding,
        })
    };
    let tasks = assemble(&rows, read, &mut skipped);
    let set = CloughSet {
        dir: dir.to_path_buf(),
        tasks,
        skipped,
    };
    if set.n_answers() == 0 {
        bail!(
            "clough: no answer with a readable text and task source in {} ({})",
            dir.display(),
            set.skipped
        );
    }
    Ok(set)
}

/// Groups rows into tasks, reading each file with `read`; unusable rows go to `skipped`.
fn assemble(
    rows: &[CsvRow],
    read: impl Fn(&str) -> std::result::Result<CloughText, &'static str>,
    skipped: &mut Skips,
) -> Vec<CloughTask> {
    let mut sources: BTreeMap<&str, CloughText> = BTreeMap::new();
    let mut answers: BTreeMap<&str, Vec<CloughAnswer>> = BTreeMap::new();
    for row in rows {
        let gold = if row.category == "orig" {
            None
        } else if let Some(class) = CloughClass::from_category(&row.category) {
            Some(class)
        } else {
            skipped.add("rows with an unknown category", row.file.clone());
            continue;
        };
        if gold.is_none() && sources.contains_key(row.task.as_str()) {
            skipped.add("second orig rows for a task", row.file.clone());
            continue;
        }
        let text = match read(&row.file) {
            Ok(t) => t,
            Err(reason) => {
                skipped.add(reason, row.file.clone());
                continue;
            }
        };
        match gold {
            None => {
                sources.insert(row.task.as_str(), text);
            }
            Some(gold) => answers
                .entry(row.task.as_str())
                .or_default()
                .push(CloughAnswer { text, gold }),
        }
    }
    let mut tasks = Vec::new();
    for (task, task_answers) in answers {
        let source = match sources.remove(task) {
            Some(s) => Some(s),
            // The corpus names sources orig_task<t>.txt; use it when the CSV has no orig row.
            None => read(&format!("orig_task{task}.txt")).ok(),
        };
        match source {
            Some(source) => tasks.push(CloughTask {
                task: task.to_owned(),
                source,
                answers: task_answers,
            }),
            None => {
                for a in task_answers {
                    skipped.add("answers whose task has no source text", a.text.file);
                }
            }
        }
    }
    for (_, source) in sources {
        skipped.add("sources without answers", source.file);
    }
    tasks
}

/// Parses `File,Task,Category`. The header (if any) decides the column order; fields may be
/// double-quoted. Rows with too few fields or an empty file name are skipped and counted.
pub fn parse_csv(text: &str) -> (Vec<CsvRow>, Skips) {
    let mut rows = Vec::new();
    let mut skipped = Skips::default();
    let mut cols = [0usize, 1, 2]; // file, task, category
    let mut first = true;
    for (n, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv_line(line);
        if std::mem::take(&mut first) {
            let lower: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            let find = |name: &str| lower.iter().position(|f| f == name);
            if let (Some(f), Some(t), Some(c)) = (find("file"), find("task"), find("category")) {
                cols = [f, t, c];
                continue;
            }
        }
        let get = |i: usize| fields.get(cols[i]).map(|s| s.trim().to_owned());
        match (get(0), get(1), get(2)) {
            (Some(file), Some(task), Some(category)) if !file.is_empty() => rows.push(CsvRow {
                file,
                task,
                category: category.to_ascii_lowercase(),
            }),
            _ => skipped.add(
                "CSV rows without file, task and category",
                format!("line {n}"),
            ),
        }
    }
    (rows, skipped)
}

/// Splits one CSV line; `"a,b"` keeps its comma and `""` inside quotes is a quote.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// A bare file name: no directory parts, so a CSV row can never read outside `texts/`.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// The file name without its last extension.
fn stem(file: &str) -> String {
    match file.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => file.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_mappings() {
        assert_eq!(
            CloughClass::from_category(" Light "),
            Some(CloughClass::Light)
        );
        assert_eq!(CloughClass::from_category("orig"), None);
        assert_eq!(
            CloughClass::from_relation(Some(Relation::Copy)),
            CloughClass::Cut
        );
        assert_eq!(
            CloughClass::from_relation(Some(Relation::HeavyRewrite)),
            CloughClass::Heavy
        );
        assert_eq!(
            CloughClass::from_relation(Some(Relation::SameEvent)),
            CloughClass::Non
        );
        assert_eq!(CloughClass::from_relation(None), CloughClass::Non);
        let idx: Vec<_> = CloughClass::ALL.iter().map(|c| c.index()).collect();
        assert_eq!(idx, [0, 1, 2, 3]);
    }

    #[test]
    fn csv_header_order_quotes_and_bad_rows() {
        let text = "\u{FEFF}Category,File,Task\r\n\
                    non,g0pA_taska.txt,a\r\n\
                    \"cut\",\"g0pA_taskb.txt\",b\r\n\
                    orig\r\n\
                    heavy,,c\r\n\
                    \"li\"\"ght\",x.txt,c\r\n";
        let (rows, skipped) = parse_csv(text.trim_start_matches('\u{FEFF}'));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].file, "g0pA_taska.txt");
        assert_eq!(rows[0].category, "non");
        assert_eq!(rows[1].category, "cut");
        assert_eq!(rows[2].category, "li\"ght");
        assert_eq!(skipped.total(), 2);
    }

    #[test]
    fn csv_without_header_uses_file_task_category() {
        let (rows, _) = parse_csv("g1_taska.txt,a,cut\n");
        assert_eq!(
            rows,
            [CsvRow {
                file: "g1_taska.txt".into(),
                task: "a".into(),
                category: "cut".into()
            }]
        );
    }

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let texts = dir.path().join(TEXTS_DIR);
        std::fs::create_dir(&texts).expect("mkdir");
        let csv = "File,Task,Category\n\
                   g0pA_taska.txt,a,non\n\
                   g0pB_taska.txt,a,cut\n\
                   g0pC_taska.txt,a,heavy\n\
                   g0pA_taskb.txt,b,light\n\
                   g0pZ_taska.txt,a,light\n\
                   g0pA_taskc.txt,c,cut\n\
                   g0pB_taska.txt,a,weird\n\
                   ../escape.txt,a,cut\n\
                   orig_taska.txt,a,orig\n";
        std::fs::write(dir.path().join(CSV_FILE), csv).expect("write");
        let files: [(&str, &[u8]); 6] = [
            (
                "orig_taska.txt",
                b"\xEF\xBB\xBFInheritance lets a class reuse code.",
            ),
            ("orig_taskb.txt", b"PageRank ranks pages by links."),
            ("g0pA_taska.txt", b"I think objects are nice."),
            // Windows-1252 curly quotes and an e-acute: not valid UTF-8.
            (
                "g0pB_taska.txt",
                b"Inheritance lets a class \x93reuse\x94 code \xE9.",
            ),
            (
                "g0pC_taska.txt",
                b"A class may take over code from another.",
            ),
            (
                "g0pA_taskb.txt",
                b"PageRank ranks web pages by their links.",
            ),
        ];
        for (name, bytes) in files {
            std::fs::write(texts.join(name), bytes).expect("write");
        }
        dir
    }

    #[test]
    fn loads_tasks_with_mixed_encodings_and_reports_skips() {
        let dir = fixture();
        let set = load(dir.path()).expect("loads");
        let names: Vec<_> = set.tasks.iter().map(|t| t.task.as_str()).collect();
        assert_eq!(names, ["a", "b"]); // task c has neither source nor answer text
        let a = &set.tasks[0];
        assert_eq!(a.source.id, "orig_taska");
        assert_eq!(a.source.text, "Inheritance lets a class reuse code."); // BOM dropped
        assert_eq!(a.answers.len(), 3);
        assert_eq!(a.answers[1].gold, CloughClass::Cut);
        assert_eq!(a.answers[1].text.encoding, TextEncoding::Windows1252);
        assert_eq!(
            a.answers[1].text.text,
            "Inheritance lets a class \u{201C}reuse\u{201D} code é."
        );
        // Task b has no orig row: the orig_taskb.txt file is used.
        assert_eq!(set.tasks[1].source.file, "orig_taskb.txt");
        assert_eq!(
            (set.n_answers(), set.n_sources(), set.n_cp1252()),
            (4, 2, 1)
        );
        assert_eq!(set.skipped.count("listed files missing from texts/"), 2);
        assert_eq!(set.skipped.count("rows with an unknown category"), 1);
        assert_eq!(
            set.skipped
                .count("rows with a file name that is not a plain name"),
            1
        );
        assert_eq!(set.tasks[0].answers[0].text.to_article().id, "g0pA_taska");
    }

    #[test]
    fn missing_csv_or_texts_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let msg = format!("{:#}", load(dir.path()).expect_err("no csv"));
        assert!(msg.contains(CSV_FILE), "{msg}");
        std::fs::write(dir.path().join(CSV_FILE), "File,Task,Category\n").expect("write");
        let msg = format!("{:#}", load(dir.path()).expect_err("no texts"));
        assert!(msg.contains("texts/"), "{msg}");
        std::fs::create_dir(dir.path().join(TEXTS_DIR)).expect("mkdir");
        let msg = format!("{:#}", load(dir.path()).expect_err("no answers"));
        assert!(msg.contains("no answer"), "{msg}");
    }

    proptest::proptest! {
        #[test]
        fn csv_never_panics(text in "\\PC*", commas in "[\",\\r\\na-z]*") {
            let _ = parse_csv(&text);
            let _ = parse_csv(&commas);
        }
    }
}
