//! The stored corpus through the binary: `ingest`, `stats`, `report`, `check`, and an ingest
//! killed with SIGKILL at several moments, then finished, against an uninterrupted one.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{assert_contract, demo_json, relation, wiretrace};

fn run_json(args: &[&str]) -> Value {
    serde_json::from_str(&run_text(args)).expect("valid JSON")
}

fn run_text(args: &[&str]) -> String {
    let out = wiretrace().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

#[test]
fn ingest_the_demo_then_stats_report_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let done = run_json(&["ingest", "--demo", "--db", s(&db), "--json"]);
    assert_eq!(done["ingest"]["added"], 8);
    assert_eq!(done["store"]["articles"], 8);

    let stats = run_json(&["stats", "--db", s(&db), "--json"]);
    let mut keys: Vec<&str> = stats
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "articles",
            "pairs",
            "parameters",
            "quotes",
            "schema_version",
            "stories"
        ]
    );
    assert_eq!(stats["articles"], 8);
    assert_eq!(stats["schema_version"], wiretrace_store::schema::LATEST);
    assert_eq!(stats["parameters"]["model"], Value::Null);

    // The stored report is analyze's report: one batch of the demo is the demo.
    let report = run_json(&["report", "--db", s(&db), "--json"]);
    assert_contract(&report);
    let demo = demo_json();
    for k in [
        "articles",
        "stories",
        "pairs",
        "derivations",
        "undirected",
        "quotes",
    ] {
        assert_eq!(report[k], demo[k], "{k}");
    }
    assert_eq!(stats["pairs"], report["pairs"].as_array().unwrap().len());
    let text = run_text(&["report", "--db", s(&db)]);
    assert!(text.contains("wire-original"), "{text}");
    let dot = run_text(&["report", "--db", s(&db), "--dot"]);
    assert!(dot.starts_with("digraph"), "{dot}");

    // Re-ingesting is a no-op.
    let again = run_json(&["ingest", "--demo", "--db", s(&db), "--json"]);
    assert_eq!(again["ingest"]["added"], 0);
    assert_eq!(again["ingest"]["known"], 8);
    assert_eq!(run_json(&["report", "--db", s(&db), "--json"]), report);

    // Check: a paste of the wire story's body (as a text file) is a copy of it; nothing stored.
    let wire = demo["articles"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(wire, "wire-original");
    let body: String = {
        let jsonl = include_str!("../../../wiretrace/demo/corpus.jsonl");
        let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        first["text"].as_str().unwrap().to_string()
    };
    let pasted = dir.path().join("pasted.txt");
    std::fs::write(&pasted, format!("Pasted from a blog\n\n{body}")).unwrap();
    let checked = run_json(&["check", s(&pasted), "--db", s(&db), "--json"]);
    assert_contract(&checked);
    assert_eq!(
        relation(&checked, "pasted", "wire-original").as_deref(),
        Some("copy"),
        "{checked:#}"
    );
    let text = run_text(&["check", s(&pasted), "--db", s(&db)]);
    assert!(
        text.contains("pasted") && text.contains("wire-original"),
        "{text}"
    );
    assert_eq!(run_json(&["stats", "--db", s(&db), "--json"]), stats);
}

/// A store that never rescored (each article scored under its own batch's statistics) gives,
/// once refreshed, the report of a store that rescored at every batch.
#[test]
fn refresh_brings_a_drifted_store_to_the_report_of_one_that_never_drifted() {
    let dir = tempfile::tempdir().unwrap();
    let (lazy, exact) = (dir.path().join("lazy.db"), dir.path().join("exact.db"));
    for (db, drift) in [(&lazy, "1e9"), (&exact, "0")] {
        let args = ["ingest", "--demo", "--db", s(db), "--batch-size", "1"];
        run_json(&[&args[..], &["--max-drift", drift, "--json"]].concat());
    }
    let exact_report = run_json(&["report", "--db", s(&exact), "--json"]);
    assert_ne!(
        run_json(&["report", "--db", s(&lazy), "--json"]),
        exact_report,
        "the demo should drift: the test would prove nothing"
    );
    let done = run_json(&["refresh", "--db", s(&lazy), "--json"]);
    assert!(
        done["refresh"]["scored_pairs"].as_u64().unwrap() > 0,
        "{done}"
    );
    assert_eq!(done["store"]["articles"], 8);
    assert_eq!(
        run_json(&["report", "--db", s(&lazy), "--json"]),
        exact_report
    );
}

