//! Connecting to AWS: the standard credential chain (environment, profiles including SSO), pasted keys,
//! region choice and custom endpoints (the explicit option, or `AWS_ENDPOINT_URL`). One client per service,
//! reused; operation and attempt timeouts set.

use crate::error::{from_sdk, Error, ErrorContext, Result};
use crate::secret::{AccessKey, PastedCredentials};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How to connect. Everything is optional: with nothing set, the standard AWS chain decides.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    /// A named profile from `~/.aws/config` or `~/.aws/credentials`.
    pub profile: Option<String>,
    pub region: Option<String>,
    /// A custom endpoint (an emulator, a VPC endpoint). `AWS_ENDPOINT_URL` is used when this is unset.
    pub endpoint_url: Option<String>,
    /// Keys pasted by the user; they take precedence over profiles and the environment.
    pub credentials: Option<PastedCredentials>,
}

/// Who the connection acts as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// A live connection: the loaded configuration and one client per service.
pub struct Session {
    config: SdkConfig,
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    s3_default: aws_sdk_s3::Client,
    s3_by_region: Mutex<HashMap<String, aws_sdk_s3::Client>>,
    region: String,
    endpoint_url: Option<String>,
    pub(crate) ctx: ErrorContext,
    /// Who this session acts as, once asked (it cannot change for the session's credentials).
    identity: Mutex<Option<Identity>>,
}

pub const DEFAULT_REGION: &str = "us-east-1";

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(90))
        .build()
}

