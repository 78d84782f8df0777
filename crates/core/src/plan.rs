//! Plans: the ordered AWS calls that fulfil an [`AccessRequest`], built from the request and the account's
//! current state. Reading happens in [`observe`]; [`plan_from`] is pure, so planning and merging are unit
//! tested without AWS. A plan never clobbers: existing CORS rules and bucket-policy statements are kept, and
//! a name already in use is an error that offers a free one.

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::policy::{self, AccessLevel, PolicyDocument, Scope};
use crate::request::{AccessRequest, CorsRule, LoggingTarget, Method};
use serde_json::{json, Value};

/// The four Block Public Access settings, in AWS's order.
pub type PublicAccessBlock = [bool; 4];

/// Default encryption as S3 reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encryption {
    pub algorithm: String,
    pub kms_key_id: Option<String>,
}

/// One AWS call (or one local effect) of a plan, with what it needs to run and to be undone.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Action {
    CreateBucket { bucket: String, region: String },
    PutPublicAccessBlock { bucket: String, previous: Option<PublicAccessBlock> },
    PutBucketEncryption { bucket: String, previous: Option<Encryption>, target: Encryption },
    /// `added` is the one rule added; `None` when the user edited or deleted rules.
    PutBucketCors { bucket: String, rules: Vec<CorsRule>, previous: Option<Vec<CorsRule>>, added: Option<CorsRule> },
    DeleteBucketCors { bucket: String, previous: Vec<CorsRule> },
    PutBucketPolicy { bucket: String, document: String, previous: Option<String>, kept_statements: usize, purpose: PolicyPurpose },
    PutBucketLogging { bucket: String, target: LoggingTarget, previous: Option<LoggingTarget> },
    CreatePolicy { policy_name: String, policy_arn: String, document: PolicyDocument, grants: String },
    CreateUser { user_name: String },
    AttachUserPolicy { user_name: String, policy_name: String, policy_arn: String },
    PutUserPolicy { user_name: String, policy_name: String, document: PolicyDocument, grants: String },
    CreateRole { role_name: String, trust: PolicyDocument, other_account: String, max_session_seconds: Option<i32> },
    AttachRolePolicy { role_name: String, policy_name: String, policy_arn: String },
    CreateAccessKey { user_name: String },
    SaveSecretToKeychain { user_name: String, service: String },
}

/// Why a bucket policy is changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyPurpose {
    TlsOnly,
    /// Let S3's log delivery write the access logs of `source` into this bucket.
    LogDelivery { source: String },
}

impl Encryption {
    pub fn sse_s3() -> Self {
        Encryption { algorithm: "AES256".into(), kms_key_id: None }
    }

    /// "S3-managed keys" or "the KMS key …", for plain messages.
    pub fn describe(&self) -> String {
        match (self.algorithm.as_str(), &self.kms_key_id) {
            ("AES256", _) => "S3-managed keys (SSE-S3)".into(),
            (_, Some(k)) => format!("the KMS key {k} (SSE-KMS)"),
            (a, None) => format!("{a} with AWS's default key"),
        }
    }
}

/// The tag put on everything the app creates, so people (and the app) can tell it apart.
pub const CREATED_BY_TAG: (&str, &str) = ("created-by", "s3-access-wizard");