#[test]
fn store_errors_are_one_line_with_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = wiretrace()
        .args(["stats", "--db", s(&db)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("wiretrace ingest --db"), "{err}");
    assert!(!db.exists(), "a reading command created the store");

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    let out = wiretrace()
        .args(["report", "--db", s(&junk)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: cannot open the store"), "{err}");
}

/// A store built with `--no-model` stays lexical: `check` and `ingest` without the flag work
/// on it, say so once, and never reach for the model (no fetch, no "running without" notice).
#[test]
fn a_store_built_without_the_model_stays_lexical_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lexical.db");
    run_text(&["ingest", "--demo", "--db", s(&db)]);
    let pasted = dir.path().join("pasted.txt");
    std::fs::write(
        &pasted,
        wiretrace::demo::articles()
            .into_iter()
            .find(|a| a.id == "wire-original")
            .unwrap()
            .full_text(),
    )
    .unwrap();
    let empty_cache = dir.path().join("no-model-here");
    let out = super::wiretrace_with_model()
        .args(["check", s(&pasted), "--db", s(&db), "--json"])
        .env("WIRETRACE_MODEL_DIR", &empty_cache)
        // No python3 on PATH: an attempt to fetch the model would fail loudly.
        .env("PATH", "")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("built without the semantic model"), "{err}");
    assert!(!err.contains("running without the semantic model"), "{err}");
    assert!(!empty_cache.exists(), "the model cache was touched: {err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["relation"] == "copy"),
        "{v}"
    );
}

