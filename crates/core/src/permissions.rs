//! What the person running the wizard needs: the least-privilege IAM policy for using this app, by job,
//! built from one table of every AWS call the engine makes ([`OPERATIONS`]; a test keeps the table and the
//! code in step), and a check, after connecting, of which of those actions the identity lacks
//! (`iam:SimulatePrincipalPolicy`, when it may call that).
//!
//! Creating IAM users or roles and giving them policies is as strong as the policies given: whoever holds
//! the "grant" permissions can create a user with any access in the account. Give them to people you would
//! trust with that; "links" and "settings" do not include it.

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use std::collections::{BTreeMap, BTreeSet};

/// A job someone does with the app. Connecting and looking around (buckets, their regions, folders) is
/// part of every job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Job {
    /// Create access: IAM users with keys, roles for other accounts, bucket policy, CORS and hardening
    /// changes that come with them, and new buckets.
    Grant,
    /// Make pre-signed links (download and upload) with your own identity.
    Links,
    /// My access: list, rotate, cut off and revoke what the app created.
    Manage,
    /// Bucket settings: show and change hardening, logging and CORS.
    Settings,
}

impl Job {
    pub const ALL: [Job; 4] = [Job::Grant, Job::Links, Job::Manage, Job::Settings];

    pub fn as_str(self) -> &'static str {
        match self {
            Job::Grant => "grant",
            Job::Links => "links",
            Job::Manage => "manage",
            Job::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Result<Job> {
        Job::ALL.into_iter().find(|j| j.as_str() == s.trim()).ok_or_else(|| Error::invalid("job", format!("\"{s}\" is not a job; choose grant, links, manage or settings")))
    }

    /// What the job lets someone do, in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            Job::Grant => "Create access: IAM users with keys, roles for other accounts, and the bucket policy, CORS and hardening changes that come with them",
            Job::Links => "Make pre-signed links to download or upload files, signed with your own identity",
            Job::Manage => "See, rotate, cut off and revoke the access this app created",
            Job::Settings => "See and change a bucket's hardening, access logging and CORS rules",
        }
    }
}

/// What an action applies to, for the policy's `Resource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum On {
    /// Actions without resource-level permissions (`*`).
    Anything,
    Bucket,
    Object,
    IamUser,
    IamRole,
    IamGroup,
    IamPolicy,
}

/// One AWS call the engine makes: the SDK operation (as the Rust SDK names its method), the IAM action AWS
/// checks for it, what that applies to, and the jobs that make it. `None` jobs: every job (connecting).
pub struct Operation {
    pub sdk: &'static str,
    pub action: &'static str,
    pub on: On,
    pub jobs: &'static [Job],
}

const EVERY: &[Job] = &[];
const G: &[Job] = &[Job::Grant];
const M: &[Job] = &[Job::Manage];
const GM: &[Job] = &[Job::Grant, Job::Manage];
const GS: &[Job] = &[Job::Grant, Job::Settings];
const GMS: &[Job] = &[Job::Grant, Job::Manage, Job::Settings];
const L: &[Job] = &[Job::Links];

macro_rules! ops {
    ($($sdk:literal => $action:literal on $on:ident for $jobs:ident),* $(,)?) => {
        &[$(Operation { sdk: $sdk, action: $action, on: On::$on, jobs: $jobs }),*]
    };
}

