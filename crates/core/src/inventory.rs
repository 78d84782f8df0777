//! What is in the account: buckets with their regions, "folders" under a prefix, and bucket creation.

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::plan::{Encryption, PublicAccessBlock};
use crate::request::{CorsRule, LoggingTarget};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::stream::{self, StreamExt, TryStreamExt};
use std::time::SystemTime;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketInfo {
    pub name: String,
    /// `None` when the region could not be read (for example, no s3:GetBucketLocation permission).
    pub region: Option<String>,
}

/// How many GetBucketLocation calls run at once.
pub const REGION_LOOKUP_CONCURRENCY: usize = 16;

/// Every bucket with its region, sorted by name. AWS names each bucket's region in ListBuckets when the
/// request carries a parameter (here `max-buckets`); a bucket it does not name (older S3-compatible
/// stores, the emulator) is looked up with GetBucketLocation, at most [`REGION_LOOKUP_CONCURRENCY`] at a
/// time.
pub async fn list_buckets(session: &Session) -> Result<Vec<BucketInfo>> {
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = session
            .s3()
            .list_buckets()
            .max_buckets(LIST_BUCKETS_PAGE)
            .set_continuation_token(token.clone())
            .send()
            .await
            .map_err(|e| from_sdk(&session.ctx, "ListBuckets", e))?;
        listed.extend(out.buckets().iter().filter_map(|b| Some((b.name()?.to_string(), b.bucket_region().map(str::to_string)))));
        token = out.continuation_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    with_regions(listed, |name| async move { bucket_region(session, &name).await }).await
}

/// The most buckets one ListBuckets page may return.
const LIST_BUCKETS_PAGE: i32 = 10_000;

/// Fill in the regions `listed` lacks with `lookup` (bounded parallel), sorted by name. A bucket whose
/// region may not be read (access denied) is kept without one.
async fn with_regions<F, Fut>(mut listed: Vec<(String, Option<String>)>, lookup: F) -> Result<Vec<BucketInfo>>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<String>>,
{
    listed.sort();
    let lookup = &lookup;
    stream::iter(listed)
        .map(|(name, region)| async move {
            match region {
                Some(region) => Ok(BucketInfo { name, region: Some(region) }),
                None => match lookup(name.clone()).await {
                    Ok(region) => Ok(BucketInfo { name, region: Some(region) }),
                    Err(Error::AccessDenied { .. }) => Ok(BucketInfo { name, region: None }),
                    Err(e) => Err(e),
                },
            }
        })
        .buffered(REGION_LOOKUP_CONCURRENCY)
        .try_collect()
        .await
}

/// A bucket's region. An empty location constraint means us-east-1; `EU` is the old name of eu-west-1.
pub async fn bucket_region(session: &Session, bucket: &str) -> Result<String> {
    let out = session.s3().get_bucket_location().bucket(bucket).send().await.map_err(|e| from_sdk(&session.ctx, "GetBucketLocation", e))?;
    Ok(match out.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    })
}

/// The bucket's region, or the session's when it cannot be read (for hand-over documents, where a best
/// guess beats none).
pub async fn bucket_region_or_session(session: &Session, bucket: &str) -> String {
    bucket_region(session, bucket).await.unwrap_or_else(|_| session.region().to_string())
}

/// Whether a bucket exists and this identity can see it. A bucket that exists but belongs to someone
/// else is reported as access denied, not as missing.
pub async fn bucket_exists(session: &Session, bucket: &str) -> Result<bool> {
    Ok(head_bucket(session, bucket).await?.is_some())
}

/// HeadBucket: `None` when the bucket does not exist, else the region S3 named (`x-amz-bucket-region`),
/// when it named one. A bucket that exists but belongs to someone else is access denied, not missing.
pub async fn head_bucket(session: &Session, bucket: &str) -> Result<Option<Option<String>>> {
    match session.s3().head_bucket().bucket(bucket).send().await {
        Ok(out) => Ok(Some(out.bucket_region().map(str::to_string))),
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            let region = e.raw_response().and_then(|r| r.headers().get("x-amz-bucket-region")).map(str::to_string);
            match status {
                Some(404) => Ok(None),
                Some(403) => Err(Error::AccessDenied {
                    action: Some("s3:ListBucket".into()),
                    message: format!("the bucket \"{bucket}\" exists but this identity cannot use it (it may belong to another account)"),
                }),
                Some(301) => Ok(Some(region)),
                _ => Err(from_sdk(&session.ctx, "HeadBucket", e)),
            }
        }
    }
}

/// The bucket's CORS rules (empty when it has none).
pub async fn bucket_cors(session: &Session, bucket: &str) -> Result<Vec<CorsRule>> {
    let region = bucket_region(session, bucket).await?;
    match session.s3_in(&region).get_bucket_cors().bucket(bucket).send().await {
        Ok(out) => Ok(out.cors_rules().iter().map(cors_from_sdk).collect()),
        Err(e) if e.code() == Some("NoSuchCORSConfiguration") => Ok(vec![]),
        Err(e) => Err(from_sdk(&session.ctx, "GetBucketCors", e)),
    }
}

/// The "folders" (common prefixes) directly under `prefix` (`""` for the top of the bucket).
pub async fn list_folders(session: &Session, bucket: &str, prefix: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    list_objects_paged(session, bucket, prefix, |folders, _| out.extend(folders)).await?;
    Ok(out)
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

/// Every object key under `prefix`, in every subfolder, in S3's order.
pub async fn list_all_keys(session: &Session, bucket: &str, prefix: &str) -> Result<Vec<String>> {
    crate::validate::bucket_name(bucket)?;
    let region = crate::inventory::bucket_region(session, bucket).await?;
    let mut pages = session.s3_in(&region).list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk(&session.ctx, "ListObjectsV2", e))?;
        keys.extend(page.contents().iter().filter_map(|o| o.key().map(str::to_string)));
    }
    Ok(keys)
}

