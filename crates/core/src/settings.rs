//! A bucket's current settings, read for the "Bucket settings" screen and `s3aw bucket show`: so each
//! setting can say "already on" before anything is planned. Changes go through the usual plan
//! ([`crate::request::Method::BucketSettings`]), so they are reviewed, applied and rolled back like a grant.

use crate::connect::Session;
use crate::error::Result;
use crate::plan::{read_bucket_policy, read_encryption, read_logging, read_public_access_block, Encryption, PublicAccessBlock};
use crate::request::{CorsRule, LoggingTarget};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct BucketSettings {
    pub bucket: String,
    pub region: String,
    pub encryption: Option<Encryption>,
    pub public_access_block: Option<PublicAccessBlock>,
    /// Whether the bucket policy refuses requests not made over TLS.
    pub tls_only: bool,
    pub policy_statements: usize,
    pub logging: Option<LoggingTarget>,
    pub cors: Vec<CorsRule>,
}

impl BucketSettings {
    pub fn blocks_all_public_access(&self) -> bool {
        self.public_access_block == Some([true; 4])
    }
}

pub async fn read(session: &Session, bucket: &str) -> Result<BucketSettings> {
    let region = crate::inventory::bucket_region(session, bucket).await?;
    let s3 = session.s3_in(&region);
    let (encryption, pab, policy, logging, cors) = futures::try_join!(
        read_encryption(session, &s3, bucket),
        read_public_access_block(session, &s3, bucket),
        read_bucket_policy(session, &s3, bucket),
        read_logging(session, &s3, bucket),
        crate::inventory::bucket_cors(session, bucket),
    )?;
    let statements: Vec<Value> = policy
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .map(|v| match v.get("Statement") {
            Some(Value::Array(a)) => a.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => vec![],
        })
        .unwrap_or_default();
    let tls_only = statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Deny")
            && s.pointer("/Condition/Bool/aws:SecureTransport").map(|v| v == "false" || v == &Value::Bool(false)).unwrap_or(false)
    });
    Ok(BucketSettings {
        bucket: bucket.to_string(),
        region,
        encryption,
        public_access_block: pab,
        tls_only,
        policy_statements: statements.len(),
        logging,
        cors,
    })
}
