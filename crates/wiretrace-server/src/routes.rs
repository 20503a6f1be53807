//! The routes and their handlers. Each handler parses and checks its input, runs one store
//! call on a blocking thread, and answers with the store's own types.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use wiretrace::input::{read_jsonl_str, Limits};
use wiretrace::{Article, Engine};
use wiretrace_store::{IngestOptions, Store};

use crate::error::AppError;
use crate::AppState;

type Reply = Result<Json<Value>, AppError>;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .route("/stats", get(stats))
        .route("/articles", post(post_articles))
        .route("/articles/{id}", get(article))
        .route("/articles/{id}/provenance", get(provenance))
        .route("/check", post(check))
        .route("/check/view", post(check_view))
        .route("/search", get(search))
        .route("/stories", get(stories))
        .route("/stories/{id}", get(story))
        .route("/pairs/{a}/{b}", get(pair))
        .route("/pairs/{a}/{b}/view", get(pair_view))
        .route("/quotes", get(quotes))
        .merge(crate::ui::router())
        .fallback(|| async { AppError::NotFound("no such route".into()) })
}

/// Runs `f` with a fresh connection on a blocking thread.
async fn with_store<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(Store, &Engine) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&st.inner.config.db)?;
        f(store, &st.inner.engine)
    })
    .await
    .map_err(|e| AppError::Internal(format!("store task failed: {e}")))?
}

fn to_json<T: serde::Serialize>(v: &T) -> Reply {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| AppError::Internal(format!("serialising a reply: {e}")))
}

async fn healthz(State(state): State<AppState>) -> Reply {
    let n = with_store(&state, |s, _| Ok(s.stats()?.articles)).await?;
    Ok(Json(json!({"status": "ok", "articles": n})))
}

async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

async fn stats(State(state): State<AppState>) -> Reply {
    let s = with_store(&state, |s, _| Ok(s.stats()?)).await?;
    to_json(&s)
}

/// The body as JSON: 413 over the limit, 400 when it does not parse.
fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, AppError> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!("the body is over the limit: {}", r.body_text()))
        } else {
            AppError::BadRequest(r.body_text())
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| AppError::BadRequest(format!("not valid JSON: {e}")))
}

/// Articles from a JSON object or an array of them, in the JSONL input form (`id`, `title`,
/// `text`, `url`, `source`, `published`, `lang`), read by the same reader as the CLI.
fn articles_of(v: Value, need_id: bool) -> Result<Vec<Article>, AppError> {
    let items = match v {
        Value::Array(a) => a,
        other => vec![other],
    };
    if items.is_empty() {
        return Err(AppError::BadRequest("no article in the body".into()));
    }
    for (k, item) in items.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            return Err(AppError::BadRequest(format!(
                "article {}: not a JSON object",
                k + 1
            )));
        };
        let has_id = obj
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        if need_id && !has_id {
            return Err(AppError::BadRequest(format!(
                "article {}: no `id` (a stored article is found again by its id)",
                k + 1
            )));
        }
    }
    let jsonl = items
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let out = read_jsonl_str("body", &jsonl, Limits::default());
    if let Some(s) = out.skipped.first() {
        let line = s.input.rsplit(':').next().unwrap_or("?");
        return Err(AppError::BadRequest(format!(
            "article {line}: {}",
            s.reason
        )));
    }
    Ok(out.articles)
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let Some(token) = &state.inner.config.token else {
        return Err(AppError::ReadOnly);
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match sent {
        Some(s) if same(s.as_bytes(), token.as_bytes()) => Ok(()),
        _ => Err(AppError::Unauthorized),
    }
}

/// Compares without stopping at the first difference, so the time taken says nothing about
/// how much of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn post_articles(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply {
    authorize(&state, &headers)?;
    let articles = articles_of(json_body(body)?, true)?;
    let mut writer = state.inner.writer.clone().lock_owned().await;
    state
        .inner
        .writes
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    state
        .inner
        .unchecked
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let st = state.clone();
    let options = IngestOptions {
        max_drift: state.inner.config.max_drift,
        ..IngestOptions::default()
    };
    let v = tokio::task::spawn_blocking(move || -> Result<Value, AppError> {
        // A store replaced under the server (`wiretrace reindex`) is reopened, as every read is.
        if writer.as_ref().is_some_and(Store::has_moved) {
            *writer = None;
        }
        if writer.is_none() {
            let s = Store::open(&st.inner.config.db)?;
            s.defer_checkpoints()?;
            *writer = Some(s);
        }
        let Some(s) = writer.as_mut() else {
            return Err(AppError::Internal("the writer's store is not open".into()));
        };
        let done = s.ingest(&st.inner.engine, articles, &options, &mut |_| {})?;
        Ok(json!({"ingest": done, "store": s.stats()?}))
    })
    .await
    .map_err(|e| AppError::Internal(format!("store task failed: {e}")))??;
    checkpoint_soon(&state);
    Ok(Json(v))
}

