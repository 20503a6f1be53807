//! wiretrace-server: the HTTP API over a stored corpus.
//!
//! [`app`] builds the axum [`Router`]; `wiretrace serve` binds it to a socket and calls
//! [`serve`] with graceful shutdown. Every handler answers with the store's own types, so the
//! JSON the API serves is the JSON the CLI prints (`Analysis`, `Pair`, `Story`, `QuoteGroup`,
//! `StoreStats`). Store calls are synchronous SQLite: each read runs on a blocking thread with its
//! own connection, so readers never wait for one another, and WAL lets them read while an ingest
//! writes. Writes (`POST /articles`) need the bearer token the server was started with (without
//! `--token` the server is read-only) and go through one connection the server keeps, behind a
//! lock: its page cache stays warm between requests, and it does not checkpoint the
//! write-ahead log in a request — a task does that when writes pause, on a connection of its
//! own (a connection opened and closed per write paid the checkpoint of everything it wrote
//! before answering).
//!
//! Errors are JSON `{"error": "…"}` with a 4xx status for anything the client can fix (bad JSON,
//! an oversized body, an unknown id, a missing token) and a bare 500 for the rest, whose cause is
//! logged on stderr and never sent.
#![deny(missing_docs)]

mod error;
mod openapi;
mod routes;
mod ui;
mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use wiretrace::Engine;

pub use error::AppError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The store.
    pub db: PathBuf,
    /// The bearer token that allows writes; `None`: read-only.
    pub token: Option<String>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Longest a request may take before it is answered 408.
    pub timeout: Duration,
    /// The ingest's [`wiretrace_store::IngestOptions::max_drift`] for POSTed articles.
    pub max_drift: f64,
}

impl ServerConfig {
    /// Defaults: 16 MB bodies (a batch of a few hundred articles), 120 s per request (an ingest
    /// batch or a check on a large store).
    pub fn new(db: PathBuf) -> Self {
        ServerConfig {
            db,
            token: None,
            max_body: 16 << 20,
            timeout: Duration::from_secs(120),
            max_drift: wiretrace_store::DEFAULT_MAX_DRIFT,
        }
    }
}

/// What every handler shares: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: ServerConfig,
    engine: Engine,
    /// The writer's connection, opened at the first write. One writer at a time: SQLite has
    /// one, and two ingests would only wait on each other.
    writer: Arc<tokio::sync::Mutex<Option<wiretrace_store::Store>>>,
    /// The connection that checkpoints the log after writes, and whether a checkpoint is due.
    checkpointer: Arc<std::sync::Mutex<Option<wiretrace_store::Store>>>,
    /// Writes started, and writes since the last checkpoint.
    writes: std::sync::atomic::AtomicU64,
    unchecked: std::sync::atomic::AtomicU64,
}

impl AppState {
    /// State over a store, with the engine that scores new articles and checks.
    pub fn new(config: ServerConfig, engine: Engine) -> Self {
        AppState {
            inner: Arc::new(Inner {
                config,
                engine,
                writer: Arc::new(tokio::sync::Mutex::new(None)),
                checkpointer: Arc::new(std::sync::Mutex::new(None)),
                writes: std::sync::atomic::AtomicU64::new(0),
                unchecked: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }
}

/// The router: every route, the body limit and the timeout.
pub fn app(state: AppState) -> Router {
    let max_body = state.inner.config.max_body;
    let timeout = state.inner.config.timeout;
    routes::router()
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves; requests in flight are finished.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on Ctrl-C or SIGTERM (what `kill` and service managers send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM on a runtime of its own (for the CLI, which
/// is synchronous); `on_bound` hears the address actually bound (port 0 picks one).
pub fn run(
    addr: &str,
    config: ServerConfig,
    engine: Engine,
    on_bound: impl FnOnce(std::net::SocketAddr),
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        on_bound(listener.local_addr()?);
        serve(
            listener,
            app(AppState::new(config, engine)),
            shutdown_signal(),
        )
        .await
    })
}