/// Every AWS call the engine makes with the connected identity (calls made with a new key, to check it
/// works, need nothing of this identity; `sts:GetCallerIdentity` needs no permission).
pub const OPERATIONS: &[Operation] = ops![
    // Connecting and looking around.
    "list_buckets" => "s3:ListAllMyBuckets" on Anything for EVERY,
    "get_bucket_location" => "s3:GetBucketLocation" on Bucket for EVERY,
    "head_bucket" => "s3:ListBucket" on Bucket for EVERY,
    "list_objects_v2" => "s3:ListBucket" on Bucket for EVERY,
    // IAM users, their policies and keys.
    "get_user" => "iam:GetUser" on IamUser for GM,
    "create_user" => "iam:CreateUser" on IamUser for G,
    "delete_user" => "iam:DeleteUser" on IamUser for GM,
    "list_user_tags" => "iam:ListUserTags" on IamUser for M,
    // Listing has no resource to name: "*" (finds what the app made that this computer does not know).
    "list_users" => "iam:ListUsers" on Anything for M,
    "put_user_policy" => "iam:PutUserPolicy" on IamUser for GM,
    "get_user_policy" => "iam:GetUserPolicy" on IamUser for GM,
    "delete_user_policy" => "iam:DeleteUserPolicy" on IamUser for GM,
    "list_user_policies" => "iam:ListUserPolicies" on IamUser for GM,
    "attach_user_policy" => "iam:AttachUserPolicy" on IamUser for G,
    "detach_user_policy" => "iam:DetachUserPolicy" on IamUser for GM,
    "list_attached_user_policies" => "iam:ListAttachedUserPolicies" on IamUser for GM,
    "list_groups_for_user" => "iam:ListGroupsForUser" on IamUser for GM,
    // A user's groups and their policies (what the card of an access reads).
    "list_group_policies" => "iam:ListGroupPolicies" on IamGroup for M,
    "get_group_policy" => "iam:GetGroupPolicy" on IamGroup for M,
    "list_attached_group_policies" => "iam:ListAttachedGroupPolicies" on IamGroup for M,
    "create_access_key" => "iam:CreateAccessKey" on IamUser for GM,
    "delete_access_key" => "iam:DeleteAccessKey" on IamUser for GM,
    "update_access_key" => "iam:UpdateAccessKey" on IamUser for M,
    "list_access_keys" => "iam:ListAccessKeys" on IamUser for GM,
    "get_access_key_last_used" => "iam:GetAccessKeyLastUsed" on IamUser for M,
    // Roles for other accounts.
    "get_role" => "iam:GetRole" on IamRole for GM,
    "create_role" => "iam:CreateRole" on IamRole for G,
    "delete_role" => "iam:DeleteRole" on IamRole for GM,
    "list_role_tags" => "iam:ListRoleTags" on IamRole for M,
    "list_roles" => "iam:ListRoles" on Anything for M,
    "put_role_policy" => "iam:PutRolePolicy" on IamRole for GM,
    "delete_role_policy" => "iam:DeleteRolePolicy" on IamRole for GM,
    "list_role_policies" => "iam:ListRolePolicies" on IamRole for M,
    "get_role_policy" => "iam:GetRolePolicy" on IamRole for M,
    "attach_role_policy" => "iam:AttachRolePolicy" on IamRole for G,
    "detach_role_policy" => "iam:DetachRolePolicy" on IamRole for GM,
    "list_attached_role_policies" => "iam:ListAttachedRolePolicies" on IamRole for M,
    // Managed policies (the "reusable policy" option).
    "create_policy" => "iam:CreatePolicy" on IamPolicy for G,
    "get_policy" => "iam:GetPolicy" on IamPolicy for GM,
    "get_policy_version" => "iam:GetPolicyVersion" on IamPolicy for M,
    "delete_policy" => "iam:DeletePolicy" on IamPolicy for GM,
    "list_policy_tags" => "iam:ListPolicyTags" on IamPolicy for M,
    "list_entities_for_policy" => "iam:ListEntitiesForPolicy" on IamPolicy for M,
    "list_policy_versions" => "iam:ListPolicyVersions" on IamPolicy for M,
    "delete_policy_version" => "iam:DeletePolicyVersion" on IamPolicy for M,
    // Buckets: created for a grant, their policy merged, and their settings.
    "create_bucket" => "s3:CreateBucket" on Bucket for G,
    "delete_bucket" => "s3:DeleteBucket" on Bucket for G,
    "get_bucket_policy" => "s3:GetBucketPolicy" on Bucket for GMS,
    // IAM Access Analyzer's checks of the policies a plan writes (optional: without them the review says
    // "not checked").
    "validate_policy" => "access-analyzer:ValidatePolicy" on Anything for GS,
    "check_no_public_access" => "access-analyzer:CheckNoPublicAccess" on Anything for GS,
    "put_bucket_policy" => "s3:PutBucketPolicy" on Bucket for GMS,
    "delete_bucket_policy" => "s3:DeleteBucketPolicy" on Bucket for GMS,
    "get_bucket_cors" => "s3:GetBucketCORS" on Bucket for GS,
    "put_bucket_cors" => "s3:PutBucketCORS" on Bucket for GS,
    "delete_bucket_cors" => "s3:PutBucketCORS" on Bucket for GS,
    "get_bucket_encryption" => "s3:GetEncryptionConfiguration" on Bucket for GS,
    "put_bucket_encryption" => "s3:PutEncryptionConfiguration" on Bucket for GS,
    "delete_bucket_encryption" => "s3:PutEncryptionConfiguration" on Bucket for GS,
    "get_public_access_block" => "s3:GetBucketPublicAccessBlock" on Bucket for GS,
    "put_public_access_block" => "s3:PutBucketPublicAccessBlock" on Bucket for GS,
    "delete_public_access_block" => "s3:PutBucketPublicAccessBlock" on Bucket for GS,
    "get_bucket_versioning" => "s3:GetBucketVersioning" on Bucket for GS,
    "put_bucket_versioning" => "s3:PutBucketVersioning" on Bucket for GS,
    "get_bucket_logging" => "s3:GetBucketLogging" on Bucket for GS,
    "put_bucket_logging" => "s3:PutBucketLogging" on Bucket for GS,
    // Pre-signed links carry the signer's permission.
    "get_object" => "s3:GetObject" on Object for L,
    "put_object" => "s3:PutObject" on Object for L,
];

