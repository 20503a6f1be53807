//! Article ids for inputs that do not name their articles: a file's stem, a URL's slug.

use std::path::Path;

use super::Reader;

impl Reader<'_> {
    /// A file's article id: its name without the extension. Two files with one name in
    /// different folders are different articles: the second takes its path under the input
    /// folder as its id.
    pub(super) fn file_id(&self, path: &Path, root: Option<&Path>, name: &str) -> String {
        let stem = stem_of(path).unwrap_or_else(|| name.to_string());
        match root.and_then(|r| path.strip_prefix(r).ok()) {
            Some(rel) if self.seen.contains_key(&stem) => {
                rel.with_file_name(&stem).to_string_lossy().into_owned()
            }
            _ => stem,
        }
    }

    /// The id of an article known by its URL: the URL's last path segment without its extension
    /// (the slug, as a saved page's file name would be), or the whole URL when another article
    /// already has that id (syndicated copies often keep the slug). Reports stay readable; the
    /// URL itself is in the article's `url`.
    pub(super) fn url_id(&self, url: &str) -> String {
        let path = url
            .split(['?', '#'])
            .next()
            .unwrap_or(url)
            .split_once("://")
            .map_or(url, |(_, rest)| rest);
        let slug = path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|_| path.trim_end_matches('/').contains('/'))
            .map(|s| {
                s.strip_suffix(".html")
                    .or_else(|| s.strip_suffix(".htm"))
                    .or_else(|| s.strip_suffix(".php"))
                    .unwrap_or(s)
            })
            .filter(|s| !s.is_empty());
        match slug {
            Some(s) if !self.seen.contains_key(s) => s.to_string(),
            _ => url.to_string(),
        }
    }
}

/// A file's name without its extension, and without `.gz` first: `feed.jsonl.gz` → `feed`.
pub(super) fn stem_of(path: &Path) -> Option<String> {
    let file_name = path.file_name()?.to_string_lossy().into_owned();
    let base = file_name.strip_suffix(".gz").unwrap_or(&file_name);
    Path::new(base)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Limits;

    #[test]
    fn articles_known_by_url_take_the_slug_as_id() {
        let mut r = Reader::new(Limits::default(), None);
        assert_eq!(
            r.url_id("https://a.example/news/port-strike-ends.html?x=1#top"),
            "port-strike-ends"
        );
        assert_eq!(
            r.url_id("https://a.example/news/port-strike-ends/"),
            "port-strike-ends"
        );
        assert_eq!(r.url_id("https://a.example/"), "https://a.example/");
        assert_eq!(r.url_id("https://a.example"), "https://a.example");
        r.seen.insert("port-strike-ends".into(), "x".into());
        assert_eq!(
            r.url_id("https://b.example/port-strike-ends"),
            "https://b.example/port-strike-ends"
        );
    }
}
