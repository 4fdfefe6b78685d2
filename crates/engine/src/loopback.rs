//! The one-shot loopback listener for platforms that redirect to
//! `http://127.0.0.1:<port>/oauth/<platform>/callback`. It binds 127.0.0.1
//! only, answers one callback (other paths get a 404), hands the URL to the
//! same handler as the deep link, and closes; it gives up after the flow's
//! lifetime.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::Engine;
use crate::auth::CallbackError;
use crate::error::{EngineError, Result};
use crate::model::{Account, Platform};

const MAX_REQUEST_HEAD: usize = 8 * 1024;

pub struct Listener {
    pub port: u16,
    pub task: JoinHandle<Option<std::result::Result<Account, CallbackError>>>,
}

/// Binds 127.0.0.1:`port`. A registered port lies inside the range Linux
/// hands out as the local end of outgoing connections, so one of those can
/// hold it for a moment: a busy port is tried again for up to 3 s before it
/// counts as taken.
async fn bind(port: u16) -> std::io::Result<TcpListener> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        match TcpListener::bind(("127.0.0.1", port)).await {
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && port != 0
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}

/// Binds the listener (`port` 0 = any free port) for `platform`'s callback.
pub async fn listen(
    engine: Engine,
    platform: Platform,
    port: u16,
    timeout: Duration,
) -> Result<Listener> {
    let listener = bind(port).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            EngineError::Conflict(format!(
                "Port {port} on this computer is busy, so {} cannot send you back to CreatorFlow. Close the program using it and try again.",
                platform.display_name()
            ))
        } else {
            EngineError::Io(e)
        }
    })?;
    let port = listener.local_addr()?.port();
    let path = format!("/oauth/{}/callback", platform.as_str());
    let task = tokio::spawn(async move {
        let serve = async {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                if let Some(result) = serve_one(&engine, stream, port, &path).await {
                    return result;
                }
            }
        };
        tokio::time::timeout(timeout, serve).await.ok()
    });
    Ok(Listener { port, task })
}

/// Serves one connection; `Some` when it was the callback.
async fn serve_one(
    engine: &Engine,
    mut stream: TcpStream,
    port: u16,
    path: &str,
) -> Option<std::result::Result<Account, CallbackError>> {
    let target = match read_target(&mut stream).await {
        Some(t) => t,
        None => {
            let _ = respond(
                &mut stream,
                400,
                "Bad request",
                "CreatorFlow could not read this request.",
            )
            .await;
            return None;
        }
    };
    let target_path = target.split('?').next().unwrap_or("");
    if target_path != path {
        let _ = respond(&mut stream, 404, "Not found", "Nothing here.").await;
        return None;
    }
    let url = format!("http://127.0.0.1:{port}{target}");
    let result = engine.handle_callback(&url).await;
    let _ = match &result {
        Ok(account) => {
            respond(
                &mut stream,
                200,
                "Connected",
                &format!(
                    "{} on {} is connected. You can close this tab and go back to CreatorFlow.",
                    account.platform.handle(&account.username),
                    account.platform.display_name()
                ),
            )
            .await
        }
        Err(e) => respond(&mut stream, 400, "Not connected", &e.message).await,
    };
    // A stray request (a forged or stale link) does not end the sign-in
    // this listener is waiting for.
    match &result {
        Err(e) if e.stray => None,
        _ => Some(result),
    }
}

async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = vec![0u8; MAX_REQUEST_HEAD];
    let mut len = 0;
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf[len..]))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        len += n;
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf[..len]) {
            Ok(httparse::Status::Complete(_)) => {
                return (req.method == Some("GET"))
                    .then(|| req.path.map(str::to_owned))
                    .flatten();
            }
            Ok(httparse::Status::Partial) if len < buf.len() => continue,
            _ => return None,
        }
    }
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    title: &str,
    message: &str,
) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} - CreatorFlow</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto\">\
         <h1>{title}</h1><p>{}</p></body></html>",
        html_escape(message)
    );
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
