//! The token caches the AWS CLI and SDKs share, written the way the AWS CLI writes them, owner-only:
//! console sessions in `~/.aws/login/cache/<sha256 of the session ARN>.json` (or
//! `AWS_LOGIN_CACHE_DIRECTORY`), IAM Identity Center tokens in `~/.aws/sso/cache/<sha1 of the session
//! name>.json`. aws-config, botocore and the AWS CLI read and refresh them.

use crate::error::{Error, Result};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub const LOGIN_CACHE_ENV: &str = "AWS_LOGIN_CACHE_DIRECTORY";

pub fn login_cache_dir() -> Result<PathBuf> {
    match std::env::var_os(LOGIN_CACHE_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(crate::paths::home_dir()?.join(".aws").join("login").join("cache")),
    }
}

/// The cache file of a console session.
pub fn login_cache_file(session_arn: &str) -> Result<PathBuf> {
    Ok(login_cache_dir()?.join(format!("{}.json", hex::encode(Sha256::digest(session_arn.trim().as_bytes())))))
}

pub fn sso_cache_dir() -> Result<PathBuf> {
    Ok(crate::paths::home_dir()?.join(".aws").join("sso").join("cache"))
}

/// The cache file of an `sso-session` (named after the session, as the AWS CLI does for sso-session
/// profiles).
pub fn sso_cache_file(session_name: &str) -> Result<PathBuf> {
    Ok(sso_cache_dir()?.join(format!("{}.json", hex::encode(Sha1::digest(session_name.as_bytes())))))
}

/// Write a cache file: owner-only, replaced atomically. The text holds secrets: it is zeroed after.
pub fn write(path: &std::path::Path, json: serde_json::Value) -> Result<()> {
    let mut text = zeroize::Zeroizing::new(serde_json::to_string_pretty(&json).map_err(|e| Error::Internal(e.to_string()))?);
    text.push('\n');
    crate::export::write_private_file(path, &text, true)
}

/// Remove a cache file; one that is not there is fine.
pub fn remove(path: &std::path::Path) -> Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Io { action: "remove", path: path.to_path_buf(), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_the_aws_clis() {
        // sha256("arn:aws:iam::0123456789012:user/Admin"), as aws-config's own test data names it.
        let name = login_cache_file("arn:aws:iam::0123456789012:user/Admin").unwrap();
        assert_eq!(name.file_name().unwrap().to_str().unwrap(), format!("{}.json", hex::encode(Sha256::digest(b"arn:aws:iam::0123456789012:user/Admin"))));
        assert_eq!(login_cache_file(" arn:x ").unwrap(), login_cache_file("arn:x").unwrap(), "trimmed, as aws-config reads it");
        assert_eq!(sso_cache_file("my-sso").unwrap().file_name().unwrap().to_str().unwrap(), format!("{}.json", hex::encode(Sha1::digest(b"my-sso"))));
    }
}
