//! Signing in without the AWS CLI or long-term keys: a console sign-in through AWS Sign-In ([`console`]) and
//! IAM Identity Center ([`sso`]), both in the browser, both stored as the AWS CLI stores them so every AWS
//! tool on this machine shares the session. [`sign_out`] removes a console session.
//!
//! Tokens, refresh tokens and the DPoP key are `Secret`s from the moment they arrive; they are written only
//! to the caches the AWS CLI keeps (owner-only), never to logs, errors or the webview.

pub mod cache;
pub mod console;
pub mod dpop;
pub mod loopback;
pub mod pkce;
pub mod sso;

use crate::connect::{list_profiles, ProfileKind};
use crate::error::{Error, Result};

/// The `[profile NAME]` (or `[default]`) header of the config file.
fn profile_header(profile: &str) -> String {
    if profile == "default" {
        "default".to_string()
    } else {
        format!("profile {profile}")
    }
}

/// Refuse to turn a profile (`key`: `login_session` or `sso_session`) that gets its credentials another way (keys, a role, a process, another kind
/// of sign-in) into this one: its other settings would win, or be lost. A profile of the same kind is
/// updated.
pub async fn check_profile_is_free_for(profile: &str, key: &str) -> Result<()> {
    crate::export::validate_profile_name(profile)?;
    let Some(existing) = list_profiles().await.into_iter().find(|p| p.name == profile) else { return Ok(()) };
    let same_kind = matches!((existing.kind, key), (ProfileKind::Login, "login_session") | (ProfileKind::Sso, "sso_session") | (ProfileKind::Other, _));
    if same_kind {
        return Ok(());
    }
    if existing.kind == ProfileKind::WebIdentity {
        // The AWS CLI and SDKs read the web identity token first and would ignore the sign-in, silently.
        return Err(Error::invalid(
            "profile name",
            format!("the profile \"{profile}\" gets its credentials from a web identity token (web_identity_token_file), which the AWS CLI and SDKs would use instead of this sign-in; choose another name"),
        ));
    }
    Err(Error::invalid(
        "profile name",
        format!("the profile \"{profile}\" already gets its credentials another way ({}); choose another name for this sign-in", existing.kind.as_str()),
    ))
}

/// Set keys of `[profile NAME]` in the AWS config file, keeping its other keys and the rest of the file.
pub(crate) fn write_profile(profile: &str, keys: &[(String, String)]) -> Result<()> {
    write_section(&profile_header(profile), keys)
}

pub(crate) fn write_section(header: &str, keys: &[(String, String)]) -> Result<()> {
    crate::export::check_ini_values(header, keys)?;
    let path = crate::paths::config_file_path()?;
    crate::export::edit_ini_file(&path, |text| crate::export::set_ini_keys(text, header, keys))
}

/// What [`sign_out`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedOut {
    pub profile: String,
    pub session: String,
    /// The saved sign-in (cached tokens) was deleted from this computer.
    pub cache_removed: bool,
    /// Other profiles that use the same console session: its cache stays for them.
    pub kept_for: Vec<String>,
    /// Identity Center only: whether AWS confirmed the session's end (sso:Logout).
    pub ended_at_aws: Option<bool>,
}

/// Sign out, removing only what signing in added. A console session: `login_session` leaves its profile
/// (the profile's other settings stay) and its cached tokens and DPoP key are deleted, unless another
/// profile uses the same session. An IAM Identity Center profile: the session is ended at AWS first
/// (sso:Logout, as `aws sso logout` does), then its cached token deleted; the profile stays, so signing
/// in again is one step.
pub async fn sign_out(profile: &str) -> Result<SignedOut> {
    let profiles = list_profiles().await;
    let p = profiles.iter().find(|p| p.name == profile).ok_or_else(|| Error::invalid("profile", format!("there is no AWS profile named \"{profile}\"")))?;
    match p.kind {
        ProfileKind::Login => {
            let session = p.login_session.clone().unwrap_or_default();
            let kept_for: Vec<String> = profiles.iter().filter(|o| o.name != profile && o.login_session.as_deref() == Some(session.as_str())).map(|o| o.name.clone()).collect();
            let cache_removed = if kept_for.is_empty() { cache::remove(&cache::login_cache_file(&session)?)? } else { false };
            let path = crate::paths::config_file_path()?;
            crate::export::edit_ini_file(&path, |text| crate::export::remove_ini_keys(text, &profile_header(profile), &["login_session"]))?;
            Ok(SignedOut { profile: profile.to_string(), session, cache_removed, kept_for, ended_at_aws: None })
        }
        ProfileKind::Sso => {
            let session = p.sso_session.clone().unwrap_or_default();
            let mut ended_at_aws = None;
            if let (Some(url), Some(region)) = (&p.sso_start_url, &p.sso_region) {
                let mut opts = sso::SsoOptions::new(url, region);
                opts.session_name = session.clone();
                if let Ok(Some(s)) = sso::SsoSession::from_cache(&opts) {
                    ended_at_aws = Some(s.logout().await);
                }
            }
            let cache_removed = cache::remove(&cache::sso_cache_file(&session)?)?;
            Ok(SignedOut { profile: profile.to_string(), session, cache_removed, kept_for: vec![], ended_at_aws })
        }
        other => Err(Error::invalid("profile", format!("\"{profile}\" is not a sign-in profile (it uses {}); there is nothing to sign out of", other.as_str()))),
    }
}