/// The IAM actions `jobs` need (connecting included), sorted.
pub fn actions_for(jobs: &[Job]) -> BTreeSet<&'static str> {
    OPERATIONS.iter().filter(|o| o.jobs.is_empty() || o.jobs.iter().any(|j| jobs.contains(j))).map(|o| o.action).collect()
}

/// Where the policy applies: the account (its IAM users, roles and policies) and, optionally, only some
/// buckets.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// The account id; `*` (any account this policy is attached in) when not given.
    pub account: Option<String>,
    /// Only these buckets; all buckets when empty.
    pub buckets: Vec<String>,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
}

/// The least-privilege policy for `jobs`, one statement per kind of resource.
pub fn policy(jobs: &[Job], limits: &Limits) -> Result<serde_json::Value> {
    if let Some(a) = &limits.account {
        crate::validate::account_id(a)?;
    }
    for b in &limits.buckets {
        crate::validate::bucket_name(b)?;
    }
    let p = if limits.partition.is_empty() { "aws" } else { limits.partition.as_str() };
    let account = limits.account.as_deref().unwrap_or("*");
    let buckets: Vec<String> = if limits.buckets.is_empty() { vec!["*".into()] } else { limits.buckets.clone() };
    let mut by_kind: BTreeMap<On, BTreeSet<&str>> = BTreeMap::new();
    for o in OPERATIONS.iter().filter(|o| o.jobs.is_empty() || o.jobs.iter().any(|j| jobs.contains(j))) {
        by_kind.entry(o.on).or_default().insert(o.action);
    }
    let statements: Vec<serde_json::Value> = by_kind
        .into_iter()
        .map(|(on, actions)| {
            let (sid, resources): (&str, Vec<String>) = match on {
                On::Anything => ("NoResource", vec!["*".into()]),
                On::Bucket => ("Buckets", buckets.iter().map(|b| format!("arn:{p}:s3:::{b}")).collect()),
                On::Object => ("ObjectsForLinks", buckets.iter().map(|b| format!("arn:{p}:s3:::{b}/*")).collect()),
                On::IamUser => ("IamUsers", vec![format!("arn:{p}:iam::{account}:user/*")]),
                On::IamRole => ("IamRoles", vec![format!("arn:{p}:iam::{account}:role/*")]),
                On::IamGroup => ("IamGroups", vec![format!("arn:{p}:iam::{account}:group/*")]),
                // AWS's own managed policies (AdministratorAccess) live in the account "aws".
                On::IamPolicy => ("IamPolicies", vec![format!("arn:{p}:iam::{account}:policy/*"), format!("arn:{p}:iam::aws:policy/*")]),
            };
            serde_json::json!({ "Sid": sid, "Effect": "Allow", "Action": actions.into_iter().collect::<Vec<_>>(), "Resource": if resources.len() == 1 { serde_json::json!(resources[0]) } else { serde_json::json!(resources) } })
        })
        .collect();
    Ok(serde_json::json!({ "Version": "2012-10-17", "Statement": statements }))
}

/// What the identity may not do, as far as IAM's policy simulator can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Every action the jobs need is allowed.
    AllAllowed,
    /// These actions are not allowed (by job, then action).
    Missing(BTreeMap<Job, Vec<String>>),
    /// The check could not be made (the identity may not call the simulator, is the root user, or a
    /// federated session); the reason, in plain words.
    Unknown(String),
}