impl Action {
    /// The AWS API call, as IAM names it in policies (`iam:CreateUser`).
    pub fn api_call(&self) -> &'static str {
        match self {
            Action::CreateBucket { .. } => "s3:CreateBucket",
            Action::PutPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
            Action::PutBucketEncryption { .. } => "s3:PutEncryptionConfiguration",
            Action::PutBucketCors { .. } => "s3:PutBucketCORS",
            Action::DeleteBucketCors { .. } => "s3:DeleteBucketCORS",
            Action::PutBucketPolicy { .. } => "s3:PutBucketPolicy",
            Action::PutBucketLogging { .. } => "s3:PutBucketLogging",
            Action::CreatePolicy { .. } => "iam:CreatePolicy",
            Action::CreateUser { .. } => "iam:CreateUser",
            Action::AttachUserPolicy { .. } => "iam:AttachUserPolicy",
            Action::PutUserPolicy { .. } => "iam:PutUserPolicy",
            Action::CreateRole { .. } => "iam:CreateRole",
            Action::AttachRolePolicy { .. } => "iam:AttachRolePolicy",
            Action::CreateAccessKey { .. } => "iam:CreateAccessKey",
            Action::SaveSecretToKeychain { .. } => "keychain:Save",
        }
    }

    /// One line in plain words.
    pub fn summary(&self) -> String {
        match self {
            Action::CreateBucket { bucket, region } => format!("Create the bucket \"{bucket}\" in {region}"),
            Action::PutPublicAccessBlock { bucket, .. } => format!("Block all public access to \"{bucket}\""),
            Action::PutBucketEncryption { bucket, target, .. } => format!("Encrypt new files in \"{bucket}\" by default with {}", target.describe()),
            Action::PutBucketCors { bucket, previous, added: Some(added), .. } => {
                let kept = previous.as_ref().map(Vec::len).unwrap_or(0);
                let kept = if kept > 0 { format!("; the {kept} existing rule(s) are kept") } else { String::new() };
                format!("Let web pages on {} use \"{bucket}\" from the browser (CORS rule{kept})", added.allowed_origins.join(", "))
            }
            Action::PutBucketCors { bucket, rules, previous, added: None } => {
                format!("Replace the CORS rules of \"{bucket}\": {} rule(s) before, {} after, as you edited them", previous.as_ref().map(Vec::len).unwrap_or(0), rules.len())
            }
            Action::DeleteBucketCors { bucket, previous } => format!("Remove the CORS rules of \"{bucket}\" (all {} of them)", previous.len()),
            Action::PutBucketPolicy { bucket, kept_statements, purpose, .. } => {
                let kept = if *kept_statements > 0 { format!("; the {kept_statements} existing statement(s) are kept") } else { String::new() };
                match purpose {
                    PolicyPurpose::TlsOnly => format!("Refuse unencrypted (non-TLS) connections to \"{bucket}\" (bucket policy{kept})"),
                    PolicyPurpose::LogDelivery { source } => format!("Let S3 write the access logs of \"{source}\" into \"{bucket}\" (bucket policy{kept})"),
                }
            }
            Action::PutBucketLogging { bucket, target, .. } => format!("Record every request to \"{bucket}\" in s3://{}/{} (server access logging)", target.bucket, target.prefix),
            Action::CreatePolicy { policy_name, grants, .. } => format!("Create the permission policy \"{policy_name}\": {grants}"),
            Action::CreateUser { user_name } => format!("Create the IAM user \"{user_name}\" (a separate identity with no access of its own)"),
            Action::AttachUserPolicy { user_name, policy_name, .. } => format!("Give user \"{user_name}\" the policy \"{policy_name}\""),
            Action::PutUserPolicy { user_name, policy_name, grants, .. } => format!("Give user \"{user_name}\" {grants} through its own policy \"{policy_name}\""),
            Action::CreateRole { role_name, other_account, .. } => {
                format!("Create the role \"{role_name}\" that AWS account {other_account} can use with the external ID")
            }
            Action::AttachRolePolicy { role_name, policy_name, .. } => format!("Give role \"{role_name}\" the policy \"{policy_name}\""),
            Action::CreateAccessKey { user_name } => format!("Create an access key for \"{user_name}\" (AWS shows its secret only once)"),
            Action::SaveSecretToKeychain { .. } => "Save the secret key in this computer's keychain".to_string(),
        }
    }

    /// What undoing this step does, in the same terms.
    pub fn undo_call(&self) -> &'static str {
        match self {
            Action::CreateBucket { .. } => "s3:DeleteBucket",
            Action::PutPublicAccessBlock { previous: Some(_), .. } => "s3:PutBucketPublicAccessBlock (previous settings)",
            Action::PutPublicAccessBlock { previous: None, .. } => "s3:DeletePublicAccessBlock",
            Action::PutBucketEncryption { previous: Some(_), .. } => "s3:PutEncryptionConfiguration (previous settings)",
            Action::PutBucketEncryption { previous: None, .. } => "s3:DeleteBucketEncryption",
            Action::PutBucketCors { previous: Some(_), .. } => "s3:PutBucketCORS (previous rules)",
            Action::PutBucketCors { previous: None, .. } => "s3:DeleteBucketCORS",
            Action::DeleteBucketCors { .. } => "s3:PutBucketCORS (previous rules)",
            Action::PutBucketLogging { previous: Some(_), .. } => "s3:PutBucketLogging (previous target)",
            Action::PutBucketLogging { previous: None, .. } => "s3:PutBucketLogging (logging off)",
            Action::PutBucketPolicy { previous: Some(_), .. } => "s3:PutBucketPolicy (previous policy)",
            Action::PutBucketPolicy { previous: None, .. } => "s3:DeleteBucketPolicy",
            Action::CreatePolicy { .. } => "iam:DeletePolicy",
            Action::CreateUser { .. } => "iam:DeleteUser",
            Action::AttachUserPolicy { .. } => "iam:DetachUserPolicy",
            Action::PutUserPolicy { .. } => "iam:DeleteUserPolicy",
            Action::CreateRole { .. } => "iam:DeleteRole",
            Action::AttachRolePolicy { .. } => "iam:DetachRolePolicy",
            Action::CreateAccessKey { .. } => "iam:DeleteAccessKey",
            Action::SaveSecretToKeychain { .. } => "keychain:Delete",
        }
    }

    /// The JSON document the call carries, if any (policies, CORS configuration).
    pub fn document(&self) -> Option<Value> {
        match self {
            Action::CreatePolicy { document, .. } | Action::PutUserPolicy { document, .. } => serde_json::to_value(document).ok(),
            Action::CreateRole { trust, .. } => serde_json::to_value(trust).ok(),
            Action::PutBucketCors { rules, .. } => Some(json!({ "CORSRules": rules })),
            Action::PutBucketPolicy { document, .. } => serde_json::from_str(document).ok(),
            Action::PutPublicAccessBlock { .. } => Some(json!({
                "BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true
            })),
            Action::PutBucketEncryption { target, .. } => Some(match &target.kms_key_id {
                Some(k) => json!({ "Rules": [{ "ApplyServerSideEncryptionByDefault": { "SSEAlgorithm": target.algorithm, "KMSMasterKeyID": k }, "BucketKeyEnabled": true }] }),
                None => json!({ "Rules": [{ "ApplyServerSideEncryptionByDefault": { "SSEAlgorithm": target.algorithm } }] }),
            }),
            Action::PutBucketLogging { target, .. } => Some(json!({ "LoggingEnabled": { "TargetBucket": target.bucket, "TargetPrefix": target.prefix } })),
            _ => None,
        }
    }
}

