//! What is in the account: buckets with their regions, "folders" under a prefix, and bucket creation.

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::stream::{self, StreamExt, TryStreamExt};

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

/// Whether a bucket exists and this identity can see it. A bucket that exists but belongs to someone
/// else is reported as access denied, not as missing.
pub async fn bucket_exists(session: &Session, bucket: &str) -> Result<bool> {
    match session.s3().head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            match status {
                Some(404) => Ok(false),
                Some(403) => Err(Error::AccessDenied {
                    action: Some("s3:ListBucket".into()),
                    message: format!("the bucket \"{bucket}\" exists but this identity cannot use it (it may belong to another account)"),
                }),
                Some(301) => Ok(true),
                _ => Err(from_sdk(&session.ctx, "HeadBucket", e)),
            }
        }
    }
}

/// The bucket's CORS rules (empty when it has none).
pub async fn bucket_cors(session: &Session, bucket: &str) -> Result<Vec<crate::request::CorsRule>> {
    let region = bucket_region(session, bucket).await?;
    match session.s3_in(&region).get_bucket_cors().bucket(bucket).send().await {
        Ok(out) => Ok(out.cors_rules().iter().map(crate::plan::cors_from_sdk).collect()),
        Err(e) if e.code() == Some("NoSuchCORSConfiguration") => Ok(vec![]),
        Err(e) => Err(from_sdk(&session.ctx, "GetBucketCors", e)),
    }
}

/// The "folders" (common prefixes) directly under `prefix` (`""` for the top of the bucket).
pub async fn list_folders(session: &Session, bucket: &str, prefix: &str) -> Result<Vec<String>> {
    let region = bucket_region(session, bucket).await?;
    let s3 = session.s3_in(&region);
    let mut pages = s3.list_objects_v2().bucket(bucket).prefix(prefix).delimiter("/").into_paginator().send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk(&session.ctx, "ListObjectsV2", e))?;
        out.extend(page.common_prefixes().iter().filter_map(|p| p.prefix().map(str::to_string)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

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
