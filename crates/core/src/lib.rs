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
pub mod explain;
pub mod export;
pub mod iam;
pub mod inventory;
pub mod keychain;
pub mod kit;
pub mod limits;
pub mod paths;
pub mod plan;
pub mod permissions;
pub mod policy;
pub mod presign;
pub mod probe;
pub mod record;
pub mod request;
pub mod secret;
pub mod settings;
pub mod share;
pub mod signin;
pub mod validate;
pub mod grant;
pub mod guide;
pub mod handoff;
pub mod iac;

pub use error::{Error, Result};