/// The state of the account that a plan depends on, read by [`observe`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    /// The account, when it was read: an unattended IAM-user grant learns it from CreateUser instead.
    pub account: Option<String>,
    pub bucket_exists: bool,
    pub bucket_region: Option<String>,
    pub user_exists: bool,
    pub user_key_count: usize,
    /// Names and sizes of the user's existing inline policies.
    pub user_inline_policies: Vec<(String, usize)>,
    pub managed_policy_exists: bool,
    pub role_exists: bool,
    pub cors: Option<Vec<CorsRule>>,
    pub bucket_policy: Option<String>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub encryption: Option<Encryption>,
    pub logging: Option<LoggingTarget>,
    /// The log target bucket, when access logging is asked for: whether it exists, its region and policy.
    pub log_target_exists: bool,
    pub log_target_region: Option<String>,
    pub log_target_policy: Option<String>,
    /// Free names to suggest when a name is taken.
    pub suggested_user_name: Option<String>,
    pub suggested_policy_name: Option<String>,
    pub suggested_role_name: Option<String>,
}

/// An ordered list of steps, ready to review and apply. Nothing has changed when a plan exists.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The account the plan changes; `None` when the plan did not need to ask (see
    /// [`PlanOptions::unattended`]): the apply learns it from the user it creates.
    pub account: Option<String>,
    pub request: AccessRequest,
    pub headline: String,
    pub steps: Vec<Action>,
    /// Things the user should know (kept rules, warnings).
    pub notes: Vec<String>,
    /// The access policy being granted, for the "show me the JSON" view.
    pub policy: Option<PolicyDocument>,
}

/// Options that only affect how a plan is built.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// The keychain service name to save secrets under (shown in the plan).
    pub keychain_service: String,
    /// Nobody reviews the plan before it is applied (the CLI's `--yes`). The plan then reads only what
    /// decides the steps: it does not ask which account this is unless a step needs it, and it does not
    /// read whether the names it creates are free. AWS refuses a taken name at the create call, which
    /// comes before any other change of the user, role or policy (or is rolled back with them), and the
    /// refusal names a free one. A reviewed plan reads both, to show them before anything changes.
    pub unattended: bool,
}

fn grants_text(scope: &Scope, level: AccessLevel) -> String {
    format!("{} access to {}", level.as_str(), scope.display())
}

impl Observed {
    /// The account, for a step that names it. [`observe`] reads it whenever such a step is possible.
    fn account(&self) -> Result<&str> {
        self.account.as_deref().ok_or_else(|| Error::Other("the plan needs the account, which was not read (a bug: please report it)".into()))
    }
}

