//! Serving a router on a TCP listener with the limits a public-facing server needs, which
//! `axum::serve` does not set: a client has a bounded time to send its request's headers (so
//! connections that never finish them are closed), and at most a fixed number of connections are
//! open at once (past it, new ones wait in the listen queue).
//!
//! A request line longer than hyper can hold (64 KiB) is answered by hyper itself, with an empty
//! 414. So that this answer too is the API's JSON, the first request line of each connection is
//! read here before hyper sees it; the API's own limit (`extract::URI_LIMIT`, 8 KiB) answers the
//! rest. A later request on a kept-alive connection with a line past 64 KiB still gets hyper's
//! empty 414 (lambda/DESIGN.md).
//!
//! A response sent before its request's body was read to the end (a wrong method, no such route)
//! says `Connection: close`. hyper closes such a connection anyway, since the unread body would
//! be taken for the next request; without the header a client may reuse the connection for its
//! next request in the moment before the close reaches it, and see that request cut off.

use crate::api::problem::{ApiError, HttpProblem};
use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use saps_core::error::Locale;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// The connection limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a client may take to send a request's headers, from the first byte or from the
    /// end of the previous response on a kept-alive connection.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    /// 10 s for headers (a browser sends them in one packet) and 512 connections: half the usual
    /// soft limit of 1,024 descriptors, leaving the rest to the store's and the blobs' files.
    fn default() -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let app = app.layer(middleware::from_fn(close_when_body_unread));
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &permits) => accepted,
        };
        let Some((stream, permit)) = accepted else {
            continue;
        };
        let app = app.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let Some(stream) = first_line(stream, limits.header_read_timeout).await else {
                return;
            };
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let service = TowerToHyperService::new(app);
            let connection = watcher.watch(builder.serve_connection(TokioIo::new(stream), service));
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = connection.await;
            drop(permit);
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// The next connection, once a permit is free. An accept error (a client that reset before it
/// was accepted, descriptors exhausted for a moment) is skipped after a short pause.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(TcpStream, tokio::sync::OwnedSemaphorePermit)> {
    let permit = permits.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _)) => Some((stream, permit)),
        Err(error) => {
            tracing::warn!(%error, "accept failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// The longest first request line read before hyper: the API's target limit plus the method,
/// the version and the line's end.
const LINE_LIMIT: usize = crate::api::extract::URI_LIMIT + 64;

/// Reads a connection's first request line. A line past [`LINE_LIMIT`] is answered with the
/// API's JSON 414 and the connection closed (`None`); otherwise the connection is handed on
/// with what was read still to be read. A client that sends nothing within `timeout`, or
/// closes, is dropped.
async fn first_line(mut stream: TcpStream, timeout: Duration) -> Option<Prefixed> {
    let mut read = BytesMut::with_capacity(1024);
    let complete = tokio::time::timeout(timeout, async {
        loop {
            if read.windows(2).any(|w| w == b"\r\n") || read.len() > LINE_LIMIT {
                return true;
            }
            match stream.read_buf(&mut read).await {
                Ok(0) | Err(_) => return false,
                Ok(_) => {}
            }
        }
    })
    .await;
    if complete != Ok(true) {
        return None;
    }
    let line_end = read.windows(2).position(|w| w == b"\r\n");
    if line_end.is_none_or(|end| end > LINE_LIMIT) {
        let answer = ApiError::from(HttpProblem::UriTooLong {
            limit: crate::api::extract::URI_LIMIT,
        })
        .describe()
        .failure(Locale::En);
        let body = serde_json::to_string(&answer).unwrap_or_default();
        let response = format!(
            "HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        return None;
    }
    Some(Prefixed {
        read: read.freeze(),
        stream,
    })
}

/// Marks the response `Connection: close` when the handler answered without reading the
/// request's body to its end.
async fn close_when_body_unread(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let read = Arc::new(AtomicBool::new(body.is_end_stream()));
    let body = Body::new(Watched {
        body,
        read: read.clone(),
    });
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if !read.load(Ordering::Acquire) {
        response.headers_mut().insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
    response
}

/// A request body that records when it has been read to its end (or had none).
struct Watched {
    body: Body,
    read: Arc<AtomicBool>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let frame = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(frame, Poll::Ready(None)) || self.body.is_end_stream() {
            self.read.store(true, Ordering::Release);
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        let end = self.body.is_end_stream();
        if end {
            self.read.store(true, Ordering::Release);
        }
        end
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// A connection with bytes already read from it, which reads yield first.
struct Prefixed {
    read: Bytes,
    stream: TcpStream,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.read.is_empty() {
            return Pin::new(&mut self.stream).poll_read(cx, buf);
        }
        let n = self.read.len().min(buf.remaining());
        buf.put_slice(&self.read.split_to(n));
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, data)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, data)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
