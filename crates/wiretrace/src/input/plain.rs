//! Plain-text files: one article each, the first line its title when it looks like a headline.

use std::path::Path;

use super::Reader;
use crate::model::Article;

impl Reader<'_> {
    /// A plain-text file's article, named after the file.
    pub(super) fn plain_text(&mut self, path: &Path, root: Option<&Path>, name: &str, text: &str) {
        let id = self.file_id(path, root, name);
        let (title, body) = split_title(text);
        let mut a = Article::new(id, body);
        a.title = title;
        self.push(a, name.to_string());
    }
}

/// Splits a plain-text article into title and body when its first line looks like a headline:
/// short, no sentence-final period, followed by more text.
pub fn split_title(text: &str) -> (Option<String>, String) {
    let trimmed = text.trim_start_matches(['\n', '\r', ' ', '\t']);
    if let Some((first, rest)) = trimmed.split_once('\n') {
        let t = first.trim();
        let words = t.split_whitespace().count();
        let headline = (1..=20).contains(&words)
            && t.chars().count() <= 200
            && !t.ends_with(['.', ',', ';', ':'])
            && !rest.trim().is_empty();
        if headline {
            return (
                Some(t.to_string()),
                rest.trim_start_matches(['\n', '\r']).to_string(),
            );
        }
    }
    (None, text.to_string())
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_detection() {
        let (t, b) = split_title("Port closes as strike bites\n\nThe port closed.");
        assert_eq!(t.as_deref(), Some("Port closes as strike bites"));
        assert_eq!(b, "The port closed.");
        let (t, _) = split_title("The port closed on Monday after a strike.\nMore text.");
        assert_eq!(t, None);
        let (t, _) = split_title("Only one line");
        assert_eq!(t, None);
    }
}