/// Build the plan from the request and what [`observe`] found. Pure: no AWS calls.
pub fn plan_from(request: &AccessRequest, seen: &Observed, opts: &PlanOptions) -> Result<Plan> {
    let scope = &request.scope;
    let mut steps = Vec::new();
    let mut notes = Vec::new();

    // The bucket.
    match (&request.create_bucket_in, seen.bucket_exists) {
        (Some(_), true) => {
            return Err(Error::invalid("bucket name", format!("a bucket named \"{}\" already exists; pick it from the list instead of creating it", scope.bucket)))
        }
        (None, false) => return Err(Error::NoSuchBucket { bucket: scope.bucket.clone() }),
        (Some(region), false) => {
            steps.push(Action::CreateBucket { bucket: scope.bucket.clone(), region: region.clone() });
            steps.push(Action::PutPublicAccessBlock { bucket: scope.bucket.clone(), previous: None });
            steps.push(Action::PutBucketEncryption { bucket: scope.bucket.clone(), previous: None, target: encryption_target(&request.hardening, region)? });
        }
        (None, true) => {}
    }
    let new_bucket = request.create_bucket_in.is_some();

    // Hardening of an existing bucket: only what is not already so.
    let h = &request.hardening;
    if h.block_public_access && !new_bucket {
        if seen.public_access_block == Some([true; 4]) {
            notes.push("Block Public Access: already on.".into());
        } else {
            steps.push(Action::PutPublicAccessBlock { bucket: scope.bucket.clone(), previous: seen.public_access_block });
        }
    }
    if h.default_encryption && !new_bucket {
        let region = seen.bucket_region.as_deref().unwrap_or_default();
        let target = encryption_target(h, region)?;
        match &seen.encryption {
            Some(e) if *e == target => notes.push(format!("Default encryption: already on, with {}.", e.describe())),
            Some(e) if target.kms_key_id.is_none() && e.algorithm != "AES256" => {
                notes.push(format!("Default encryption: already on, with {}; that is kept (it is not weaker than SSE-S3).", e.describe()))
            }
            previous => steps.push(Action::PutBucketEncryption { bucket: scope.bucket.clone(), previous: previous.clone(), target }),
        }
    }
    if h.tls_only {
        match merge_tls_only(seen.bucket_policy.as_deref(), &scope.bucket_arn())? {
            Some((document, kept)) => steps.push(Action::PutBucketPolicy {
                bucket: scope.bucket.clone(),
                document,
                previous: seen.bucket_policy.clone(),
                kept_statements: kept,
                purpose: PolicyPurpose::TlsOnly,
            }),
            None => notes.push("TLS-only: the bucket policy already refuses unencrypted connections.".into()),
        }
    }
    if let Some(log) = &h.access_logging {
        let region = seen.bucket_region.clone().or_else(|| request.create_bucket_in.clone());
        plan_logging(scope, log, seen, region.as_deref(), &mut steps, &mut notes)?;
    }
    if let Some(edit) = &h.cors_edit {
        if request.cors.is_some() {
            return Err(Error::invalid("CORS", "add a rule or edit the rules, not both in one change"));
        }
        let current = seen.cors.clone().unwrap_or_default();
        if edit.based_on != current {
            return Err(Error::invalid("CORS", "the bucket's CORS rules changed since they were loaded; load them again and redo the edit (nothing was changed)"));
        }
        for r in &edit.rules {
            r.validate()?;
        }
        check_cors_limits(&edit.rules)?;
        if edit.rules == current {
            notes.push("CORS: the rules are unchanged.".into());
        } else if edit.rules.is_empty() {
            steps.push(Action::DeleteBucketCors { bucket: scope.bucket.clone(), previous: current });
        } else {
            steps.push(Action::PutBucketCors { bucket: scope.bucket.clone(), rules: edit.rules.clone(), previous: seen.cors.clone(), added: None });
        }
    }

    // CORS, merged.
    if let Some(rule) = &request.cors {
        rule.validate()?;
        if rule.allows_any_origin() {
            notes.push("Warning: the CORS rule allows any web site (*). Name the exact site when you can.".into());
        }
        match merge_cors(seen.cors.as_deref(), rule)? {
            Some(rules) => steps.push(Action::PutBucketCors { bucket: scope.bucket.clone(), rules, previous: seen.cors.clone(), added: Some(rule.clone()) }),
            None => notes.push("CORS: an identical rule is already there.".into()),
        }
    }

    let doc = policy::access_policy(scope, request.level);
    let partition = scope.partition.as_str();
    let headline;
    match &request.method {
        Method::IamUser(u) => {
            crate::validate::user_name(&u.user_name)?;
            crate::validate::policy_name(&u.policy_name)?;
            if seen.user_exists && !u.reuse_existing_user {
                return Err(Error::NameTaken {
                    kind: "IAM user",
                    name: u.user_name.clone(),
                    suggestion: seen.suggested_user_name.clone().unwrap_or_else(|| format!("{}-2", u.user_name)),
                });
            }
            if seen.user_exists && u.create_access_key && seen.user_key_count >= 2 {
                return Err(Error::KeyLimit { user: u.user_name.clone() });
            }
            headline = format!(
                "{} for {} IAM user \"{}\"{}",
                capitalise(&grants_text(scope, request.level)),
                if seen.user_exists { "the existing" } else { "a new" },
                u.user_name,
                seen.account.as_ref().map(|a| format!(" in account {a}")).unwrap_or_default()
            );
            if !seen.user_exists {
                steps.push(Action::CreateUser { user_name: u.user_name.clone() });
            } else {
                notes.push(format!("User \"{}\" already exists and will be reused; nothing it already has is changed.", u.user_name));
            }
            if !u.managed_policy {
                if seen.user_inline_policies.iter().any(|(n, _)| n == &u.policy_name) {
                    return Err(Error::NameTaken { kind: "Inline policy", name: u.policy_name.clone(), suggestion: format!("{}-2", u.policy_name) });
                }
                let existing: usize = seen.user_inline_policies.iter().map(|(_, s)| s).sum();
                policy::check_user_inline_size(&doc, existing)?;
                steps.push(Action::PutUserPolicy {
                    user_name: u.user_name.clone(),
                    policy_name: u.policy_name.clone(),
                    document: doc.clone(),
                    grants: grants_text(scope, request.level),
                });
            } else {
                policy::check_managed_size(&doc)?;
                if seen.managed_policy_exists {
                    return Err(Error::NameTaken {
                        kind: "Managed policy",
                        name: u.policy_name.clone(),
                        suggestion: seen.suggested_policy_name.clone().unwrap_or_else(|| format!("{}-2", u.policy_name)),
                    });
                }
                let policy_arn = managed_policy_arn(partition, seen.account()?, &u.policy_name);
                // The policy goes before the user's other steps so a user never exists half-configured for long.
                let at = steps.iter().position(|s| matches!(s, Action::CreateUser { .. })).unwrap_or(steps.len());
                steps.insert(
                    at,
                    Action::CreatePolicy {
                        policy_name: u.policy_name.clone(),
                        policy_arn: policy_arn.clone(),
                        document: doc.clone(),
                        grants: grants_text(scope, request.level),
                    },
                );
                steps.push(Action::AttachUserPolicy { user_name: u.user_name.clone(), policy_name: u.policy_name.clone(), policy_arn });
            }
            if u.create_access_key {
                steps.push(Action::CreateAccessKey { user_name: u.user_name.clone() });
                if u.save_to_keychain {
                    steps.push(Action::SaveSecretToKeychain { user_name: u.user_name.clone(), service: opts.keychain_service.clone() });
                }
            }
        }
        Method::CrossAccountRole(r) => {
            crate::validate::role_name(&r.role_name)?;
            crate::validate::policy_name(&r.policy_name)?;
            let their_account = crate::validate::trusted_principal(&r.other_account)?;
            if their_account == seen.account()? {
                notes.push("The account you trust is this same account: usually a role for another account trusts a different one.".into());
            }
            crate::validate::external_id(&r.external_id)?;
            if let Some(s) = r.max_session_seconds {
                if !(3600..=43200).contains(&s) {
                    return Err(Error::invalid("maximum session", "the maximum session length must be between 1 and 12 hours"));
                }
            }
            if seen.role_exists {
                return Err(Error::NameTaken {
                    kind: "IAM role",
                    name: r.role_name.clone(),
                    suggestion: seen.suggested_role_name.clone().unwrap_or_else(|| format!("{}-2", r.role_name)),
                });
            }
            if seen.managed_policy_exists {
                return Err(Error::NameTaken {
                    kind: "Managed policy",
                    name: r.policy_name.clone(),
                    suggestion: seen.suggested_policy_name.clone().unwrap_or_else(|| format!("{}-2", r.policy_name)),
                });
            }
            policy::check_managed_size(&doc)?;
            headline = format!("{} for AWS account {} through role \"{}\"", capitalise(&grants_text(scope, request.level)), r.other_account, r.role_name);
            let policy_arn = managed_policy_arn(partition, seen.account()?, &r.policy_name);
            steps.push(Action::CreatePolicy {
                policy_name: r.policy_name.clone(),
                policy_arn: policy_arn.clone(),
                document: doc.clone(),
                grants: grants_text(scope, request.level),
            });
            steps.push(Action::CreateRole {
                role_name: r.role_name.clone(),
                trust: policy::cross_account_trust_policy(partition, &r.other_account, &r.external_id),
                other_account: r.other_account.clone(),
                max_session_seconds: r.max_session_seconds,
            });
            steps.push(Action::AttachRolePolicy { role_name: r.role_name.clone(), policy_name: r.policy_name.clone(), policy_arn });
        }
        Method::PresignedLinks => {
            headline = format!("Prepare {} for links (nothing is created in IAM)", scope.display());
        }
        Method::BucketSettings => {
            headline = format!("Change the settings of the bucket \"{}\" (nothing is created in IAM)", scope.bucket);
        }
    }

    // A settings change grants nothing, so it has no access policy to show.
    let policy = (!matches!(request.method, Method::BucketSettings)).then_some(doc);
    Ok(Plan { account: seen.account.clone(), request: request.clone(), headline, steps, notes, policy })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

pub fn managed_policy_arn(partition: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account}:policy/{name}")
}

