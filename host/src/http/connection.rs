//! The HTTP/1.1 connection loop, with the limits `axum::serve` leaves
//! unset: a peer that has not sent its whole request head within
//! `header_read_timeout` is disconnected (there is no request yet to
//! answer, so hyper sends nothing), and a head larger than hyper's read
//! buffer is answered 431 by hyper itself. Heads under that size but over
//! `server.max_header_bytes` get a problem answer from the middleware
//! (`ops::refuse_large_head`).
//!
//! HTTP/1.1 only: hyper's header timer does not run while an `auto`
//! connection is still telling HTTP/1 from HTTP/2, so a silent peer would
//! hold its socket for ever. Browsers and proxies speak HTTP/1.1 to an
//! origin such as this.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Connection-level limits (`[server]`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    /// hyper's read buffer: a request head that does not fit is refused 431.
    pub max_head_bytes: usize,
    /// How long a graceful stop waits for open connections.
    pub drain: Duration,
}

/// Serves `router` on `listener` until `stop` resolves, then waits up to
/// `limits.drain` for the requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // hyper's floor is 8 KiB.
        .max_buf_size(limits.max_head_bytes.max(8192));
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // A peer that hung up or timed out its head: its business.
                tracing::debug!(%error, "connection closed with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after {} s; closing them", limits.drain.as_secs());
    }
    Ok(())
}
