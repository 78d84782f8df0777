//! Pure planning: the steps that fulfil a request, given what [`super::observe`] read. No AWS calls.
//! [`plan_from`] runs the parts in order: the bucket, its hardening, CORS, then the IAM user or role.

use super::action::{Action, Encryption, PolicyPurpose};
use super::merge::{check_cors_limits, log_delivery_statement, merge_cors, merge_log_delivery, merge_tls_only, tls_only_statement};
use super::{Observed, Plan, PlanOptions};
use crate::error::{Error, Result};
use crate::policy::{self, AccessLevel, BucketKey, PolicyDocument, Scope};
use crate::request::{AccessRequest, Hardening, IamUserOptions, LoggingTarget, Method, RoleOptions};

fn grants_text(scope: &Scope, level: AccessLevel) -> String {
    let until = scope.limits.ends_at.as_deref().map(|e| format!(" until {}", crate::limits::describe_end(e))).unwrap_or_default();
    format!("{} access to {}{until}", level.as_str(), scope.display())
}

impl Observed {
    /// The account, for a step that names it. [`super::observe`] reads it whenever such a step is possible.
    pub(super) fn account(&self) -> Result<&str> {
        self.account.as_deref().ok_or_else(|| Error::Internal("the plan needs the account, which was not read".into()))
    }
}

/// The steps and notes being built.
#[derive(Default)]
struct Draft {
    steps: Vec<Action>,
    notes: Vec<String>,
}

/// Build the plan from the request and what [`super::observe`] found. Pure: no AWS calls.
pub fn plan_from(request: &AccessRequest, seen: &Observed, opts: &PlanOptions) -> Result<Plan> {
    let mut d = Draft::default();
    plan_bucket(request, seen, &mut d)?;
    let encryption = plan_hardening(request, seen, &mut d)?;
    plan_cors(request, seen, &mut d)?;

    // The grant's policy names the bucket's KMS key when new files are encrypted with one (after this
    // plan's own change of the default encryption, if it makes one).
    let mut scope = request.scope.clone();
    scope.kms = bucket_key(encryption.as_ref(), &scope, seen)?;
    if scope.kms.is_some() && !matches!(request.method, Method::BucketSettings | Method::PresignedLinks) {
        d.notes.push("The bucket encrypts files with a KMS key, so the access includes using that key (only through S3, in the bucket's region).".into());
    }
    if seen.encryption_unreadable {
        d.notes.push("The bucket's default encryption could not be read (no permission to): if it encrypts with a customer-managed KMS key, this access also needs that key, or reading and writing will fail.".into());
    }
    let doc = policy::access_policy(&scope, request.level);
    if matches!(request.method, Method::IamUser(_) | Method::CrossAccountRole(_)) {
        d.notes.extend(scope.limits.notes());
    }
    if request.level.writes() && matches!(request.method, Method::IamUser(_) | Method::CrossAccountRole(_)) && seen.versioning_read && seen.versioning.as_deref() != Some("Enabled") && !request.hardening.versioning {
        d.notes.push(
            "The bucket does not keep old versions of files: an upload that replaces a file cannot be undone. Turn on versioning (Bucket settings, or --versioning) if that matters."
                .into(),
        );
    }
    let headline = match &request.method {
        Method::IamUser(u) => plan_user(request, &scope, u, &doc, seen, opts, &mut d)?,
        Method::CrossAccountRole(r) => plan_role(request, &scope, r, &doc, seen, &mut d)?,
        Method::PresignedLinks => format!("Prepare {} for links (nothing is created in IAM)", scope.display()),
        Method::BucketSettings => format!("Change the settings of the bucket \"{}\" (nothing is created in IAM)", scope.bucket),
    };
    // A settings change grants nothing, so it has no access policy to show.
    let policy = (!matches!(request.method, Method::BucketSettings)).then_some(doc);
    let region = seen.bucket_region.clone().or_else(|| request.create_bucket_in.clone());
    Ok(Plan { account: seen.account.clone(), request: request.clone(), headline, steps: d.steps, notes: d.notes, policy, region })
}

