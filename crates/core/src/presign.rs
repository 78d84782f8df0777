//! Pre-signed links: download (GET) and upload (PUT) URLs signed by the connected identity or by a key
//! the app saved. SigV4 links live at most 7 days, and a link signed with temporary credentials (SSO,
//! assumed role, session token) dies with them, whatever expiry it was given: the link's real end time is
//! reported, capped at the credentials' expiry.

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

/// An object key in a URL path, encoded as the SDK encodes it (every byte but unreserved ones and `/`).
fn encode_key(key: &str) -> String {
    aws_smithy_http::label::fmt_string(key, aws_smithy_http::label::EncodingStrategy::Greedy)
}

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
    Ok(lifetime_of(&session_credentials(session).await?))
}

fn lifetime_of(c: &Credentials) -> Lifetime {
    Lifetime { temporary: c.session_token().is_some() || c.expiry().is_some(), expires_at: c.expiry() }
}

async fn session_credentials(session: &Session) -> Result<Credentials> {
    let Some(provider) = session.credentials_provider() else {
        return Err(Error::NoCredentials { profile: session.ctx.profile.clone() });
    };
    match provider.provide_credentials().await {
        Ok(c) => Ok(c),
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
    let signer = Signer::new(session, bucket, expires_in).await?;
    signer.sign(key, kind).await
}

/// The region a bucket lives in, for signing its links: S3 names it in HeadBucket's `x-amz-bucket-region`
/// header, also when it refuses the caller (a key that may only read one folder still gets it). `None`
/// when S3 did not say.
pub async fn bucket_region_hint(session: &Session, bucket: &str) -> Option<String> {
    match session.s3().head_bucket().bucket(bucket).send().await {
        Ok(out) => out.bucket_region().map(str::to_string),
        Err(e) => e.raw_response().and_then(|r| r.headers().get("x-amz-bucket-region")).map(str::to_string),
    }
}

/// Signs the links of one bucket with one expiry and one signing time: credentials and the bucket's region
/// are resolved once.
pub struct Signer<'a> {
    session: &'a Session,
    bucket: String,
    /// A client in the bucket's region, and that region: a link signed for another region is refused.
    s3: aws_sdk_s3::Client,
    region: String,
    identity: Identity,
    signed_at: SystemTime,
    expires_in: Duration,
    expires_at: SystemTime,
    cut_short: bool,
    /// Temporary credentials whose end time is unknown: the link may die before `expires_at`.
    pub temporary_without_end: bool,
    /// What every download link's URL starts with (endpoint, addressing style and bucket), taken from the
    /// first link the SDK built; `None` inside when it could not be taken apart (then the SDK signs all).
    download_base: OnceLock<Option<String>>,
}

impl<'a> Signer<'a> {
    pub async fn new(session: &'a Session, bucket: &str, expires_in: Duration) -> Result<Signer<'a>> {
        crate::validate::bucket_name(bucket)?;
        check_expiry(expires_in)?;
        let credentials = session_credentials(session).await?;
        // On AWS, the link must be signed for the bucket's own region. A custom endpoint (an emulator,
        // an S3-compatible store) has one region, the session's, like every other call made to it.
        let region = match session.endpoint_url() {
            Some(_) => session.region().to_string(),
            None => bucket_region_hint(session, bucket).await.unwrap_or_else(|| session.region().to_string()),
        };
        Ok(Signer::in_region(session, bucket, region, credentials, expires_in))
    }

    fn in_region(session: &'a Session, bucket: &str, region: String, credentials: Credentials, expires_in: Duration) -> Signer<'a> {
        let life = lifetime_of(&credentials);
        let now = SystemTime::now();
        let mut expires_at = now + expires_in;
        let mut cut_short = false;
        if let Some(creds_end) = life.expires_at {
            if creds_end < expires_at {
                expires_at = creds_end;
                cut_short = true;
            }
        }
        let expires_in = expires_at.duration_since(now).unwrap_or(Duration::from_secs(1)).max(Duration::from_secs(1));
        Signer {
            session,
            bucket: bucket.to_string(),
            s3: session.s3_in(&region),
            region,
            identity: credentials.into(),
            signed_at: now,
            expires_in,
            expires_at,
            cut_short,
            temporary_without_end: life.temporary && life.expires_at.is_none(),
            download_base: OnceLock::new(),
        }
    }

    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Download URLs for `keys`, in order. The SDK builds the first link of this signer; the rest reuse
    /// its start and are signed with the same SigV4 code the SDK uses (`aws-sigv4`), without running a
    /// whole SDK operation per link: the bulk export's cost. `tests::fast_links_equal_the_sdks` holds
    /// them to byte-for-byte equality with the SDK's own links.
    pub async fn download_urls(&self, keys: &[String]) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let base = match self.download_base.get() {
                Some(base) => base.as_deref(),
                None => {
                    let url = self.sign(key, &LinkKind::Download).await?.url;
                    let base = url
                        .split_once("?x-id=GetObject&")
                        .and_then(|(path, _)| path.strip_suffix(encode_key(key).as_str()))
                        .map(str::to_string);
                    let _ = self.download_base.set(base);
                    out.push(url);
                    continue;
                }
            };
            out.push(match base {
                Some(base) => self.sign_download(base, key)?,
                None => self.sign(key, &LinkKind::Download).await?.url,
            });
        }
        Ok(out)
    }

