//! Where files live: the home folder (found the way the AWS SDKs find it), the AWS config and credentials
//! files, and this app's own folder. The one place that resolves them, so nothing ever lands in the
//! working directory because a variable was missing.

use crate::error::{Error, Result};
use std::path::PathBuf;

/// The home folder: `HOME`; on Windows, `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH` (as aws-config
/// resolves it, so the files we write are the ones AWS tools read); then the platform's own answer.
pub fn home_dir() -> Result<PathBuf> {
    home_from(|k| std::env::var(k).ok(), cfg!(windows))
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()))
        .ok_or(Error::NoHomeFolder)
}

fn home_from(get: impl Fn(&str) -> Option<String>, windows: bool) -> Option<PathBuf> {
    let set = |k: &str| get(k).filter(|v| !v.is_empty());
    if let Some(home) = set("HOME") {
        return Some(PathBuf::from(home));
    }
    if windows {
        if let Some(p) = set("USERPROFILE") {
            return Some(PathBuf::from(p));
        }
        if let (Some(drive), Some(path)) = (set("HOMEDRIVE"), set("HOMEPATH")) {
            return Some(PathBuf::from(format!("{drive}{path}")));
        }
    }
    None
}

/// A path from an environment variable, with a leading `~` meaning the home folder (as the AWS CLI reads it).
fn from_env(var: &str) -> Result<Option<PathBuf>> {
    match std::env::var(var).ok().filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.strip_prefix("~/").or_else(|| v.strip_prefix("~\\")) {
            Some(rest) => Ok(Some(home_dir()?.join(rest))),
            None => Ok(Some(PathBuf::from(v))),
        },
    }
}

/// `~/.aws/config`, or `AWS_CONFIG_FILE`.
pub fn config_file_path() -> Result<PathBuf> {
    Ok(match from_env("AWS_CONFIG_FILE")? {
        Some(p) => p,
        None => home_dir()?.join(".aws").join("config"),
    })
}

/// `~/.aws/credentials`, or `AWS_SHARED_CREDENTIALS_FILE`.
pub fn credentials_file_path() -> Result<PathBuf> {
    Ok(match from_env("AWS_SHARED_CREDENTIALS_FILE")? {
        Some(p) => p,
        None => home_dir()?.join(".aws").join("credentials"),
    })
}

/// The app's settings folder: `S3AW_CONFIG_DIR`, else the platform's config folder
/// (`~/.config/s3-access-wizard` on Linux).
pub fn app_config_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(crate::record::CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("dev", "s3aw", "s3-access-wizard").map(|d| d.config_dir().to_path_buf()).ok_or(Error::NoHomeFolder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_found_as_the_aws_sdks_find_it() {
        let env = |pairs: &'static [(&'static str, &'static str)]| move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        assert_eq!(home_from(env(&[("HOME", "/home/me"), ("USERPROFILE", "C:\\Users\\me")]), true), Some(PathBuf::from("/home/me")));
        assert_eq!(home_from(env(&[("USERPROFILE", "C:\\Users\\me")]), true), Some(PathBuf::from("C:\\Users\\me")));
        assert_eq!(home_from(env(&[("HOMEDRIVE", "D:"), ("HOMEPATH", "\\Users\\me")]), true), Some(PathBuf::from("D:\\Users\\me")));
        // Windows variables mean nothing elsewhere, and an empty HOME is no home.
        assert_eq!(home_from(env(&[("USERPROFILE", "C:\\Users\\me")]), false), None);
        assert_eq!(home_from(env(&[("HOME", "")]), false), None);
    }
}
