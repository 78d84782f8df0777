//! "Sign in with IAM Identity Center": the OAuth authorization-code flow with PKCE against SSO OIDC
//! (RegisterClient, the browser, CreateToken), then the accounts and roles the portal lists. The token is
//! cached where and how the AWS CLI caches it, with an `[sso-session]` and a profile, so `aws`, the SDKs
//! and the app share it (and aws-config refreshes it).

use super::loopback::Loopback;
use super::pkce::Pkce;
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::time::{Duration, SystemTime};

pub const SCOPE: &str = "sso:account:access";
pub const CLIENT_NAME: &str = "s3-access-wizard";
pub const OIDC_ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL_SSO_OIDC";
pub const PORTAL_ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL_SSO";

#[derive(Clone, Debug)]
pub struct SsoOptions {
    /// The AWS access portal URL (`https://d-xxxxxxxxxx.awsapps.com/start`).
    pub start_url: String,
    /// The region of the Identity Center instance.
    pub sso_region: String,
    /// The `[sso-session NAME]` the token belongs to.
    pub session_name: String,
    pub oidc_endpoint: Option<String>,
    pub portal_endpoint: Option<String>,
    pub timeout: Duration,
}

impl SsoOptions {
    /// Options for a sign-in at `start_url`. Its `[sso-session]` name is the instance's id; when the
    /// config file already has a session of that name for another start URL, the name gets this URL's
    /// hash, so an existing session is never repointed.
    pub fn new(start_url: &str, sso_region: &str) -> Self {
        let mut session_name = session_name_for(start_url);
        let configured = crate::paths::config_file_path().ok().and_then(|p| std::fs::read_to_string(p).ok());
        if let Some(other) = configured.and_then(|t| crate::export::ini_value(&t, &format!("sso-session {session_name}"), "sso_start_url")) {
            if normal_url(&other) != normal_url(start_url) {
                session_name = format!("{session_name}-{}", url_hash(start_url));
            }
        }
        SsoOptions {
            start_url: start_url.trim().to_string(),
            sso_region: sso_region.trim().to_string(),
            session_name,
            oidc_endpoint: None,
            portal_endpoint: None,
            timeout: super::console::DEFAULT_TIMEOUT,
        }
    }
}

/// An `sso-session` name from the start URL: the instance's id as it appears in the URL (`d-1234567890`,
/// `ssoins-…`), else `s3aw-` and a hash of the URL. Two start URLs never share a name by accident.
pub fn session_name_for(start_url: &str) -> String {
    let rest = start_url.trim().trim_start_matches("https://");
    let is_id = |part: &&str| {
        (part.starts_with("d-") || part.starts_with("ssoins-")) && part.len() > 4 && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    match rest.split(['/', '.', '?', '#']).find(is_id) {
        Some(id) => id.to_string(),
        None => format!("s3aw-{}", url_hash(start_url)),
    }
}

fn normal_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn url_hash(url: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(normal_url(url).as_bytes()).iter().take(5).map(|b| format!("{b:02x}")).collect()
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

fn suffix(region: &str) -> &'static str {
    if crate::policy::partition_for_region(region) == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

pub fn oidc_endpoint(opts: &SsoOptions) -> String {
    opts.oidc_endpoint
        .clone()
        .or_else(|| env(OIDC_ENDPOINT_ENV))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|| format!("https://oidc.{}.{}", opts.sso_region, suffix(&opts.sso_region)))
        .trim_end_matches('/')
        .to_string()
}

pub fn portal_endpoint(opts: &SsoOptions) -> String {
    opts.portal_endpoint
        .clone()
        .or_else(|| env(PORTAL_ENDPOINT_ENV))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|| format!("https://portal.sso.{}.{}", opts.sso_region, suffix(&opts.sso_region)))
        .trim_end_matches('/')
        .to_string()
}

/// A check of the start URL before any call: an https URL.
pub fn validate_start_url(url: &str) -> Result<()> {
    let u = url.trim();
    let ok = u.starts_with("https://") && u.len() > "https://".len() + 3 && !u.contains(char::is_whitespace);
    if !ok {
        return Err(Error::invalid("start URL", format!("\"{u}\" is not an AWS access portal URL; it looks like https://d-1234567890.awsapps.com/start")));
    }
    Ok(())
}

