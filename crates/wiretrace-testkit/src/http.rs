//! A blocking HTTP/1.1 client for tests: one request per connection, written by hand.
//!
//! The API tests speak to `wiretrace serve` and the browser test speaks WebDriver to
//! chromedriver; both only need a status, the headers and a body. A client crate would cost
//! minutes of build on two cores for that, and a hand-written request also lets a test send
//! what a client library refuses to (a body past the server's limit, a wrong token).
//!
//! The response is read up to the end its head announces (`Content-Length`, or the last chunk
//! of a chunked body), not to the end of the connection: chromedriver keeps the connection open
//! whatever `Connection: close` asks. Without either, it is read until the server closes.
//!
//! Async tests (tokio) call it through `tokio::task::spawn_blocking`, so the server they test
//! keeps its runtime threads while the client waits.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long a read may wait for the server: long enough for a check of a large article on a
/// busy two-core machine, short enough that a hung server fails the test rather than hanging CI.
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code; 0 when the answer had no status line (the connection closed first).
    pub status: u16,
    /// The status line and headers, lower-cased, without the blank line that ends them.
    pub head: String,
    /// The body, de-chunked when it was sent chunked; invalid UTF-8 replaced.
    pub body: String,
}

/// Sends one request to `addr` (`host:port`) on a connection of its own and reads the answer.
///
/// The request carries `Host`, `Connection: close` and `Content-Length`, then `headers` in
/// order (a `Content-Type` is the caller's to give). A failed write is not an error: a server
/// may answer (413, say) and close before the body is through, and that answer is what the
/// test wants to read.
///
/// # Panics
/// When the connection cannot be opened.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_read_timeout(Some(READ_TIMEOUT))
        .expect("a non-zero timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
    read_response(&mut s)
}

/// Reads one response from `s`: the head, then the body it announces.
fn read_response(s: &mut impl Read) -> Response {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let head_end = loop {
        if let Some(k) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break k;
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break raw.len(),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let body_start = (head_end + 4).min(raw.len());
    let length: Option<usize> = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &raw[body_start..];
        let complete = match length {
            Some(n) => body.len() >= n,
            None => chunked && body.ends_with(b"0\r\n\r\n"),
        };
        if complete {
            break;
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let rest = String::from_utf8_lossy(&raw[body_start..]).into_owned();
    let body = if chunked { dechunk(&rest) } else { rest };
    Response { status, head, body }
}

/// The payload of a chunked body (RFC 9112 §7.1), without chunk extensions or trailers; stops
/// at the last chunk or at the first malformed one.
pub fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_read_up_to_its_length_even_if_the_connection_stays_open() {
        // `read_response` must not wait for more than the head announced: a reader that had
        // more to give (here, trailing garbage) stands for a connection left open.
        let mut wire: &[u8] =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        let r = read_response(&mut wire);
        assert_eq!(r.status, 200);
        assert!(r
            .head
            .starts_with("http/1.1 200 ok\r\ncontent-type: application/json"));
        assert!(!r.head.ends_with("\r\n"));
        assert_eq!(r.body, "{}");
    }

    #[test]
    fn a_chunked_body_is_joined() {
        let mut wire: &[u8] =
            b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let r = read_response(&mut wire);
        assert_eq!((r.status, r.body.as_str()), (404, "abcde"));
    }

    #[test]
    fn without_a_length_the_body_runs_to_the_end_and_no_answer_is_status_0() {
        let mut wire: &[u8] = b"HTTP/1.1 200 OK\r\n\r\nall of it";
        assert_eq!(read_response(&mut wire).body, "all of it");
        let mut nothing: &[u8] = b"";
        let r = read_response(&mut nothing);
        assert_eq!((r.status, r.head.as_str(), r.body.as_str()), (0, "", ""));
    }

    #[test]
    fn dechunk_stops_at_a_malformed_chunk() {
        assert_eq!(dechunk("4\r\nwire\r\n5\r\ntrace\r\n0\r\n\r\n"), "wiretrace");
        assert_eq!(dechunk("zz\r\nwire"), "");
        assert_eq!(dechunk("9\r\nshort"), "");
    }

    #[test]
    fn a_request_reaches_a_server_and_its_answer_comes_back() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            while !got.ends_with(b"ping") {
                let n = conn.read(&mut buf).unwrap();
                assert!(n > 0, "the request ended early: {got:?}");
                got.extend_from_slice(&buf[..n]);
            }
            conn.write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\npong")
                .unwrap();
            String::from_utf8(got).unwrap()
        });
        let r = request(
            &addr,
            "POST",
            "/x",
            &[("Authorization", "Bearer t")],
            b"ping",
        );
        assert_eq!((r.status, r.body.as_str()), (201, "pong"));
        let sent = server.join().unwrap();
        assert!(sent.starts_with("POST /x HTTP/1.1\r\n"), "{sent}");
        assert!(sent.contains("\r\nContent-Length: 4\r\n"), "{sent}");
        assert!(
            sent.contains("\r\nAuthorization: Bearer t\r\n\r\nping"),
            "{sent}"
        );
    }
}
