//! The web UI as a person uses it, in headless Chromium: the demo corpus in a store, `serve` on
//! 127.0.0.1 with a random port, then the story list and a search, a story's graph, a pair side
//! by side (reached by clicking the graph, walked with the keyboard), the check page with a
//! pasted article, and the same pages at phone width. A PNG of each page is written under
//! `target/screenshots/` for people to look at.
//!
//! The browser is driven over WebDriver (W3C), spoken as plain HTTP/1.1 and JSON to Debian's
//! `chromedriver`, like the API tests speak to the server: no browser-automation crate (the
//! Rust CDP clients bring a generated protocol crate that takes minutes to build here) and no
//! Node toolchain in a Rust workspace. Without `/usr/bin/chromium` and `chromedriver` the test
//! says so and passes, unless `WIRETRACE_BROWSER_TESTS=require` (set by `.ci/run`, which
//! installs both) makes their absence a failure.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::wiretrace;

const CHROMIUM: &str = "/usr/bin/chromium";
const WAIT: Duration = Duration::from_secs(30);

/// Where chromedriver is, when both it and Chromium are installed.
fn browser_tools() -> Option<PathBuf> {
    if !Path::new(CHROMIUM).exists() {
        return None;
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("chromedriver"))
        .find(|p| p.exists())
}

/// `target/screenshots/`, beside the test's scratch directory.
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// A child process that is killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One WebDriver or API call (JSON in and out, `testkit::http` underneath): the status and the
/// body.
fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let payload = body.map(Value::to_string).unwrap_or_default();
    let json = ("Content-Type", "application/json; charset=utf-8");
    let r = wiretrace_testkit::http::request(addr, method, path, &[json], payload.as_bytes());
    (r.status, r.body)
}