fn oidc_client(opts: &SsoOptions) -> aws_sdk_ssooidc::Client {
    let conf = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(aws_sdk_ssooidc::config::Region::new(opts.sso_region.clone()))
        .endpoint_url(oidc_endpoint(opts))
        .timeout_config(aws_smithy_types::timeout::TimeoutConfig::builder().operation_timeout(Duration::from_secs(60)).build())
        .build();
    aws_sdk_ssooidc::Client::from_conf(conf)
}

fn portal_client(opts: &SsoOptions) -> aws_sdk_sso::Client {
    let conf = aws_sdk_sso::Config::builder()
        .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
        .region(aws_sdk_sso::config::Region::new(opts.sso_region.clone()))
        .endpoint_url(portal_endpoint(opts))
        .timeout_config(aws_smithy_types::timeout::TimeoutConfig::builder().operation_timeout(Duration::from_secs(60)).build())
        .build();
    aws_sdk_sso::Client::from_conf(conf)
}

fn sso_error<E, R>(what: &str, e: aws_smithy_runtime_api::client::result::SdkError<E, R>) -> Error
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match &e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            let code = err.code().unwrap_or_default();
            let message = err.message().unwrap_or("no reason given");
            match code {
                "UnauthorizedException" | "ExpiredTokenException" | "InvalidGrantException" => {
                    Error::SignInFailed { detail: format!("IAM Identity Center refused {what}: the sign-in has expired or was revoked ({message})") }
                }
                "AccessDeniedException" => Error::AccessDenied { action: None, message: format!("{what}: {message}") },
                _ => Error::SignInFailed { detail: format!("IAM Identity Center refused {what} ({code}: {message})") },
            }
        }
        SdkError::TimeoutError(_) => Error::Timeout { operation: what.to_string() },
        _ => Error::Unreachable { endpoint: "IAM Identity Center".into(), detail: crate::error::last_cause(&e) },
    }
}

/// An Identity Center sign-in waiting for the browser.
pub struct SsoSignIn {
    pub authorize_url: String,
    opts: SsoOptions,
    loopback: Loopback,
    redirect_uri: String,
    pkce: Pkce,
    client_id: String,
    client_secret: Secret,
    registration_expires_at: SystemTime,
}

impl SsoSignIn {
    /// Register this app with the instance (a public client for the authorization-code grant) and prepare
    /// the authorization URL.
    pub async fn begin(opts: SsoOptions) -> Result<SsoSignIn> {
        validate_start_url(&opts.start_url)?;
        crate::validate::region(&opts.sso_region)?;
        let loopback = Loopback::bind().await?;
        let redirect_uri = loopback.redirect_uri();
        let reg = oidc_client(&opts)
            .register_client()
            .client_name(CLIENT_NAME)
            .client_type("public")
            .scopes(SCOPE)
            .grant_types("authorization_code")
            .grant_types("refresh_token")
            .redirect_uris(&redirect_uri)
            .issuer_url(&opts.start_url)
            .send()
            .await
            .map_err(|e| sso_error("registering this app", e))?;
        let client_id = reg.client_id().unwrap_or_default().to_string();
        let client_secret = Secret::new(reg.client_secret().unwrap_or_default());
        let registration_expires_at = SystemTime::UNIX_EPOCH + Duration::from_secs(reg.client_secret_expires_at().max(0) as u64);
        let pkce = Pkce::new()?;
        let q = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let authorize_url = format!(
            "{}/authorize?response_type=code&client_id={}&redirect_uri={}&scopes={}&state={}&code_challenge_method=S256&code_challenge={}",
            oidc_endpoint(&opts),
            q(&client_id),
            q(&redirect_uri),
            q(SCOPE),
            q(&pkce.state),
            pkce.challenge
        );
        Ok(SsoSignIn { authorize_url, opts, loopback, redirect_uri, pkce, client_id, client_secret, registration_expires_at })
    }

