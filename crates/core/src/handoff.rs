//! What the other party needs after a role for their account is created: the role ARN, the external ID,
//! the bucket, and the exact policy they attach to their own principal. As Markdown (to send) and JSON
//! (for their automation). Also the generator for external IDs.

use crate::error::{Error, Result};
use crate::policy::{PolicyDocument, Statement};
use serde_json::{json, Value};

/// Letters and digits only: allowed everywhere an external ID goes, and safe to paste.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random external ID of 40 characters from the OS's secure random source (about 238 bits).
pub fn generate_external_id() -> Result<String> {
    let mut out = String::with_capacity(40);
    let mut buf = [0u8; 64];
    while out.len() < 40 {
        getrandom::getrandom(&mut buf).map_err(|e| Error::Internal(format!("the system's random number source failed: {e}")))?;
        // Rejection sampling keeps every character equally likely: 248 = 4 * 62.
        out.extend(buf.iter().filter(|b| **b < 248).map(|b| ALPHABET[(*b % 62) as usize] as char).take(40 - out.len()));
    }
    Ok(out)
}

/// The handoff sheet for a role created for another account.
#[derive(Clone, Debug, PartialEq)]
pub struct Handoff {
    pub role_arn: String,
    pub external_id: String,
    pub bucket: String,
    pub prefix: Option<String>,
    /// read | upload | read-write | full
    pub level: String,
    pub region: String,
    /// Our account (the bucket's).
    pub account: String,
    /// Who may assume the role: their account ID or one principal's ARN.
    pub trusted: String,
    pub max_session_seconds: Option<i32>,
}

impl Handoff {
    /// The sheet for an applied role plan (`None` for other kinds of access; a role's plan always knows
    /// its account).
    pub fn for_plan(plan: &crate::plan::Plan, partition: &str, region: &str) -> Option<Handoff> {
        let crate::request::Method::CrossAccountRole(r) = &plan.request.method else { return None };
        let account = plan.account.clone()?;
        Some(Handoff {
            role_arn: crate::plan::role_arn(partition, &account, &r.role_name),
            external_id: r.external_id.clone(),
            bucket: plan.request.scope.bucket.clone(),
            prefix: plan.request.scope.prefix.clone(),
            level: plan.request.level.as_str().to_string(),
            region: region.to_string(),
            account,
            trusted: r.other_account.clone(),
            max_session_seconds: r.max_session_seconds,
        })
    }

    /// The sheet for an applied role plan, with the bucket's region looked up (the session's when it cannot
    /// be read). Shared by the CLI and the app.
    pub async fn for_applied_plan(session: &crate::connect::Session, plan: &crate::plan::Plan) -> Option<Handoff> {
        let region = crate::inventory::bucket_region_or_session(session, &plan.request.scope.bucket).await;
        Handoff::for_plan(plan, session.partition(), &region)
    }

    /// Write the sheet as Markdown (`.md`) or JSON (`.json`), by the file's extension.
    pub fn write(&self, path: &std::path::Path, force: bool) -> Result<()> {
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(&self.to_json()).unwrap_or_default() + "\n",
            Some("md") | Some("markdown") => self.to_markdown(),
            _ => return Err(Error::invalid("handoff file", format!("{} should end in .md (Markdown) or .json", path.display()))),
        };
        crate::export::write_private_file(path, &text, force)
    }

    /// The policy the other party attaches to their own user or role so it may assume ours.
    pub fn their_policy(&self) -> PolicyDocument {
        PolicyDocument::new(vec![Statement {
            sid: Some("AssumeRoleForBucketAccess".into()),
            effect: "Allow".into(),
            principal: None,
            action: vec!["sts:AssumeRole".into()],
            resource: vec![self.role_arn.clone()],
            condition: None,
        }])
    }

    fn location(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix.as_deref().unwrap_or(""))
    }

    pub fn to_json(&self) -> Value {
        json!({
            "RoleArn": self.role_arn,
            "ExternalId": self.external_id,
            "Bucket": self.bucket,
            "Prefix": self.prefix.clone().unwrap_or_default(),
            "Access": self.level,
            "Region": self.region,
            "BucketAccount": self.account,
            "TrustedPrincipal": self.trusted,
            "MaxSessionSeconds": self.max_session_seconds.unwrap_or(3600),
            "PolicyForYourPrincipal": self.their_policy(),
        })
    }

    pub fn to_markdown(&self) -> String {
        let who = if self.trusted.starts_with("arn:") {
            format!("`{}` (only this principal of yours)", self.trusted)
        } else {
            format!("your AWS account `{}` (you decide which of your users and roles may use it)", self.trusted)
        };
        format!(
            "# Access to {location}\n\n\
             A role in AWS account `{account}` gives {level} access to `{location}`, for {who}.\n\n\
             | | |\n|---|---|\n\
             | Role ARN | `{role}` |\n\
             | External ID | `{ext}` |\n\
             | Bucket | `{bucket}` |\n\
             | Folder (prefix) | `{prefix}` |\n\
             | Region | `{region}` |\n\
             | Longest session | {hours} hour(s) |\n\n\
             ## 1. Allow your principal to assume the role\n\n\
             Attach this policy to the IAM user or role of yours that will use the bucket:\n\n\
             ```json\n{policy}\n```\n\n\
             ## 2. Assume the role with the external ID\n\n\
             ```sh\naws sts assume-role --role-arn {role} --role-session-name s3-access --external-id {ext}\n```\n\n\
             Or add a profile to `~/.aws/config` and use `--profile bucket-access`:\n\n\
             ```ini\n[profile bucket-access]\nrole_arn = {role}\nexternal_id = {ext}\nsource_profile = default\nregion = {region}\n```\n\n\
             Keep the external ID between the two of you; it is what stops someone else from pointing this role at another customer's account.\n",
            location = self.location(),
            account = self.account,
            level = self.level,
            role = self.role_arn,
            ext = self.external_id,
            bucket = self.bucket,
            prefix = self.prefix.as_deref().unwrap_or(""),
            region = self.region,
            hours = self.max_session_seconds.unwrap_or(3600) / 3600,
            policy = self.their_policy().to_json_pretty(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ids_are_long_random_and_valid() {
        let a = generate_external_id().unwrap();
        let b = generate_external_id().unwrap();
        assert_eq!(a.len(), 40);
        assert_ne!(a, b);
        crate::validate::external_id(&a).unwrap();
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn the_sheet_names_the_role_the_id_and_their_policy() {
        let h = Handoff {
            role_arn: "arn:aws:iam::123456789012:role/vendor".into(),
            external_id: "ext-123".into(),
            bucket: "data".into(),
            prefix: Some("in/".into()),
            level: "read".into(),
            region: "eu-west-1".into(),
            account: "123456789012".into(),
            trusted: "210987654321".into(),
            max_session_seconds: None,
        };
        let md = h.to_markdown();
        assert!(md.contains("| Role ARN | `arn:aws:iam::123456789012:role/vendor` |"), "{md}");
        assert!(md.contains("--external-id ext-123"));
        assert!(md.contains("\"Resource\": [\n        \"arn:aws:iam::123456789012:role/vendor\""), "{md}");
        let j = h.to_json();
        assert_eq!(j["PolicyForYourPrincipal"]["Statement"][0]["Action"][0], "sts:AssumeRole");
        assert_eq!(j["Prefix"], "in/");
    }
}