/// Create the bucket when asked (with Block Public Access and default encryption), or check it exists.
fn plan_bucket(request: &AccessRequest, seen: &Observed, d: &mut Draft) -> Result<()> {
    let bucket = &request.scope.bucket;
    match (&request.create_bucket_in, seen.bucket_exists) {
        (Some(_), true) => Err(Error::invalid("bucket name", format!("a bucket named \"{bucket}\" already exists; pick it from the list instead of creating it"))),
        (None, false) => Err(Error::NoSuchBucket { bucket: bucket.clone() }),
        (Some(region), false) => {
            d.steps.push(Action::CreateBucket { bucket: bucket.clone(), region: region.clone() });
            d.steps.push(Action::PutPublicAccessBlock { bucket: bucket.clone(), previous: None });
            let target = encryption_target(&request.hardening, region, &request.scope.partition, seen, &mut d.notes)?;
            d.steps.push(Action::PutBucketEncryption { bucket: bucket.clone(), previous: None, target });
            Ok(())
        }
        (None, true) => Ok(()),
    }
}

/// Hardening: only what is not already so. Returns the default encryption new files will have.
fn plan_hardening(request: &AccessRequest, seen: &Observed, d: &mut Draft) -> Result<Option<Encryption>> {
    let scope = &request.scope;
    let h = &request.hardening;
    let new_bucket = request.create_bucket_in.as_deref();
    let region = seen.bucket_region.as_deref().or(new_bucket).unwrap_or_default();
    let mut encryption = seen.encryption.clone();
    if let Some(region) = new_bucket {
        encryption = Some(encryption_target(h, region, &scope.partition, seen, &mut Vec::new())?);
    }
    if h.block_public_access && new_bucket.is_none() {
        if seen.public_access_block == Some([true; 4]) {
            d.notes.push("Block Public Access: already on.".into());
        } else {
            d.steps.push(Action::PutPublicAccessBlock { bucket: scope.bucket.clone(), previous: seen.public_access_block });
        }
    }
    if h.default_encryption && new_bucket.is_none() {
        let target = encryption_target(h, region, &scope.partition, seen, &mut d.notes)?;
        match &seen.encryption {
            Some(e) if *e == target => d.notes.push(format!("Default encryption: already on, with {}.", e.describe())),
            Some(e) if target.kms_key_id.is_none() && e.algorithm != "AES256" => {
                d.notes.push(format!("Default encryption: already on, with {}; that is kept (it is not weaker than SSE-S3).", e.describe()))
            }
            previous => {
                encryption = Some(target.clone());
                d.steps.push(Action::PutBucketEncryption { bucket: scope.bucket.clone(), previous: previous.clone(), target });
            }
        }
    }
    if h.versioning {
        if seen.versioning.as_deref() == Some("Enabled") {
            d.notes.push("Versioning: already on.".into());
        } else {
            d.steps.push(Action::PutBucketVersioning { bucket: scope.bucket.clone(), previous: seen.versioning.clone() });
        }
    }
    if h.tls_only {
        match merge_tls_only(seen.bucket_policy.as_deref(), &scope.bucket_arn())? {
            Some((document, kept)) => d.steps.push(Action::PutBucketPolicy {
                bucket: scope.bucket.clone(),
                document,
                previous: seen.bucket_policy.clone(),
                added: tls_only_statement(&scope.bucket_arn()),
                kept_statements: kept,
                purpose: PolicyPurpose::TlsOnly,
            }),
            None => d.notes.push("TLS-only: the bucket policy already refuses unencrypted connections.".into()),
        }
    }
    if let Some(log) = &h.access_logging {
        let region = seen.bucket_region.clone().or_else(|| request.create_bucket_in.clone());
        plan_logging(scope, log, seen, region.as_deref(), d)?;
    }
    if let Some(edit) = &h.cors_edit {
        if request.cors.is_some() {
            return Err(Error::invalid("CORS", "add a rule or edit the rules, not both in one change"));
        }
        let current = seen.cors.clone().unwrap_or_default();
        if edit.based_on != current {
            return Err(Error::invalid("CORS", "the bucket's CORS rules changed since they were loaded; load them again and redo the edit (nothing was changed)"));
        }
        // Rules as they are on the bucket stay as they are; new and edited ones are written as browsers match them.
        let rules = edit.rules.iter().map(|r| if current.contains(r) { Ok(r.clone()) } else { r.normalised() }).collect::<Result<Vec<_>>>()?;
        for r in &rules {
            d.notes.extend(r.warnings());
        }
        check_cors_limits(&rules)?;
        if rules == current {
            d.notes.push("CORS: the rules are unchanged.".into());
        } else if rules.is_empty() {
            d.steps.push(Action::DeleteBucketCors { bucket: scope.bucket.clone(), previous: current });
        } else {
            d.steps.push(Action::PutBucketCors { bucket: scope.bucket.clone(), rules, previous: seen.cors.clone(), added: None });
        }
    }
    Ok(encryption)
}