pub fn role_arn(partition: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account}:role/{name}")
}

/// The most rules and bytes S3 accepts in a CORS configuration.
pub const CORS_MAX_RULES: usize = 100;
pub const CORS_MAX_BYTES: usize = 64 * 1024;

/// Add `rule` to the existing rules. `None` when an identical rule is already there (nothing to do).
pub fn merge_cors(existing: Option<&[CorsRule]>, rule: &CorsRule) -> Result<Option<Vec<CorsRule>>> {
    let mut rules = existing.map(<[CorsRule]>::to_vec).unwrap_or_default();
    if rules.iter().any(|r| same_rule(r, rule)) {
        return Ok(None);
    }
    rules.push(rule.clone());
    check_cors_limits(&rules)?;
    Ok(Some(rules))
}

/// S3's limits on a CORS configuration: 100 rules, 64 KB.
pub fn check_cors_limits(rules: &[CorsRule]) -> Result<()> {
    if rules.len() > CORS_MAX_RULES {
        return Err(Error::invalid("CORS rule", format!("that makes {} CORS rules; S3 allows at most {CORS_MAX_RULES}: remove unused rules first", rules.len())));
    }
    // The XML S3 stores is larger than this JSON; 2x is a safe upper estimate.
    let size = serde_json::to_string(rules).map(|s| s.len() * 2).unwrap_or(0);
    if size > CORS_MAX_BYTES {
        return Err(Error::invalid("CORS rule", "the CORS configuration would be larger than S3's 64 KB limit; remove unused rules first"));
    }
    Ok(())
}

/// The default encryption asked for: SSE-KMS with the given key (which must be a KMS key or alias ARN in
/// the bucket's region), else SSE-S3.
fn encryption_target(h: &crate::request::Hardening, bucket_region: &str) -> Result<Encryption> {
    let Some(arn) = &h.kms_key_arn else { return Ok(Encryption::sse_s3()) };
    let arn = arn.trim();
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shaped = parts.len() == 6 && parts[0] == "arn" && parts[2] == "kms" && parts[4].len() == 12 && (parts[5].starts_with("key/") || parts[5].starts_with("alias/"));
    if !shaped {
        return Err(Error::invalid("KMS key", format!("\"{arn}\" is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID, or an alias ARN)")));
    }
    if !bucket_region.is_empty() && parts[3] != bucket_region {
        return Err(Error::invalid("KMS key", format!("the key is in {} but the bucket is in {bucket_region}; S3 needs a key in the bucket's region", parts[3])));
    }
    Ok(Encryption { algorithm: "aws:kms".into(), kms_key_id: Some(arn.to_string()) })
}

