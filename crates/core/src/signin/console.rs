//! "Sign in with your AWS account": AWS Sign-In's browser authorization for console identities (root, IAM
//! users, federated), as the AWS CLI's `aws login` does it. PKCE and `state`, a one-shot loopback redirect
//! (or, when the browser is on another device, a pasted code), then CreateOAuth2Token with a DPoP proof.
//! The session is stored as the AWS CLI stores it, with a profile `login_session = ARN`, so the app, `aws`,
//! boto3 and the SDKs share one session and refresh it.

use super::dpop::{DpopAuth, DpopKey, DpopScheme};
use super::loopback::Loopback;
use super::pkce::Pkce;
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::time::{Duration, SystemTime};

/// The client ids AWS Sign-In knows the AWS CLI by (the flows are the same for every local tool).
pub const SAME_DEVICE_CLIENT: &str = "arn:aws:signin:::devtools/same-device";
pub const CROSS_DEVICE_CLIENT: &str = "arn:aws:signin:::devtools/cross-device";

/// How long the browser has to come back.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The override of AWS Sign-In's endpoint, as the SDKs read it.
pub const ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL_SIGNIN";

#[derive(Clone, Debug)]
pub struct ConsoleOptions {
    pub region: String,
    /// AWS Sign-In's endpoint; by default the region's (or `AWS_ENDPOINT_URL_SIGNIN`).
    pub endpoint: Option<String>,
    /// The browser is on another device: show the URL, and take the code it shows.
    pub remote: bool,
    pub timeout: Duration,
}

impl ConsoleOptions {
    pub fn new(region: &str) -> Self {
        ConsoleOptions { region: region.to_string(), endpoint: None, remote: false, timeout: DEFAULT_TIMEOUT }
    }
}

/// AWS Sign-In's endpoint for a region, by partition (as the SDK's endpoint rules resolve it).
pub fn default_endpoint(region: &str) -> String {
    match crate::policy::partition_for_region(region) {
        "aws-cn" => format!("https://{region}.signin.amazonaws.cn"),
        "aws-us-gov" => format!("https://{region}.signin.amazonaws-us-gov.com"),
        _ => format!("https://{region}.signin.aws.amazon.com"),
    }
}

/// The endpoint in use: the option, `AWS_ENDPOINT_URL_SIGNIN`, `AWS_ENDPOINT_URL` (as the SDK would), else
/// the region's.
pub fn endpoint(opts: &ConsoleOptions) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    opts.endpoint.clone().or_else(|| env(ENDPOINT_ENV)).or_else(|| env("AWS_ENDPOINT_URL")).unwrap_or_else(|| default_endpoint(&opts.region)).trim_end_matches('/').to_string()
}

/// A sign-in waiting for the browser.
pub struct ConsoleSignIn {
    /// Open this in the browser (or show it, for a remote sign-in).
    pub authorize_url: String,
    pub remote: bool,
    endpoint: String,
    redirect_uri: String,
    client_id: &'static str,
    pkce: Pkce,
    key: DpopKey,
    loopback: Option<Loopback>,
    opts: ConsoleOptions,
}

impl ConsoleSignIn {
    /// Prepare the authorization: PKCE, state, the DPoP key, and (same device) the loopback port.
    pub async fn begin(opts: ConsoleOptions) -> Result<ConsoleSignIn> {
        crate::validate::region(&opts.region)?;
        let endpoint = endpoint(&opts);
        let (loopback, redirect_uri, client_id) = if opts.remote {
            (None, format!("{endpoint}/v1/sessions/confirmation"), CROSS_DEVICE_CLIENT)
        } else {
            let lb = Loopback::bind().await?;
            let uri = lb.redirect_uri();
            (Some(lb), uri, SAME_DEVICE_CLIENT)
        };
        let pkce = Pkce::new()?;
        let q = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let authorize_url = format!(
            "{endpoint}/v1/authorize?response_type=code&client_id={}&state={}&code_challenge_method=SHA-256&scope=openid&redirect_uri={}&code_challenge={}",
            q(client_id),
            q(&pkce.state),
            q(&redirect_uri),
            pkce.challenge
        );
        Ok(ConsoleSignIn { authorize_url, remote: opts.remote, endpoint, redirect_uri, client_id, pkce, key: DpopKey::generate()?, loopback, opts })
    }

