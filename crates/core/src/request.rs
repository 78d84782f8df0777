//! What the user asked for, as one typed value. Built by the CLI from flags and by the desktop app from the
//! wizard's answers; turned into a [`crate::plan::Plan`] against the account's current state.

use crate::error::{Error, Result};
use crate::policy::{AccessLevel, Scope};
use serde::{Deserialize, Serialize};

/// The kind of access.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// An IAM user with its own access keys (for an app or a vendor).
    IamUser(IamUserOptions),
    /// Links signed by an existing identity; nothing is created in IAM.
    PresignedLinks,
    /// Only the bucket's own settings (hardening, CORS); nothing in IAM.
    BucketSettings,
    /// A role another AWS account assumes with an external ID.
    CrossAccountRole(RoleOptions),
}

#[derive(Clone, Debug, PartialEq)]
pub struct IamUserOptions {
    pub user_name: String,
    pub policy_name: String,
    /// A separate managed policy attached to the user, instead of the default inline policy. Inline is the
    /// default because the policy belongs to this one user: it cannot be attached to anyone else by
    /// mistake, it goes when the user goes, and it takes one call instead of three. Inline policies share
    /// a 2,048-character budget per user (a grant's policy is under 500); a managed one can be reused.
    pub managed_policy: bool,
    /// Add the access to a user that already exists, instead of refusing the name.
    pub reuse_existing_user: bool,
    /// The user to reuse may already have other permissions (policies, groups); its new key carries them
    /// all. The plan refuses unless this is set, after naming them.
    pub accept_existing_access: bool,
    /// Create an access key (the usual case).
    pub create_access_key: bool,
    /// Save the new secret in the OS keychain as part of the change.
    pub save_to_keychain: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoleOptions {
    pub role_name: String,
    pub policy_name: String,
    pub other_account: String,
    pub external_id: String,
    pub max_session_seconds: Option<i32>,
}

/// One CORS rule (the shape S3 stores).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CorsRule {
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    #[serde(rename = "AllowedOrigins")]
    pub allowed_origins: Vec<String>,
    #[serde(rename = "AllowedMethods")]
    pub allowed_methods: Vec<String>,
    #[serde(rename = "AllowedHeaders", skip_serializing_if = "Vec::is_empty", default)]
    pub allowed_headers: Vec<String>,
    #[serde(rename = "ExposeHeaders", skip_serializing_if = "Vec::is_empty", default)]
    pub expose_headers: Vec<String>,
    #[serde(rename = "MaxAgeSeconds", skip_serializing_if = "Option::is_none", default)]
    pub max_age_seconds: Option<i32>,
}

impl CorsRule {
    /// Browser uploads and downloads from the given origins.
    pub fn for_origins(origins: &[String], level: AccessLevel) -> Self {
        let mut methods = vec![];
        if level != AccessLevel::Upload {
            methods.extend(["GET".to_string(), "HEAD".to_string()]);
        }
        if level != AccessLevel::Read {
            methods.extend(["PUT".to_string(), "POST".to_string()]);
        }
        if level == AccessLevel::Full {
            methods.push("DELETE".into());
        }
        CorsRule {
            id: None,
            allowed_origins: origins.iter().map(|o| without_trailing_slash(o).to_string()).collect(),
            allowed_methods: methods,
            allowed_headers: vec!["*".into()],
            expose_headers: vec!["ETag".into()],
            max_age_seconds: Some(3000),
        }
    }

    /// The rule with each origin as a browser sends it (one trailing slash dropped), checked.
    pub fn normalised(&self) -> Result<CorsRule> {
        let rule = CorsRule { allowed_origins: self.allowed_origins.iter().map(|o| without_trailing_slash(o).to_string()).collect(), ..self.clone() };
        rule.validate()?;
        Ok(rule)
    }

