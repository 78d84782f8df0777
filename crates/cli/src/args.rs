//! Flags shared by several commands: the access level, bucket hardening, and where a key is written.

use clap::{Args, ValueEnum};
use s3aw_core::export::CsvFormat;
use s3aw_core::policy::AccessLevel;
use s3aw_core::request::{self, Hardening};
use std::path::PathBuf;

/// The access levels, each with the engine's one-line description in `--help`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Level {
    #[value(help = AccessLevel::Read.describe())]
    Read,
    #[value(help = AccessLevel::Upload.describe())]
    Upload,
    #[value(help = AccessLevel::ReadWrite.describe())]
    ReadWrite,
    #[value(help = AccessLevel::Full.describe())]
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
    /// Write an rclone config with a remote that opens the bucket and folder (owner-only: it holds the
    /// secret). Use it with `rclone --config FILE lsf NAME:`.
    #[arg(long)]
    pub rclone: Option<PathBuf>,
    /// The rclone remote's name (default: BUCKET-FOLDER).
    #[arg(long, requires = "rclone")]
    pub rclone_remote: Option<String>,
    /// Write a Cyberduck bookmark (.duck) that opens the bucket and folder; it holds the key ID, never the
    /// secret (Cyberduck asks for it once).
    #[arg(long)]
    pub cyberduck: Option<PathBuf>,
    /// Overwrite an existing CSV file or profile of the same name.
    #[arg(long)]
    pub force: bool,
}

impl KeyFiles {
    /// Whether the key goes anywhere besides the keychain.
    pub fn any(&self) -> bool {
        self.holds_secret() || self.cyberduck.is_some()
    }

    /// Whether the secret goes into a file (the Cyberduck bookmark never holds it).
    pub fn holds_secret(&self) -> bool {
        self.csv.is_some() || self.aws_profile.is_some() || self.rclone.is_some()
    }

    /// Refuse what would fail after a key exists: a bad name, a file in the way.
    pub fn check(&self) -> Result<(), s3aw_core::Error> {
        if let Some(p) = &self.aws_profile {
            s3aw_core::export::validate_profile_name(p)?;
        }
        if let Some(n) = &self.rclone_remote {
            s3aw_core::kit::validate_remote_name(n)?;
        }
        for path in [&self.csv, &self.rclone, &self.cyberduck].into_iter().flatten() {
            if path.exists() && !self.force {
                return Err(s3aw_core::Error::FileExists { path: path.clone() });
            }
        }
        Ok(())
    }

    /// Write the rclone remote and the Cyberduck bookmark, when asked for. Returns what was written.
    pub fn write_kit(&self, target: &s3aw_core::kit::KitTarget, key: &s3aw_core::secret::AccessKey) -> Result<Vec<(&'static str, PathBuf)>, s3aw_core::Error> {
        let mut out = Vec::new();
        let name = self.rclone_remote.clone().unwrap_or_else(|| s3aw_core::kit::default_remote_name(target));
        if let Some(path) = &self.rclone {
            target.write_rclone(path, &name, key, self.force)?;
            out.push(("rclone", path.clone()));
        }
        if let Some(path) = &self.cyberduck {
            target.write_cyberduck(path, &format!("{} (S3 Access Wizard)", name), &key.access_key_id, self.force)?;
            out.push(("cyberduck", path.clone()));
        }
        Ok(out)
    }
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