    /// Same device: wait for the browser to come back (at most the timeout), then get the session.
    pub async fn wait(mut self) -> Result<ConsoleSession> {
        let lb = self.loopback.take().ok_or_else(|| Error::Internal("a remote sign-in has no local port to wait on; paste the code".into()))?;
        let redirect = lb.wait(&self.pkce.state, self.opts.timeout, "S3 Access Wizard").await?;
        self.exchange(redirect.code).await
    }

    /// Another device: the code the browser showed (base64 of `state=…&code=…`).
    pub async fn finish_with_code(self, pasted: &str) -> Result<ConsoleSession> {
        let (code, state) = parse_pasted_code(pasted)?;
        if state != self.pkce.state {
            return Err(Error::SignInFailed { detail: "that code belongs to another sign-in (its state does not match); sign in again and paste the code it shows".into() });
        }
        self.exchange(code).await
    }

    async fn exchange(self, code: Secret) -> Result<ConsoleSession> {
        let client = signin_client(&self.opts.region, &self.endpoint, &self.key);
        let body = aws_sdk_signin::types::CreateOAuth2TokenRequestBody::builder()
            .client_id(self.client_id)
            .grant_type("authorization_code")
            .code(code.expose())
            .code_verifier(self.pkce.verifier.expose())
            .redirect_uri(&self.redirect_uri)
            .build()
            .map_err(|e| Error::Internal(format!("the token request could not be built: {e}")))?;
        let now = SystemTime::now();
        let out = client.create_o_auth2_token().token_input(body).send().await.map_err(token_error)?;
        let t = out.token_output().ok_or_else(|| Error::SignInFailed { detail: "AWS Sign-In answered without a token".into() })?;
        let access = t.access_token().ok_or_else(|| Error::SignInFailed { detail: "AWS Sign-In answered without credentials".into() })?;
        let id_token = t.id_token().unwrap_or_default().to_string();
        let session_arn = session_arn_from_id_token(&id_token)?;
        let account = session_arn.split(':').nth(4).filter(|a| crate::validate::account_id(a).is_ok()).map(str::to_string).ok_or_else(|| Error::SignInFailed {
            detail: format!("the session \"{session_arn}\" names no account"),
        })?;
        Ok(ConsoleSession {
            session_arn,
            account,
            region: self.opts.region.clone(),
            expires_at: now + Duration::from_secs(t.expires_in().max(0) as u64),
            access_key_id: access.access_key_id().to_string(),
            secret_access_key: Secret::new(access.secret_access_key()),
            session_token: Secret::new(access.session_token()),
            refresh_token: Secret::new(t.refresh_token()),
            id_token: Secret::new(id_token),
            token_type: t.token_type().to_string(),
            client_id: self.client_id.to_string(),
            dpop_key: self.key.to_pem()?,
        })
    }
}

