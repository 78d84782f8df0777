//! One error type for the engine. Every variant has a stable [`Error::code`] (for scripts and the UI) and a
//! `Display` message written for a person: what went wrong and what to do about it. Raw SDK errors never
//! escape: [`from_sdk`] turns them into one of these variants, keeping only AWS's own error code and message.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("No AWS credentials were found{}. Sign in (in the app: Connect, \"Sign in with your AWS account\"; on the command line: `s3aw login`), or choose a profile that exists.", profile_hint(.profile))]
    NoCredentials { profile: Option<String> },

    #[error("The IAM Identity Center sign-in for profile \"{profile}\" has expired or was never completed. Sign in again: in the app, Connect and choose \"{profile}\"; on the command line, `s3aw login --sso --aws-profile {profile}`.")]
    SsoExpired { profile: String },

    #[error("The console sign-in for profile \"{profile}\" has expired or was signed out. Sign in again: in the app, Connect and choose \"{profile}\"; on the command line, `s3aw login --aws-profile {profile}`.")]
    LoginExpired { profile: String },

    #[error("AWS did not accept these credentials ({detail}). Check the access key id and secret, or that the key has not been deleted or deactivated.")]
    InvalidCredentials { detail: String },

    #[error("These credentials have expired. Sign in again (in the app: Connect; on the command line: `s3aw login`), or paste fresh keys.")]
    ExpiredCredentials,

    #[error("Could not reach AWS at {endpoint}: {detail}. Check your network connection, proxy, or the endpoint URL.")]
    Unreachable { endpoint: String, detail: String },

    #[error("AWS took too long to answer {operation}. Check your network connection and try again.")]
    Timeout { operation: String },

    #[error("Access denied{}: {message}", denied_action(.action))]
    AccessDenied { action: Option<String>, message: String },

    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },

    #[error("{kind} \"{name}\" already exists in this account. Choose another name (\"{suggestion}\" is free){}.", reuse_hint(.kind))]
    NameTaken { kind: &'static str, name: String, suggestion: String },

    #[error("The bucket \"{bucket}\" does not exist (or is not in this account). Pick a bucket from the list or create it first.")]
    NoSuchBucket { bucket: String },

    #[error("User \"{user}\" already has two access keys, the most AWS allows. Delete or rotate one of them first.")]
    KeyLimit { user: String },

    #[error("The OS keychain is not available: {detail}. The secret key cannot be saved there; choose to see it once or export it to a file instead.")]
    KeychainUnavailable { detail: String },

    #[error("The OS keychain is locked: {detail}. Unlock it (log in to your desktop session) and try again, or choose to see the secret once or export it.")]
    KeychainLocked { detail: String },

    #[error("No secret for access key {access_key_id} is saved in this machine's keychain.")]
    SecretNotInKeychain { access_key_id: String },

    #[error("{} already exists. Choose another file name, or allow overwriting it (--force).", .path.display())]
    FileExists { path: PathBuf },

    #[error("Profile [{profile}] already exists in {}. Choose another profile name, or allow replacing it (--force).", .path.display())]
    ProfileExists { profile: String, path: PathBuf },

    #[error("Could not {action} {}: {source}", .path.display())]
    Io { action: &'static str, path: PathBuf, #[source] source: std::io::Error },

    #[error("The bucket's {what} changed since you reviewed it: review again. The change stopped before touching it.")]
    ChangedSinceReview { what: &'static str },

    #[error("The bucket's current policy cannot be used: {detail}. Fix it in the AWS console first.")]
    BucketPolicyUnreadable { detail: String },

    #[error("AWS has not accepted the new key after {waited_secs} seconds. It usually takes a few seconds; try the key again in a minute.")]
    KeyNotAccepted { waited_secs: u64 },

    #[error("IAM user \"{user}\" already has other permissions: {}. A key for it carries all of them, not only the access you are adding. Create a new user instead, or confirm that this is what you want (--accept-existing-access).", .found.join("; "))]
    ExistingAccess { user: String, found: Vec<String> },

    #[error("{why}")]
    OutOfReach { why: String },

    #[error("The access \"{access}\" is no longer on this computer (it was revoked, or set up on another computer). Ask for a new key, or see `s3aw access list` for what is here.")]
    AccessGone { access: String },

    #[error("The {what} at {} is damaged ({detail}); move it aside to start a new one.", .path.display())]
    DamagedFile { what: &'static str, path: PathBuf, detail: String },

    #[error("The record of what this app created, {}, cannot be read ({detail}), so nothing was changed in the account. A copy of it was kept as {}. Restore the file from a backup, or move it aside to start a new record: `s3aw access list --all` then finds what the app made in the account.", .path.display(), .kept.display())]
    DamagedRecord { path: PathBuf, kept: PathBuf, detail: String },

    #[error("The sign-in in the browser was not finished within {minutes} minute(s). Sign in again when you are ready.")]
    SignInTimedOut { minutes: u64 },

    #[error("The sign-in was cancelled in the browser ({detail}). Nothing was saved. Sign in again when you are ready.")]
    SignInCancelled { detail: String },

    #[error("The sign-in did not complete: {detail}. Nothing was saved. Sign in again.")]
    SignInFailed { detail: String },

    #[error("This computer gives no home folder (HOME, or USERPROFILE on Windows, is not set). Set it, or name the files with AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and S3AW_CONFIG_DIR.")]
    NoHomeFolder,

    #[error("Something went wrong inside S3 Access Wizard: {0}. Please report it.")]
    Internal(String),

    #[error("AWS refused {operation}: {message} ({code})")]
    Aws { operation: String, code: String, message: String },

    #[error("{0}")]
    Other(String),
}

fn profile_hint(profile: &Option<String>) -> String {
    profile.as_ref().map(|p| format!(" for profile \"{p}\"")).unwrap_or_default()
}

fn denied_action(action: &Option<String>) -> String {
    action.as_ref().map(|a| format!(" (missing permission: {a})")).unwrap_or_default()
}

fn reuse_hint(kind: &str) -> &'static str {
    if kind == "IAM user" { ", or choose to reuse the existing user" } else { "" }
}

impl Error {
    /// A stable machine-readable code. Scripts and the desktop app match on these; never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NoCredentials { .. } => "no_credentials",
            Error::SsoExpired { .. } => "sso_expired",
            Error::LoginExpired { .. } => "login_expired",
            Error::InvalidCredentials { .. } => "invalid_credentials",
            Error::ExpiredCredentials => "expired_credentials",
            Error::Unreachable { .. } => "unreachable",
            Error::Timeout { .. } => "timeout",
            Error::AccessDenied { .. } => "access_denied",
            Error::Invalid { .. } => "invalid_input",
            Error::NameTaken { .. } => "name_taken",
            Error::NoSuchBucket { .. } => "no_such_bucket",
            Error::KeyLimit { .. } => "key_limit",
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::KeychainLocked { .. } => "keychain_locked",
            Error::SecretNotInKeychain { .. } => "secret_not_in_keychain",
            Error::FileExists { .. } => "file_exists",
            Error::ProfileExists { .. } => "profile_exists",
            Error::Io { .. } => "io",
            Error::ChangedSinceReview { .. } => "changed_since_review",
            Error::BucketPolicyUnreadable { .. } => "bucket_policy_unreadable",
            Error::KeyNotAccepted { .. } => "key_not_accepted",
            Error::ExistingAccess { .. } => "existing_access",
            Error::OutOfReach { .. } => "out_of_reach",
            Error::AccessGone { .. } => "access_gone",
            Error::DamagedFile { .. } | Error::DamagedRecord { .. } => "damaged_file",
            Error::NoHomeFolder => "no_home_folder",
            Error::SignInTimedOut { .. } => "sign_in_timed_out",
            Error::SignInCancelled { .. } => "sign_in_cancelled",
            Error::SignInFailed { .. } => "sign_in_failed",
            Error::Internal(_) => "internal",
            Error::Aws { .. } => "aws",
            Error::Other(_) => "other",
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid { field, message: message.into() }
    }

    /// Whether this is about the caller's credentials or permissions rather than the request.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::NoCredentials { .. }
                | Error::SsoExpired { .. }
                | Error::LoginExpired { .. }
                | Error::InvalidCredentials { .. }
                | Error::ExpiredCredentials
                | Error::AccessDenied { .. }
        )
    }
}

