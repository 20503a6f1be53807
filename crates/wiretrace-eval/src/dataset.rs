//! The evaluation data sets the `eval` command knows: their command-line names, their default
//! folder names under the shared data root, and the expansion of `all`.

use std::fmt;
use std::str::FromStr;

/// One evaluation data set, or `All` of them in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dataset {
    /// Microsoft Research Paraphrase Corpus: sentence-pair paraphrase yes/no.
    Msrp,
    /// ECB+: cluster news documents into stories (sub-topics = seminal events).
    EcbPlus,
    /// SemEval-2022 Task 8 sample: graded similarity of two news articles.
    Semeval8,
    /// Clough & Stevenson plagiarised short answers: cut / light / heavy / non.
    Clough,
    /// Webis-CPC-11: human rewrites of book passages, derived from their originals.
    Webis,
    /// Reuters-21578: throughput and exact / near-duplicate detection.
    Reuters,
    /// The team's quote gold set over ECB+ and SemEval texts: quote extraction and speakers.
    Quotes,
    /// Every data set above, in that order.
    All,
}

impl Dataset {
    /// The single data sets, in the order `all` runs them.
    pub const SINGLE: [Dataset; 7] = [
        Dataset::Msrp,
        Dataset::EcbPlus,
        Dataset::Semeval8,
        Dataset::Clough,
        Dataset::Webis,
        Dataset::Reuters,
        Dataset::Quotes,
    ];

    /// Every name [`Dataset::from_str`] accepts, for help and error texts.
    pub const NAMES: [&'static str; 8] = [
        "msrp", "ecbplus", "semeval8", "clough", "webis", "reuters", "quotes", "all",
    ];

    /// The command-line name (also the `"dataset"` value of the JSON output).
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Msrp => "msrp",
            Dataset::EcbPlus => "ecbplus",
            Dataset::Semeval8 => "semeval8",
            Dataset::Clough => "clough",
            Dataset::Reuters => "reuters",
            Dataset::Quotes => "quotes",
            Dataset::Webis => "webis",
            Dataset::All => "all",
        }
    }

    /// The folder name under the shared data root (`../shared/data/<folder>`); `None` for `All`.
    pub fn folder(self) -> Option<&'static str> {
        match self {
            Dataset::Msrp => Some("msrp"),
            Dataset::EcbPlus => Some("ecb_plus"),
            Dataset::Semeval8 => Some("semeval2022_task8_sample"),
            Dataset::Clough => Some("clough_stevenson"),
            Dataset::Reuters => Some("reuters21578"),
            // The gold set reads texts from two data sets: the root itself.
            Dataset::Quotes => Some("."),
            Dataset::Webis => Some("webis_cpc11"),
            Dataset::All => None,
        }
    }

    /// The single data sets this one stands for: itself, or all of them for `All`.
    pub fn expand(self) -> Vec<Dataset> {
        match self {
            Dataset::All => Dataset::SINGLE.to_vec(),
            single => vec![single],
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dataset {
    type Err = anyhow::Error;

    /// Accepts the names in [`Dataset::NAMES`], case-insensitively and with surrounding blanks.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        [Dataset::All]
            .into_iter()
            .chain(Dataset::SINGLE)
            .find(|d| d.name() == wanted)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown dataset {s:?}: expected one of {}",
                    Dataset::NAMES.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in Dataset::NAMES {
            let d: Dataset = name.parse().expect("listed names parse");
            assert_eq!(d.name(), name);
            assert_eq!(d.to_string(), name);
        }
        assert_eq!(" ECBPlus ".parse::<Dataset>().ok(), Some(Dataset::EcbPlus));
    }

    #[test]
    fn unknown_name_lists_choices() {
        let err = "ecb".parse::<Dataset>().expect_err("not a dataset");
        let msg = err.to_string();
        assert!(msg.contains("ecb") && msg.contains("semeval8") && msg.contains("all"));
    }

    #[test]
    fn folders_and_expansion() {
        assert_eq!(Dataset::EcbPlus.folder(), Some("ecb_plus"));
        assert_eq!(Dataset::Semeval8.folder(), Some("semeval2022_task8_sample"));
        assert_eq!(Dataset::Clough.folder(), Some("clough_stevenson"));
        assert_eq!(Dataset::Reuters.folder(), Some("reuters21578"));
        assert_eq!(Dataset::Msrp.folder(), Some("msrp"));
        assert_eq!(Dataset::All.folder(), None);
        assert_eq!(Dataset::All.expand(), Dataset::SINGLE.to_vec());
        assert_eq!(Dataset::Clough.expand(), vec![Dataset::Clough]);
    }
}
