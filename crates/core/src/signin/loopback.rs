//! The loopback redirect of a browser sign-in: a one-shot HTTP listener on 127.0.0.1 (never another
//! interface), on a port the system picks. It waits for `/oauth/callback?code=…&state=…` (or `?error=…`),
//! checks the state, answers the browser with a short page, and closes. Anything else on the port gets
//! a 404; a redirect with another attempt's state ends this one; nothing arriving ends it at the timeout.

use crate::error::{Error, Result};
use crate::secret::Secret;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const CALLBACK_PATH: &str = "/oauth/callback";

/// What the browser brought back. (`Secret`'s `Debug` shows nothing of the code.)
#[derive(Debug)]
pub struct Redirect {
    pub code: Secret,
}

pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    pub async fn bind() -> Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::SignInFailed { detail: format!("this computer refused a local port for the browser to come back to ({e})") })?;
        let port = listener.local_addr().map_err(|e| Error::Internal(e.to_string()))?.port();
        Ok(Loopback { listener, port })
    }

    /// `http://127.0.0.1:PORT/oauth/callback`, as AWS expects it in the authorization request.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Wait for the redirect (at most `timeout`), then close the port.
    pub async fn wait(self, expected_state: &str, timeout: Duration, product: &str) -> Result<Redirect> {
        let minutes = timeout.as_secs().div_ceil(60).max(1);
        tokio::time::timeout(timeout, self.serve(expected_state, product))
            .await
            .map_err(|_| Error::SignInTimedOut { minutes })?
    }

    async fn serve(self, expected_state: &str, product: &str) -> Result<Redirect> {
        loop {
            let (stream, _) = self.listener.accept().await.map_err(|e| Error::SignInFailed { detail: format!("the local port stopped working ({e})") })?;
            if let Some(outcome) = handle(stream, expected_state, product).await {
                return outcome;
            }
        }
    }
}

/// One connection: `None` when it was not the callback (served a 404, keep waiting).
async fn handle(mut stream: TcpStream, expected_state: &str, product: &str) -> Option<Result<Redirect>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    // The request line and headers; a callback is small, so a few KB is plenty.
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head.lines().next().and_then(|l| l.strip_prefix("GET ")).and_then(|l| l.split(' ').next()).unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        respond(&mut stream, "404 Not Found", "Not here", "This address only receives the sign-in.").await;
        return None;
    }
    let params: std::collections::HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    let outcome = if let Some(error) = params.get("error") {
        let detail = params.get("error_description").filter(|d| !d.is_empty()).unwrap_or(error).clone();
        Err(Error::SignInCancelled { detail })
    } else {
        match (params.get("code"), params.get("state")) {
            (Some(code), Some(state)) if state == expected_state && !code.is_empty() => Ok(Redirect { code: Secret::new(code.as_str()) }),
            (Some(_), Some(_)) => Err(Error::SignInFailed { detail: "the browser came back from a sign-in that was not started here (its state does not match)".into() }),
            _ => Err(Error::SignInFailed { detail: "the browser came back without an authorization code".into() }),
        }
    };
    match &outcome {
        Ok(_) => respond(&mut stream, "200 OK", "Signed in", &format!("You are signed in. Close this tab and go back to {product}.")).await,
        Err(e) => respond(&mut stream, "400 Bad Request", "Not signed in", &format!("{e} Go back to {product}.")).await,
    }
    Some(outcome)
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

async fn respond(stream: &mut TcpStream, status: &str, title: &str, text: &str) {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>{}</h1><p>{}</p></body></html>",
        esc(title),
        esc(title),
        esc(text)
    );
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn the_callback_with_the_right_state_brings_the_code_once() {
        let lb = Loopback::bind().await.unwrap();
        let port = lb.port;
        assert_eq!(lb.redirect_uri(), format!("http://127.0.0.1:{port}/oauth/callback"));
        let waiting = tokio::spawn(lb.wait("s-1", Duration::from_secs(20), "the app"));
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"), "other paths do not end the wait");
        assert!(get(port, "/oauth/callback?code=c%2B1&state=s-1").await.starts_with("HTTP/1.1 200"));
        let r = waiting.await.unwrap().unwrap();
        assert_eq!(r.code.expose(), "c+1");
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err(), "single use: the port is closed");
    }

    #[tokio::test]
    async fn another_state_a_cancel_and_silence_end_the_attempt_plainly() {
        let lb = Loopback::bind().await.unwrap();
        let port = lb.port;
        let waiting = tokio::spawn(lb.wait("s-1", Duration::from_secs(20), "the app"));
        assert!(get(port, "/oauth/callback?code=c&state=evil").await.starts_with("HTTP/1.1 400"));
        let e = waiting.await.unwrap().unwrap_err();
        assert_eq!(e.code(), "sign_in_failed");
        assert!(e.to_string().contains("state does not match"), "{e}");

        let lb = Loopback::bind().await.unwrap();
        let port = lb.port;
        let waiting = tokio::spawn(lb.wait("s-2", Duration::from_secs(20), "the app"));
        get(port, "/oauth/callback?error=access_denied&error_description=The+user+cancelled").await;
        let e = waiting.await.unwrap().unwrap_err();
        assert_eq!(e.code(), "sign_in_cancelled");
        assert!(e.to_string().contains("The user cancelled"), "{e}");

        let lb = Loopback::bind().await.unwrap();
        let e = lb.wait("s-3", Duration::from_millis(50), "the app").await.unwrap_err();
        assert_eq!(e.code(), "sign_in_timed_out");
        assert!(e.to_string().contains("1 minute"), "{e}");
    }
}