/// Sixty articles besides the demo: twenty town-council stories, each as an original, a reprint
/// and an edited copy, so the batches make pairs, stories and quotes.
fn council_corpus(dir: &Path) -> PathBuf {
    let towns = [
        "Orvena",
        "Kastell",
        "Mirabay",
        "Tollund",
        "Veskar",
        "Harrowmere",
        "Dunmore",
        "Ebbensk",
        "Falcrest",
        "Grevin",
        "Hollum",
        "Istrava",
        "Jorvik",
        "Kelmar",
        "Lunden",
        "Marrow",
        "Norvale",
        "Ostrum",
        "Pellin",
        "Quarrin",
    ];
    let months = ["March", "April", "May", "June", "July", "August"];
    let mut lines = Vec::new();
    for (t, town) in towns.iter().enumerate() {
        let base = format!(
            "The city council of {town} approved a budget of {} million crowns on Tuesday. \
             Mayor Ilse Brandt of {town} said the money would repair {} bridges and the old harbour wall. \
             Opposition members called the plan rushed and asked for an independent audit of the accounts. \
             \"We cannot keep patching the same roads every winter,\" Brandt told reporters at the town hall. \
             Work is due to start in {} and should last {} years, according to the council. \
             Residents of {town} will vote on a second phase of the plan next spring.",
            t + 3,
            t + 12,
            months[t % months.len()],
            t + 2
        );
        let edit = base
            .replace("approved", "passed")
            .replace("repair", "fix")
            .replace("rushed", "hasty")
            .replace("according to the council", "officials said");
        for (id, text) in [
            (format!("{town}-original"), base.clone()),
            (
                format!("{town}-reprint"),
                format!("{base} (Reporting by the {town} Courier.)"),
            ),
            (format!("{town}-edit"), edit),
        ] {
            lines.push(
                serde_json::json!({"id": id, "title": format!("{town} council passes budget"), "text": text})
                    .to_string(),
            );
        }
    }
    let path = dir.join("councils.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

/// Articles stored so far, or `None` while the store is not readable yet (not created). Read
/// in-process, so polling is fast next to the ingest's batches.
fn stored_articles(db: &Path) -> Option<u64> {
    if !db.exists() {
        return None;
    }
    let stats = wiretrace_store::Store::open(db).ok()?.stats().ok()?;
    Some(stats.articles as u64)
}

/// Killing an ingest with SIGKILL at any moment leaves a store every reading command accepts,
/// and running the ingest again ends exactly where an uninterrupted ingest ends.
#[test]
fn a_killed_ingest_leaves_a_consistent_store_and_a_rerun_finishes_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let input = council_corpus(dir.path());
    let total = 8 + 60;
    let ingest_args = |db: &Path| -> Vec<String> {
        [
            "--no-model",
            "ingest",
            "--demo",
            s(&input),
            "--db",
            s(db),
            "--batch-size",
            "1",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };
    // `wiretrace()` adds --no-model itself.
    let ingest = |db: &Path| {
        let args = ingest_args(db);
        let refs: Vec<&str> = args[1..].iter().map(String::as_str).collect();
        run_text(&refs);
    };
    let reference = dir.path().join("reference.db");
    ingest(&reference);
    let want_stats = run_text(&["stats", "--db", s(&reference), "--json"]);
    let want_report = run_text(&["report", "--db", s(&reference), "--json"]);
    assert!(
        want_stats.contains(&format!("\"articles\":{total}")),
        "{want_stats}"
    );

    let db = dir.path().join("killed.db");
    let bin = assert_cmd::cargo::cargo_bin("wiretrace");
    // Kill points: at once (before or while the schema is made), then once so many articles
    // are committed (the process is then inside the next batch).
    let mut interrupted = 0;
    // What each kill met, for the message if too few landed inside the run (CI once saw 0 of
    // 5 on a loaded machine, never reproduced).
    let mut seen = Vec::new();
    for after in [None, Some(2), Some(20), Some(41), Some(59)] {
        let mut child = std::process::Command::new(&bin)
            .args(ingest_args(&db))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if let Some(k) = after {
            let start = Instant::now();
            while stored_articles(&db).unwrap_or(0) < k {
                assert!(
                    start.elapsed() < Duration::from_secs(120),
                    "the ingest never stored {k} articles"
                );
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let exited_by_itself = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        if !db.exists() {
            seen.push(format!("{after:?}: no store"));
            continue;
        }
        // Whatever the moment, the store reads, and tells a whole, consistent corpus.
        let n = stored_articles(&db).expect("the killed store reads");
        seen.push(format!(
            "{after:?}: {n} stored{}",
            if exited_by_itself { ", had exited" } else { "" }
        ));
        if n < total {
            interrupted += 1;
        }
        let report = run_json(&["report", "--db", s(&db), "--json"]);
        assert_contract(&report);
        assert_eq!(report["articles"].as_array().unwrap().len() as u64, n);
        let members: usize = report["stories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["articles"].as_array().unwrap().len())
            .sum();
        assert_eq!(members as u64, n, "every stored article is in one story");
    }
    assert!(
        interrupted >= 3,
        "the kills must land inside the run ({interrupted} did: {seen:?})"
    );
    ingest(&db);
    assert_eq!(run_text(&["stats", "--db", s(&db), "--json"]), want_stats);
    assert_eq!(run_text(&["report", "--db", s(&db), "--json"]), want_report);
}

/// `wiretrace --no-model serve --db DB ARGS… --addr 127.0.0.1:0`, and the address it printed.
fn spawn_serve(db: &Path, args: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wiretrace"))
        .args([
            "--no-model",
            "serve",
            "--db",
            s(db),
            "--addr",
            "127.0.0.1:0",
        ])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr)
}

/// `ingest --server` stores through a running server what `ingest --db` stores itself: the
/// same summary and the same store, batch by batch; a wrong token or no server is one line
/// that says what to do, and nothing is written.
#[test]
fn ingest_through_a_server_stores_what_a_local_ingest_stores() {
    let dir = tempfile::tempdir().unwrap();
    let (local, served) = (dir.path().join("local.db"), dir.path().join("served.db"));
    // The server needs a store that exists; both start from the same first article.
    let first = dir.path().join("first.jsonl");
    std::fs::write(
        &first,
        "{\"id\": \"seed\", \"text\": \"Officials said the bridge will reopen on Friday.\"}\n",
    )
    .unwrap();
    for db in [&local, &served] {
        run_json(&["ingest", s(&first), "--db", s(db), "--json"]);
    }
    let want = run_json(&[
        "ingest",
        "--demo",
        "--db",
        s(&local),
        "--batch-size",
        "3",
        "--json",
    ]);
    let (mut child, addr) = spawn_serve(&served, &["--token", "t0k"], &[]);
    let remote = |token: &str, extra: &[&str]| {
        wiretrace()
            .args(["ingest", "--server", &format!("http://{addr}"), "--json"])
            .args(extra)
            .env("WIRETRACE_TOKEN", token)
            .output()
            .unwrap()
    };
    let wrong = remote("nope", &["--demo"]);
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success());
    assert!(
        err.contains("refused batch 1 of 1 (401 Unauthorized)"),
        "{err}"
    );
    let out = remote("t0k", &["--demo", "--batch-size", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "read",
        "added",
        "known",
        "refused",
        "scored_pairs",
        "batches",
    ] {
        assert_eq!(got["ingest"][k], want["ingest"][k], "ingest.{k}");
    }
    assert_eq!(got["ingest"]["batches"], 3, "8 articles in batches of 3");
    assert_eq!(got["store"], want["store"]);
    let again = remote("t0k", &["--demo"]);
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (
            again["ingest"]["known"].as_u64(),
            again["ingest"]["added"].as_u64()
        ),
        (Some(8), Some(0))
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        run_text(&["report", "--db", s(&served), "--json"]),
        run_text(&["report", "--db", s(&local), "--json"])
    );
    let gone = remote("t0k", &["--demo"]);
    let err = String::from_utf8_lossy(&gone.stderr);
    assert!(err.contains("is `wiretrace serve` running there?"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// `serve` takes its token from WIRETRACE_SERVE_TOKEN (kept out of `ps`), and never from the
/// client's WIRETRACE_TOKEN: a server started where a client's token is exported stays
/// read-only unless it is given one of its own.
#[test]
fn serve_reads_its_token_from_its_own_variable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run_json(&["ingest", "--demo", "--db", s(&db), "--json"]);
    let post = |addr: &str, token: &str| {
        wiretrace()
            .args(["ingest", "--server", &format!("http://{addr}"), "--json"])
            .arg(s(&db_input(dir.path())))
            .env("WIRETRACE_TOKEN", token)
            .output()
            .unwrap()
    };
    let (mut child, addr) = spawn_serve(&db, &[], &[("WIRETRACE_TOKEN", "client")]);
    let refused = post(&addr, "client");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        err.contains("403"),
        "a server without a token is read-only: {err}"
    );
    let _ = child.kill();
    let _ = child.wait();
    let (mut child, addr) = spawn_serve(&db, &[], &[("WIRETRACE_SERVE_TOKEN", "s3rv")]);
    assert!(!post(&addr, "client").status.success());
    let ok = post(&addr, "s3rv");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let got: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(got["ingest"]["added"], 1);
    let _ = child.kill();
    let _ = child.wait();
}

/// One new article, as a JSONL file in `dir`.
fn db_input(dir: &Path) -> std::path::PathBuf {
    let f = dir.join("new.jsonl");
    std::fs::write(
        &f,
        "{\"id\": \"fresh\", \"text\": \"The ferry to Brask resumed service on Tuesday.\"}\n",
    )
    .unwrap();
    f
}

/// `serve` binds, answers, and stops cleanly on SIGTERM (what a service manager sends).
#[test]
fn serve_answers_then_stops_on_sigterm() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    run_json(&["ingest", "--demo", "--db", s(&db), "--json"]);
    let (mut child, addr) = spawn_serve(&db, &[], &[]);
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"articles\":8"), "{reply}");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "serve ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

/// Opening a store of an older schema upgrades it inside the command, which takes minutes on a
/// store of millions of articles: the binary says so first, once, on stderr.
#[test]
fn an_older_store_is_upgraded_with_a_note_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let fixture = wiretrace_testkit::testdata("store/v5.db");
    std::fs::copy(fixture, &db).unwrap();
    let stats = |db: &Path| {
        let out = wiretrace()
            .args(["stats", "--db", s(db), "--json"])
            .output()
            .expect("runs");
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        (v, String::from_utf8(out.stderr).unwrap())
    };
    let (v, note) = stats(&db);
    let latest = wiretrace_store::schema::LATEST;
    assert_eq!(v["schema_version"], latest);
    assert!(
        note.contains(&format!(
            "upgrading {} from schema 5 to {latest}",
            db.display()
        )),
        "{note}"
    );
    let (_, again) = stats(&db);
    assert!(!again.contains("upgrading"), "{again}");
}