// ---- Bucket settings, read one by one -----------------------------------------------------------------

fn service_code<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_string()
}

pub(crate) async fn read_bucket_policy(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<String>> {
    match s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => Ok(out.policy().map(str::to_string)),
        Err(e) if service_code(&e) == "NoSuchBucketPolicy" => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "GetBucketPolicy", e)),
    }
}

pub(crate) async fn read_public_access_block(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<PublicAccessBlock>> {
    match s3.get_public_access_block().bucket(bucket).send().await {
        Ok(out) => Ok(out.public_access_block_configuration().map(|c| {
            [
                c.block_public_acls().unwrap_or(false),
                c.ignore_public_acls().unwrap_or(false),
                c.block_public_policy().unwrap_or(false),
                c.restrict_public_buckets().unwrap_or(false),
            ]
        })),
        Err(e) if service_code(&e) == "NoSuchPublicAccessBlockConfiguration" => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "GetPublicAccessBlock", e)),
    }
}

pub(crate) async fn read_encryption(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<Encryption>> {
    match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(out) => Ok(out
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| Encryption { algorithm: d.sse_algorithm().as_str().to_string(), kms_key_id: d.kms_master_key_id().map(str::to_string) })),
        Err(e) if service_code(&e) == "ServerSideEncryptionConfigurationNotFoundError" => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "GetBucketEncryption", e)),
    }
}

/// The bucket's versioning status: `Enabled`, `Suspended`, or `None` when it was never turned on.
pub(crate) async fn read_versioning(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<String>> {
    match s3.get_bucket_versioning().bucket(bucket).send().await {
        Ok(out) => Ok(out.status().map(|s| s.as_str().to_string())),
        // The emulator (moto) wraps its answer in an element of another name, which the SDK cannot read
        // (AWS sends VersioningConfiguration): read the status from it.
        Err(e) => match emulator_versioning_answer(e.raw_response().map(|r| (r.status().as_u16(), r.body().bytes().unwrap_or_default()))) {
            Some(status) => Ok(status),
            None => Err(from_sdk(&session.ctx, "GetBucketVersioning", e)),
        },
    }
}

/// The status in moto's `GetBucketVersioningResponse` (`Some(None)`: never turned on); `None` for any
/// other answer.
fn emulator_versioning_answer(raw: Option<(u16, &[u8])>) -> Option<Option<String>> {
    let (200, body) = raw? else { return None };
    let text = String::from_utf8_lossy(body);
    if !text.contains("GetBucketVersioningResponse") {
        return None;
    }
    let status = text.split_once("<Status>").and_then(|(_, rest)| rest.split_once("</Status>")).map(|(s, _)| s.trim().to_string());
    Some(status)
}

pub(crate) async fn read_logging(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<LoggingTarget>> {
    let out = s3.get_bucket_logging().bucket(bucket).send().await.map_err(|e| from_sdk(&session.ctx, "GetBucketLogging", e))?;
    Ok(out.logging_enabled().map(|l| LoggingTarget { bucket: l.target_bucket().to_string(), prefix: l.target_prefix().to_string() }))
}


pub(crate) fn cors_from_sdk(r: &aws_sdk_s3::types::CorsRule) -> CorsRule {
    CorsRule {
        id: r.id().map(str::to_string),
        allowed_origins: r.allowed_origins().to_vec(),
        allowed_methods: r.allowed_methods().to_vec(),
        allowed_headers: r.allowed_headers().to_vec(),
        expose_headers: r.expose_headers().to_vec(),
        max_age_seconds: r.max_age_seconds(),
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn the_emulators_versioning_answer_is_read() {
        let never = br#"<?xml version="1.0" encoding="utf-8"?><GetBucketVersioningResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#;
        let on = br#"<?xml version="1.0" encoding="utf-8"?><GetBucketVersioningResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></GetBucketVersioningResponse>"#;
        assert_eq!(emulator_versioning_answer(Some((200, never))), Some(None));
        assert_eq!(emulator_versioning_answer(Some((200, on))), Some(Some("Enabled".into())));
        assert_eq!(emulator_versioning_answer(Some((200, b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"))), None);
        assert_eq!(emulator_versioning_answer(Some((403, never))), None);
        assert_eq!(emulator_versioning_answer(None), None);
    }

    /// Regions AWS gave in the listing are used as they are; only the others are looked up, and a
    /// bucket whose region may not be read stays in the list without one.
    #[tokio::test]
    async fn only_buckets_without_a_listed_region_are_looked_up() {
        let asked = Mutex::new(Vec::new());
        let listed = vec![
            ("zeta".to_string(), Some("eu-west-1".to_string())),
            ("alpha".to_string(), None),
            ("locked".to_string(), None),
            ("mid".to_string(), Some("ap-south-1".to_string())),
        ];
        let out = with_regions(listed, |name| {
            asked.lock().unwrap().push(name.clone());
            async move {
                match name.as_str() {
                    "locked" => Err(Error::AccessDenied { action: Some("s3:GetBucketLocation".into()), message: "no".into() }),
                    _ => Ok("us-east-2".to_string()),
                }
            }
        })
        .await
        .unwrap();
        let got: Vec<(&str, Option<&str>)> = out.iter().map(|b| (b.name.as_str(), b.region.as_deref())).collect();
        assert_eq!(got, vec![("alpha", Some("us-east-2")), ("locked", None), ("mid", Some("ap-south-1")), ("zeta", Some("eu-west-1"))]);
        let mut asked = asked.into_inner().unwrap();
        asked.sort();
        assert_eq!(asked, vec!["alpha", "locked"]);
    }
}
