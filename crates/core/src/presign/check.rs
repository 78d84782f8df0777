//! "Test this link": fetch a download link's first byte as whoever receives it would.

use super::Link;
use crate::error::{Error, Result};
use std::time::Duration;

/// What fetching a link showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTest {
    pub works: bool,
    pub status: u16,
    pub message: String,
}

/// "Test this link": fetch the first byte of a download link (GET with `Range: bytes=0-0`), as whoever
/// receives it would, and say in plain words what happened. Upload links are not sent (that would write
/// a file); their test is the upload itself.
pub async fn test_link(link: &Link) -> Result<LinkTest> {
    if link.method != "GET" {
        return Ok(LinkTest { works: false, status: 0, message: "Upload links are not tried here (that would write a file); try it with the curl command.".into() });
    }
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| Error::Other(format!("could not load this computer's trusted certificates: {e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build::<_, http_body_util::Empty<hyper::body::Bytes>>(https);
    let mut req = hyper::Request::get(&link.url).header("Range", "bytes=0-0");
    for (k, v) in &link.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req.body(http_body_util::Empty::new()).map_err(|e| Error::invalid("link", format!("not a usable URL: {e}")))?;
    let resp = tokio::time::timeout(Duration::from_secs(20), client.request(req))
        .await
        .map_err(|_| Error::Timeout { operation: "fetching the link".into() })?
        .map_err(|e| Error::Unreachable { endpoint: link.url.split('?').next().unwrap_or_default().to_string(), detail: e.to_string() })?;
    let status = resp.status().as_u16();
    Ok(explain_status(status))
}

/// What an answer to the first-byte request means. 416 (the range cannot be satisfied) comes from the file
/// itself: the link reached it, and it has no first byte, as an empty file has none.
fn explain_status(status: u16) -> LinkTest {
    let message = match status {
        200 | 206 => "The link works: the file downloads.".to_string(),
        416 => "The link works: the file is empty.".to_string(),
        403 => "Refused (403): the signing identity may not read this file, or the link has expired. Sign with a key that has read access.".to_string(),
        404 => "The link is signed, but there is no file at this key (404).".to_string(),
        400 => "Refused (400): the link is malformed or was signed for another region.".to_string(),
        other => format!("Unexpected answer: HTTP {other}."),
    };
    LinkTest { works: matches!(status, 200 | 206 | 416), status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_counts_as_working() {
        for (status, works) in [(200, true), (206, true), (416, true), (403, false), (404, false), (400, false), (500, false)] {
            assert_eq!(explain_status(status).works, works, "{status}");
        }
        assert!(explain_status(416).message.contains("the file is empty"));
    }
}
