//! Pre-signed links: download (GET) and upload (PUT) URLs signed by the connected identity or by a key
//! the app saved. SigV4 links live at most 7 days, and a link signed with temporary credentials (SSO,
//! assumed role, session token) dies with them, whatever expiry it was given: the link's real end time is
//! reported, capped at the credentials' expiry.

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_s3::presigning::PresigningConfig;
use std::time::{Duration, SystemTime};

/// The longest a SigV4 pre-signed URL may live.
pub const MAX_EXPIRY: Duration = Duration::from_secs(604_800);

/// Parse a plain duration: `90s`, `15m`, `12h`, `7d`, or a number of seconds.
pub fn parse_expiry(text: &str) -> Result<Duration> {
    let t = text.trim().to_ascii_lowercase();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().map_err(|_| Error::invalid("expiry", format!("\"{text}\" is not a duration; write it like 30m, 12h or 7d")))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" | "seconds" => n,
        "m" | "min" | "mins" | "minutes" => n * 60,
        "h" | "hour" | "hours" => n * 3600,
        "d" | "day" | "days" => n * 86_400,
        other => return Err(Error::invalid("expiry", format!("\"{other}\" is not a unit; use s, m, h or d"))),
    };
    let d = Duration::from_secs(secs);
    check_expiry(d)?;
    Ok(d)
}

pub fn check_expiry(d: Duration) -> Result<()> {
    if d.is_zero() {
        return Err(Error::invalid("expiry", "a link must live at least one second"));
    }
    if d > MAX_EXPIRY {
        return Err(Error::invalid("expiry", format!("a pre-signed link can live at most 7 days (604800 seconds); {} seconds was asked", d.as_secs())));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKind {
    Download,
    /// An upload; with a content type, the uploader must send that exact `Content-Type` header.
    Upload { content_type: Option<String> },
}

/// A signed link. The URL carries a signature, not a secret key; it still grants access while it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub bucket: String,
    pub key: String,
    pub method: String,
    pub url: String,
    /// Headers the client must send with the request.
    pub headers: Vec<(String, String)>,
    pub expires_at: SystemTime,
    /// Set when the signing credentials expire before the asked-for expiry (the link dies with them).
    pub cut_short_by_credentials: bool,
    /// Signed with temporary credentials whose end time is unknown: the link may stop working earlier.
    pub temporary_without_end: bool,
}

impl Link {
    /// A `curl` command that uses the link.
    pub fn curl(&self) -> String {
        let headers: String = self.headers.iter().map(|(k, v)| format!(" -H '{k}: {v}'")).collect();
        match self.method.as_str() {
            "PUT" => format!("curl -X PUT -T FILE{headers} '{}'", self.url),
            _ => format!("curl -o '{}'{headers} '{}'", self.key.rsplit('/').next().unwrap_or("download"), self.url),
        }
    }
}

/// When the session's credentials expire (`None` for long-term keys, or when AWS gave no end time).
pub async fn credentials_expiry(session: &Session) -> Result<Option<SystemTime>> {
    Ok(credentials_lifetime(session).await?.expires_at)
}

/// Whether the signing credentials are temporary, and until when if that is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifetime {
    /// A session token means temporary credentials (SSO, an assumed role, pasted ASIA… keys), even when no
    /// end time came with them.
    pub temporary: bool,
    pub expires_at: Option<SystemTime>,
}

pub async fn credentials_lifetime(session: &Session) -> Result<Lifetime> {
    let Some(provider) = session.credentials_provider() else {
        return Err(Error::NoCredentials { profile: session.ctx.profile.clone() });
    };
    match provider.provide_credentials().await {
        Ok(c) => Ok(Lifetime { temporary: c.session_token().is_some() || c.expiry().is_some(), expires_at: c.expiry() }),
        Err(_) if session.ctx.profile_is_sso => Err(Error::SsoExpired { profile: session.ctx.profile.clone().unwrap_or_default() }),
        Err(_) => Err(Error::NoCredentials { profile: session.ctx.profile.clone() }),
    }
}

