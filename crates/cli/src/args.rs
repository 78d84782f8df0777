//! Flags shared by several commands: the access level, bucket hardening, and where a key is written.

use clap::{Args, ValueEnum};
use s3aw_core::export::CsvFormat;
use s3aw_core::policy::AccessLevel;
use s3aw_core::request::{self, Hardening};
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum Level {
    Read,
    Upload,
    ReadWrite,
    Full,
}

impl From<Level> for AccessLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Read => AccessLevel::Read,
            Level::Upload => AccessLevel::Upload,
            Level::ReadWrite => AccessLevel::ReadWrite,
            Level::Full => AccessLevel::Full,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CsvKind {
    /// `Access key ID,Secret access key`, as the AWS console downloads it.
    Console,
    /// Adds a `User name` column, which `aws configure import` needs.
    Import,
}

impl From<CsvKind> for CsvFormat {
    fn from(k: CsvKind) -> Self {
        match k {
            CsvKind::Console => CsvFormat::Console,
            CsvKind::Import => CsvFormat::Importable,
        }
    }
}

/// Where to write a key, shared by `grant iam-user` and `access export`.
#[derive(Args)]
pub struct KeyFiles {
    /// Write the key to this CSV file (owner-only permissions).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// CSV layout.
    #[arg(long, value_enum, default_value = "console")]
    pub csv_format: CsvKind,
    /// Add the key as this named profile in ~/.aws/credentials (other profiles are kept).
    #[arg(long)]
    pub aws_profile: Option<String>,
    /// Overwrite an existing CSV file or profile of the same name.
    #[arg(long)]
    pub force: bool,
}

/// Bucket hardening flags, shared by `grant` and `bucket change`.
#[derive(Args)]
pub struct HardeningArgs {
    /// Turn on all four Block Public Access settings for the bucket.
    #[arg(long)]
    pub block_public_access: bool,
    /// Turn on default encryption (SSE-S3) for the bucket.
    #[arg(long)]
    pub encrypt: bool,
    /// With --encrypt: use SSE-KMS with this KMS key ARN (in the bucket's region) instead of SSE-S3.
    #[arg(long, requires = "encrypt")]
    pub kms_key: Option<String>,
    /// Refuse non-TLS requests to the bucket (merged into the bucket policy).
    #[arg(long)]
    pub tls_only: bool,
    /// Keep every version of every file, so an overwrite or a delete can be undone (S3 versioning).
    #[arg(long)]
    pub versioning: bool,
    /// Turn on server access logging into this bucket (same region); its policy gets the log-delivery grant.
    #[arg(long)]
    pub access_log_bucket: Option<String>,
    /// With --access-log-bucket: the key prefix for the log files (default: logs/BUCKET/).
    #[arg(long, requires = "access_log_bucket")]
    pub access_log_prefix: Option<String>,
}

impl HardeningArgs {
    pub fn to_hardening(&self, bucket: &str) -> Hardening {
        Hardening {
            block_public_access: self.block_public_access,
            default_encryption: self.encrypt,
            kms_key_arn: self.kms_key.clone(),
            tls_only: self.tls_only,
            versioning: self.versioning,
            access_logging: self.access_log_bucket.as_ref().map(|b| request::LoggingTarget {
                bucket: b.clone(),
                prefix: self.access_log_prefix.clone().unwrap_or_else(|| format!("logs/{bucket}/")),
            }),
            cors_edit: None,
        }
    }
}
