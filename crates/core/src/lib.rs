//! `s3aw-core`: the S3 Access Wizard engine. Everything the CLI and the desktop app do goes through here.
//!
//! The flow: [`connect::Session::connect`] → describe the ask as a [`request::AccessRequest`] →
//! [`plan::build_plan`] (reads the account, changes nothing) → review [`plan::Plan`] →
//! [`apply::apply`] (runs the steps with progress, rolls back on failure) → [`probe::wait_until_key_works`]
//! → [`export`] and [`record`].
//!
//! No type here is serialised for a UI: the desktop shell keeps its own IPC types. Secrets are
//! [`secret::Secret`] from the moment they arrive.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod access;
pub mod analyzer;
pub mod apply;
pub mod connect;
pub mod connections;
pub mod credential_process;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod export;
pub mod iam;
pub mod inventory;
pub mod keychain;
pub mod kit;
pub mod limits;
pub mod lock;
pub mod journal;
pub mod paths;
pub mod plan;
pub mod permissions;
pub mod policy;
pub mod presign;
pub mod probe;
pub mod record;
pub mod recover;
pub mod request;
pub mod secret;
pub mod settings;
pub mod share;
pub mod signin;
pub mod validate;
pub mod winacl;
pub mod why;
pub mod grant;
pub mod guide;
// The parsers are the same code on every platform; the fuzzing runs where the corpora's paths are native
// (not under Wine, whose run of the unit tests stays the platform-specific ones).
#[cfg(all(test, not(windows)))]
mod fuzz;
pub mod handoff;
pub mod iac;

pub use error::{Error, Result};

#[cfg(test)]
mod tests {
    /// `unsafe` is denied everywhere; only the Windows ACL module may opt out (the workspace lint is "deny",
    /// not "forbid", for it alone).
    #[test]
    fn unsafe_only_in_winacl() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut dirs = vec![root.join("crates"), root.join("src-tauri/src"), root.join("tests/bench")];
        let mut opted_out = Vec::new();
        // Spelled in two parts, so this test does not find itself.
        let needle = ["allow(", "unsafe_code)"].concat();
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if !path.ends_with("target") {
                        dirs.push(path);
                    }
                } else if path.extension().is_some_and(|e| e == "rs") && std::fs::read_to_string(&path).unwrap_or_default().contains(&needle) {
                    opted_out.push(path.file_name().unwrap_or_default().to_string_lossy().to_string());
                }
            }
        }
        assert_eq!(opted_out, vec!["winacl.rs".to_string()]);
    }
}
