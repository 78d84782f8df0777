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

/// Every bucket with its region. Regions are looked up in parallel, at most
/// [`REGION_LOOKUP_CONCURRENCY`] at a time; the list is sorted by name.
pub async fn list_buckets(session: &Session) -> Result<Vec<BucketInfo>> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = session
            .s3()
            .list_buckets()
            .set_continuation_token(token.clone())
            .send()
            .await
            .map_err(|e| from_sdk(&session.ctx, "ListBuckets", e))?;
        names.extend(out.buckets().iter().filter_map(|b| b.name().map(str::to_string)));
        token = out.continuation_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    names.sort();
    let infos = stream::iter(names)
        .map(|name| async move {
            match bucket_region(session, &name).await {
                Ok(region) => Ok(BucketInfo { name, region: Some(region) }),
                Err(Error::AccessDenied { .. }) => Ok(BucketInfo { name, region: None }),
                Err(e) => Err(e),
            }
        })
        .buffered(REGION_LOOKUP_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(infos)
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