/// How long the writer must have been idle before the log is checkpointed.
const CHECKPOINT_IDLE: std::time::Duration = std::time::Duration::from_millis(50);

/// Writes after which the log is checkpointed even under a steady stream of them (~0.2-1 MB
/// of log per one-article write on a large store).
const CHECKPOINT_EVERY: u64 = 256;

/// Checkpoints the write-ahead log once the writer has been idle for [`CHECKPOINT_IDLE`] (or
/// after [`CHECKPOINT_EVERY`] writes without one), on a blocking thread and a connection of its
/// own: a checkpoint writes every page the writes changed into the store file and syncs it,
/// and a write that overlaps one waits on the same disk (measured on a 1M-article store: a
/// checkpoint after every write put ~9 ms on the next one). One asked for while another runs
/// is skipped; closing the last connection at shutdown copies whatever is left.
fn checkpoint_soon(state: &AppState) {
    use std::sync::atomic::Ordering;
    let st = state.clone();
    let seq = st.inner.writes.load(Ordering::SeqCst);
    tokio::spawn(async move {
        let due = st.inner.unchecked.load(Ordering::SeqCst) >= CHECKPOINT_EVERY;
        if !due {
            tokio::time::sleep(CHECKPOINT_IDLE).await;
            if st.inner.writes.load(Ordering::SeqCst) != seq {
                return; // a later write asks again
            }
        }
        let _ = tokio::task::spawn_blocking(move || {
            let Ok(mut guard) = st.inner.checkpointer.try_lock() else {
                return;
            };
            if guard.as_ref().is_some_and(Store::has_moved) {
                *guard = None;
            }
            if guard.is_none() {
                match Store::open(&st.inner.config.db) {
                    Ok(s) => *guard = Some(s),
                    Err(e) => return eprintln!("checkpoint: cannot open the store: {e}"),
                }
            }
            st.inner.unchecked.store(0, Ordering::SeqCst);
            if let Some(Err(e)) = guard.as_ref().map(Store::checkpoint) {
                eprintln!("checkpoint: {e}");
            }
        })
        .await;
    });
}

/// The one article a check body holds (an id is optional: `checked` stands in).
fn check_article(body: Result<Bytes, BytesRejection>) -> Result<Article, AppError> {
    let v = json_body(body)?;
    if v.is_array() {
        return Err(AppError::BadRequest(
            "check takes one article (a JSON object)".into(),
        ));
    }
    let mut article = articles_of(v, false)?
        .pop()
        .ok_or_else(|| AppError::BadRequest("no article in the body".into()))?;
    if article.id.starts_with("body:") {
        article.id = "checked".into();
    }
    Ok(article)
}