    /// Wait for the browser, exchange the code, and cache the token as the AWS CLI does.
    pub async fn wait(self) -> Result<SsoSession> {
        let redirect = self.loopback.wait(&self.pkce.state, self.opts.timeout, "S3 Access Wizard").await?;
        let now = SystemTime::now();
        let out = oidc_client(&self.opts)
            .create_token()
            .client_id(&self.client_id)
            .client_secret(self.client_secret.expose())
            .grant_type("authorization_code")
            .code(redirect.code.expose())
            .redirect_uri(&self.redirect_uri)
            .code_verifier(self.pkce.verifier.expose())
            .send()
            .await
            .map_err(|e| sso_error("the sign-in", e))?;
        let session = SsoSession {
            opts: self.opts,
            access_token: Secret::new(out.access_token().unwrap_or_default()),
            expires_at: now + Duration::from_secs(out.expires_in().max(0) as u64),
            refresh_token: out.refresh_token().map(Secret::new),
            client_id: self.client_id,
            client_secret: self.client_secret,
            registration_expires_at: self.registration_expires_at,
        };
        session.cache()?;
        Ok(session)
    }
}

/// A signed-in Identity Center session. `Debug` shows none of its tokens.
pub struct SsoSession {
    pub opts: SsoOptions,
    access_token: Secret,
    pub expires_at: SystemTime,
    refresh_token: Option<Secret>,
    client_id: String,
    client_secret: Secret,
    registration_expires_at: SystemTime,
}

impl std::fmt::Debug for SsoSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSession").field("start_url", &self.opts.start_url).field("session_name", &self.opts.session_name).field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// An account the signed-in person may use, with its roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoAccount {
    pub account_id: String,
    pub name: String,
    pub email: String,
}

impl SsoSession {
    /// The session cached for `opts` (same start URL), when its token is good for at least a minute more:
    /// signing in again is then not needed to pick an account and role.
    ///
    /// The start URL and region are checked first, as for a fresh sign-in: the cached token goes only
    /// to the portal of a valid region.
    pub fn from_cache(opts: &SsoOptions) -> Result<Option<SsoSession>> {
        validate_start_url(&opts.start_url)?;
        crate::validate::region(&opts.sso_region)?;
        Ok(Self::read_cache(opts))
    }