impl Session {
    pub async fn connect(opts: ConnectOptions) -> Result<Session> {
        let endpoint_url = opts
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .filter(|s| !s.trim().is_empty());
        if let Some(url) = &endpoint_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::invalid("endpoint URL", format!("\"{url}\" must start with http:// or https://")));
            }
        }
        let profiles = list_profiles().await;
        let profile_info = match &opts.profile {
            Some(name) if opts.credentials.is_none() => {
                let found = profiles.iter().find(|p| &p.name == name).cloned();
                if found.is_none() {
                    let known: Vec<_> = profiles.iter().map(|p| p.name.as_str()).collect();
                    let known = if known.is_empty() { "none are configured".to_string() } else { format!("known profiles: {}", known.join(", ")) };
                    return Err(Error::invalid("profile", format!("there is no AWS profile named \"{name}\" ({known})")));
                }
                found
            }
            _ => None,
        };

        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(timeouts())
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(url) = &endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(c) = &opts.credentials {
            loader = loader.credentials_provider(Credentials::new(
                c.access_key_id.clone(),
                c.secret_access_key.expose().to_string(),
                c.session_token.as_ref().map(|t| t.expose().to_string()),
                None,
                "s3aw-pasted",
            ));
        }
        let mut config = loader.load().await;
        if config.region().is_none() {
            config = config.to_builder().region(Region::new(DEFAULT_REGION)).build();
        }
        let region = config.region().map(|r| r.to_string()).unwrap_or_else(|| DEFAULT_REGION.to_string());
        let ctx = ErrorContext {
            profile: if opts.credentials.is_some() { None } else { opts.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok()) },
            profile_is_sso: profile_info.as_ref().map(|p| p.kind == ProfileKind::Sso).unwrap_or(false),
            profile_is_login: profile_info.as_ref().map(|p| p.kind == ProfileKind::Login).unwrap_or(false),
            endpoint: endpoint_url.clone().unwrap_or_else(|| format!("AWS ({region})")),
        };
        Ok(Session::from_config(config, region, endpoint_url, ctx))
    }

    fn from_config(config: SdkConfig, region: String, endpoint_url: Option<String>, ctx: ErrorContext) -> Session {
        let iam = aws_sdk_iam::Client::new(&config);
        let sts = aws_sdk_sts::Client::new(&config);
        let s3_conf = aws_sdk_s3::config::Builder::from(&config)
            .region(Region::new(region.clone()))
            .force_path_style(endpoint_url.is_some())
            .build();
        Session {
            iam,
            sts,
            s3_default: aws_sdk_s3::Client::from_conf(s3_conf),
            s3_by_region: Mutex::new(HashMap::new()),
            config,
            region,
            endpoint_url,
            ctx,
            identity: Mutex::new(None),
        }
    }

    /// A session with the same region and endpoint that acts as `key` (to probe or use a new key).
    pub fn with_key(&self, key: &AccessKey) -> Session {
        let creds = Credentials::new(key.access_key_id.clone(), key.secret_access_key.expose().to_string(), None, None, "s3aw-new-key");
        let config = self.config.to_builder().credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(creds)).build();
        let ctx = ErrorContext { profile: None, endpoint: self.ctx.endpoint.clone(), ..Default::default() };
        Session::from_config(config, self.region.clone(), self.endpoint_url.clone(), ctx)
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The custom endpoint in use, if any (an emulator is not AWS, and the UI says so).
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    pub(crate) fn credentials_provider(&self) -> Option<aws_credential_types::provider::SharedCredentialsProvider> {
        self.config.credentials_provider()
    }

    pub fn partition(&self) -> &'static str {
        crate::policy::partition_for_region(&self.region)
    }

    /// An S3 client for a bucket's region (AWS redirects calls made to the wrong region).
    pub(crate) fn s3_in(&self, region: &str) -> aws_sdk_s3::Client {
        if region == self.region || self.endpoint_url.is_some() {
            return self.s3_default.clone();
        }
        let mut cache = self.s3_by_region.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(region.to_string())
            .or_insert_with(|| {
                let conf = aws_sdk_s3::config::Builder::from(&self.config).region(Region::new(region.to_string())).build();
                aws_sdk_s3::Client::from_conf(conf)
            })
            .clone()
    }

    /// An IAM Access Analyzer client in the session's region, made when asked for (one check per plan).
    pub(crate) fn access_analyzer(&self) -> aws_sdk_accessanalyzer::Client {
        aws_sdk_accessanalyzer::Client::new(&self.config)
    }

    pub(crate) fn s3(&self) -> &aws_sdk_s3::Client {
        &self.s3_default
    }

    /// Which account and identity this connection acts as: sts:GetCallerIdentity the first time, then
    /// remembered (a session's credentials belong to one identity for its whole life).
    /// The profile this connection was made with, if any.
    pub fn profile(&self) -> Option<&str> {
        self.ctx.profile.as_deref()
    }

    pub async fn whoami(&self) -> Result<Identity> {
        if let Some(id) = self.identity.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(id);
        }
        let id = self.ask_identity().await?;
        *self.identity.lock().unwrap_or_else(|e| e.into_inner()) = Some(id.clone());
        Ok(id)
    }

    /// sts:GetCallerIdentity, every time (a probe of whether AWS accepts the credentials now).
    pub(crate) async fn ask_identity(&self) -> Result<Identity> {
        let out = self.sts.get_caller_identity().send().await.map_err(|e| from_sdk(&self.ctx, "GetCallerIdentity", e))?;
        Ok(Identity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }
}

/// How a profile gets its credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileKind {
    /// Long-term keys in the credentials or config file.
    Keys,
    /// AWS IAM Identity Center (SSO).
    Sso,
    /// A console sign-in session (`aws login`): `login_session` names it.
    Login,
    /// Assumes a role from another profile.
    AssumeRole,
    /// An external `credential_process`.
    Process,
    /// A role assumed with a web identity token (`web_identity_token_file`, as in EKS and CI runners).
    WebIdentity,
    /// Anything else (container, ...).
    Other,
}

impl ProfileKind {
    /// The word scripts see (`s3aw profiles --json`) and the app shows.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Keys => "keys",
            ProfileKind::Sso => "sso",
            ProfileKind::Login => "login",
            ProfileKind::AssumeRole => "assume-role",
            ProfileKind::Process => "process",
            ProfileKind::WebIdentity => "web-identity",
            ProfileKind::Other => "other",
        }
    }
}

/// A profile found on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    pub kind: ProfileKind,
    pub region: Option<String>,
    pub sso_start_url: Option<String>,
    /// For a console sign-in profile: the session's ARN (`login_session`).
    pub login_session: Option<String>,
    /// For an IAM Identity Center profile: its `sso_session` (and that session's region).
    pub sso_session: Option<String>,
    pub sso_region: Option<String>,
    /// For an IAM Identity Center profile: the account and role it signs in to.
    pub sso_account_id: Option<String>,
    pub sso_role_name: Option<String>,
}