async fn check(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Reply {
    let article = check_article(body)?;
    let a = with_store(&state, move |s, engine| Ok(s.check(engine, article)?)).await?;
    to_json(&a)
}

/// Pairs of a check laid out for reading, strongest first: a check can match many stored
/// articles, and each view carries two whole texts.
const CHECK_VIEWS: usize = 12;

/// `POST /check/view`: the check's analysis and its strongest pairs laid out for reading (the
/// web UI's check page).
async fn check_view(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Reply {
    let mut article = check_article(body)?;
    let v = with_store(&state, move |s, engine| {
        let analysis = s.check(engine, article.clone())?;
        // The store renames a checked article whose id it holds; the analysis names it so.
        let renamed = format!("{} (checked)", article.id);
        if analysis.articles.iter().any(|x| x.id == renamed) {
            article.id = renamed;
        }
        let mut views = Vec::new();
        for p in analysis
            .pairs
            .iter()
            .filter(|p| p.a == article.id || p.b == article.id)
            .take(CHECK_VIEWS)
        {
            let other_id = if p.a == article.id { &p.b } else { &p.a };
            let Some(other) = s.article(other_id)? else {
                continue;
            };
            let (a, b) = if p.a == article.id {
                (&article, &other)
            } else {
                (&other, &article)
            };
            views.push(crate::view::pair_view(
                p.clone(),
                a,
                b,
                &analysis.quotes,
                &analysis.derivations,
            ));
        }
        Ok(CheckView {
            checked: article.id,
            analysis,
            views,
        })
    })
    .await?;
    to_json(&v)
}

/// The answer of `POST /check/view`.
#[derive(serde::Serialize)]
struct CheckView {
    /// The checked article's id in `analysis` (`checked`, or `<id> (checked)` when the store
    /// holds its id).
    checked: String,
    analysis: wiretrace::Analysis,
    views: Vec<crate::view::PairView>,
}

async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Reply {
    let found = with_store(&state, move |s, _| {
        let Some(summary) = s.article_summary(&id)? else {
            return Err(AppError::NotFound(format!("no article `{id}`")));
        };
        let text = s.article(&id)?.map(|a| a.full_text()).unwrap_or_default();
        Ok((summary, text))
    })
    .await?;
    let mut v = serde_json::to_value(&found.0)
        .map_err(|e| AppError::Internal(format!("serialising a reply: {e}")))?;
    v["text"] = Value::String(found.1);
    Ok(Json(v))
}

async fn provenance(State(state): State<AppState>, Path(id): Path<String>) -> Reply {
    let a = with_store(&state, move |s, _| {
        s.provenance(&id)?
            .ok_or_else(|| AppError::NotFound(format!("no article `{id}`")))
    })
    .await?;
    to_json(&a)
}

/// `GET /stories[?offset=&limit=]`: every story, or with either parameter a page of them (a
/// store of a million articles holds hundreds of thousands; `GET /stats` counts them).
async fn stories(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let paged = ["offset", "limit"].iter().any(|k| q.contains_key(*k));
    let v = if paged {
        let offset = query_number(&q, "offset", 0)?;
        let limit = query_number(&q, "limit", 100)?.min(MAX_PAGE);
        with_store(&state, move |s, _| Ok(s.stories_page(offset, limit)?)).await?
    } else {
        with_store(&state, |s, _| Ok(s.stories()?)).await?
    };
    to_json(&v)
}

/// A whole-number query parameter, `default` when absent or empty.
fn query_number(
    q: &HashMap<String, String>,
    name: &str,
    default: usize,
) -> Result<usize, AppError> {
    match q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            AppError::BadRequest(format!("`{name}` must be a whole number, not `{v}`"))
        }),
    }
}

async fn story(State(state): State<AppState>, Path(id): Path<String>) -> Reply {
    let a = with_store(&state, move |s, _| {
        s.story(&id)?
            .ok_or_else(|| AppError::NotFound(format!("no story `{id}`")))
    })
    .await?;
    to_json(&a)
}

async fn pair(State(state): State<AppState>, Path((a, b)): Path<(String, String)>) -> Reply {
    let p = with_store(&state, move |s, _| {
        s.pair(&a, &b)?.ok_or_else(|| {
            AppError::NotFound(format!("no pair `{a}` / `{b}` (unknown ids, or unrelated)"))
        })
    })
    .await?;
    to_json(&p)
}

/// `GET /pairs/{a}/{b}/view`: the pair laid out for reading (the web UI's pair page).
async fn pair_view(State(state): State<AppState>, Path((a, b)): Path<(String, String)>) -> Reply {
    let v = with_store(&state, move |s, _| {
        let p = s.pair(&a, &b)?.ok_or_else(|| {
            AppError::NotFound(format!("no pair `{a}` / `{b}` (unknown ids, or unrelated)"))
        })?;
        let (Some(x), Some(y)) = (s.article(&p.a)?, s.article(&p.b)?) else {
            return Err(AppError::NotFound(format!("no pair `{a}` / `{b}`")));
        };
        // The story holds the pair's derivation and the quotes the two share.
        let story = s.provenance(&p.a)?;
        let (quotes, derivations) = story
            .map(|st| (st.quotes, st.derivations))
            .unwrap_or_default();
        Ok(crate::view::pair_view(p, &x, &y, &quotes, &derivations))
    })
    .await?;
    to_json(&v)
}

/// Largest page of `GET /search` and `GET /stories`.
const MAX_PAGE: usize = 500;

/// `GET /search?q=&offset=&limit=`: the story list, or the stories whose headlines or quote
/// speakers contain `q`.
async fn search(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let offset = query_number(&q, "offset", 0)?;
    let limit = query_number(&q, "limit", 100)?.min(MAX_PAGE);
    let query = q.get("q").cloned().unwrap_or_default();
    let list = {
        let query = query.clone();
        with_store(&state, move |s, _| {
            Ok(s.story_overview(Some(&query), offset, limit)?)
        })
        .await?
    };
    let mut v = serde_json::to_value(&list)
        .map_err(|e| AppError::Internal(format!("serialising a reply: {e}")))?;
    v["query"] = Value::String(query);
    Ok(Json(v))
}

async fn quotes(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let v = with_store(&state, move |s, _| {
        Ok(s.quotes(q.get("speaker").map(String::as_str))?)
    })
    .await?;
    to_json(&v)
}