/// The IAM principal to simulate for an identity ARN: a user as is, an assumed role's role (found with
/// GetRole, for its path). `None` for the root user and federated sessions (nothing to simulate).
async fn principal_arn(session: &Session, arn: &str) -> Result<Option<String>> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (Some(&service), Some(&resource)) = (parts.get(2), parts.get(5)) else { return Ok(None) };
    match (service, resource.split('/').collect::<Vec<_>>().as_slice()) {
        ("iam", ["root"]) => Ok(None),
        ("iam", ["user", ..]) => Ok(Some(arn.to_string())),
        ("sts", ["assumed-role", role, _session]) => {
            let out = session.iam.get_role().role_name(*role).send().await.map_err(|e| from_sdk(&session.ctx, "GetRole", e))?;
            Ok(out.role().map(|r| r.arn().to_string()))
        }
        _ => Ok(None),
    }
}

/// Which actions `jobs` need that the connected identity lacks, simulated with IAM's policy simulator
/// (identity policies, groups and permissions boundaries; not SCPs or bucket policies, which may still
/// refuse). Never fails: a check that cannot be made says why.
pub async fn check(session: &Session, jobs: &[Job]) -> Check {
    match check_inner(session, jobs).await {
        Ok(c) => c,
        Err(e) => Check::Unknown(match e {
            Error::AccessDenied { .. } => "this identity may not ask IAM what it may do (iam:SimulatePrincipalPolicy)".into(),
            other => other.to_string(),
        }),
    }
}