/// A CORS rule to add, merged into what the bucket has.
fn plan_cors(request: &AccessRequest, seen: &Observed, d: &mut Draft) -> Result<()> {
    let Some(rule) = &request.cors else { return Ok(()) };
    let rule = rule.normalised()?;
    d.notes.extend(rule.warnings());
    match merge_cors(seen.cors.as_deref(), &rule)? {
        Some(rules) => d.steps.push(Action::PutBucketCors { bucket: request.scope.bucket.clone(), rules, previous: seen.cors.clone(), added: Some(rule) }),
        None => d.notes.push("CORS: an identical rule is already there.".into()),
    }
    Ok(())
}

/// The KMS key a grant must be allowed to use: the bucket's customer-managed default-encryption key. The
/// AWS managed key (`aws/s3`, or SSE-KMS without a key named) needs no grant of its own.
fn bucket_key(encryption: Option<&Encryption>, scope: &Scope, seen: &Observed) -> Result<Option<BucketKey>> {
    let Some(Encryption { algorithm, kms_key_id: Some(key) }) = encryption else { return Ok(None) };
    if !algorithm.starts_with("aws:kms") || key.ends_with("alias/aws/s3") {
        return Ok(None);
    }
    let region = seen.bucket_region.as_deref().unwrap_or_default();
    let account = match (key.starts_with("arn:"), seen.account.as_deref()) {
        (true, _) => "",
        (false, Some(a)) => a,
        (false, None) => seen.account()?,
    };
    Ok(Some(BucketKey::from_bucket_setting(key, &scope.partition, region, account)))
}