/// The environment variable that names a program to open sign-in URLs with instead of the system browser
/// (tests use it to play the browser; a person may point it at another browser).
pub const BROWSER_ENV: &str = "S3AW_BROWSER";

/// Open `url` in the system browser (or `S3AW_BROWSER`). Failing to is not fatal: the URL is also shown.
pub fn open_in_browser(url: &str) -> Result<()> {
    let mut cmd = match std::env::var(BROWSER_ENV).ok().filter(|v| !v.trim().is_empty()) {
        Some(program) => {
            let mut c = std::process::Command::new(program);
            c.arg(url);
            c
        }
        None if cfg!(target_os = "macos") => {
            let mut c = std::process::Command::new("open");
            c.arg(url);
            c
        }
        None if cfg!(windows) => {
            // Not `cmd /c start`: cmd would read the URL's `&` as a command separator.
            let mut c = std::process::Command::new("rundll32");
            c.args(["url.dll,FileProtocolHandler", url]);
            c
        }
        None => {
            let mut c = std::process::Command::new("xdg-open");
            c.arg(url);
            c
        }
    };
    cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    cmd.spawn().map(|_| ()).map_err(|e| Error::Other(format!("the browser could not be opened ({e}); open the address shown yourself")))
}

/// Where a sign-in profile's session stands, read from its cache file (no network).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionStatus {
    /// The session's identity: the console session's ARN, or the Identity Center role it signs in to.
    pub identity: String,
    pub account: Option<String>,
    /// When the credentials (console) or the token (Identity Center) in the cache expire.
    pub expires_at: Option<std::time::SystemTime>,
    /// The cache holds what renews them without the browser (a refresh token).
    pub renews: bool,
    /// There is a session to use: cached, and not expired unless it renews.
    pub signed_in: bool,
}

/// The status of a console or Identity Center profile's session; `None` for other kinds of profile.
pub fn session_status(p: &crate::connect::ProfileInfo) -> Option<SessionStatus> {
    let read = |path: std::path::PathBuf| -> Option<serde_json::Value> { serde_json::from_slice(&std::fs::read(path).ok()?).ok() };
    let time = |v: Option<&serde_json::Value>| v.and_then(|t| t.as_str()).and_then(|t| crate::record::parse_time(t).ok());
    let now = std::time::SystemTime::now();
    match p.kind {
        ProfileKind::Login => {
            let arn = p.login_session.clone()?;
            let json = cache::login_cache_file(&arn).ok().and_then(read);
            let expires_at = json.as_ref().and_then(|j| time(j.pointer("/accessToken/expiresAt")));
            let renews = json.as_ref().and_then(|j| j.get("refreshToken")).and_then(|t| t.as_str()).is_some_and(|t| !t.is_empty());
            let account = json.as_ref().and_then(|j| j.pointer("/accessToken/accountId")).and_then(|a| a.as_str()).map(str::to_string).or_else(|| arn.split(':').nth(4).map(str::to_string));
            Some(SessionStatus { identity: arn, account, expires_at, renews, signed_in: json.is_some() && (renews || expires_at.is_some_and(|e| e > now)) })
        }
        ProfileKind::Sso => {
            let key = p.sso_session.clone().or_else(|| p.sso_start_url.clone())?;
            let json = cache::sso_cache_file(&key).ok().and_then(read);
            let expires_at = json.as_ref().and_then(|j| time(j.get("expiresAt")));
            let renews = json.as_ref().is_some_and(|j| j.get("refreshToken").and_then(|t| t.as_str()).is_some_and(|t| !t.is_empty()) && time(j.get("registrationExpiresAt")).is_some_and(|r| r > now));
            let identity = match (&p.sso_role_name, &p.sso_account_id) {
                (Some(role), Some(account)) => format!("role {role} in account {account}"),
                _ => p.sso_start_url.clone().unwrap_or_default(),
            };
            Some(SessionStatus { identity, account: p.sso_account_id.clone(), expires_at, renews, signed_in: expires_at.is_some_and(|e| e > now) || (json.is_some() && renews) })
        }
        _ => None,
    }
}
