//! The web UI: a few static files compiled into the binary (no CDN, no build step) and served
//! under `/ui/`. Every page is the same HTML shell; `app.js` reads the path and draws the page
//! from the JSON API, inserting article text only as text (never as HTML).
//!
//! | path | page |
//! | --- | --- |
//! | `/` | redirects to `/ui/` |
//! | `/ui/` | the story list, with search by headline and quote speaker (`?q=`) |
//! | `/ui/story/{id}` | a story: the provenance graph as SVG and its articles and pairs |
//! | `/ui/pair/{a}/{b}` | two articles side by side, aligned sentences linked |
//! | `/ui/article/{id}` | one article: its text and its pairs |
//! | `/ui/check` | paste an article and see where it came from |
//!
//! The pages are served with a Content-Security-Policy that allows only this origin's scripts
//! and styles, so even a mistake that let article text into markup could not run a script.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

const INDEX: &str = include_str!("../ui/index.html");

/// The assets, by the name they are served under (`/ui/assets/{name}`).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../ui/app.js"),
    ),
    (
        "dom.js",
        "text/javascript; charset=utf-8",
        include_str!("../ui/dom.js"),
    ),
    (
        "graph.js",
        "text/javascript; charset=utf-8",
        include_str!("../ui/graph.js"),
    ),
    (
        "pair.js",
        "text/javascript; charset=utf-8",
        include_str!("../ui/pair.js"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../ui/style.css"),
    ),
];

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui/") }))
        .route("/ui", get(|| async { Redirect::to("/ui/") }))
        .route("/ui/", get(shell))
        .route("/ui/assets/{name}", get(asset))
        .route("/ui/{*page}", get(shell))
}

fn with_headers(content_type: &'static str, body: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Assets change with the binary, not with time: revalidate rather than cache blindly.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn shell() -> Response {
    with_headers("text/html; charset=utf-8", INDEX)
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, body)) => with_headers(ty, body),
        None => crate::AppError::NotFound(format!("no asset `{name}`")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every module the pages import is served, so a page never fails on a missing script.
    #[test]
    fn every_imported_module_is_an_asset() {
        for (name, _, body) in ASSETS {
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let Some(path) = line.split(['\'', '"']).nth(1) else {
                    continue;
                };
                let file = path.trim_start_matches("./");
                assert!(
                    ASSETS.iter().any(|(n, _, _)| *n == file),
                    "{name} imports {path}, which is not served"
                );
            }
        }
        for needed in ["/ui/assets/app.js", "/ui/assets/style.css"] {
            assert!(INDEX.contains(needed), "index.html does not load {needed}");
        }
    }

    /// Article text reaches the page only through `textContent`: no asset writes HTML.
    #[test]
    fn no_asset_writes_html_from_strings() {
        for (name, _, body) in ASSETS {
            for bad in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
            ] {
                assert!(!body.contains(bad), "{name} uses {bad}");
            }
        }
    }
}