async fn check_inner(session: &Session, jobs: &[Job]) -> Result<Check> {
    let id = session.whoami().await?;
    let Some(principal) = principal_arn(session, &id.arn).await? else {
        return Ok(Check::Unknown("the root user or a federated session: IAM cannot simulate its permissions".into()));
    };
    let wanted: Vec<&str> = actions_for(jobs).into_iter().collect();
    let mut denied = BTreeSet::new();
    // The simulator takes up to 128 actions a call.
    for chunk in wanted.chunks(100) {
        let mut pages = session.iam.simulate_principal_policy().policy_source_arn(&principal).set_action_names(Some(chunk.iter().map(|a| a.to_string()).collect())).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| from_sdk(&session.ctx, "SimulatePrincipalPolicy", e))?;
            for r in page.evaluation_results() {
                if !matches!(r.eval_decision(), aws_sdk_iam::types::PolicyEvaluationDecisionType::Allowed) {
                    denied.insert(r.eval_action_name().to_string());
                }
            }
        }
    }
    if denied.is_empty() {
        return Ok(Check::AllAllowed);
    }
    let mut missing: BTreeMap<Job, Vec<String>> = BTreeMap::new();
    for job in jobs {
        let need: Vec<String> = actions_for(&[*job]).into_iter().filter(|a| denied.contains(*a)).map(str::to_string).collect();
        if !need.is_empty() {
            missing.insert(*job, need);
        }
    }
    Ok(Check::Missing(missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every SDK call in the engine's sources is in the table, so the policy cannot fall behind the code:
    /// a new call without a row here fails this test.
    #[test]
    fn every_aws_call_in_the_engine_is_in_the_table() {
        let known: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.sdk).collect();
        // AWS calls that need no IAM permission (who am I, signing in), or whose refusal is expected (the
        // permission check itself says when it may not simulate).
        let not_aws: BTreeSet<&str> = ["get_caller_identity", "create_token", "register_client", "list_accounts", "list_account_roles", "create_o_auth2_token", "simulate_principal_policy"].into();
        let prefixes = ["get_", "put_", "delete_", "create_", "list_", "attach_", "detach_", "update_", "head_", "tag_", "untag_", "simulate_", "upload_", "copy_", "validate_", "check_", "restore_", "remove_", "add_", "set_", "change_", "reset_", "enable_", "generate_"];
        let mut unknown = BTreeSet::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Only code outside tests.
                let code = text.split("#[cfg(test)]").next().unwrap();
                for (i, _) in code.match_indices("()") {
                    let before = &code[..i];
                    let name: String = before.chars().rev().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_').collect::<String>().chars().rev().collect();
                    let preceded_by_dot = before[..before.len() - name.len()].trim_end().ends_with('.');
                    if preceded_by_dot && prefixes.iter().any(|p| name.starts_with(p)) && !known.contains(name.as_str()) && !not_aws.contains(name.as_str()) {
                        unknown.insert(format!("{name} ({})", path.display()));
                    }
                }
            }
        }
        // Not AWS calls: accessors of SDK outputs, the keychain's and the HTTP client's own methods.
        let accessors = ["create_date", "delete_credential", "get_password", "enable_http1"];
        unknown.retain(|u| !accessors.iter().any(|a| u.starts_with(&format!("{a} "))));
        assert!(unknown.is_empty(), "AWS calls missing from permissions::OPERATIONS (add a row with the IAM action): {unknown:#?}");
        assert!(known.len() >= 50);
    }

    #[test]
    fn each_job_gets_what_it_needs_and_no_more() {
        let grant = actions_for(&[Job::Grant]);
        let links = actions_for(&[Job::Links]);
        let settings = actions_for(&[Job::Settings]);
        for a in ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetBucketLocation"] {
            assert!(grant.contains(a) && links.contains(a) && settings.contains(a), "{a}: connecting is part of every job");
        }
        assert!(grant.contains("iam:CreateUser") && grant.contains("iam:CreateAccessKey") && grant.contains("s3:PutBucketPolicy"));
        assert!(!links.iter().any(|a| a.starts_with("iam:")), "links need no IAM: {links:?}");
        assert!(!settings.iter().any(|a| a.starts_with("iam:")), "settings need no IAM: {settings:?}");
        assert!(!grant.contains("s3:GetObject") && !grant.contains("iam:UpdateAccessKey"));
        assert!(actions_for(&[Job::Manage]).contains("iam:UpdateAccessKey"));
        assert!(!actions_for(&Job::ALL).iter().any(|a| a.contains('*')), "no wildcard actions");
    }

    #[test]
    fn the_policy_is_scoped_by_resource_kind_account_and_bucket() {
        let limits = Limits { account: Some("123456789012".into()), buckets: vec!["reports".into()], partition: "aws".into() };
        let doc = policy(&[Job::Grant, Job::Links], &limits).unwrap();
        let st = doc["Statement"].as_array().unwrap();
        let by_sid = |sid: &str| st.iter().find(|s| s["Sid"] == sid).unwrap_or_else(|| panic!("{sid} in {doc}"));
        // Calls that name no resource: listing buckets, and Access Analyzer's checks (for grants).
        assert_eq!(by_sid("NoResource")["Resource"], "*");
        assert_eq!(by_sid("NoResource")["Action"], serde_json::json!(["access-analyzer:CheckNoPublicAccess", "access-analyzer:ValidatePolicy", "s3:ListAllMyBuckets"]));
        assert_eq!(by_sid("Buckets")["Resource"], "arn:aws:s3:::reports");
        assert_eq!(by_sid("ObjectsForLinks")["Resource"], "arn:aws:s3:::reports/*");
        assert_eq!(by_sid("IamUsers")["Resource"], "arn:aws:iam::123456789012:user/*");
        assert_eq!(by_sid("IamRoles")["Resource"], "arn:aws:iam::123456789012:role/*");
        assert_eq!(by_sid("IamPolicies")["Resource"], serde_json::json!(["arn:aws:iam::123456789012:policy/*", "arn:aws:iam::aws:policy/*"]), "AWS's managed policies are read too");
        let manage = policy(&[Job::Manage], &limits).unwrap();
        assert!(manage["Statement"].as_array().unwrap().iter().any(|s| s["Sid"] == "IamGroups" && s["Resource"] == "arn:aws:iam::123456789012:group/*"), "{manage}");
        assert!(st.iter().all(|s| s["Effect"] == "Allow"));
        let all: BTreeSet<String> = st.iter().flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string())).collect();
        assert_eq!(all, actions_for(&[Job::Grant, Job::Links]).into_iter().map(str::to_string).collect());
        // Settings alone: no IAM statement at all; China's partition.
        let doc = policy(&[Job::Settings], &Limits { partition: "aws-cn".into(), ..Default::default() }).unwrap();
        assert!(!doc.to_string().contains("iam:"), "{doc}");
        assert!(doc.to_string().contains("arn:aws-cn:s3:::*"), "{doc}");
        assert_eq!(policy(&[Job::Grant], &Limits { account: Some("12".into()), ..Default::default() }).unwrap_err().code(), "invalid_input");
        assert_eq!(Job::parse("links").unwrap(), Job::Links);
        assert_eq!(Job::parse("admin").unwrap_err().code(), "invalid_input");
    }

    /// IAM's answers replayed by a local server (the emulator has no policy simulator): the identity's
    /// role is found with its path, only the jobs' actions are asked about, and what is not allowed is
    /// reported by job; a simulator the identity may not call, and the root user, give "could not check".
    #[tokio::test]
    async fn the_check_reports_what_the_simulator_denies_by_job() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let (mut sock, _) = listener.accept().await.unwrap();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let body = loop {
                    let n = sock.read(&mut chunk).await.unwrap();
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len: usize = head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())).unwrap_or(0);
                        if body.len() >= len {
                            break body.to_string();
                        }
                    }
                };
                let params: Vec<(String, String)> = body.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), percent_encoding::percent_decode_str(&v.replace('+', " ")).decode_utf8_lossy().to_string())).collect();
                let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
                let action = get("Action");
                log.lock().unwrap().push(format!("{action} {}", get("PolicySourceArn")));
                let arn = if get("Version") == "2011-06-15" { std::env::var("S3AW_TEST_CALLER").unwrap_or_default() } else { String::new() };
                let (status, xml) = match action.as_str() {
                    "GetCallerIdentity" => (200, format!("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>{arn}</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")),
                    "GetRole" => (200, "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role><Path>/team/</Path><RoleName>Helper</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::123456789012:role/team/Helper</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role></GetRoleResult></GetRoleResponse>".to_string()),
                    "SimulatePrincipalPolicy" if get("PolicySourceArn").contains("user/locked") => (403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed to simulate</Message></Error></ErrorResponse>".to_string()),
                    "SimulatePrincipalPolicy" => {
                        let results: String = params
                            .iter()
                            .filter(|(k, _)| k.starts_with("ActionNames.member."))
                            .map(|(_, a)| {
                                let decision = if a == "iam:CreateAccessKey" || a == "s3:PutBucketCORS" { "implicitDeny" } else { "allowed" };
                                format!("<member><EvalActionName>{a}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>{decision}</EvalDecision></member>")
                            })
                            .collect();
                        (200, format!("<SimulatePrincipalPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>{results}</EvaluationResults></SimulatePrincipalPolicyResult></SimulatePrincipalPolicyResponse>"))
                    }
                    _ => (400, "<ErrorResponse><Error><Code>Unexpected</Code></Error></ErrorResponse>".to_string()),
                };
                let reply = format!("HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}", xml.len());
                sock.write_all(reply.as_bytes()).await.unwrap();
            }
        });
        let session = |_: &str| {
            crate::connect::Session::connect(crate::connect::ConnectOptions {
                profile: None,
                region: Some("us-east-1".into()),
                endpoint_url: Some(endpoint.clone()),
                credentials: Some(crate::secret::PastedCredentials { access_key_id: "AKIAEXAMPLE".into(), secret_access_key: crate::secret::Secret::new("x"), session_token: None }),
            })
        };
        // One caller per run: the server reads it from the environment (the tests in this binary do not
        // otherwise use this variable).
        std::env::set_var("S3AW_TEST_CALLER", "arn:aws:sts::123456789012:assumed-role/Helper/me");
        let s = session("role").await.unwrap();
        let result = check(&s, &[Job::Grant, Job::Links, Job::Settings]).await;
        let mut want = BTreeMap::new();
        want.insert(Job::Grant, vec!["iam:CreateAccessKey".to_string(), "s3:PutBucketCORS".to_string()]);
        want.insert(Job::Settings, vec!["s3:PutBucketCORS".to_string()]);
        assert_eq!(result, Check::Missing(want));
        assert!(seen.lock().unwrap().iter().any(|l| l == "SimulatePrincipalPolicy arn:aws:iam::123456789012:role/team/Helper"), "{:?}", seen.lock().unwrap());
        assert_eq!(check(&s, &[Job::Links]).await, Check::AllAllowed);

        std::env::set_var("S3AW_TEST_CALLER", "arn:aws:iam::123456789012:user/locked");
        let s = session("locked").await.unwrap();
        assert!(matches!(check(&s, &[Job::Grant]).await, Check::Unknown(r) if r.contains("iam:SimulatePrincipalPolicy")));
        std::env::set_var("S3AW_TEST_CALLER", "arn:aws:iam::123456789012:root");
        let s = session("root").await.unwrap();
        let calls = seen.lock().unwrap().len();
        assert!(matches!(check(&s, &[Job::Grant]).await, Check::Unknown(r) if r.contains("root")));
        assert_eq!(seen.lock().unwrap().len(), calls + 1, "only who-am-I: the root user is not simulated");
    }
}