/// Standard base64 (the screenshots WebDriver sends).
fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = s.bytes().filter_map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (k, &d)| acc | (u32::from(d) << (18 - 6 * k)));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// A WebDriver session in headless Chromium.
struct Browser {
    driver: String,
    session: String,
    shots: PathBuf,
    _chromedriver: Killed,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromedriver: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let chromedriver = Killed(child);
        let driver = format!("127.0.0.1:{port}");
        let start = Instant::now();
        loop {
            if TcpStream::connect(&driver).is_ok() && http(&driver, "GET", "/status", None).0 == 200
            {
                break;
            }
            assert!(start.elapsed() < WAIT, "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        // Without the networking switches Chromium keeps calling Google's services, which this
        // machine's closed network refuses, and a start can hang on them.
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
        }}});
        let (st, body) = http(&driver, "POST", "/session", Some(&caps));
        assert_eq!(st, 200, "new session: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let session = v["value"]["sessionId"].as_str().unwrap().to_string();
        Browser {
            driver,
            session,
            shots: screenshot_dir(),
            _chromedriver: chromedriver,
            _profile: profile,
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (st, text) = http(
            &self.driver,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(st, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    /// Runs `body` (a function body; `arguments` are `args`) in the page.
    fn js(&self, body: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": body, "args": args})),
        )
    }

    fn wait_for(&self, what: &str, condition: &str) {
        let start = Instant::now();
        loop {
            if self.js(&format!("return !!({condition});"), json!([])) == json!(true) {
                return;
            }
            if start.elapsed() > WAIT {
                let text = self.js(
                    "return document.body ? document.body.innerText.slice(0, 600) : ''",
                    json!([]),
                );
                panic!("waited {WAIT:?} for {what}; the page says: {text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens `url` and waits until the page is drawn.
    fn open(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
        self.wait_for(
            url,
            "document.body && document.body.dataset.ready === 'true'",
        );
    }

    fn count(&self, selector: &str) -> usize {
        self.js(
            "return document.querySelectorAll(arguments[0]).length",
            json!([selector]),
        )
        .as_u64()
        .unwrap_or(0) as usize
    }

    fn text(&self, selector: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null",
            json!([selector]),
        )
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no element {selector}"))
    }

    fn element(&self, selector: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {selector}"))
            .to_string()
    }

    fn click(&self, selector: &str) {
        let e = self.element(selector);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    fn type_into(&self, selector: &str, text: &str) {
        let e = self.element(selector);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Presses keys (WebDriver key codes: `\u{E004}` is Tab, `\u{E007}` Enter) on whatever has
    /// the focus, as a keyboard would.
    fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
    }

    /// Emulates a viewport `width` wide (`mobile`: a phone's, with its meta viewport honoured).
    fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(
                json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}}),
            ),
        );
    }

    /// A PNG of the page from its top, at most `max_height` px of it, as
    /// `target/screenshots/{name}.png`.
    fn screenshot(&self, name: &str, max_height: u32) -> PathBuf {
        let size = self.js(
            "return [document.documentElement.clientWidth, Math.min(arguments[0], document.documentElement.scrollHeight)]",
            json!([max_height]),
        );
        let (w, h) = (
            size[0].as_f64().unwrap_or(1280.0),
            size[1].as_f64().unwrap_or(900.0),
        );
        let shot = self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Page.captureScreenshot", "params": {
                "format": "png", "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}}})),
        );
        let png = base64(shot["data"].as_str().expect("a screenshot"));
        assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    /// The page fits its width: nothing but the inner scrolling boxes scrolls sideways.
    fn fits(&self) -> bool {
        self.js(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1",
            json!([]),
        ) == json!(true)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            &self.driver,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

/// `wiretrace serve` over a store of the demo corpus, on a port of its own.
fn serve_demo(dir: &Path) -> (Killed, String) {
    let db = dir.join("demo.db");
    let db = db.to_str().expect("UTF-8 temp path");
    let out = wiretrace()
        .args(["ingest", "--demo", "--db", db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("wiretrace"))
        .args(["--no-model", "serve", "--db", db, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    // Keep reading, so a server that logs never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).is_ok_and(|n| n > 0) {
            eprint!("serve: {sink}");
            sink.clear();
        }
    });
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (Killed(child), addr)
}

#[test]
fn the_web_ui_in_headless_chromium() {
    let Some(chromedriver) = browser_tools() else {
        let why = "browser tests skipped: they need Debian's chromium and chromium-driver \
                   (`apt-get install -y chromium chromium-driver`; .ci/run installs them)";
        assert!(
            std::env::var("WIRETRACE_BROWSER_TESTS").as_deref() != Ok("require"),
            "{why}, and WIRETRACE_BROWSER_TESTS=require"
        );
        eprintln!("{why}");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr) = serve_demo(dir.path());
    let base = format!("http://{addr}");
    let api = |path: &str| -> Value {
        let (st, body) = http(&addr, "GET", path, None);
        assert_eq!(st, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    };
    let b = Browser::start(&chromedriver);

    // The story list: `/` leads there; the largest story is the port strike, named by its origin.
    b.open(&format!("{base}/"));
    let stories = api("/stories");
    assert_eq!(b.count("li.story"), stories.as_array().unwrap().len());
    assert!(
        b.text("li.story h2")
            .contains("Dockworkers' strike shuts Valmora port"),
        "{}",
        b.text("li.story h2")
    );
    assert!(b.text("li.story .meta").contains("2026-03-02"));
    // The skip link is the first thing the keyboard reaches.
    b.keys("\u{E004}");
    assert_eq!(
        b.js("return document.activeElement.className", json!([])),
        "skip"
    );
    b.screenshot("stories", 6000);

    // Search by a quote's speaker, with the form as a person fills it in.
    b.type_into("#q", "Ruiz");
    b.click("form[role=search] button");
    b.wait_for(
        "the search results",
        "location.search.includes('q=Ruiz') && document.body.dataset.ready === 'true'",
    );
    assert!(b.count("li.story") >= 1);
    assert!(b.text("ul.matches").contains("Ruiz"));
    b.screenshot("search", 6000);

    // A story: its graph has one node per article and one arrow per derivation.
    b.click("li.story h2 a");
    b.wait_for(
        "the story page",
        "location.pathname.startsWith('/ui/story/') && document.body.dataset.ready === 'true'",
    );
    let sid = b
        .js(
            "return decodeURIComponent(location.pathname.split('/').pop())",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_string();
    let story = api(&format!("/stories/{sid}"));
    let n = story["articles"].as_array().unwrap().len();
    assert!(n >= 5, "{story}");
    assert_eq!(b.count("svg.graph .node"), n);
    assert_eq!(
        b.count("svg.graph .edge-derivation"),
        story["derivations"].as_array().unwrap().len()
    );
    // One tree arrow into each derived article; the other derivations are drawn as implied.
    let derived: std::collections::HashSet<&str> = story["derivations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["derived"].as_str())
        .collect();
    assert!(!derived.is_empty());
    assert_eq!(
        b.count("svg.graph .edge-derivation:not(.implied)"),
        derived.len()
    );
    assert_eq!(
        b.js(
            "return document.querySelector('svg.graph .node.origin').dataset.id",
            json!([])
        ),
        "wire-original"
    );
    assert!(b
        .js(
            "return document.querySelector('svg.graph').getAttribute('aria-label')",
            json!([])
        )
        .as_str()
        .unwrap()
        .contains("origin wire-original"));
    // The graph's arrows and nodes are links the keyboard reaches.
    let mut in_graph = false;
    for _ in 0..15 {
        b.keys("\u{E004}");
        if b.js(
            "return !!document.activeElement.closest('svg.graph a')",
            json!([]),
        ) == json!(true)
        {
            in_graph = true;
            break;
        }
    }
    assert!(in_graph, "no link of the graph within 15 tabs");
    b.screenshot("story", 6000);

    // A pair, reached by clicking an arrow of the graph.
    let edge = b
        .js(
            "const e = document.querySelector('svg.graph a.edge-derivation:not(.implied)'); return [e.dataset.from, e.dataset.to]",
            json!([]),
        );
    b.click("svg.graph a.edge-derivation:not(.implied) .edge-label");
    b.wait_for(
        "the pair page",
        "location.pathname.startsWith('/ui/pair/') && document.body.dataset.ready === 'true'",
    );
    let h1 = b.text("h1");
    assert!(
        h1.contains(edge[0].as_str().unwrap()) && h1.contains(edge[1].as_str().unwrap()),
        "{h1} vs {edge}"
    );
    assert!(b.count(".side-a a.sent.linked") > 0);
    assert!(b.count(".side-b a.sent.linked") > 0);
    assert!(b.count("mark.r-verbatim") > 0);
    // The keyboard reaches an aligned sentence; focusing it lights its partner, Enter moves to it.
    let mut reached = false;
    for _ in 0..30 {
        b.keys("\u{E004}");
        if b.js(
            "return document.activeElement.matches('.side-a a.sent.linked')",
            json!([]),
        ) == json!(true)
        {
            reached = true;
            break;
        }
    }
    assert!(reached, "no aligned sentence within 30 tabs");
    let partners = b
        .js("return document.activeElement.dataset.partners", json!([]))
        .as_str()
        .unwrap()
        .to_string();
    assert!(b.count(".side-b .sent.hl") >= 1, "partner not highlighted");
    b.screenshot("pair", 6000);
    b.keys("\u{E007}");
    b.wait_for(
        "focus on the partner",
        &format!(
            "document.activeElement.id === {}",
            json!(partners.split(' ').next().unwrap())
        ),
    );

    // The spun copy: paraphrased sentences and the quote whose words it changed.
    b.open(&format!("{base}/ui/pair/wire-original/spun-copy"));
    assert!(b.count("mark.changed") >= 2, "altered quote not marked");
    assert!(b.count("a.sent.linked") > 0);
    b.screenshot("pair-spun", 6000);

    // An article's page.
    b.open(&format!("{base}/ui/article/light-rewrite"));
    assert!(b.text("h1").contains("Port of Valmora"));
    assert!(b.count(".article-text p") > 3);
    b.screenshot("article", 6000);

    // Check: a pasted article finds its source. The headline holds markup, which must show as
    // text and never become an element.
    b.open(&format!("{base}/ui/check"));
    let wire = wiretrace::demo::articles().remove(0);
    let paste: String = wire
        .body
        .split("\n\n")
        .take(6)
        .collect::<Vec<_>>()
        .join("\n\n");
    b.type_into("#check-title", "Port <b>strike</b> copy");
    // Typing 1,500 characters key by key takes seconds; the text goes in as a paste would.
    b.js(
        "const t = document.getElementById('check-text'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
        json!([paste]),
    );
    b.click("form.check button[type=submit]");
    b.wait_for(
        "the check's result",
        "document.querySelector('p.status').textContent.includes('found') || document.querySelector('#results .error')",
    );
    let row = b
        .js(
            "const r = [...document.querySelectorAll('tr.match')].find(r => r.querySelector('th').textContent === 'wire-original'); return r ? r.textContent : null",
            json!([]),
        );
    let row = row
        .as_str()
        .unwrap_or_else(|| panic!("wire-original not among the matches"));
    assert!(row.contains("copy"), "{row}");
    assert!(b.count("#results .pair-view") >= 1);
    assert!(b.count("#results mark.r-verbatim") > 0);
    assert_eq!(
        b.count("#results b"),
        0,
        "markup in pasted text became an element"
    );
    assert!(b.text("#results").contains("Port <b>strike</b> copy"));
    b.screenshot("check", 6000);

    // A phone's width: every page fits without sideways scrolling.
    b.viewport(390, 844, true);
    for (url, name) in [
        (format!("{base}/ui/"), "phone-stories"),
        (format!("{base}/ui/story/s1"), "phone-story"),
        (
            format!("{base}/ui/pair/wire-original/light-rewrite"),
            "phone-pair",
        ),
        (format!("{base}/ui/check"), "phone-check"),
    ] {
        b.open(&url);
        assert_eq!(
            b.js("return document.documentElement.clientWidth", json!([])),
            390
        );
        assert!(b.fits(), "{url} is wider than a phone");
        // Two screens: enough to see the layout at a legible size.
        b.screenshot(name, 1700);
    }
    eprintln!("screenshots in {}", b.shots.display());
}