/// The IAM user, its policy (inline by default) and its key.
fn plan_user(request: &AccessRequest, scope: &Scope, u: &IamUserOptions, doc: &PolicyDocument, seen: &Observed, opts: &PlanOptions, d: &mut Draft) -> Result<String> {
    crate::validate::user_name(&u.user_name)?;
    crate::validate::policy_name(&u.policy_name)?;
    let grants = grants_text(scope, request.level);
    if seen.user_exists && !u.reuse_existing_user {
        return Err(Error::NameTaken { kind: "IAM user", name: u.user_name.clone(), suggestion: seen.suggested_user_name.clone().unwrap_or_else(|| format!("{}-2", u.user_name)) });
    }
    if seen.user_exists && !seen.user_existing_access.is_empty() {
        if !u.accept_existing_access {
            return Err(Error::ExistingAccess { user: u.user_name.clone(), found: seen.user_existing_access.clone() });
        }
        d.notes.push(format!(
            "Warning: user \"{}\" already has other permissions ({}). A key for it can do all of that too, not only {grants}.",
            u.user_name,
            seen.user_existing_access.join("; ")
        ));
    }
    if seen.user_exists && u.create_access_key && seen.user_key_count >= 2 {
        return Err(Error::KeyLimit { user: u.user_name.clone() });
    }
    let headline = format!(
        "{} for {} IAM user \"{}\"{}",
        capitalise(&grants),
        if seen.user_exists { "the existing" } else { "a new" },
        u.user_name,
        seen.account.as_ref().map(|a| format!(" in account {a}")).unwrap_or_default()
    );
    if !seen.user_exists {
        d.steps.push(Action::CreateUser { user_name: u.user_name.clone() });
    } else {
        d.notes.push(format!("User \"{}\" already exists and will be reused; nothing it already has is changed.", u.user_name));
    }
    if !u.managed_policy {
        if seen.user_inline_policies.iter().any(|(n, _)| n == &u.policy_name) {
            return Err(Error::NameTaken { kind: "Inline policy", name: u.policy_name.clone(), suggestion: format!("{}-2", u.policy_name) });
        }
        let existing: usize = seen.user_inline_policies.iter().map(|(_, s)| s).sum();
        policy::check_user_inline_size(doc, existing)?;
        d.steps.push(Action::PutUserPolicy { user_name: u.user_name.clone(), policy_name: u.policy_name.clone(), document: doc.clone(), grants });
    } else {
        policy::check_managed_size(doc)?;
        if seen.managed_policy_exists {
            return Err(Error::NameTaken {
                kind: "Managed policy",
                name: u.policy_name.clone(),
                suggestion: seen.suggested_policy_name.clone().unwrap_or_else(|| format!("{}-2", u.policy_name)),
            });
        }
        let policy_arn = managed_policy_arn(&scope.partition, seen.account()?, &u.policy_name);
        // The policy goes before the user's other steps so a user never exists half-configured for long.
        let at = d.steps.iter().position(|s| matches!(s, Action::CreateUser { .. })).unwrap_or(d.steps.len());
        d.steps.insert(at, Action::CreatePolicy { policy_name: u.policy_name.clone(), policy_arn: policy_arn.clone(), document: doc.clone(), grants });
        d.steps.push(Action::AttachUserPolicy { user_name: u.user_name.clone(), policy_name: u.policy_name.clone(), policy_arn });
    }
    if u.create_access_key {
        d.steps.push(Action::CreateAccessKey { user_name: u.user_name.clone() });
        if u.save_to_keychain {
            d.steps.push(Action::SaveSecretToKeychain { user_name: u.user_name.clone(), service: opts.keychain_service.clone() });
        }
    }
    Ok(headline)
}