/// Access logging: the target must be another existing bucket in the same region; its policy gets the
/// log-delivery statement (merged), then logging is switched on.
fn plan_logging(scope: &crate::policy::Scope, log: &LoggingTarget, seen: &Observed, bucket_region: Option<&str>, steps: &mut Vec<Action>, notes: &mut Vec<String>) -> Result<()> {
    crate::validate::bucket_name(&log.bucket)?;
    if log.bucket == scope.bucket {
        return Err(Error::invalid("log bucket", "send the access logs to another bucket: a bucket that logs into itself logs its own log writes without end"));
    }
    if !seen.log_target_exists {
        return Err(Error::invalid("log bucket", format!("the bucket \"{}\" does not exist in this account; create it first, in the same region", log.bucket)));
    }
    if seen.log_target_region.as_deref() != bucket_region {
        return Err(Error::invalid(
            "log bucket",
            format!("\"{}\" is in {} but \"{}\" is in {}; S3 delivers logs only within one region", log.bucket, seen.log_target_region.as_deref().unwrap_or("?"), scope.bucket, bucket_region.unwrap_or("?")),
        ));
    }
    let target = LoggingTarget { bucket: log.bucket.clone(), prefix: log.prefix.trim_start_matches('/').to_string() };
    if seen.logging.as_ref() == Some(&target) {
        notes.push(format!("Access logging: already on, into s3://{}/{}.", target.bucket, target.prefix));
        return Ok(());
    }
    let target_arn = format!("arn:{}:s3:::{}", scope.partition, target.bucket);
    let source_arn = scope.bucket_arn();
    match merge_log_delivery(seen.log_target_policy.as_deref(), &target_arn, &target.prefix, &source_arn, seen.account()?)? {
        Some((document, kept)) => steps.push(Action::PutBucketPolicy {
            bucket: target.bucket.clone(),
            document,
            previous: seen.log_target_policy.clone(),
            kept_statements: kept,
            purpose: PolicyPurpose::LogDelivery { source: scope.bucket.clone() },
        }),
        None => notes.push(format!("Access logging: \"{}\" already lets S3 deliver these logs.", target.bucket)),
    }
    steps.push(Action::PutBucketLogging { bucket: scope.bucket.clone(), target, previous: seen.logging.clone() });
    Ok(())
}

fn same_rule(a: &CorsRule, b: &CorsRule) -> bool {
    let norm = |v: &Vec<String>| {
        let mut v = v.clone();
        v.sort();
        v
    };
    norm(&a.allowed_origins) == norm(&b.allowed_origins)
        && norm(&a.allowed_methods) == norm(&b.allowed_methods)
        && norm(&a.allowed_headers) == norm(&b.allowed_headers)
        && norm(&a.expose_headers) == norm(&b.expose_headers)
        && a.max_age_seconds == b.max_age_seconds
}

pub const TLS_ONLY_SID: &str = "DenyInsecureTransport";

/// Merge a TLS-only deny statement into an existing bucket policy. Returns the new document and how many
/// existing statements were kept, or `None` when the policy already denies insecure transport.
pub fn merge_tls_only(existing: Option<&str>, bucket_arn: &str) -> Result<Option<(String, usize)>> {
    let statement = json!({
        "Sid": TLS_ONLY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    });
    merge_statement(existing, statement, |s| {
        s.get("Effect").and_then(Value::as_str) == Some("Deny")
            && s.pointer("/Condition/Bool/aws:SecureTransport").map(|v| v == "false" || v == &Value::Bool(false)).unwrap_or(false)
    })
}

/// Merge the statement that lets S3's log delivery write `source`'s access logs under `target/prefix`, as
/// AWS documents it (service principal, limited by source bucket and account). `None` when it is there.
pub fn merge_log_delivery(existing: Option<&str>, target_arn: &str, prefix: &str, source_arn: &str, account: &str) -> Result<Option<(String, usize)>> {
    let resource = format!("{target_arn}/{prefix}*");
    let sid: String = format!("S3ServerAccessLogs{}", source_arn.rsplit(':').next().unwrap_or_default()).chars().filter(char::is_ascii_alphanumeric).collect();
    let statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": { "Service": "logging.s3.amazonaws.com" },
        "Action": "s3:PutObject",
        "Resource": resource,
        "Condition": { "ArnLike": { "aws:SourceArn": source_arn }, "StringEquals": { "aws:SourceAccount": account } }
    });
    merge_statement(existing, statement, |s| {
        s.pointer("/Principal/Service").and_then(Value::as_str) == Some("logging.s3.amazonaws.com")
            && s.get("Resource").map(|r| r == &Value::String(resource.clone()) || r.as_array().map(|a| a.iter().any(|x| x == &Value::String(resource.clone()))).unwrap_or(false)).unwrap_or(false)
            && s.pointer("/Condition/ArnLike/aws:SourceArn").and_then(Value::as_str) == Some(source_arn)
    })
}

