//! Walking the inputs: stdin, folders (recursive, sorted, hidden entries and symbolic links left
//! out with a word) and files.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::{Format, Reader};
use crate::model::Skipped;

impl Reader<'_> {
    /// Reads every path (`-` is stdin) into `self.out`.
    pub(super) fn paths(&mut self, paths: &[PathBuf]) {
        for p in paths {
            if p.as_os_str() == "-" {
                self.stdin();
            } else if p.is_dir() {
                self.folder(p);
            } else {
                self.file(p, None);
            }
        }
    }

    /// Stdin: streamed as JSON lines unless another format is forced, which is read whole.
    fn stdin(&mut self) {
        let limits = self.limits;
        let stdin = std::io::stdin().lock();
        let Some(f @ (Format::Html | Format::Feed | Format::Text | Format::Warc)) = self.format
        else {
            // JSON lines, the default: streamed like a JSONL file.
            self.jsonl_stream("-", BufReader::with_capacity(256 << 10, stdin));
            return;
        };
        let mut buf = Vec::new();
        match stdin.take(limits.max_file_bytes + 1).read_to_end(&mut buf) {
            Ok(_) => {
                if buf.len() as u64 > limits.max_file_bytes {
                    // Keep the complete lines; say what was not read.
                    let cut = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                    buf.truncate(cut);
                    let reason = format!(
                        concat!(
                            "stdin is over the {} MB limit for {}; ",
                            "only its first {} bytes (whole lines) were read"
                        ),
                        limits.max_file_bytes >> 20,
                        f.name(),
                        cut
                    );
                    self.out.skip("-", reason);
                }
                self.bytes(Path::new("-"), None, "-", buf, f)
            }
            Err(e) => self.out.skip("-", format!("cannot read stdin: {e}")),
        }
    }

    /// A folder: its files in sorted order, with a word about what was left out.
    fn folder(&mut self, p: &Path) {
        let files = self.files_under(p);
        self.warn_of_hidden_entries(p);
        if files.is_empty() {
            self.out
                .skip(p.display().to_string(), "folder holds no files");
        }
        for f in files {
            self.file(&f, Some(p));
        }
    }

    /// The files below a folder, recursively and sorted by name; symbolic links are skipped.
    fn files_under(&mut self, p: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        let walker = walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                // Hidden files and folders (.git, editor backups) are not articles; the root
                // itself is walked even when hidden.
                e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
            });
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
                Ok(e) if e.file_type().is_symlink() => {
                    self.out.skip(
                        e.path().display().to_string(),
                        "symbolic link not followed (give its target instead)",
                    );
                }
                Ok(_) => {}
                Err(e) => self
                    .out
                    .skip(p.display().to_string(), format!("cannot walk folder: {e}")),
            }
        }
        files
    }

    /// Hidden entries are left out silently by the walk; those at the top level, which the user
    /// may have meant to give, are counted in a warning.
    fn warn_of_hidden_entries(&mut self, p: &Path) {
        let mut hidden = 0usize;
        if let Ok(rd) = std::fs::read_dir(p) {
            hidden = rd
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                .count();
        }
        if hidden > 0 {
            self.out.warnings.push(Skipped {
                input: p.display().to_string(),
                reason: format!("{hidden} hidden file(s) or folder(s) at its top level not read"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::input::{read_paths, Limits};

    #[test]
    fn folders_report_symlinks_hidden_files_and_name_collisions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("a")).unwrap();
        std::fs::create_dir_all(p.join("b")).unwrap();
        std::fs::create_dir_all(p.join(".git")).unwrap();
        std::fs::write(p.join("a/story.txt"), "One article about the port.").unwrap();
        std::fs::write(p.join("b/story.txt"), "Another article about a library.").unwrap();
        std::fs::write(p.join(".git/config"), "not an article").unwrap();
        std::fs::write(
            p.join("list.json"),
            "[{\"id\":\"j1\",\"text\":\"From an array.\"}]",
        )
        .unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(p.join("a/story.txt"), p.join("link.txt")).unwrap();
        let out = read_paths(&[p.to_path_buf()], Limits::default());
        let ids: Vec<&str> = out.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["story", "b/story", "j1"]);
        #[cfg(unix)]
        assert!(out
            .skipped
            .iter()
            .any(|s| s.reason.starts_with("symbolic link")));
        assert!(out.warnings.iter().any(|w| w.reason.contains("hidden")));
    }
}