/// An AWS Sign-In client with DPoP proofs, against `endpoint`.
fn signin_client(region: &str, endpoint: &str, key: &DpopKey) -> aws_sdk_signin::Client {
    let conf = aws_sdk_signin::Config::builder()
        .behavior_version(aws_sdk_signin::config::BehaviorVersion::latest())
        .region(aws_sdk_signin::config::Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .timeout_config(aws_smithy_types::timeout::TimeoutConfig::builder().operation_timeout(Duration::from_secs(60)).build())
        .auth_scheme_resolver(DpopAuth)
        .push_auth_scheme(DpopScheme(key.clone()))
        .build();
    aws_sdk_signin::Client::from_conf(conf)
}

fn token_error(e: aws_sdk_signin::error::SdkError<aws_sdk_signin::operation::create_o_auth2_token::CreateOAuth2TokenError, aws_smithy_runtime_api::client::orchestrator::HttpResponse>) -> Error {
    use aws_sdk_signin::operation::create_o_auth2_token::CreateOAuth2TokenError as E;
    use aws_sdk_signin::types::OAuth2ErrorCode as C;
    match e.as_service_error() {
        Some(E::AccessDeniedException(x)) => match &x.error {
            C::AuthcodeExpired => Error::SignInFailed { detail: "the sign-in took too long and its code expired".into() },
            C::InsufficientPermissions => Error::AccessDenied {
                action: Some("signin:CreateOAuth2Token".into()),
                message: "this identity may not sign in to local tools (it needs signin:CreateOAuth2Token)".into(),
            },
            _ => Error::SignInFailed { detail: format!("AWS Sign-In refused the sign-in ({})", x.message()) },
        },
        Some(other) => Error::SignInFailed { detail: format!("AWS Sign-In refused the sign-in ({})", aws_smithy_types::error::metadata::ProvideErrorMetadata::message(other).unwrap_or("no reason given")) },
        None => match e {
            aws_sdk_signin::error::SdkError::TimeoutError(_) => Error::Timeout { operation: "signing in".into() },
            other => Error::Unreachable { endpoint: "AWS Sign-In".into(), detail: crate::error::last_cause(&other) },
        },
    }
}

/// The session's identity: the `sub` of the ID token (a JWT; AWS Sign-In signed it and sent it to us over
/// TLS, and nothing here trusts more than its name).
pub fn session_arn_from_id_token(id_token: &str) -> Result<String> {
    let bad = || Error::SignInFailed { detail: "AWS Sign-In's identity token could not be read".into() };
    let payload = id_token.split('.').nth(1).ok_or_else(bad)?;
    let bytes = base64_simd::URL_SAFE_NO_PAD.decode_to_vec(payload.trim_end_matches('=')).map_err(|_| bad())?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let sub = claims.get("sub").and_then(|s| s.as_str()).filter(|s| s.starts_with("arn:")).ok_or_else(bad)?;
    Ok(sub.to_string())
}

/// The code a remote sign-in's browser shows: base64 of `state=…&code=…`.
pub fn parse_pasted_code(pasted: &str) -> Result<(Secret, String)> {
    let bad = || Error::invalid("authorization code", "this is not the code the browser showed after signing in; copy it again, whole");
    let text = pasted.trim();
    let decoded = base64_simd::STANDARD.decode_to_vec(text).or_else(|_| base64_simd::URL_SAFE.decode_to_vec(text)).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let mut code = None;
    let mut state = None;
    for (k, v) in decoded.split('&').filter_map(|kv| kv.split_once('=')) {
        let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned();
        match k {
            "code" => code = Some(v),
            "state" => state = Some(v),
            _ => {}
        }
    }
    match (code, state) {
        (Some(c), Some(s)) if !c.is_empty() => Ok((Secret::new(c), s)),
        _ => Err(bad()),
    }
}

/// A signed-in console session. Its secrets are `Secret`s; `Debug` shows none of them.
pub struct ConsoleSession {
    pub session_arn: String,
    pub account: String,
    pub region: String,
    pub expires_at: SystemTime,
    pub access_key_id: String,
    secret_access_key: Secret,
    session_token: Secret,
    refresh_token: Secret,
    id_token: Secret,
    token_type: String,
    client_id: String,
    dpop_key: Secret,
}

impl std::fmt::Debug for ConsoleSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleSession").field("session_arn", &self.session_arn).field("account", &self.account).field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

impl ConsoleSession {
    /// The cache file's content, in the AWS CLI's format.
    fn cache_json(&self) -> serde_json::Value {
        serde_json::json!({
            "accessToken": {
                "accessKeyId": self.access_key_id,
                "secretAccessKey": self.secret_access_key.expose(),
                "sessionToken": self.session_token.expose(),
                "accountId": self.account,
                "expiresAt": crate::record::format_time(self.expires_at),
            },
            "tokenType": self.token_type,
            "clientId": self.client_id,
            "refreshToken": self.refresh_token.expose(),
            "idToken": self.id_token.expose(),
            "dpopKey": self.dpop_key.expose(),
        })
    }

    /// Store the session as the AWS CLI does (the cache file, owner-only) and point `[profile NAME]` at it
    /// (`login_session`, and the region). A profile that gets its credentials another way is refused, not
    /// changed. Returns the profile's name and the cache file.
    pub async fn save(&self, profile: &str) -> Result<(String, std::path::PathBuf)> {
        let profile = profile.trim();
        super::check_profile_is_free_for(profile, "login_session").await?;
        let cache = super::cache::login_cache_file(&self.session_arn)?;
        super::cache::write(&cache, self.cache_json())?;
        let body = vec![("login_session".to_string(), self.session_arn.clone()), ("region".to_string(), self.region.clone())];
        super::write_profile(profile, &body)?;
        Ok((profile.to_string(), cache))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_by_partition_and_override() {
        assert_eq!(default_endpoint("us-east-1"), "https://us-east-1.signin.aws.amazon.com");
        assert_eq!(default_endpoint("cn-north-1"), "https://cn-north-1.signin.amazonaws.cn");
        assert_eq!(default_endpoint("us-gov-west-1"), "https://us-gov-west-1.signin.amazonaws-us-gov.com");
        let mut o = ConsoleOptions::new("eu-west-1");
        o.endpoint = Some("http://127.0.0.1:9/".into());
        assert_eq!(endpoint(&o), "http://127.0.0.1:9");
    }

    #[tokio::test]
    async fn the_authorization_url_carries_pkce_state_and_the_loopback() {
        let mut o = ConsoleOptions::new("eu-west-1");
        o.endpoint = Some("https://eu-west-1.signin.aws.amazon.com".into());
        let s = ConsoleSignIn::begin(o.clone()).await.unwrap();
        let url = &s.authorize_url;
        assert!(url.starts_with("https://eu-west-1.signin.aws.amazon.com/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame%2Ddevice&"), "{url}");
        assert!(url.contains(&format!("&state={}", s.pkce.state.replace('-', "%2D"))), "{url}");
        assert!(url.contains("&code_challenge_method=SHA-256&scope=openid&redirect_uri=http%3A%2F%2F127%2E0%2E0%2E1%3A"), "{url}");
        assert!(url.ends_with(&format!("&code_challenge={}", s.pkce.challenge)), "{url}");
        assert!(!url.contains(s.pkce.verifier.expose()));
        o.remote = true;
        let r = ConsoleSignIn::begin(o).await.unwrap();
        assert!(r.authorize_url.contains("devtools%2Fcross%2Ddevice") && r.authorize_url.contains("%2Fv1%2Fsessions%2Fconfirmation"), "{}", r.authorize_url);
    }

    #[test]
    fn pasted_codes_and_id_tokens_are_read() {
        let pasted = base64_simd::STANDARD.encode_to_string(b"state=abc-123&code=the%2Bcode");
        let (code, state) = parse_pasted_code(&format!("  {pasted}\n")).unwrap();
        assert_eq!((code.expose(), state.as_str()), ("the+code", "abc-123"));
        assert_eq!(parse_pasted_code("not base64!").unwrap_err().code(), "invalid_input");
        assert_eq!(parse_pasted_code(&base64_simd::STANDARD.encode_to_string(b"state=x")).unwrap_err().code(), "invalid_input");
        let claims = base64_simd::URL_SAFE_NO_PAD.encode_to_string(br#"{"sub":"arn:aws:iam::123456789012:user/Admin"}"#);
        assert_eq!(session_arn_from_id_token(&format!("e30.{claims}.sig")).unwrap(), "arn:aws:iam::123456789012:user/Admin");
        assert_eq!(session_arn_from_id_token("garbage").unwrap_err().code(), "sign_in_failed");
    }
}