/// Add `statement` to a bucket policy unless a statement for which `already` holds is there. Every other
/// statement is kept as it was. Returns the new document and how many statements were kept.
fn merge_statement(existing: Option<&str>, statement: Value, already: impl Fn(&Value) -> bool) -> Result<Option<(String, usize)>> {
    let mut doc: Value = match existing {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Error::Other(format!("the bucket's current policy is not valid JSON ({e}); fix it in the AWS console first")))?,
        None => json!({ "Version": "2012-10-17", "Statement": [] }),
    };
    let statements = match doc.get_mut("Statement") {
        Some(Value::Array(a)) => a,
        Some(single @ Value::Object(_)) => {
            let one = single.take();
            *single = Value::Array(vec![one]);
            single.as_array_mut().ok_or_else(|| Error::Other("unexpected bucket policy shape".into()))?
        }
        _ => return Err(Error::Other("the bucket's current policy has no Statement list; fix it in the AWS console first".into())),
    };
    if statements.iter().any(&already) {
        return Ok(None);
    }
    let kept = statements.len();
    statements.push(statement);
    Ok(Some((serde_json::to_string_pretty(&doc).unwrap_or_default(), kept)))
}

impl Plan {
    /// The plan as text, for the CLI and the review screen.
    pub fn render_text(&self) -> String {
        let mut out = format!("{}\n", self.headline);
        if self.steps.is_empty() {
            out.push_str("Nothing needs to change.\n");
        } else {
            out.push_str("Nothing has been changed yet. These calls will run, in order:\n");
            let width = self.steps.len().to_string().len();
            for (i, s) in self.steps.iter().enumerate() {
                out.push_str(&format!("  {:>width$}. {}\n  {:>width$}  {} (undo: {})\n", i + 1, s.summary(), "", s.api_call(), s.undo_call()));
            }
        }
        for n in &self.notes {
            out.push_str(&format!("Note: {n}\n"));
        }
        out
    }

    /// The plan as JSON, for scripts and the review screen's detail view. Holds no secret.
    pub fn to_json(&self) -> Value {
        json!({
            "account": self.account,
            "headline": self.headline,
            "bucket": self.request.scope.bucket,
            "prefix": self.request.scope.prefix,
            "level": self.request.level.as_str(),
            "policy": self.policy,
            "steps": self.steps.iter().map(|s| json!({
                "call": s.api_call(),
                "summary": s.summary(),
                "undo": s.undo_call(),
                "document": s.document(),
            })).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }

    /// The access key step's user, if the plan creates a key.
    pub fn creates_key_for(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Action::CreateAccessKey { user_name } => Some(user_name.as_str()),
            _ => None,
        })
    }
}

// ---- Reading the account's state ---------------------------------------------------------------------

fn service_code<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_string()
}