/// Sign one link. The expiry is capped by the credentials' own expiry, and the link says so.
pub async fn presign(session: &Session, bucket: &str, key: &str, kind: &LinkKind, expires_in: Duration) -> Result<Link> {
    crate::validate::bucket_name(bucket)?;
    if key.is_empty() {
        return Err(Error::invalid("object key", "name the file (object key) to link to"));
    }
    let signer = Signer::new(session, expires_in).await?;
    signer.sign(bucket, key, kind).await
}

/// Signs many links with one expiry (for bulk exports): credentials are resolved once.
pub struct Signer<'a> {
    session: &'a Session,
    expires_in: Duration,
    expires_at: SystemTime,
    cut_short: bool,
    /// Temporary credentials whose end time is unknown: the link may die before `expires_at`.
    pub temporary_without_end: bool,
}

impl<'a> Signer<'a> {
    pub async fn new(session: &'a Session, expires_in: Duration) -> Result<Signer<'a>> {
        check_expiry(expires_in)?;
        let now = SystemTime::now();
        let mut expires_at = now + expires_in;
        let mut cut_short = false;
        let life = credentials_lifetime(session).await?;
        if let Some(creds_end) = life.expires_at {
            if creds_end < expires_at {
                expires_at = creds_end;
                cut_short = true;
            }
        }
        let expires_in = expires_at.duration_since(now).unwrap_or(Duration::from_secs(1)).max(Duration::from_secs(1));
        Ok(Signer { session, expires_in, expires_at, cut_short, temporary_without_end: life.temporary && life.expires_at.is_none() })
    }

    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    pub async fn sign(&self, bucket: &str, key: &str, kind: &LinkKind) -> Result<Link> {
        let conf = PresigningConfig::expires_in(self.expires_in).map_err(|e| Error::invalid("expiry", e.to_string()))?;
        let s3 = self.session.s3();
        let req = match kind {
            LinkKind::Download => s3.get_object().bucket(bucket).key(key).presigned(conf).await.map_err(|e| from_sdk(&self.session.ctx, "GetObject (presign)", e))?,
            LinkKind::Upload { content_type } => s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .set_content_type(content_type.clone())
                .presigned(conf)
                .await
                .map_err(|e| from_sdk(&self.session.ctx, "PutObject (presign)", e))?,
        };
        Ok(Link {
            bucket: bucket.to_string(),
            key: key.to_string(),
            method: req.method().to_string(),
            url: req.uri().to_string(),
            headers: req.headers().filter(|(k, _)| !k.eq_ignore_ascii_case("host")).map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            expires_at: self.expires_at,
            cut_short_by_credentials: self.cut_short,
            temporary_without_end: self.temporary_without_end,
        })
    }
}

/// Download links for every object under `prefix`, written as CSV rows (`key,url,expires_at`) to `out` as
/// the listing streams in: each page is signed while the next one is being fetched. Returns the count.
pub async fn presign_prefix_csv(
    session: &Session,
    bucket: &str,
    prefix: &str,
    expires_in: Duration,
    out: &mut (dyn std::io::Write + Send),
    mut progress: impl FnMut(usize),
) -> Result<usize> {
    crate::validate::bucket_name(bucket)?;
    let signer = Signer::new(session, expires_in).await?;
    let expires = crate::record::format_time(signer.expires_at());
    let io = |source| Error::Io { action: "write", path: "the CSV file".into(), source };
    writeln!(out, "key,url,expires_at").map_err(io)?;
    let mut pages = session.s3().list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
    let mut count = 0;
    let mut next = pages.next().await;
    while let Some(page) = next {
        let page = page.map_err(|e| from_sdk(&session.ctx, "ListObjectsV2", e))?;
        let keys: Vec<String> = page.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect();
        // Fetch the next page while this one is signed.
        let (following, signed) = futures::join!(pages.next(), async {
            let mut rows = Vec::with_capacity(keys.len());
            for k in &keys {
                rows.push(signer.sign(bucket, k, &LinkKind::Download).await.map(|l| l.url));
            }
            rows
        });
        for (k, url) in keys.iter().zip(signed) {
            let url = url?;
            writeln!(out, "{},{},{}", csv_quote(k), url, expires).map_err(io)?;
            count += 1;
        }
        progress(count);
        next = following;
    }
    Ok(count)
}

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
    let message = match status {
        200 | 206 => "The link works: the file downloads.".to_string(),
        403 => "Refused (403): the signing identity may not read this file, or the link has expired. Sign with a key that has read access.".to_string(),
        404 => "The link is signed, but there is no file at this key (404).".to_string(),
        400 => "Refused (400): the link is malformed or was signed for another region.".to_string(),
        other => format!("Unexpected answer: HTTP {other}."),
    };
    Ok(LinkTest { works: matches!(status, 200 | 206), status, message })
}