    fn read_cache(opts: &SsoOptions) -> Option<SsoSession> {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(super::cache::sso_cache_file(&opts.session_name).ok()?).ok()?).ok()?;
        let text = |k: &str| json.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let time = |k: &str| text(k).and_then(|t| crate::record::parse_time(&t).ok());
        if text("startUrl")?.trim_end_matches('/') != opts.start_url.trim_end_matches('/') {
            return None;
        }
        let expires_at = time("expiresAt")?;
        if expires_at < SystemTime::now() + Duration::from_secs(60) {
            return None;
        }
        Some(SsoSession {
            opts: opts.clone(),
            access_token: Secret::new(text("accessToken")?),
            expires_at,
            refresh_token: text("refreshToken").map(Secret::new),
            client_id: text("clientId").unwrap_or_default(),
            client_secret: Secret::new(text("clientSecret").unwrap_or_default()),
            registration_expires_at: time("registrationExpiresAt").unwrap_or(SystemTime::UNIX_EPOCH),
        })
    }

    fn cache(&self) -> Result<()> {
        let mut json = serde_json::json!({
            "startUrl": self.opts.start_url,
            "region": self.opts.sso_region,
            "accessToken": self.access_token.expose(),
            "expiresAt": crate::record::format_time(self.expires_at),
            "clientId": self.client_id,
            "clientSecret": self.client_secret.expose(),
            "registrationExpiresAt": crate::record::format_time(self.registration_expires_at),
        });
        if let Some(r) = &self.refresh_token {
            json["refreshToken"] = serde_json::Value::String(r.expose().to_string());
        }
        super::cache::write(&super::cache::sso_cache_file(&self.opts.session_name)?, json)
    }

    /// End the session at AWS (sso:Logout, as `aws sso logout` does): the token stops working everywhere,
    /// on every computer it was copied to. `false` when AWS did not confirm (an expired token, no network).
    pub async fn logout(&self) -> bool {
        portal_client(&self.opts).logout().access_token(self.access_token.expose()).send().await.is_ok()
    }

    /// The accounts the portal lists for this person.
    pub async fn accounts(&self) -> Result<Vec<SsoAccount>> {
        let client = portal_client(&self.opts);
        let mut out = Vec::new();
        let mut pages = client.list_accounts().access_token(self.access_token.expose()).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sso_error("listing your accounts", e))?;
            out.extend(page.account_list().iter().map(|a| SsoAccount {
                account_id: a.account_id().unwrap_or_default().to_string(),
                name: a.account_name().unwrap_or_default().to_string(),
                email: a.email_address().unwrap_or_default().to_string(),
            }));
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.account_id.cmp(&b.account_id)));
        Ok(out)
    }

    /// The roles this person may use in `account_id`.
    pub async fn roles(&self, account_id: &str) -> Result<Vec<String>> {
        crate::validate::account_id(account_id)?;
        let client = portal_client(&self.opts);
        let mut out = Vec::new();
        let mut pages = client.list_account_roles().access_token(self.access_token.expose()).account_id(account_id).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sso_error("listing your roles", e))?;
            out.extend(page.role_list().iter().filter_map(|r| r.role_name().map(str::to_string)));
        }
        out.sort();
        Ok(out)
    }

    /// Write `[sso-session NAME]` and `[profile PROFILE]` (account, role, region) as `aws configure sso`
    /// does, so the app and the AWS CLI connect with the same profile.
    pub async fn save_profile(&self, profile: &str, account_id: &str, role_name: &str, region: &str) -> Result<String> {
        crate::validate::account_id(account_id)?;
        crate::validate::region(region)?;
        if role_name.trim().is_empty() {
            return Err(Error::invalid("role", "choose one of the roles listed for the account"));
        }
        let profile = profile.trim();
        super::check_profile_is_free_for(profile, "sso_session").await?;
        let session = vec![
            ("sso_start_url".to_string(), self.opts.start_url.clone()),
            ("sso_region".to_string(), self.opts.sso_region.clone()),
            ("sso_registration_scopes".to_string(), SCOPE.to_string()),
        ];
        super::write_section(&format!("sso-session {}", self.opts.session_name), &session)?;
        let body = vec![
            ("sso_session".to_string(), self.opts.session_name.clone()),
            ("sso_account_id".to_string(), account_id.to_string()),
            ("sso_role_name".to_string(), role_name.trim().to_string()),
            ("region".to_string(), region.to_string()),
        ];
        super::write_profile(profile, &body)?;
        Ok(profile.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_endpoints_and_start_urls() {
        assert_eq!(session_name_for("https://d-1234567890.awsapps.com/start"), "d-1234567890");
        assert_eq!(session_name_for("https://ssoins-7223bd6cf5e1a9f0.portal.us-east-1.app.aws"), "ssoins-7223bd6cf5e1a9f0");
        assert_eq!(session_name_for("https://start.us-gov-home.awsapps.com/directory/d-9067f1a2b3"), "d-9067f1a2b3");
        let (a, b) = (session_name_for("https://acme.awsapps.com/start"), session_name_for("https://other.awsapps.com/start"));
        assert!(a.starts_with("s3aw-") && b.starts_with("s3aw-") && a != b, "{a} {b}");
        assert_eq!(a, session_name_for("https://ACME.awsapps.com/start/"), "the same URL, the same name");
        let o = SsoOptions { oidc_endpoint: None, portal_endpoint: None, ..SsoOptions::new("https://d-1.awsapps.com/start", "eu-central-1") };
        assert!(oidc_endpoint(&o) == "https://oidc.eu-central-1.amazonaws.com" || std::env::var("AWS_ENDPOINT_URL").is_ok() || std::env::var(OIDC_ENDPOINT_ENV).is_ok());
        validate_start_url("https://d-1234567890.awsapps.com/start").unwrap();
        for bad in ["http://d-1.awsapps.com/start", "d-1.awsapps.com", "https://", "https://a b.com"] {
            assert_eq!(validate_start_url(bad).unwrap_err().code(), "invalid_input", "{bad}");
        }
    }
}