    pub fn validate(&self) -> Result<()> {
        let f = "CORS rule";
        if self.allowed_origins.is_empty() {
            return Err(Error::invalid(f, "add at least one allowed origin, such as https://app.example.com"));
        }
        for o in &self.allowed_origins {
            let ok = o == "*" || ((o.starts_with("https://") || o.starts_with("http://")) && !o.trim_end_matches('/').ends_with("://"));
            if !ok || o.contains(' ') {
                return Err(Error::invalid(f, format!("\"{o}\" is not an origin; write it as https://host (or * for any site)")));
            }
            // A browser's Origin header is the scheme, host and port alone, and S3 compares it with the
            // rule's origins as text: an origin with anything after the host would never match.
            let after_scheme = o.split_once("://").map_or("", |(_, rest)| rest);
            if let Some(at) = after_scheme.find(['/', '?', '#']) {
                let site = &o[..o.len() - after_scheme.len() + at];
                return Err(Error::invalid(f, format!("\"{o}\" has a path, query or fragment; a browser sends only the site (\"{site}\") and S3 compares the two as they are, so it would never match: write \"{site}\"")));
            }
            if o.matches('*').count() > 1 {
                return Err(Error::invalid(f, format!("\"{o}\" has more than one *; S3 allows one wildcard per origin")));
            }
        }
        if self.allowed_methods.is_empty() {
            return Err(Error::invalid(f, "choose at least one method (GET, PUT, POST, DELETE or HEAD)"));
        }
        for m in &self.allowed_methods {
            if !["GET", "PUT", "POST", "DELETE", "HEAD"].contains(&m.as_str()) {
                return Err(Error::invalid(f, format!("\"{m}\" is not a method S3 supports for CORS; use GET, PUT, POST, DELETE or HEAD")));
            }
        }
        if let Some(id) = &self.id {
            if id.len() > 255 {
                return Err(Error::invalid(f, "the rule ID is longer than 255 characters"));
            }
        }
        if let Some(age) = self.max_age_seconds {
            if age < 0 {
                return Err(Error::invalid(f, "the max age cannot be negative"));
            }
        }
        Ok(())
    }

    /// Whether any origin allows every site (worth a warning).
    pub fn allows_any_origin(&self) -> bool {
        self.allowed_origins.iter().any(|o| origin_is_any(o))
    }

    /// Plain warnings about origins that are allowed but risky: every site, a wildcard that matches more
    /// than one domain's subdomains (`https://*` or `https://*.com`; `https://*.example.com` is fine), and
    /// unencrypted `http://` (other than this computer, for development).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for o in &self.allowed_origins {
            if o == "*" {
                out.push("Warning: the CORS rule allows any web site (*). Name the exact site when you can.".to_string());
                continue;
            }
            let (scheme, host) = o.split_once("://").unwrap_or(("", o.as_str()));
            let host = host.trim_end_matches('/');
            let host_only = host.split(':').next().unwrap_or(host);
            if origin_is_any(o) {
                out.push(format!("Warning: the CORS origin \"{o}\" matches far more sites than yours; use the exact site, or *.yourdomain.com for its subdomains."));
            }
            if scheme == "http" && !matches!(host_only, "localhost" | "127.0.0.1" | "[::1]") {
                out.push(format!("Warning: the CORS origin \"{o}\" is unencrypted http://; pages served that way can be tampered with on the way. Use https:// unless this is only for development."));
            }
        }
        out
    }
}

/// Domains under which anyone can have a name (`*.github.io` is every GitHub Pages site): a wildcard
/// right above one of them is as good as any origin. The common two-label country suffixes are here too.
const SHARED_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp", "or.jp", "com.br", "com.cn", "com.tw", "com.hk",
    "co.in", "co.kr", "co.za", "com.mx", "com.ar", "com.tr", "com.sg",
    "github.io", "gitlab.io", "herokuapp.com", "vercel.app", "netlify.app", "pages.dev", "workers.dev", "web.app", "firebaseapp.com",
    "appspot.com", "azurewebsites.net", "cloudfront.net", "amazonaws.com", "s3.amazonaws.com", "blob.core.windows.net", "onrender.com", "fly.dev",
];

