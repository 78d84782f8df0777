//! Reading what a plan depends on. Only read calls; nothing changes.

use super::{managed_policy_arn, Observed, PlanOptions};
use crate::connect::Session;
use crate::error::Result;
use crate::request::{AccessRequest, Method};

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
        crate::inventory::head_bucket(session, bucket),
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
    seen.bucket_exists = bucket_exists.is_some();
    let grants = matches!(request.method, Method::IamUser(_) | Method::CrossAccountRole(_));
    let touches_bucket = request.cors.is_some() || h.touches_bucket();
    // The bucket's region: for changes to the bucket itself (AWS redirects calls made to another region)
    // and for a grant's KMS key. HeadBucket usually named it already.
    if let Some(hint) = bucket_exists.filter(|_| touches_bucket || grants) {
        let region = match hint {
            Some(r) => r,
            None => crate::inventory::bucket_region(session, bucket).await?,
        };
        let s3 = session.s3_in(&region);
        seen.bucket_region = Some(region);
        // A grant must be allowed to use the bucket's KMS key, if it encrypts with one; without the
        // permission to read that setting, the plan says what it could not check.
        if grants || h.default_encryption {
            match crate::inventory::read_encryption(session, &s3, bucket).await {
                Ok(e) => seen.encryption = e,
                Err(crate::Error::AccessDenied { .. }) if !h.default_encryption => seen.encryption_unreadable = true,
                Err(e) => return Err(e),
            }
            let bare_key = seen.encryption.as_ref().and_then(|e| e.kms_key_id.as_deref()).map(|k| !k.starts_with("arn:")).unwrap_or(false);
            if bare_key && seen.account.is_none() {
                seen.account = Some(session.whoami().await?.account);
            }
        }
        // Whether an overwrite can be undone: said in a reviewed plan of a grant that writes.
        if h.versioning || (grants && request.level.writes() && !opts.unattended) {
            seen.versioning = crate::inventory::read_versioning(session, &s3, bucket).await?;
            seen.versioning_read = true;
        }
        if request.cors.is_some() || h.cors_edit.is_some() {
            let rules = crate::inventory::bucket_cors(session, bucket).await?;
            seen.cors = (!rules.is_empty()).then_some(rules);
        }
        if request.hardening.tls_only {
            seen.bucket_policy = crate::inventory::read_bucket_policy(session, &s3, bucket).await?;
        }
        if request.hardening.block_public_access {
            seen.public_access_block = crate::inventory::read_public_access_block(session, &s3, bucket).await?;
        }
        if h.access_logging.is_some() {
            seen.logging = crate::inventory::read_logging(session, &s3, bucket).await?;
        }
    }
    if let Some(log) = &h.access_logging {
        seen.log_target_exists = log.bucket != *bucket && crate::validate::bucket_name(&log.bucket).is_ok() && crate::inventory::bucket_exists(session, &log.bucket).await?;
        if seen.log_target_exists {
            let region = crate::inventory::bucket_region(session, &log.bucket).await?;
            seen.log_target_policy = crate::inventory::read_bucket_policy(session, &session.s3_in(&region), &log.bucket).await?;
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
                    seen.user_existing_access = crate::iam::existing_access(session, &u.user_name).await?;
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