/// A role another account assumes with an external ID, and its managed policy.
fn plan_role(request: &AccessRequest, scope: &Scope, r: &RoleOptions, doc: &PolicyDocument, seen: &Observed, d: &mut Draft) -> Result<String> {
    crate::validate::role_name(&r.role_name)?;
    crate::validate::policy_name(&r.policy_name)?;
    let their_account = crate::validate::trusted_principal(&r.other_account)?;
    if their_account == seen.account()? {
        d.notes.push("The account you trust is this same account: usually a role for another account trusts a different one.".into());
    }
    crate::validate::external_id(&r.external_id)?;
    if let Some(s) = r.max_session_seconds {
        if !(3600..=43200).contains(&s) {
            return Err(Error::invalid("maximum session", "the maximum session length must be between 1 and 12 hours"));
        }
    }
    if seen.role_exists {
        return Err(Error::NameTaken { kind: "IAM role", name: r.role_name.clone(), suggestion: seen.suggested_role_name.clone().unwrap_or_else(|| format!("{}-2", r.role_name)) });
    }
    if seen.managed_policy_exists {
        return Err(Error::NameTaken {
            kind: "Managed policy",
            name: r.policy_name.clone(),
            suggestion: seen.suggested_policy_name.clone().unwrap_or_else(|| format!("{}-2", r.policy_name)),
        });
    }
    policy::check_managed_size(doc)?;
    let grants = grants_text(scope, request.level);
    let policy_arn = managed_policy_arn(&scope.partition, seen.account()?, &r.policy_name);
    d.steps.push(Action::CreatePolicy { policy_name: r.policy_name.clone(), policy_arn: policy_arn.clone(), document: doc.clone(), grants: grants.clone() });
    d.steps.push(Action::CreateRole {
        role_name: r.role_name.clone(),
        trust: policy::cross_account_trust_policy(&scope.partition, &r.other_account, &r.external_id),
        other_account: r.other_account.clone(),
        max_session_seconds: r.max_session_seconds,
    });
    d.steps.push(Action::AttachRolePolicy { role_name: r.role_name.clone(), policy_name: r.policy_name.clone(), policy_arn });
    Ok(format!("{} for AWS account {} through role \"{}\"", capitalise(&grants), r.other_account, r.role_name))
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

/// The default encryption asked for: SSE-KMS with the given key (a KMS key or alias ARN in the bucket's
/// region and the session's partition), else SSE-S3. A key of another account gets a warning: that
/// account's key policy must let this one use it, or every upload fails.
fn encryption_target(h: &Hardening, bucket_region: &str, partition: &str, seen: &Observed, notes: &mut Vec<String>) -> Result<Encryption> {
    let Some(arn) = &h.kms_key_arn else { return Ok(Encryption::sse_s3()) };
    let arn = arn.trim();
    let key_account = crate::validate::kms_key_arn(arn, partition)?;
    let key_region = arn.split(':').nth(3).unwrap_or_default();
    if !bucket_region.is_empty() && key_region != bucket_region {
        return Err(Error::invalid("KMS key", format!("the key is in {key_region} but the bucket is in {bucket_region}; S3 needs a key in the bucket's region")));
    }
    if let Some(account) = &seen.account {
        if &key_account != account {
            notes.push(format!(
                "Warning: the KMS key belongs to another AWS account ({key_account}). Its key policy must let account {account} use it, or uploads to the bucket will fail."
            ));
        }
    }
    Ok(Encryption { algorithm: "aws:kms".into(), kms_key_id: Some(arn.to_string()) })
}

/// Access logging: the target must be another existing bucket in the same region; its policy gets the
/// log-delivery statement (merged, replacing ours for this source), then logging is switched on.
fn plan_logging(scope: &Scope, log: &LoggingTarget, seen: &Observed, bucket_region: Option<&str>, d: &mut Draft) -> Result<()> {
    crate::validate::bucket_name(&log.bucket)?;
    let prefix = crate::validate::log_prefix(&log.prefix)?;
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
    let target = LoggingTarget { bucket: log.bucket.clone(), prefix };
    if seen.logging.as_ref() == Some(&target) {
        d.notes.push(format!("Access logging: already on, into s3://{}/{}.", target.bucket, target.prefix));
        return Ok(());
    }
    let target_arn = format!("arn:{}:s3:::{}", scope.partition, target.bucket);
    let source_arn = scope.bucket_arn();
    let account = seen.account()?;
    match merge_log_delivery(seen.log_target_policy.as_deref(), &target_arn, &target.prefix, &source_arn, account)? {
        Some((document, kept)) => d.steps.push(Action::PutBucketPolicy {
            bucket: target.bucket.clone(),
            document,
            previous: seen.log_target_policy.clone(),
            added: log_delivery_statement(&target_arn, &target.prefix, &source_arn, account),
            kept_statements: kept,
            purpose: PolicyPurpose::LogDelivery { source: scope.bucket.clone() },
        }),
        None => d.notes.push(format!("Access logging: \"{}\" already lets S3 deliver these logs.", target.bucket)),
    }
    d.steps.push(Action::PutBucketLogging { bucket: scope.bucket.clone(), target, previous: seen.logging.clone() });
    Ok(())
}