/// Whether a CORS origin lets (nearly) every site in: `*`, a wildcard anywhere but as the first label of a
/// domain of two labels or more (`https://*`, `*.com`, `https://*.co.uk`, `https://app*.example.com`), or a
/// wildcard right above a shared hosting domain (`https://*.github.io`). `https://*.example.com` is narrow.
pub fn origin_is_any(origin: &str) -> bool {
    if !origin.contains('*') {
        return false;
    }
    let host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin).trim_end_matches('/');
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    match host.strip_prefix("*.") {
        Some(rest) => rest.contains('*') || rest.split('.').filter(|l| !l.is_empty()).count() < 2 || SHARED_SUFFIXES.contains(&rest),
        None => true,
    }
}

/// An origin pasted from an address bar (`https://app.example.com/`) without its one trailing slash.
fn without_trailing_slash(origin: &str) -> &str {
    origin.strip_suffix('/').unwrap_or(origin)
}

/// Optional bucket settings that vendor guides ask for, and edits of the bucket's CORS rules.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Hardening {
    /// Turn on all four Block Public Access settings.
    pub block_public_access: bool,
    /// Default encryption: S3-managed keys (SSE-S3), or SSE-KMS when `kms_key_arn` is set.
    pub default_encryption: bool,
    /// A KMS key ARN (same region as the bucket) for SSE-KMS.
    pub kms_key_arn: Option<String>,
    /// Deny any request not made over TLS, merged into the bucket policy.
    pub tls_only: bool,
    /// Keep every version of every object (S3 versioning), so an overwrite or a delete can be undone.
    pub versioning: bool,
    /// Server access logging into another bucket of the same region.
    pub access_logging: Option<LoggingTarget>,
    /// Replace the CORS rules with an edited list (rules edited or deleted, others kept as they were).
    pub cors_edit: Option<CorsEdit>,
}

/// Where server access logs go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingTarget {
    pub bucket: String,
    /// A key prefix for the log files, such as `logs/source-bucket/` (may be empty).
    pub prefix: String,
}

/// An edit of the CORS rules: the list the user started from, and the list they want. The plan refuses
/// when the bucket's rules are no longer `based_on`, so a rule someone else added meanwhile is never lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorsEdit {
    pub based_on: Vec<CorsRule>,
    pub rules: Vec<CorsRule>,
}

impl Hardening {
    /// Whether anything here changes the bucket.
    pub fn touches_bucket(&self) -> bool {
        self.block_public_access || self.default_encryption || self.tls_only || self.versioning || self.access_logging.is_some() || self.cors_edit.is_some()
    }
}

/// Everything the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessRequest {
    pub method: Method,
    pub scope: Scope,
    pub level: AccessLevel,
    pub cors: Option<CorsRule>,
    pub hardening: Hardening,
    /// Create the bucket first (with Block Public Access and default encryption on) in this region.
    pub create_bucket_in: Option<String>,
}

/// A user name suggested from the bucket and level (`s3aw-BUCKET-LEVEL`, cut to IAM's 64 characters).
pub fn default_user_name(bucket: &str, level: AccessLevel) -> String {
    let suffix = format!("-{}", level.as_str());
    let max_bucket = 64 - "s3aw-".len() - suffix.len();
    let b: String = bucket.chars().take(max_bucket).collect();
    format!("s3aw-{}{suffix}", b.trim_end_matches(['.', '-']))
}