/// Context used when an SDK error must be explained: which profile and endpoint were in use.
#[derive(Clone, Debug, Default)]
pub struct ErrorContext {
    pub profile: Option<String>,
    pub profile_is_sso: bool,
    /// The profile is a console sign-in (`login_session`).
    pub profile_is_login: bool,
    pub endpoint: String,
}

/// Turn an SDK error into an [`Error`], keeping only what helps a person.
pub(crate) fn from_sdk<E>(ctx: &ErrorContext, operation: &str, err: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    match &err {
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            let code = err.code().unwrap_or_default().to_string();
            let message = err.message().unwrap_or_default().to_string();
            from_aws_code(operation, &code, &message, status)
        }
        SdkError::TimeoutError(_) => Error::Timeout { operation: operation.to_string() },
        SdkError::DispatchFailure(d) => {
            let chain = error_chain(&err);
            if let Some(e) = credentials_problem(ctx, &chain) {
                e
            } else if d.is_timeout() {
                Error::Timeout { operation: operation.to_string() }
            } else {
                Error::Unreachable { endpoint: ctx.endpoint.clone(), detail: last_cause(&err) }
            }
        }
        _ => {
            let chain = error_chain(&err);
            credentials_problem(ctx, &chain)
                .unwrap_or_else(|| Error::Other(format!("{operation} could not be sent: {}", last_cause(&err))))
        }
    }
}

