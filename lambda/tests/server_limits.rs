//! The server's own limits over raw TCP (issue 19, item 5): a connection that never finishes its
//! headers is closed, connections past the limit wait their turn, and refusals that happen before
//! any route (an overlong address, a path that is not UTF-8) are the API's JSON too.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;

use api::{Backend, Limits, Server, start_limited};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(800);

async fn server(max_connections: usize) -> Server {
    let limits = Limits {
        header_read_timeout: HEADER_TIMEOUT,
        max_connections,
    };
    start_limited(Backend::Sqlite, "2026-06-01", limits).await
}

async fn connect(server: &Server) -> TcpStream {
    TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Everything the server sends until it closes the connection (or `within` passes).
async fn read_all(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut answer = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

/// A raw request's status line and JSON body (`Connection: close`, so the answer ends).
async fn raw(server: &Server, request_line: &str) -> (String, Value) {
    let mut stream = connect(server).await;
    let request = format!("{request_line}\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let answer = read_all(&mut stream, Duration::from_secs(5))
        .await
        .expect("an answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "not JSON: {head}"
    );
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, serde_json::from_str(body).expect("a JSON body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let server = server(16).await;
    let mut stream = connect(&server).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("send");
    let started = Instant::now();
    let answer = read_all(&mut stream, HEADER_TIMEOUT * 5).await;
    assert!(
        answer.is_some(),
        "still open {:?} after the header timeout",
        started.elapsed()
    );
    // And one that sends nothing at all.
    let mut silent = connect(&server).await;
    assert!(read_all(&mut silent, HEADER_TIMEOUT * 5).await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_wait_their_turn() {
    let server = server(2).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect(&server).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("send");
        held.push(stream);
    }
    // Let the server accept both before the third arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = connect(&server).await;
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("send");
    let started = Instant::now();
    let answer = read_all(&mut third, HEADER_TIMEOUT * 6)
        .await
        .expect("served once a slot is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // It waited for the two held connections to time out.
    assert!(
        started.elapsed() >= HEADER_TIMEOUT / 2,
        "served at once ({:?}) past a limit of 2",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_address_is_a_json_414() {
    let server = server(16).await;
    for length in [20_000, 133_000] {
        let line = format!("GET /v1/vouchers/{} HTTP/1.1", "A".repeat(length));
        let (status, body) = raw(&server, &line).await;
        assert!(status.contains(" 414 "), "{length}: {status}");
        assert_eq!(body["code"], "request.uriTooLong", "{length}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_is_not_utf8_is_a_json_400() {
    let server = server(16).await;
    for path in [
        "/v1/vouchers/%FF%FE",
        "/v1/claims/%C3%28",
        "/v1/partners/%80/profile",
    ] {
        let (status, body) = raw(&server, &format!("GET {path} HTTP/1.1")).await;
        assert!(status.contains(" 400 "), "{path}: {status}");
        assert_eq!(body["code"], "request.invalidPath", "{path}");
        assert!(!body["message"].as_str().unwrap_or_default().is_empty());
    }
}

/// The head of the next response on `stream` (up to its blank line).
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte))
            .await
            .expect("a response within 5 s")
            .expect("read");
        assert_eq!(
            read,
            1,
            "closed mid-head: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).to_ascii_lowercase()
}

/// A refusal that comes before the request's body is read (a wrong method, no such route) cannot keep
/// the connection: the unread body would be taken for the next request. It must say so
/// (`Connection: close`), or a client that reuses the connection has its next request cut off.
/// Before, the server closed without saying so, and `api_hostile` failed now and then with
/// `IncompleteMessage`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_before_the_body_is_read_closes_the_connection_and_says_so() {
    let server = server(16).await;
    for request in [
        "POST /v1/partners/1001 HTTP/1.1",
        "POST /v1/nowhere HTTP/1.1",
    ] {
        let mut stream = connect(&server).await;
        let head = format!(
            "{request}\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("send");
        // The body is late, as a body in its own packet can be.
        let head = read_head(&mut stream).await;
        assert!(head.contains("connection: close"), "{request}: {head}");
    }

    // A request without a body, and one whose body was read, keep their connection.
    let mut stream = connect(&server).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("send");
    let head = read_head(&mut stream).await;
    assert!(!head.contains("connection: close"), "{head}");
    let mut stream = connect(&server).await;
    let body = r#"{"programId":"x"}"#;
    let request = format!(
        "POST /v1/rules/eligibility HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let head = read_head(&mut stream).await;
    assert!(!head.contains("connection: close"), "{head}");
}