/// A policy name for a user or role (`NAME-s3-access`, within IAM's 128 characters).
pub fn default_policy_name(owner: &str) -> String {
    format!("{owner}-s3-access")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_fit_iam_rules() {
        let long = "b".repeat(63);
        for level in AccessLevel::ALL {
            let user = default_user_name(&long, level);
            crate::validate::user_name(&user).unwrap();
            crate::validate::policy_name(&default_policy_name(&user)).unwrap();
        }
        assert_eq!(default_user_name("vendor-data", AccessLevel::ReadWrite), "s3aw-vendor-data-read-write");
    }

    #[test]
    fn origins_that_fit_nearly_every_site() {
        for o in ["*", "https://*", "*.com", "https://*.com/", "https://*.co.uk", "https://*.github.io", "https://app*.example.com", "https://*.*.example.com", "https://*:8443"] {
            assert!(origin_is_any(o), "{o}");
        }
        for o in ["https://app.example.com", "https://*.example.com", "http://localhost:3000", "https://*.example.co.uk"] {
            assert!(!origin_is_any(o), "{o}");
        }
    }

    #[test]
    fn cors_rules_are_checked() {
        let rule = CorsRule::for_origins(&["https://app.example.com".into()], AccessLevel::Upload);
        rule.validate().unwrap();
        assert_eq!(rule.allowed_methods, vec!["PUT", "POST"]);
        assert!(!rule.allows_any_origin());
        let mut bad = rule.clone();
        bad.allowed_origins = vec!["app.example.com".into()];
        assert!(bad.validate().unwrap_err().to_string().contains("https://host"));
        bad.allowed_origins = vec!["*".into()];
        bad.validate().unwrap();
        assert!(bad.allows_any_origin());
        bad.allowed_methods = vec!["PATCH".into()];
        assert!(bad.validate().is_err());
    }

    /// A browser's `Origin` is the scheme, host and port: one trailing slash (as an address bar shows a
    /// site) is dropped, a path, query or fragment is refused, naming the site to write instead.
    #[test]
    fn origins_are_what_a_browser_sends() {
        let rule = CorsRule::for_origins(&["https://app.example.com/".into(), "http://localhost:5173/".into()], AccessLevel::Read);
        assert_eq!(rule.allowed_origins, vec!["https://app.example.com", "http://localhost:5173"]);
        rule.validate().unwrap();
        let typed = CorsRule { allowed_origins: vec!["https://app.example.com/".into(), "*".into()], ..rule.clone() };
        assert_eq!(typed.normalised().unwrap().allowed_origins, vec!["https://app.example.com", "*"]);
        for (bad, site) in [
            ("https://app.example.com/app", "https://app.example.com"),
            ("https://app.example.com//", "https://app.example.com"),
            ("https://app.example.com:8443/upload/", "https://app.example.com:8443"),
            ("https://app.example.com?x=1", "https://app.example.com"),
            ("https://app.example.com#top", "https://app.example.com"),
            ("https://*.example.com/", ""),
        ] {
            let r = CorsRule { allowed_origins: vec![bad.into()], ..rule.clone() };
            match r.normalised() {
                Ok(ok) if site.is_empty() => assert_eq!(ok.allowed_origins, vec!["https://*.example.com"]),
                Ok(ok) => panic!("{bad} accepted as {ok:?}"),
                Err(e) => assert!(e.to_string().contains(&format!("(\"{site}\")")), "{bad}: {e}"),
            }
        }
    }

    #[test]
    fn risky_origins_are_warned_about() {
        let warn = |o: &str| CorsRule::for_origins(&[o.to_string()], AccessLevel::Read).warnings();
        for fine in ["https://app.example.com", "https://*.example.com", "http://localhost:5173", "http://127.0.0.1:8080"] {
            assert!(warn(fine).is_empty(), "{fine}: {:?}", warn(fine));
        }
        for wide in ["https://*", "https://*.com", "https://app*", "https://*example.com"] {
            assert!(warn(wide).iter().any(|w| w.contains("far more sites")), "{wide}");
        }
        assert!(warn("http://app.example.com").iter().any(|w| w.contains("unencrypted")));
        assert!(warn("*").iter().any(|w| w.contains("any web site")));
    }
}
