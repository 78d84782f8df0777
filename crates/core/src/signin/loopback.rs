//! The loopback redirect of a browser sign-in: a one-shot HTTP listener on 127.0.0.1 (never another
//! interface), on a port the system picks. It waits for `/oauth/callback?code=…&state=…` (or `?error=…`),
//! checks the state, answers the browser with a short page, and closes. Anything else on the port gets
//! a 404; a redirect with another attempt's state (its `error=` form too) is refused and ignored;
//! connections are served side by side, each with a deadline; nothing arriving ends it at the timeout.
//! AWS's error is said in the app's words, never the caller's text.

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

    /// Connections are served side by side, each with its own deadline, so one slow or silent client
    /// cannot hold the port while the real redirect waits.
    async fn serve(self, expected_state: &str, product: &str) -> Result<Redirect> {
        let mut handlers = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, _) = accepted.map_err(|e| Error::SignInFailed { detail: format!("the local port stopped working ({e})") })?;
                    let (state, product) = (expected_state.to_string(), product.to_string());
                    handlers.spawn(async move { handle(stream, &state, &product).await });
                }
                Some(done) = handlers.join_next(), if !handlers.is_empty() => {
                    if let Ok(Some(outcome)) = done {
                        return outcome;
                    }
                }
            }
        }
    }
}

/// How long one connection may take to send its request line and headers.
const REQUEST_DEADLINE: Duration = Duration::from_secs(5);
/// A callback is small: more than this is not one.
const MAX_REQUEST: usize = 16 * 1024;

/// What one request to the port was.
#[derive(Debug)]
pub(crate) enum Callback {
    /// Another path (a favicon, a probe): a 404, and the wait goes on.
    Elsewhere,
    /// A callback of a sign-in not started here (its state does not match; the `error=` form too): it is
    /// refused and ignored, so a page elsewhere cannot end or steer this attempt.
    Stranger,
    /// The redirect of this sign-in: its code, or why the sign-in did not happen.
    Outcome(Result<Redirect>),
}

/// Read a request's head (pure, for any bytes a client may send).
pub(crate) fn read_callback(head: &str, expected_state: &str) -> Callback {
    let target = head.lines().next().and_then(|l| l.strip_prefix("GET ")).and_then(|l| l.split(' ').next()).unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return Callback::Elsewhere;
    }
    let params: std::collections::HashMap<String, String> = query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect();
    if params.get("state").map(String::as_str) != Some(expected_state) {
        return Callback::Stranger;
    }
    if let Some(error) = params.get("error") {
        return Callback::Outcome(Err(Error::SignInCancelled { detail: oauth_error_words(error).into() }));
    }
    match params.get("code") {
        Some(code) if !code.is_empty() => Callback::Outcome(Ok(Redirect { code: Secret::new(code.as_str()) })),
        _ => Callback::Outcome(Err(Error::SignInFailed { detail: "the browser came back without an authorization code".into() })),
    }
}

/// An OAuth error code in the app's own words; the caller's description is never shown (any page can
/// put text there).
fn oauth_error_words(code: &str) -> &'static str {
    match code {
        "access_denied" => "AWS says access_denied: the sign-in was declined or closed",
        "invalid_request" | "invalid_scope" | "unsupported_response_type" => "AWS refused the sign-in request as this app made it; try again, and update the app if it keeps happening",
        "unauthorized_client" => "AWS does not allow this app's sign-in here (an organisation policy may forbid it)",
        "server_error" | "temporarily_unavailable" => "AWS's sign-in service had a problem; try again in a few minutes",
        _ => "the sign-in page reported an error",
    }
}

/// One connection: `None` when it was not this sign-in's callback (served an answer, keep waiting).
async fn handle(mut stream: TcpStream, expected_state: &str, product: &str) -> Option<Result<Redirect>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read_head = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < MAX_REQUEST {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    // Whatever arrived by the deadline is all there is.
    let _ = tokio::time::timeout(REQUEST_DEADLINE, read_head).await;
    let head = String::from_utf8_lossy(&buf).into_owned();
    match read_callback(&head, expected_state) {
        Callback::Elsewhere => {
            respond(&mut stream, "404 Not Found", "Not here", "This address only receives the sign-in.").await;
            None
        }
        Callback::Stranger => {
            respond(&mut stream, "400 Bad Request", "Not this sign-in", &format!("This does not belong to the sign-in {product} is waiting for. Go back to {product}.")).await;
            None
        }
        Callback::Outcome(outcome) => {
            match &outcome {
                Ok(_) => respond(&mut stream, "200 OK", "Signed in", &format!("You are signed in. Close this tab and go back to {product}.")).await,
                Err(e) => respond(&mut stream, "400 Bad Request", "Not signed in", &format!("{e} Go back to {product}.")).await,
            }
            Some(outcome)
        }
    }
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
    async fn another_state_is_ignored_a_cancel_is_said_in_our_words_and_silence_ends_the_attempt() {
        let lb = Loopback::bind().await.unwrap();
        let port = lb.port;
        let waiting = tokio::spawn(lb.wait("s-1", Duration::from_secs(20), "the app"));
        assert!(get(port, "/oauth/callback?code=c&state=evil").await.starts_with("HTTP/1.1 400"));
        assert!(get(port, "/oauth/callback?error=access_denied&error_description=Pwned&state=evil").await.starts_with("HTTP/1.1 400"));
        assert!(!waiting.is_finished(), "a stranger's callback, error form included, does not end the wait");
        // A client that connects and says nothing does not hold the port: the real redirect still arrives.
        let _silent = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        assert!(get(port, "/oauth/callback?error=access_denied&error_description=Visit+evil.example&state=s-1").await.starts_with("HTTP/1.1 400"));
        let e = waiting.await.unwrap().unwrap_err();
        assert_eq!(e.code(), "sign_in_cancelled");
        assert!(e.to_string().contains("declined or closed") && !e.to_string().contains("evil"), "{e}");

        let lb = Loopback::bind().await.unwrap();
        let e = lb.wait("s-3", Duration::from_millis(50), "the app").await.unwrap_err();
        assert_eq!(e.code(), "sign_in_timed_out");
        assert!(e.to_string().contains("1 minute"), "{e}");
    }
}
