//! Signing: one bucket's links with one expiry and one signing time. The SDK signs the first link; in bulk
//! the rest reuse its URL base and are signed with the SDK's own SigV4 code.

use super::{check_expiry, Link, LinkKind};
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
        Err(_) if session.ctx.profile_is_login => Err(Error::LoginExpired { profile: session.ctx.profile.clone().unwrap_or_default() }),
        Err(_) => Err(Error::NoCredentials { profile: session.ctx.profile.clone() }),
    }
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
    pub(super) s3: aws_sdk_s3::Client,
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
        let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("could not sign the link for \"{key}\": {e}"));
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

/// What a POST form's signature needs from the signer: the credential scope, the time, the token.
pub(super) struct PostSigning {
    pub credential: String,
    pub amz_date: String,
    pub security_token: Option<String>,
    pub expires_at: SystemTime,
    pub cut_short: bool,
    pub temporary_without_end: bool,
}

impl Signer<'_> {
    /// The credential scope and time a POST policy is signed with.
    pub(super) fn post_signing(&self) -> Result<PostSigning> {
        let creds = self.identity.data::<Credentials>().ok_or_else(|| Error::Internal("the signing identity holds no AWS credentials".into()))?;
        let t = time::OffsetDateTime::from(self.signed_at);
        let date = format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day());
        Ok(PostSigning {
            credential: format!("{}/{date}/{}/s3/aws4_request", creds.access_key_id(), self.region),
            amz_date: format!("{date}T{:02}{:02}{:02}Z", t.hour(), t.minute(), t.second()),
            security_token: creds.session_token().map(str::to_string),
            expires_at: self.expires_at,
            cut_short: self.cut_short,
            temporary_without_end: self.temporary_without_end,
        })
    }

    /// The SigV4 signature of a base64 POST policy: HMAC-SHA256 with the day's signing key for S3 in the
    /// bucket's region.
    pub(super) fn sign_post_policy(&self, policy_b64: &str) -> Result<String> {
        let creds = self.identity.data::<Credentials>().ok_or_else(|| Error::Internal("the signing identity holds no AWS credentials".into()))?;
        let key = aws_sigv4::sign::v4::generate_signing_key(creds.secret_access_key(), self.signed_at, &self.region, "s3");
        Ok(aws_sigv4::sign::v4::calculate_signature(key, policy_b64.as_bytes()))
    }

    /// The URL a form posts to: the bucket's address as the SDK builds it for this signer's links
    /// (virtual-hosted on AWS, path-style at a custom endpoint), ending in `/`.
    pub(super) async fn bucket_url(&self) -> Result<String> {
        let probe = "s3aw-post";
        let url = self.sign(probe, &LinkKind::Download).await?.url;
        url.split_once('?')
            .and_then(|(path, _)| path.strip_suffix(probe))
            .map(str::to_string)
            // Not the URL itself in the message: it carries a signature (and a session token, when temporary).
            .ok_or_else(|| Error::Internal("could not find the bucket's address in the link the SDK made".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

}