/// One object in a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectEntry {
    pub key: String,
    pub size: i64,
    pub last_modified: Option<String>,
}

/// List the folders and files directly under `prefix`, one page (up to 1,000 entries) at a time as AWS
/// returns them, so a caller can show the first rows while the rest is still coming. Returns the totals.
pub async fn list_objects_paged(
    session: &Session,
    bucket: &str,
    prefix: &str,
    mut on_page: impl FnMut(Vec<String>, Vec<ObjectEntry>),
) -> Result<(usize, usize)> {
    crate::validate::bucket_name(bucket)?;
    let region = crate::inventory::bucket_region(session, bucket).await?;
    let s3 = session.s3_in(&region);
    let mut pages = s3.list_objects_v2().bucket(bucket).prefix(prefix).delimiter("/").into_paginator().send();
    let (mut folders, mut objects) = (0, 0);
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk(&session.ctx, "ListObjectsV2", e))?;
        let f: Vec<String> = page.common_prefixes().iter().filter_map(|p| p.prefix().map(str::to_string)).collect();
        let o: Vec<ObjectEntry> = page
            .contents()
            .iter()
            .map(|o| ObjectEntry {
                key: o.key().unwrap_or_default().to_string(),
                size: o.size().unwrap_or_default(),
                last_modified: o.last_modified().and_then(|t| SystemTime::try_from(*t).ok()).map(crate::record::format_time),
            })
            .collect();
        folders += f.len();
        objects += o.len();
        on_page(f, o);
    }
    Ok((folders, objects))
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_in_plain_units() {
        assert_eq!(parse_expiry("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_expiry("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_expiry("12h").unwrap(), Duration::from_secs(43_200));
        assert_eq!(parse_expiry("7d").unwrap(), MAX_EXPIRY);
        assert!(parse_expiry("8d").unwrap_err().to_string().contains("at most 7 days"));
        assert!(parse_expiry("0s").is_err());
        assert!(parse_expiry("soon").unwrap_err().to_string().contains("30m, 12h or 7d"));
        assert!(parse_expiry("3w").unwrap_err().to_string().contains("not a unit"));
    }

    #[test]
    fn curl_commands_send_the_signed_headers() {
        let link = Link {
            bucket: "b".into(),
            key: "up/file.png".into(),
            method: "PUT".into(),
            url: "https://b.s3.amazonaws.com/up/file.png?X-Amz-Signature=x".into(),
            headers: vec![("content-type".into(), "image/png".into())],
            expires_at: SystemTime::now(),
            cut_short_by_credentials: false,
            temporary_without_end: false,
        };
        assert_eq!(link.curl(), "curl -X PUT -T FILE -H 'content-type: image/png' 'https://b.s3.amazonaws.com/up/file.png?X-Amz-Signature=x'");
    }
}