fn from_aws_code(operation: &str, code: &str, message: &str, status: Option<u16>) -> Error {
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AllAccessDisabled" => {
            Error::AccessDenied { action: missing_permission(message), message: message.to_string() }
        }
        "InvalidClientTokenId" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "UnrecognizedClientException"
        | "AuthFailure" => Error::InvalidCredentials { detail: code.to_string() },
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => Error::ExpiredCredentials,
        "" if status == Some(403) => Error::AccessDenied {
            action: missing_permission(message),
            message: if message.is_empty() { format!("{operation} was refused (HTTP 403)") } else { message.to_string() },
        },
        _ => Error::Aws {
            operation: operation.to_string(),
            code: if code.is_empty() { format!("HTTP {}", status.unwrap_or(0)) } else { code.to_string() },
            message: if message.is_empty() { "no details given".to_string() } else { message.to_string() },
        },
    }
}

/// AWS names the action in messages like "... is not authorized to perform: iam:CreateUser on resource: ...".
pub(crate) fn missing_permission(message: &str) -> Option<String> {
    let rest = message.split("perform: ").nth(1)?;
    let action: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-').collect();
    action.contains(':').then_some(action)
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(" | ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out.to_lowercase()
}

pub(crate) fn last_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn credentials_problem(ctx: &ErrorContext, chain: &str) -> Option<Error> {
    let about_credentials = chain.contains("credential") || chain.contains("identity") || chain.contains("sso");
    if !about_credentials {
        return None;
    }
    if ctx.profile_is_sso || chain.contains("sso") {
        if let Some(profile) = &ctx.profile {
            return Some(Error::SsoExpired { profile: profile.clone() });
        }
    }
    if ctx.profile_is_login || chain.contains("reauthenticate") {
        if let Some(profile) = &ctx.profile {
            return Some(Error::LoginExpired { profile: profile.clone() });
        }
    }
    if chain.contains("expired") {
        return Some(Error::ExpiredCredentials);
    }
    Some(Error::NoCredentials { profile: ctx.profile.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_missing_permission() {
        let msg = "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/x";
        assert_eq!(missing_permission(msg).as_deref(), Some("iam:CreateUser"));
        assert_eq!(missing_permission("Access Denied"), None);
        let e = from_aws_code("CreateUser", "AccessDenied", msg, Some(403));
        assert_eq!(e.code(), "access_denied");
        assert!(e.to_string().contains("missing permission: iam:CreateUser"), "{e}");
    }

    #[test]
    fn maps_codes_to_plain_errors() {
        assert_eq!(from_aws_code("op", "InvalidClientTokenId", "x", Some(403)).code(), "invalid_credentials");
        assert_eq!(from_aws_code("op", "ExpiredToken", "x", Some(400)).code(), "expired_credentials");
        assert_eq!(from_aws_code("op", "", "", Some(403)).code(), "access_denied");
        let other = from_aws_code("PutBucketCors", "MalformedXML", "bad", Some(400));
        assert_eq!(other.to_string(), "AWS refused PutBucketCors: bad (MalformedXML)");
    }

    #[test]
    fn sso_profiles_get_the_login_command() {
        let ctx = ErrorContext { profile: Some("work".into()), profile_is_sso: true, endpoint: String::new(), ..Default::default() };
        let e = credentials_problem(&ctx, "failed to load credentials | the sso session has expired").unwrap();
        assert!(e.to_string().contains("s3aw login --sso --aws-profile work"), "{e}");
        assert!(!e.to_string().contains("aws sso login"), "never the AWS CLI: {e}");
        let ctx = ErrorContext { profile: Some("me".into()), profile_is_login: true, ..Default::default() };
        let e = credentials_problem(&ctx, "failed to load credentials | your session has expired. please reauthenticate.").unwrap();
        assert_eq!(e.code(), "login_expired");
        assert!(e.to_string().contains("s3aw login --aws-profile me"), "{e}");
        let plain = ErrorContext { profile: Some("dev".into()), ..Default::default() };
        let e = credentials_problem(&plain, "no credentials in the property bag").unwrap();
        assert_eq!(e.code(), "no_credentials");
        assert!(e.to_string().contains("\"dev\""));
        assert!(credentials_problem(&plain, "connection refused").is_none());
    }
}