/// Every profile in `~/.aws/config` and `~/.aws/credentials` (or the files named by `AWS_CONFIG_FILE`
/// and `AWS_SHARED_CREDENTIALS_FILE`), sorted by name, with how each gets its credentials. Read with
/// aws-config's own parser, the one the connection itself trusts; files that cannot be read list nothing.
pub async fn list_profiles() -> Vec<ProfileInfo> {
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let set = match aws_config::profile::load(&aws_types::os_shim_internal::Fs::real(), &aws_types::os_shim_internal::Env::real(), &files, None).await {
        Ok(set) => set,
        Err(_) => return Vec::new(),
    };
    let mut list: Vec<ProfileInfo> = set
        .profiles()
        .filter_map(|name| set.get_profile(name))
        .map(|p| {
            let has = |k: &str| p.get(k).is_some();
            let kind = if has("login_session") {
                ProfileKind::Login
            } else if has("sso_session") || has("sso_start_url") {
                ProfileKind::Sso
            } else if has("web_identity_token_file") {
                ProfileKind::WebIdentity
            } else if has("role_arn") {
                ProfileKind::AssumeRole
            } else if has("credential_process") {
                ProfileKind::Process
            } else if has("aws_access_key_id") {
                ProfileKind::Keys
            } else {
                ProfileKind::Other
            };
            let sso_start_url = p.get("sso_start_url").map(str::to_string).or_else(|| set.sso_session(p.get("sso_session")?)?.get("sso_start_url").map(str::to_string));
            ProfileInfo {
                name: p.name().to_string(),
                kind,
                region: p.get("region").map(str::to_string),
                sso_start_url,
                login_session: p.get("login_session").map(str::to_string),
                sso_session: p.get("sso_session").map(str::to_string),
                sso_region: p.get("sso_region").map(str::to_string).or_else(|| set.sso_session(p.get("sso_session")?)?.get("sso_region").map(str::to_string)),
                sso_account_id: p.get("sso_account_id").map(str::to_string),
                sso_role_name: p.get("sso_role_name").map(str::to_string),
            }
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parses_profiles_of_every_kind() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let creds = dir.path().join("credentials");
        std::fs::write(
            &config,
            "# comment\n[default]\nregion = eu-west-1\n\n[profile work]\nsso_session = corp\nsso_account_id = 1\nregion=us-east-2\n\
             [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n[profile admin]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = default\n\
             [profile tool]\ncredential_process = /bin/tool\n[profile console]\nlogin_session = arn:aws:iam::123456789012:user/me\nregion = eu-west-2\n",
        )
        .unwrap();
        std::fs::write(&creds, "[default]\naws_access_key_id = AKIA\naws_secret_access_key = x\n[ci]\naws_access_key_id=AKIB\n").unwrap();
        // Only this test touches these variables.
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &creds);
        let profiles = list_profiles().await;
        std::env::remove_var("AWS_CONFIG_FILE");
        std::env::remove_var("AWS_SHARED_CREDENTIALS_FILE");
        let names: Vec<_> = profiles.iter().map(|p| (p.name.as_str(), p.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("admin", ProfileKind::AssumeRole),
                ("ci", ProfileKind::Keys),
                ("console", ProfileKind::Login),
                ("default", ProfileKind::Keys),
                ("tool", ProfileKind::Process),
                ("work", ProfileKind::Sso)
            ]
        );
        let work = profiles.iter().find(|p| p.name == "work").unwrap();
        assert_eq!(work.sso_start_url.as_deref(), Some("https://corp.awsapps.com/start"));
        assert_eq!(work.region.as_deref(), Some("us-east-2"));
        let console = profiles.iter().find(|p| p.name == "console").unwrap();
        assert_eq!(console.login_session.as_deref(), Some("arn:aws:iam::123456789012:user/me"));
        assert_eq!(ProfileKind::Login.as_str(), "login");
        assert_eq!(ProfileKind::AssumeRole.as_str(), "assume-role");
    }
}