/// Read what the plan depends on. Only read calls; nothing changes.
pub async fn observe(session: &Session, request: &AccessRequest, opts: &PlanOptions) -> Result<Observed> {
    let mut seen = Observed::default();
    let bucket = &request.scope.bucket;
    let h = &request.hardening;
    let (reuse_user, managed_policy) = match &request.method {
        Method::IamUser(u) => (u.reuse_existing_user, u.managed_policy),
        _ => (false, false),
    };
    // Which account this is: shown in a reviewed plan, and part of some steps (a managed policy's or a
    // role's ARN, the log-delivery statement, the keychain entry of a key for a user that exists).
    let needs_account =
        !opts.unattended || managed_policy || reuse_user || h.access_logging.is_some() || matches!(request.method, Method::CrossAccountRole(_));
    // Whether the names to create are free: read for a reviewed plan (and for a user to reuse).
    let check_names = !opts.unattended || reuse_user;

    // The first reads do not depend on each other: ask them at once (a grant waits for the slowest, not the sum).
    let partition = request.scope.partition.clone();
    let account = async {
        match needs_account {
            true => session.whoami().await.map(|id| Some(id.account)),
            false => Ok(None),
        }
    };
    let (bucket_exists, user_exists, account) = futures::try_join!(
        crate::inventory::bucket_exists(session, bucket),
        async {
            match &request.method {
                Method::IamUser(u) if check_names => crate::iam::user_exists(session, &u.user_name).await,
                Method::CrossAccountRole(r) if check_names => crate::iam::role_exists(session, &r.role_name).await,
                _ => Ok(false),
            }
        },
        account,
    )?;
    seen.account = account;
    // A managed policy's name check needs the account (its ARN), so it follows.
    let policy_name = match &request.method {
        Method::IamUser(u) if u.managed_policy => Some(&u.policy_name),
        Method::CrossAccountRole(r) => Some(&r.policy_name),
        _ => None,
    };
    let policy_exists = match (policy_name, &seen.account) {
        (Some(name), Some(account)) if check_names => crate::iam::policy_exists(session, &managed_policy_arn(&partition, account, name)).await?,
        _ => false,
    };
    seen.bucket_exists = bucket_exists;
    let touches_bucket = request.cors.is_some() || h.touches_bucket();
    // The bucket's region matters only for changes to the bucket itself (AWS redirects calls made to
    // another region); a grant that only touches IAM skips the lookup.
    if seen.bucket_exists && touches_bucket {
        let region = crate::inventory::bucket_region(session, bucket).await?;
        let s3 = session.s3_in(&region);
        seen.bucket_region = Some(region);
        if request.cors.is_some() || h.cors_edit.is_some() {
            let rules = crate::inventory::bucket_cors(session, bucket).await?;
            seen.cors = (!rules.is_empty()).then_some(rules);
        }
        if request.hardening.tls_only {
            seen.bucket_policy = read_bucket_policy(session, &s3, bucket).await?;
        }
        if request.hardening.block_public_access {
            seen.public_access_block = read_public_access_block(session, &s3, bucket).await?;
        }
        if request.hardening.default_encryption {
            seen.encryption = read_encryption(session, &s3, bucket).await?;
        }
        if h.access_logging.is_some() {
            seen.logging = read_logging(session, &s3, bucket).await?;
        }
    }
    if let Some(log) = &h.access_logging {
        seen.log_target_exists = log.bucket != *bucket && crate::validate::bucket_name(&log.bucket).is_ok() && crate::inventory::bucket_exists(session, &log.bucket).await?;
        if seen.log_target_exists {
            let region = crate::inventory::bucket_region(session, &log.bucket).await?;
            seen.log_target_policy = read_bucket_policy(session, &session.s3_in(&region), &log.bucket).await?;
            seen.log_target_region = Some(region);
        }
    }

    match &request.method {
        Method::IamUser(u) => {
            seen.user_exists = user_exists;
            if seen.user_exists {
                if u.reuse_existing_user {
                    seen.user_key_count = crate::iam::access_key_ids(session, &u.user_name).await?.len();
                    seen.user_inline_policies = crate::iam::inline_policy_sizes(session, &u.user_name).await?;
                } else {
                    seen.suggested_user_name = crate::iam::free_name(&u.user_name, |n| async move { crate::iam::user_exists(session, &n).await }).await?;
                }
            }
            if u.managed_policy {
                seen.managed_policy_exists = policy_exists;
                if seen.managed_policy_exists {
                    let account = seen.account()?.to_string();
                    seen.suggested_policy_name = crate::iam::free_name(&u.policy_name, |n| {
                        let arn = managed_policy_arn(&partition, &account, &n);
                        async move { crate::iam::policy_exists(session, &arn).await }
                    })
                    .await?;
                }
            }
        }
        Method::CrossAccountRole(r) => {
            seen.role_exists = user_exists;
            if seen.role_exists {
                seen.suggested_role_name = crate::iam::free_name(&r.role_name, |n| async move { crate::iam::role_exists(session, &n).await }).await?;
            }
            seen.managed_policy_exists = policy_exists;
        }
        Method::PresignedLinks | Method::BucketSettings => {}
    }
    Ok(seen)
}

pub(crate) async fn read_bucket_policy(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<String>> {
    match s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => Ok(out.policy().map(str::to_string)),
        Err(e) if service_code(&e) == "NoSuchBucketPolicy" => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "GetBucketPolicy", e)),
    }
}

pub(crate) async fn read_public_access_block(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<PublicAccessBlock>> {
    match s3.get_public_access_block().bucket(bucket).send().await {
        Ok(out) => Ok(out.public_access_block_configuration().map(|c| {
            [
                c.block_public_acls().unwrap_or(false),
                c.ignore_public_acls().unwrap_or(false),
                c.block_public_policy().unwrap_or(false),
                c.restrict_public_buckets().unwrap_or(false),
            ]
        })),
        Err(e) if service_code(&e) == "NoSuchPublicAccessBlockConfiguration" => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "GetPublicAccessBlock", e)),
    }
}

pub(crate) async fn read_encryption(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<Encryption>> {
    match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(out) => Ok(out
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| Encryption { algorithm: d.sse_algorithm().as_str().to_string(), kms_key_id: d.kms_master_key_id().map(str::to_string) })),
        Err(e) if service_code(&e) == "ServerSideEncryptionConfigurationNotFoundError" => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "GetBucketEncryption", e)),
    }
}

pub(crate) async fn read_logging(session: &Session, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<LoggingTarget>> {
    let out = s3.get_bucket_logging().bucket(bucket).send().await.map_err(|e| from_sdk(&session.ctx, "GetBucketLogging", e))?;
    Ok(out.logging_enabled().map(|l| LoggingTarget { bucket: l.target_bucket().to_string(), prefix: l.target_prefix().to_string() }))
}

/// Read the account and build the plan.
pub async fn build_plan(session: &Session, request: &AccessRequest, opts: &PlanOptions) -> Result<Plan> {
    let seen = observe(session, request, opts).await?;
    plan_from(request, &seen, opts)
}

pub(crate) fn cors_from_sdk(r: &aws_sdk_s3::types::CorsRule) -> CorsRule {
    CorsRule {
        id: r.id().map(str::to_string),
        allowed_origins: r.allowed_origins().to_vec(),
        allowed_methods: r.allowed_methods().to_vec(),
        allowed_headers: r.allowed_headers().to_vec(),
        expose_headers: r.expose_headers().to_vec(),
        max_age_seconds: r.max_age_seconds(),
    }
}

#[cfg(test)]
mod tests;
