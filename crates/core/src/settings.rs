//! A bucket's current settings, read for the "Bucket settings" screen and `s3aw bucket show`: so each
//! setting can say "already on" before anything is planned. Changes go through the usual plan
//! ([`crate::request::Method::BucketSettings`]), so they are reviewed, applied and rolled back like a grant.

use crate::connect::Session;
use crate::error::Result;
use crate::inventory::{read_bucket_policy, read_encryption, read_logging, read_public_access_block, read_versioning};
use crate::plan::{denies_insecure_transport, policy_statements, Encryption, PublicAccessBlock};
use crate::request::{CorsRule, LoggingTarget};

#[derive(Clone, Debug, PartialEq)]
pub struct BucketSettings {
    pub bucket: String,
    pub region: String,
    pub encryption: Option<Encryption>,
    pub public_access_block: Option<PublicAccessBlock>,
    /// Whether the bucket policy refuses every request not made over TLS (all S3 actions, on the bucket and
    /// its objects, to anyone).
    pub tls_only: bool,
    /// Versioning: `Enabled`, `Suspended`, or `None` when never turned on.
    pub versioning: Option<String>,
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
    let (encryption, pab, policy, logging, cors, versioning) = futures::try_join!(
        read_encryption(session, &s3, bucket),
        read_public_access_block(session, &s3, bucket),
        read_bucket_policy(session, &s3, bucket),
        read_logging(session, &s3, bucket),
        crate::inventory::bucket_cors(session, bucket),
        read_versioning(session, &s3, bucket),
    )?;
    let statements = match policy.as_deref() {
        Some(text) => policy_statements(text)?,
        None => vec![],
    };
    let bucket_arn = format!("arn:{}:s3:::{bucket}", session.partition());
    let tls_only = statements.iter().any(|s| denies_insecure_transport(s, &bucket_arn));
    Ok(BucketSettings {
        bucket: bucket.to_string(),
        region,
        encryption,
        public_access_block: pab,
        tls_only,
        versioning,
        policy_statements: statements.len(),
        logging,
        cors,
    })
}
