//! The API as a client sees it: a real server on 127.0.0.1 with a random port, over the demo
//! corpus, spoken to with plain HTTP/1.1 — every route, bad JSON, an oversized body, unknown ids,
//! a missing or wrong token, and a graceful shutdown.

// Test functions and their fixtures are exempt from the ~80-line rule (issue 24): a scenario
// reads best as one story, so `clippy::too_many_lines` is allowed in this test crate only.
#![allow(clippy::too_many_lines)]

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use wiretrace::Engine;
use wiretrace_server::{app, serve, AppState, ServerConfig};
use wiretrace_store::{IngestOptions, Store};
use wiretrace_testkit::http;

struct Server {
    addr: SocketAddr,
    db: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: wiretrace_testkit::TempDir,
}

async fn start(token: Option<&str>, max_body: usize) -> Server {
    start_drift(token, max_body, wiretrace_store::DEFAULT_MAX_DRIFT).await
}

async fn start_drift(token: Option<&str>, max_body: usize, max_drift: f64) -> Server {
    let (dir, db) = wiretrace_testkit::temp_db("api.db");
    let mut store = Store::create(&db).unwrap();
    store
        .ingest(
            &Engine::default(),
            wiretrace::demo::articles(),
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    drop(store);
    let config = ServerConfig {
        token: token.map(str::to_string),
        max_body,
        max_drift,
        ..ServerConfig::new(db)
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let router = app(AppState::new(config, Engine::default()));
    let task = tokio::spawn(serve(listener, router, async {
        let _ = rx.await;
    }));
    Server {
        addr,
        db: dir.path().join("api.db"),
        stop: Some(tx),
        task,
        _dir: dir,
    }
}

/// One request on its own connection; the status and the body parsed as JSON (`Null` when it
/// is not JSON).
async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Value) {
    let (status, _, body) = raw(addr, method, path, headers, body).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// One request on its own connection; the status, the head (lower case) and the body. The
/// client blocks, so it runs beside the runtime that serves it.
async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let (method, path, body) = (method.to_owned(), path.to_owned(), body.to_vec());
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let r = tokio::task::spawn_blocking(move || {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        http::request(&addr.to_string(), &method, &path, &all, &body)
    })
    .await
    .expect("the HTTP client");
    (r.status, r.head, r.body)
}

async fn get(addr: SocketAddr, path: &str) -> (u16, Value) {
    call(addr, "GET", path, &[], b"").await
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not a JSON error: {v}"))
}

const WIRE_BODY_START: &str = "Meridian Wire";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_route_answers_with_the_cli_types() {
    let srv = start(None, 1 << 20).await;
    let a = srv.addr;

    let (st, v) = get(a, "/healthz").await;
    assert_eq!(
        (st, v["status"].as_str(), v["articles"].as_u64()),
        (200, Some("ok"), Some(8))
    );

    let (st, stats) = get(a, "/stats").await;
    assert_eq!(st, 200);
    assert_eq!(stats["articles"], 8);
    assert_eq!(stats["schema_version"], wiretrace_store::schema::LATEST);

    let (st, doc) = get(a, "/openapi.json").await;
    assert_eq!(st, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/healthz",
        "/openapi.json",
        "/stats",
        "/articles",
        "/articles/{id}",
        "/articles/{id}/provenance",
        "/check",
        "/stories",
        "/stories/{id}",
        "/pairs/{a}/{b}",
        "/quotes",
        "/search",
        "/pairs/{a}/{b}/view",
        "/check/view",
    ] {
        assert!(
            doc["paths"][p].is_object(),
            "{p} missing from /openapi.json"
        );
    }

    let (st, stories) = get(a, "/stories").await;
    assert_eq!(st, 200);
    let stories = stories.as_array().unwrap().clone();
    assert_eq!(stories.len() as u64, stats["stories"].as_u64().unwrap());
    // Pages, each read alone, are the whole list in order, `related` lists included.
    let mut paged = Vec::new();
    for offset in 0..stories.len() {
        let (st, page) = get(a, &format!("/stories?offset={offset}&limit=1")).await;
        assert_eq!(st, 200);
        paged.extend(page.as_array().unwrap().iter().cloned());
    }
    assert_eq!(paged, stories);
    let (_, page) = get(a, "/stories?limit=2").await;
    assert_eq!(page.as_array().unwrap()[..], stories[..2]);
    let (_, page) = get(a, &format!("/stories?offset={}", stories.len())).await;
    assert_eq!(page, Value::Array(vec![]));
    let (st, v) = get(a, "/stories?offset=-1").await;
    assert_eq!(st, 400);
    assert!(error_of(&v).contains("offset"));
    let s1 = &stories[0];
    let (st, story) = get(a, "/stories/s1").await;
    assert_eq!(st, 200);
    assert_eq!(story["stories"][0], *s1);
    assert_eq!(
        story["articles"].as_array().unwrap().len(),
        s1["articles"].as_array().unwrap().len()
    );
    assert!(!story["pairs"].as_array().unwrap().is_empty());

    let (st, art) = get(a, "/articles/wire-original").await;
    assert_eq!(st, 200);
    assert_eq!(art["id"], "wire-original");
    assert!(art["sentences"].as_u64().unwrap() > 5);
    assert!(art["text"].as_str().unwrap().contains(WIRE_BODY_START));

    let (st, prov) = get(a, "/articles/spun-copy/provenance").await;
    assert_eq!(st, 200);
    assert!(prov["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["a"] == "spun-copy" || p["b"] == "spun-copy"));
    assert!(!prov["derivations"].as_array().unwrap().is_empty());

    let (st, pair) = get(a, "/pairs/verbatim-reprint/wire-original").await;
    assert_eq!(st, 200);
    assert_eq!(pair["relation"], "copy");
    assert!(!pair["alignments"].as_array().unwrap().is_empty());

    let (st, all) = get(a, "/quotes").await;
    assert_eq!(st, 200);
    assert_eq!(
        all.as_array().unwrap().len() as u64,
        stats["quotes"].as_u64().unwrap()
    );
    let (st, ruiz) = get(a, "/quotes?speaker=ruiz").await;
    assert_eq!(st, 200);
    let ruiz = ruiz.as_array().unwrap();
    assert!(!ruiz.is_empty());
    assert!(ruiz
        .iter()
        .all(|q| q["speaker"].as_str().unwrap().contains("Ruiz")));
    let (st, none) = get(a, "/quotes?speaker=nobody%20at%20all").await;
    assert_eq!((st, none.as_array().map(Vec::len)), (200, Some(0)));

    let wire = wiretrace::demo::articles().remove(0);
    let body = json!({"title": "Copied", "text": wire.body});
    let (st, checked) = call(a, "POST", "/check", &[], body.to_string().as_bytes()).await;
    assert_eq!(st, 200, "{checked}");
    assert!(checked["articles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == "checked"));
    assert!(checked["pairs"].as_array().unwrap().iter().any(
        |p| p["relation"] == "copy" && (p["a"] == "wire-original" || p["b"] == "wire-original")
    ));
    assert_eq!(stats, get(a, "/stats").await.1, "check stores nothing");
}

/// The routes the web UI draws from: the story list and search, a pair laid out for reading,
/// a check with its pairs laid out; and the UI itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_and_its_routes_answer() {
    let srv = start(None, 1 << 20).await;
    let a = srv.addr;

    let (st, stats) = get(a, "/stats").await;
    assert_eq!(st, 200);
    let (st, list) = get(a, "/search").await;
    assert_eq!(st, 200, "{list}");
    assert_eq!(list["total"], stats["stories"]);
    let first = &list["stories"][0];
    assert_eq!(first["id"], "s1");
    assert_eq!(first["origin"], "wire-original");
    assert_eq!(
        first["title"],
        "Dockworkers' strike shuts Valmora port, leaving 42 ships stranded"
    );
    assert!(first["first_published"]
        .as_str()
        .unwrap()
        .starts_with("2026-03-02T06:15:00"));
    assert!(first["articles"].as_u64().unwrap() >= 5);
    assert!(first.get("matches").is_none());

    let (st, v) = get(a, "/search?q=RUIZ").await;
    assert_eq!(st, 200);
    assert!(v["total"].as_u64().unwrap() >= 1);
    assert!(v["stories"][0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["field"] == "speaker" && m["text"].as_str().unwrap().contains("Ruiz")));
    let (_, v) = get(a, "/search?q=library").await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["stories"][0]["matches"][0]["article"], "unrelated");
    assert_eq!(v["stories"][0]["matches"][0]["field"], "title");
    let (_, v) = get(a, "/search?q=nothing%20like%20this").await;
    assert_eq!(
        (v["total"].as_u64(), v["query"].as_str()),
        (Some(0), Some("nothing like this"))
    );
    let (_, v) = get(a, "/search?offset=1&limit=1").await;
    assert_eq!(v["stories"].as_array().unwrap().len(), 1);
    assert_eq!(v["stories"][0]["id"], "s7");
    let (st, v) = get(a, "/search?limit=many").await;
    assert_eq!(st, 400);
    assert!(error_of(&v).contains("limit"));

    let (st, v) = get(a, "/pairs/verbatim-reprint/wire-original/view").await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["pair"]["relation"], "copy");
    assert_eq!(v["derivation"]["source"], "wire-original");
    let parts = |side: &str| -> Vec<Value> {
        v[side]["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["parts"].as_array().unwrap().clone())
            .collect()
    };
    for side in ["a", "b"] {
        assert!(
            parts(side).iter().any(|p| p["reuse"] == "verbatim"),
            "{side}"
        );
        let n = v[side]["sentences"].as_array().unwrap().len();
        for l in v["pair"]["alignments"].as_array().unwrap() {
            assert!((l[side].as_u64().unwrap() as usize) < n);
        }
    }
    let (st, v) = get(a, "/pairs/wire-original/spun-copy/view").await;
    assert_eq!(st, 200);
    let changed = v["a"]["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["b"]["sentences"].as_array().unwrap())
        .flat_map(|s| s["parts"].as_array().unwrap().clone())
        .filter(|p| p["changed"] == true)
        .count();
    assert!(changed > 0, "the spun copy's altered quote is marked");
    let (st, v) = get(a, "/pairs/wire-original/nope/view").await;
    assert_eq!(st, 404);
    assert!(!error_of(&v).is_empty());

    let wire = wiretrace::demo::articles().remove(0);
    let body = json!({"text": wire.body});
    let (st, v) = call(a, "POST", "/check/view", &[], body.to_string().as_bytes()).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["checked"], "checked");
    let views = v["views"].as_array().unwrap();
    assert!(views.iter().any(|x| x["pair"]["relation"] == "copy"
        && (x["a"]["id"] == "wire-original" || x["b"]["id"] == "wire-original")));
    assert!(views.len() <= 12);
    let (st, _) = call(a, "POST", "/check/view", &[], b"[1]").await;
    assert_eq!(st, 400);

    let (st, head, _) = raw(a, "GET", "/", &[], b"").await;
    assert_eq!(st, 303);
    assert!(head.contains("location: /ui/"), "{head}");
    for page in [
        "/ui/",
        "/ui/story/s1",
        "/ui/pair/wire-original/spun-copy",
        "/ui/check",
    ] {
        let (st, head, body) = raw(a, "GET", page, &[], b"").await;
        assert_eq!(st, 200, "{page}");
        assert!(head.contains("content-type: text/html"), "{page}: {head}");
        assert!(
            head.contains("content-security-policy: default-src 'none'; script-src 'self'"),
            "{head}"
        );
        assert!(body.contains("/ui/assets/app.js"));
    }
    for (asset, ty) in [
        ("app.js", "text/javascript"),
        ("graph.js", "text/javascript"),
        ("pair.js", "text/javascript"),
        ("dom.js", "text/javascript"),
        ("style.css", "text/css"),
    ] {
        let (st, head, body) = raw(a, "GET", &format!("/ui/assets/{asset}"), &[], b"").await;
        assert_eq!(st, 200, "{asset}");
        assert!(
            head.contains(&format!("content-type: {ty}")),
            "{asset}: {head}"
        );
        assert!(!body.is_empty());
    }
    let (st, v) = get(a, "/ui/assets/nope.js").await;
    assert_eq!(st, 404);
    assert!(!error_of(&v).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_and_routes_are_404_with_a_reason() {
    let srv = start(None, 1 << 20).await;
    let a = srv.addr;
    for path in [
        "/articles/nope",
        "/articles/nope/provenance",
        "/stories/s999",
        "/pairs/wire-original/nope",
        "/no/such/route",
    ] {
        let (st, v) = get(a, path).await;
        assert_eq!(st, 404, "{path}");
        assert!(!error_of(&v).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_the_token_and_add_only_new_articles() {
    let srv = start(Some("s3cret"), 1 << 20).await;
    let a = srv.addr;
    let article = json!({"id": "late-brief", "title": "Port strike talks resume", "text": "Talks between the dockworkers union and the government of Valmora resumed on Wednesday at the ministry, Port Minister Ana Ruiz said."});
    let body = article.to_string();
    let (st, v) = call(a, "POST", "/articles", &[], body.as_bytes()).await;
    assert_eq!(st, 401);
    assert!(error_of(&v).contains("Bearer"));
    let (st, _) = call(
        a,
        "POST",
        "/articles",
        &[("Authorization", "Bearer wrong")],
        body.as_bytes(),
    )
    .await;
    assert_eq!(st, 401);
    let auth = [("Authorization", "Bearer s3cret")];
    let (st, v) = call(a, "POST", "/articles", &auth, body.as_bytes()).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["ingest"]["added"], 1);
    assert_eq!(v["store"]["articles"], 9);
    let batch = json!([article, {"id": "other", "text": "The Brenhaven library reopened on Saturday after a two-year renovation."}]);
    let (st, v) = call(a, "POST", "/articles", &auth, batch.to_string().as_bytes()).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (v["ingest"]["added"].as_u64(), v["ingest"]["known"].as_u64()),
        (Some(1), Some(1))
    );
    let (st, v) = get(a, "/articles/late-brief").await;
    assert_eq!(
        (st, v["title"].as_str()),
        (200, Some("Port strike talks resume"))
    );

    let ro = start(None, 1 << 20).await;
    let (st, v) = call(ro.addr, "POST", "/articles", &auth, body.as_bytes()).await;
    assert_eq!(st, 403);
    assert!(error_of(&v).contains("--token"));

    // The server's drift limit is the one its ingests use: 0 rescores every pair at every
    // POST; a large one leaves that to `wiretrace refresh`.
    for (max_drift, refreshes) in [(0.0, 1), (1e9, 0)] {
        let srv = start_drift(Some("s3cret"), 1 << 20, max_drift).await;
        let (st, v) = call(srv.addr, "POST", "/articles", &auth, body.as_bytes()).await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(
            (
                v["ingest"]["added"].as_u64(),
                v["ingest"]["refreshes"].as_u64()
            ),
            (Some(1), Some(refreshes)),
            "{v}"
        );
    }
}

/// The server's writer leaves its log alone while it answers and checkpoints it once writes
/// pause: the article reaches the store file without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_reaches_the_store_file_once_writes_pause() {
    let srv = start(Some("s3cret"), 1 << 20).await;
    let before = std::fs::read(&srv.db).unwrap();
    let auth = [("Authorization", "Bearer s3cret")];
    let body = json!({"id": "late", "text": "Talks between the dockworkers union and the government of Valmora resumed on Wednesday."});
    let (st, v) = call(
        srv.addr,
        "POST",
        "/articles",
        &auth,
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let mut changed = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if std::fs::read(&srv.db).unwrap() != before {
            changed = true;
            break;
        }
    }
    assert!(changed, "no checkpoint within 2 s of the write");
}

/// A bad request: path, headers, body and the status it must get.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Vec<u8>, u16);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_with_a_json_reason() {
    let srv = start(Some("t"), 4096).await;
    let a = srv.addr;
    let auth = [("Authorization", "Bearer t")];
    let cases: [Case<'_>; 7] = [
        ("/articles", &auth, b"{not json".to_vec(), 400),
        ("/articles", &auth, b"[]".to_vec(), 400),
        (
            "/articles",
            &auth,
            br#"{"text": "no id here"}"#.to_vec(),
            400,
        ),
        ("/articles", &auth, br#"{"id": "x"}"#.to_vec(), 400),
        ("/articles", &auth, br#"[1, 2]"#.to_vec(), 400),
        (
            "/check",
            &[],
            br#"[{"text": "one"}, {"text": "two"}]"#.to_vec(),
            400,
        ),
        ("/check", &[], vec![b' '; 8192], 413),
    ];
    for (path, headers, body, want) in cases {
        let (st, v) = call(a, "POST", path, headers, &body).await;
        assert_eq!(
            st,
            want,
            "{path} {}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
        assert!(!error_of(&v).is_empty());
    }
    let (st, v) = call(a, "POST", "/articles", &auth, &vec![b' '; 8192]).await;
    assert_eq!(st, 413);
    assert!(error_of(&v).contains("limit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_graceful() {
    let mut srv = start(None, 1 << 20).await;
    assert_eq!(get(srv.addr, "/healthz").await.0, 200);
    srv.stop.take().unwrap().send(()).unwrap();
    let done = tokio::time::timeout(Duration::from_secs(10), &mut srv.task)
        .await
        .expect("the server stops")
        .unwrap();
    assert!(done.is_ok());
    assert!(tokio::net::TcpStream::connect(srv.addr).await.is_err());
}

/// A store replaced under a running server (as `wiretrace reindex` does: a new file renamed
/// over the old) gets the next write, not the file the server had open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_after_the_store_was_replaced_goes_to_the_new_file() {
    let srv = start(Some("s3cret"), 1 << 20).await;
    let auth = [("Authorization", "Bearer s3cret")];
    let post = |id: &str| {
        json!({"id": id, "text": "The Brenhaven library reopened on Saturday after a two-year renovation."})
            .to_string()
    };
    let (st, v) = call(
        srv.addr,
        "POST",
        "/articles",
        &auth,
        post("first").as_bytes(),
    )
    .await;
    assert_eq!((st, v["store"]["articles"].as_u64()), (200, Some(9)), "{v}");
    // Let the checkpoint task open its connection too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fresh = srv.db.with_extension("new");
    {
        let mut store = Store::create(&fresh).unwrap();
        store
            .ingest(
                &Engine::default(),
                wiretrace::demo::articles()[..3].to_vec(),
                &IngestOptions::default(),
                &mut |_| {},
            )
            .unwrap();
    }
    // As reindex does: the old log files go, then the new file takes the name.
    for suffix in ["-wal", "-shm"] {
        let mut p = srv.db.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    std::fs::rename(&fresh, &srv.db).unwrap();
    let (st, v) = call(
        srv.addr,
        "POST",
        "/articles",
        &auth,
        post("second").as_bytes(),
    )
    .await;
    assert_eq!((st, v["store"]["articles"].as_u64()), (200, Some(4)), "{v}");
    // Once the checkpoint task has met the moved file too, the new store is intact.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (st, v) = get(srv.addr, "/stats").await;
    assert_eq!((st, v["articles"].as_u64()), (200, Some(4)), "{v}");
    let (st, v) = get(srv.addr, "/articles/second").await;
    assert_eq!(st, 200, "{v}");
}