    fn sign_download(&self, base: &str, key: &str) -> Result<String> {
        let fail = |e: &dyn std::fmt::Display| Error::Other(format!("could not sign the link for \"{key}\": {e}"));
        let mut url = format!("{base}{}?x-id=GetObject", encode_key(key));
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(self.expires_in);
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.session_token_mode = SessionTokenMode::Include;
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name("s3")
            .time(self.signed_at)
            .settings(settings)
            .build()
            .map_err(|e| fail(&e))?
            .into();
        let request = SignableRequest::new("GET", &url, std::iter::empty(), SignableBody::UnsignedPayload).map_err(|e| fail(&e))?;
        let (instructions, _) = aws_sigv4::http_request::sign(request, &params).map_err(|e| fail(&e))?.into_parts();
        for (name, value) in instructions.params() {
            url.push('&');
            url.push_str(name);
            url.push('=');
            url.push_str(&aws_smithy_http::query::fmt_string(value));
        }
        Ok(url)
    }

    pub async fn sign(&self, key: &str, kind: &LinkKind) -> Result<Link> {
        let conf = PresigningConfig::builder()
            .start_time(self.signed_at)
            .expires_in(self.expires_in)
            .build()
            .map_err(|e| Error::invalid("expiry", e.to_string()))?;
        let (s3, bucket) = (&self.s3, self.bucket.as_str());
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
    let signer = Signer::new(session, bucket, expires_in).await?;
    let expires = crate::record::format_time(signer.expires_at());
    let io = |source| Error::Io { action: "write", path: "the CSV file".into(), source };
    writeln!(out, "key,url,expires_at").map_err(io)?;
    let mut pages = signer.s3.list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
    let mut count = 0;
    let mut next = pages.next().await;
    while let Some(page) = next {
        let page = page.map_err(|e| from_sdk(&session.ctx, "ListObjectsV2", e))?;
        let keys: Vec<String> = page.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect();
        // Fetch the next page while this one is signed.
        let (following, signed) = futures::join!(pages.next(), signer.download_urls(&keys));
        for (k, url) in keys.iter().zip(signed?) {
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

    async fn offline_session(endpoint: Option<&str>, region: &str, token: Option<&str>) -> Session {
        use crate::connect::ConnectOptions;
        use crate::secret::{PastedCredentials, Secret};
        Session::connect(ConnectOptions {
            profile: None,
            region: Some(region.into()),
            endpoint_url: endpoint.map(str::to_string),
            credentials: Some(PastedCredentials {
                access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
                secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                session_token: token.map(Secret::new),
            }),
        })
        .await
        .unwrap()
    }

    /// The bulk path (aws-sigv4 directly, after the SDK's first link) gives byte-for-byte the links the SDK
    /// gives, for awkward keys, virtual-hosted and path-style addressing, another region than the
    /// session's, and temporary credentials. Signing needs no network.
    #[tokio::test]
    async fn fast_links_equal_the_sdks() {
        let keys: Vec<String> = [
            "first.txt",
            "folder/sub/file name.pdf",
            "ünïcødé/straße.txt",
            "plus+and&amp=q?.csv",
            "tilde~star*'()!$,;:@.bin",
            "%41 already-encoded%2F",
            "//double//slash/",
            "日本語/ファイル.png",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        let cases = [
            (None, "eu-west-1", "eu-central-1", "reports-bucket", None),
            (None, "us-east-1", "us-east-1", "my.dotted.bucket", Some("FwoGZXIvYXdzEXAMPLETOKEN+/=")),
            (Some("http://127.0.0.1:9"), "us-east-1", "us-east-1", "links", None),
            (Some("https://minio.example.com:9000/"), "eu-west-2", "eu-west-2", "data", Some("token")),
        ];
        for (endpoint, session_region, bucket_region, bucket, token) in cases {
            let session = offline_session(endpoint, session_region, token).await;
            let creds = session_credentials(&session).await.unwrap();
            let signer = Signer::in_region(&session, bucket, bucket_region.to_string(), creds, Duration::from_secs(3600));
            let fast = signer.download_urls(&keys).await.unwrap();
            assert!(signer.download_base.get().unwrap().is_some(), "the SDK's first link is taken apart: {}", fast[0]);
            for (key, url) in keys.iter().zip(&fast) {
                let sdk = signer.sign(key, &LinkKind::Download).await.unwrap().url;
                assert_eq!(url, &sdk, "{endpoint:?} {bucket} {key}");
                assert!(url.contains(&format!("%2F{bucket_region}%2Fs3%2Faws4_request")), "signed for the bucket's region: {url}");
            }
            assert_eq!(fast.iter().any(|u| u.contains("X-Amz-Security-Token=")), token.is_some());
        }
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
