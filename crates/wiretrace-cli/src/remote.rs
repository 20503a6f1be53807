//! `wiretrace ingest --server URL`: the articles read here are stored by a running
//! `wiretrace serve` (`POST /articles`, in batches) instead of by this process. The server
//! keeps its store open, its engine loaded and its page cache warm, and checkpoints when
//! writes pause, so an ingest costs the request and not a process's open, model load and
//! closing checkpoint; and the store may live on another machine than the inputs.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use wiretrace::Article;
use wiretrace_store::{IngestSummary, StoreStats};

/// How long one request may take: the server's own limit is 120 s per request, and a batch
/// that crosses `--max-drift` rescores the whole store inside its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// A server that takes articles: where, and the bearer token its writes need.
pub struct Server {
    authority: String,
    path: String,
    token: String,
}

impl Server {
    /// Parses `http://HOST:PORT[/PREFIX]` (or `HOST:PORT`).
    pub fn new(url: &str, token: String) -> Result<Server> {
        let url = if url.contains("://") {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        let uri: Uri = url
            .parse()
            .with_context(|| format!("--server {url}: not a URL like http://127.0.0.1:8080"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => bail!(
                "--server {url}: `wiretrace serve` speaks plain HTTP; reach a remote one through \
                 an SSH tunnel (ssh -L 8080:127.0.0.1:8080 HOST) or a proxy that ends TLS on its host"
            ),
            _ => bail!("--server {url}: only http:// URLs are served"),
        }
        let Some(authority) = uri.authority() else {
            bail!("--server {url}: no host in the URL");
        };
        let authority = if authority.port().is_some() {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        let path = format!("{}/articles", uri.path().trim_end_matches('/'));
        Ok(Server {
            authority,
            path,
            token,
        })
    }

    /// Posts `articles` in batches of `batch` over one connection and sums what the server
    /// did. A refused batch stops the run: the batches before it are stored (each is one
    /// transaction on the server), and the error says how many articles they held.
    pub fn ingest(
        &self,
        articles: &[Article],
        batch: usize,
        on_batch: &mut dyn FnMut(usize),
    ) -> Result<(IngestSummary, Option<StoreStats>)> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .context("starting the HTTP client")?;
        rt.block_on(self.ingest_async(articles, batch, on_batch))
    }

    async fn ingest_async(
        &self,
        articles: &[Article],
        batch: usize,
        on_batch: &mut dyn FnMut(usize),
    ) -> Result<(IngestSummary, Option<StoreStats>)> {
        let mut send = self.connect().await?;
        let mut total = IngestSummary::default();
        let mut stats = None;
        let n = articles.len().div_ceil(batch.max(1));
        for (k, chunk) in articles.chunks(batch.max(1)).enumerate() {
            let batch = Batch {
                number: k + 1,
                of: n,
                stored_before: total.read,
            };
            let a = self.post(&mut send, chunk, &batch).await?;
            total.absorb(a.ingest);
            stats = Some(a.store);
            on_batch(total.read);
        }
        Ok((total, stats))
    }

    /// One HTTP/1.1 connection to the server, for every batch of the run.
    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .with_context(|| {
                format!(
                    "connecting to {}: is `wiretrace serve` running there?",
                    self.authority
                )
            })?;
        // One article per request is the common case (a feed poller); Nagle's algorithm would
        // hold the body back for the header's acknowledgement.
        let _ = stream.set_nodelay(true);
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .with_context(|| format!("talking to {}", self.authority))?;
        tokio::spawn(conn);
        Ok(send)
    }

    /// Posts one batch and reads the server's answer; a refusal is an error that says how many
    /// articles the batches before it stored.
    async fn post(
        &self,
        send: &mut SendRequest<Full<Bytes>>,
        chunk: &[Article],
        batch: &Batch,
    ) -> Result<Answer> {
        let lines: Vec<serde_json::Value> = chunk.iter().map(Article::to_input_json).collect();
        let body = serde_json::to_vec(&lines).context("articles as JSON")?;
        let req = Request::post(&self.path)
            .header(hyper::header::HOST, &self.authority)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .body(Full::new(Bytes::from(body)))
            .context("building the request")?;
        send.ready()
            .await
            .context("the server closed the connection")?;
        let res = tokio::time::timeout(REQUEST_TIMEOUT, send.send_request(req))
            .await
            .with_context(|| format!("no answer from {} in {REQUEST_TIMEOUT:?}", self.authority))?
            .with_context(|| format!("sending batch {} of {}", batch.number, batch.of))?;
        let status = res.status();
        let bytes = res
            .into_body()
            .collect()
            .await
            .context("reading the answer")?
            .to_bytes();
        if status != StatusCode::OK {
            bail!(self.refusal(status, &bytes, batch));
        }
        serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} answered batch {} with unexpected JSON",
                self.authority, batch.number
            )
        })
    }

    /// The error of a refused batch: the server's reason, and what the run stored before it.
    fn refusal(&self, status: StatusCode, bytes: &[u8], batch: &Batch) -> String {
        let why = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(bytes).trim().to_string());
        format!(
            "{} refused batch {} of {} ({status}): {why}{}",
            self.authority,
            batch.number,
            batch.of,
            if batch.stored_before > 0 {
                format!(
                    "; the {} article(s) of the batches before it are stored",
                    batch.stored_before
                )
            } else {
                String::new()
            }
        )
    }
}

/// Where a batch stands in the run, for its error messages.
struct Batch {
    /// 1-based.
    number: usize,
    of: usize,
    /// Articles the batches before it sent (and the server stored).
    stored_before: usize,
}

/// The server's answer to `POST /articles`.
#[derive(serde::Deserialize)]
struct Answer {
    ingest: IngestSummary,
    store: StoreStats,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_as_the_server_prints_them() {
        let s = Server::new("http://127.0.0.1:8080", "t".into()).unwrap();
        assert_eq!(
            (s.authority.as_str(), s.path.as_str()),
            ("127.0.0.1:8080", "/articles")
        );
        let s = Server::new("localhost:9000/", "t".into()).unwrap();
        assert_eq!(
            (s.authority.as_str(), s.path.as_str()),
            ("localhost:9000", "/articles")
        );
        let s = Server::new("http://news.example/wt/", "t".into()).unwrap();
        assert_eq!(
            (s.authority.as_str(), s.path.as_str()),
            ("news.example:80", "/wt/articles")
        );
        let e = Server::new("https://news.example", "t".into())
            .err()
            .unwrap();
        assert!(e.to_string().contains("plain HTTP"), "{e}");
        assert!(Server::new("ftp://x", "t".into()).is_err());
    }
}
