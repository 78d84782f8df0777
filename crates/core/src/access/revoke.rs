//! Revocation: remove everything the app created for one access, in the order AWS requires (access keys,
//! inline policies, detached managed policies, the user or role, the policies the app created), then the
//! keychain entries and the record entry. [`plan_revoke`] only reads, so the user confirms an exact list.
//!
//! An entity is deleted only when the record says the app created it and it carries the app's tag, or the
//! caller adopts it. Everything else is left alone and listed as kept, with why.

use super::{has_created_by_tag, is_no_such_entity, out_of_reach, user_keys};
use crate::apply::Progress;
use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::iam::{Principal, REVOKE_OLDER_SESSIONS};
use crate::keychain::{run_blocking, KeyRef, Keychain};
use crate::journal;
use crate::record::{Record, RecordEntry};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevokeStep {
    /// Refuse every session made before now (the console's "Revoke active sessions"), first, so nothing
    /// issued earlier keeps working while the rest is deleted.
    RevokeOlderSessions { principal: Principal },
    DeleteAccessKey { user: String, access_key_id: String },
    DeleteUserPolicy { user: String, policy_name: String },
    DetachUserPolicy { user: String, policy_arn: String },
    DeleteUser { user: String },
    DetachRolePolicy { role: String, policy_arn: String },
    DeleteRolePolicy { role: String, policy_name: String },
    DeleteRole { role: String },
    DeletePolicy { policy_arn: String },
    DeleteKeychainEntry { key: KeyRef },
    ForgetRecordEntry { id: String },
}

impl RevokeStep {
    pub fn api_call(&self) -> &'static str {
        match self {
            RevokeStep::RevokeOlderSessions { principal: Principal::User(_) } => "iam:PutUserPolicy",
            RevokeStep::RevokeOlderSessions { principal: Principal::Role(_) } => "iam:PutRolePolicy",
            RevokeStep::DeleteAccessKey { .. } => "iam:DeleteAccessKey",
            RevokeStep::DeleteUserPolicy { .. } => "iam:DeleteUserPolicy",
            RevokeStep::DetachUserPolicy { .. } => "iam:DetachUserPolicy",
            RevokeStep::DeleteUser { .. } => "iam:DeleteUser",
            RevokeStep::DetachRolePolicy { .. } => "iam:DetachRolePolicy",
            RevokeStep::DeleteRolePolicy { .. } => "iam:DeleteRolePolicy",
            RevokeStep::DeleteRole { .. } => "iam:DeleteRole",
            RevokeStep::DeletePolicy { .. } => "iam:DeletePolicy",
            RevokeStep::DeleteKeychainEntry { .. } => "keychain:Delete",
            RevokeStep::ForgetRecordEntry { .. } => "record:Remove",
        }
    }

    pub fn summary(&self) -> String {
        match self {
            RevokeStep::RevokeOlderSessions { principal: Principal::User(u) } => {
                format!("Cut off all temporary sessions of \"{u}\" made before now (they would live up to 36 hours); AWS applies this within minutes")
            }
            RevokeStep::RevokeOlderSessions { principal: Principal::Role(r) } => format!("Cut off all sessions of role \"{r}\" made before now, as the console's \"Revoke active sessions\" does; AWS applies this within minutes"),
            RevokeStep::DeleteAccessKey { user, access_key_id } => format!("Delete access key {access_key_id} of \"{user}\""),
            RevokeStep::DeleteUserPolicy { user, policy_name } => format!("Delete the policy \"{policy_name}\" of user \"{user}\" (its own, inline)"),
            RevokeStep::DetachUserPolicy { user, policy_arn } => format!("Take the policy {} away from \"{user}\"", short_arn(policy_arn)),
            RevokeStep::DeleteUser { user } => format!("Delete the IAM user \"{user}\""),
            RevokeStep::DetachRolePolicy { role, policy_arn } => format!("Take the policy {} away from role \"{role}\"", short_arn(policy_arn)),
            RevokeStep::DeleteRolePolicy { role, policy_name } => format!("Delete the inline policy \"{policy_name}\" of role \"{role}\""),
            RevokeStep::DeleteRole { role } => format!("Delete the role \"{role}\""),
            RevokeStep::DeletePolicy { policy_arn } => format!("Delete the policy {}", short_arn(policy_arn)),
            RevokeStep::DeleteKeychainEntry { key } => format!("Remove the saved secret of {} from this computer's keychain", key.access_key_id),
            RevokeStep::ForgetRecordEntry { .. } => "Remove it from the list".to_string(),
        }
    }
}

fn short_arn(arn: &str) -> String {
    format!("\"{}\"", arn.rsplit('/').next().unwrap_or(arn))
}

/// What revoking one entry will do.
#[derive(Clone, Debug, PartialEq)]
pub struct RevokePlan {
    pub entry: RecordEntry,
    pub steps: Vec<RevokeStep>,
    /// Things that stay, with why (not made by the app, still used elsewhere).
    pub kept: Vec<String>,
}

/// How to revoke.
#[derive(Clone, Copy, Debug, Default)]
pub struct RevokeOptions {
    /// Also delete what the app did not create (a reused user, an untagged policy, an imported key).
    pub adopt: bool,
    /// Do not cut off sessions made before now (by default they are: a session made from a key, or from
    /// the role, would otherwise keep working while the rest is deleted).
    pub keep_sessions: bool,
}

/// Read the account and list exactly what revoking `entry` deletes.
pub async fn plan_revoke(session: &Session, entry: &RecordEntry, opts: RevokeOptions) -> Result<RevokePlan> {
    let adopt = opts.adopt;
    let mut steps = Vec::new();
    let mut kept = Vec::new();
    let account = session.whoami().await?.account;
    if let Some(why) = out_of_reach(session, &account, entry) {
        return Err(Error::OutOfReach { why: format!("This access was {why}") });
    }
    let iam = &session.iam;
    let ctx = &session.ctx;
    let mut key_ids: Vec<String> = entry.access_key_ids.clone();

    if let Some(user) = &entry.user_name {
        if let Some(keys) = user_keys(session, user).await? {
            let tagged = {
                let tags = iam.list_user_tags().user_name(user).send().await.map_err(|e| from_sdk(ctx, "ListUserTags", e))?;
                has_created_by_tag(tags.tags())
            };
            let delete_user = (entry.created_user && tagged) || adopt;
            if delete_user && !opts.keep_sessions {
                steps.push(RevokeStep::RevokeOlderSessions { principal: Principal::User(user.clone()) });
            }
            if !delete_user {
                kept.push(if entry.created_user {
                    format!("The IAM user \"{user}\" no longer carries this app's tag, so it may have been replaced; it is kept (adopt it to delete it)")
                } else {
                    format!("The IAM user \"{user}\" was there before this app; it is kept, and only what the app added is removed")
                });
            }
            for k in keys.iter().filter_map(|k| k.access_key_id()) {
                let ours = entry.access_key_ids.iter().any(|id| id == k) && (entry.kind != "imported" || adopt);
                if delete_user || ours {
                    steps.push(RevokeStep::DeleteAccessKey { user: user.clone(), access_key_id: k.to_string() });
                    if !key_ids.iter().any(|id| id == k) {
                        key_ids.push(k.to_string());
                    }
                } else if entry.access_key_ids.iter().any(|id| id == k) {
                    kept.push(format!("The access key {k} was imported, not made by this app: it keeps working in AWS (adopt it to delete it); only the saved secret is removed"));
                }
            }
            let inline = iam.list_user_policies().user_name(user).send().await.map_err(|e| from_sdk(ctx, "ListUserPolicies", e))?;
            let mut inline_names: Vec<String> = inline.policy_names().to_vec();
            if delete_user && !opts.keep_sessions && !inline_names.iter().any(|n| n == REVOKE_OLDER_SESSIONS) {
                inline_names.push(REVOKE_OLDER_SESSIONS.to_string());
            }
            for name in inline_names {
                if delete_user || entry.inline_policy_name.as_deref() == Some(name.as_str()) {
                    steps.push(RevokeStep::DeleteUserPolicy { user: user.clone(), policy_name: name });
                }
            }
            if !delete_user {
                kept.push(format!("Sessions of \"{user}\" are not cut off: it keeps its other permissions, and the access removed here stops for its sessions too once its policy is gone"));
            }
            let attached = iam.list_attached_user_policies().user_name(user).send().await.map_err(|e| from_sdk(ctx, "ListAttachedUserPolicies", e))?;
            for p in attached.attached_policies() {
                let arn = p.policy_arn().unwrap_or_default();
                if delete_user || entry.policy_arn.as_deref() == Some(arn) {
                    steps.push(RevokeStep::DetachUserPolicy { user: user.clone(), policy_arn: arn.to_string() });
                }
            }
            if delete_user {
                steps.push(RevokeStep::DeleteUser { user: user.clone() });
            }
        } else {
            kept.push(format!("The IAM user \"{user}\" was already deleted outside this app"));
        }
    } else if let Some(role) = &entry.role_name {
        match iam.list_role_tags().role_name(role).send().await {
            Ok(tags) => {
                if has_created_by_tag(tags.tags()) || adopt {
                    if !opts.keep_sessions {
                        steps.push(RevokeStep::RevokeOlderSessions { principal: Principal::Role(role.clone()) });
                    }
                    let attached = iam.list_attached_role_policies().role_name(role).send().await.map_err(|e| from_sdk(ctx, "ListAttachedRolePolicies", e))?;
                    for p in attached.attached_policies() {
                        steps.push(RevokeStep::DetachRolePolicy { role: role.clone(), policy_arn: p.policy_arn().unwrap_or_default().to_string() });
                    }
                    let inline = iam.list_role_policies().role_name(role).send().await.map_err(|e| from_sdk(ctx, "ListRolePolicies", e))?;
                    let mut inline_names: Vec<String> = inline.policy_names().to_vec();
                    if !opts.keep_sessions && !inline_names.iter().any(|n| n == REVOKE_OLDER_SESSIONS) {
                        inline_names.push(REVOKE_OLDER_SESSIONS.to_string());
                    }
                    for name in inline_names {
                        steps.push(RevokeStep::DeleteRolePolicy { role: role.clone(), policy_name: name });
                    }
                    steps.push(RevokeStep::DeleteRole { role: role.clone() });
                } else {
                    kept.push(format!("The role \"{role}\" does not carry this app's tag, so it may have been replaced; it is kept (adopt it to delete it)"));
                    if let Some(arn) = &entry.policy_arn {
                        steps.push(RevokeStep::DetachRolePolicy { role: role.clone(), policy_arn: arn.clone() });
                    }
                }
            }
            Err(e) if is_no_such_entity(e.code()) => kept.push(format!("The role \"{role}\" was already deleted outside this app")),
            Err(e) => return Err(from_sdk(ctx, "ListRoleTags", e)),
        }
    }

    // The managed policy: deleted when the app made it and nothing else still uses it.
    if let Some(arn) = &entry.policy_arn {
        match iam.list_policy_tags().policy_arn(arn).send().await {
            Ok(tags) => {
                let ours = (entry.created_policy && has_created_by_tag(tags.tags())) || adopt;
                let detached_here = |kind: &str, name: &str| {
                    steps.iter().any(|s| match s {
                        RevokeStep::DetachUserPolicy { user, policy_arn } => kind == "user" && user == name && policy_arn == arn,
                        RevokeStep::DetachRolePolicy { role, policy_arn } => kind == "role" && role == name && policy_arn == arn,
                        _ => false,
                    })
                };
                let users = iam.list_entities_for_policy().policy_arn(arn).send().await.map_err(|e| from_sdk(ctx, "ListEntitiesForPolicy", e))?;
                let mut others: Vec<String> = Vec::new();
                others.extend(users.policy_users().iter().filter_map(|u| u.user_name()).filter(|u| !detached_here("user", u)).map(|u| format!("user \"{u}\"")));
                others.extend(users.policy_roles().iter().filter_map(|r| r.role_name()).filter(|r| !detached_here("role", r)).map(|r| format!("role \"{r}\"")));
                others.extend(users.policy_groups().iter().filter_map(|g| g.group_name()).map(|g| format!("group \"{g}\"")));
                if !ours {
                    kept.push(format!("The policy {} was not made by this app; it is kept", short_arn(arn)));
                } else if !others.is_empty() {
                    kept.push(format!("The policy {} is kept: it is still used by {}", short_arn(arn), others.join(", ")));
                } else {
                    steps.push(RevokeStep::DeletePolicy { policy_arn: arn.clone() });
                }
            }
            Err(e) if is_no_such_entity(e.code()) => {}
            Err(e) => return Err(from_sdk(ctx, "ListPolicyTags", e)),
        }
    }

    for id in &key_ids {
        steps.push(RevokeStep::DeleteKeychainEntry { key: entry.key_ref(id) });
    }
    steps.push(RevokeStep::ForgetRecordEntry { id: entry.id.clone() });
    Ok(RevokePlan { entry: entry.clone(), steps, kept })
}

/// A revocation that stopped. Nothing is undone (a deleted key cannot come back); running revoke again
/// plans from what is left.
#[derive(Debug)]
pub struct RevokeFailure {
    pub failed_summary: String,
    pub error: Error,
    pub done: Vec<String>,
    pub remaining: Vec<String>,
}

impl RevokeFailure {
    pub fn explain(&self) -> String {
        let mut out = format!("Revoking stopped at: {}\n{}\n", self.failed_summary, self.error);
        for d in &self.done {
            out.push_str(&format!("Done: {d}\n"));
        }
        for r in &self.remaining {
            out.push_str(&format!("Not done yet: {r}\n"));
        }
        out.push_str("The entry stays in the list; revoke it again to finish.\n");
        out
    }
}

/// Carry out a revocation plan, in order, stopping at the first failure. Each step is written to the
/// intent journal first; a revoke cut short is finished by `recover` (what is gone is skipped). A failure
/// the user is told about closes the entry: the record entry stays, and revoking again finishes it.
pub async fn revoke(session: &Session, keychain: &Keychain, plan: &RevokePlan, progress: &mut (dyn FnMut(Progress) + Send)) -> std::result::Result<(), RevokeFailure> {
    let total = plan.steps.len();
    let mut done = Vec::new();
    let change = journal::Change {
        kind: journal::Kind::Revoke,
        summary: format!("Revoke {}", plan.entry.principal_label()),
        account: Some(plan.entry.account.clone()),
        endpoint: session.endpoint_url().map(str::to_string),
        steps: total,
        detail: serde_json::json!({ "record_id": plan.entry.id }),
    };
    let fail = |index: usize, error: Error, done: Vec<String>| RevokeFailure { failed_summary: plan.steps.get(index).map(RevokeStep::summary).unwrap_or_default(), error, done, remaining: plan.steps[index.min(total)..].iter().map(RevokeStep::summary).collect() };
    let entry = journal::Entry::begin(change).map_err(|e| fail(0, e, vec![]))?;
    for (index, step) in plan.steps.iter().enumerate() {
        progress(Progress::StepStarted { index, total, summary: step.summary() });
        let result = match entry.intent(index, &step.summary(), &serde_json::json!({ "call": step.api_call() })) {
            Ok(()) => execute(session, keychain, step).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                entry.done(index, &serde_json::Value::Null);
                progress(Progress::StepSucceeded { index, detail: None });
                done.push(step.summary());
            }
            Err(error) => {
                progress(Progress::StepFailed { index, message: error.to_string() });
                let _ = entry.close(journal::Outcome::Stopped);
                return Err(fail(index, error, done));
            }
        }
    }
    let _ = entry.close(journal::Outcome::Finished);
    Ok(())
}

async fn execute(session: &Session, keychain: &Keychain, step: &RevokeStep) -> Result<()> {
    let iam = &session.iam;
    let ctx = &session.ctx;
    // Something already gone is not a failure: revoking twice, or after a partial run, must finish.
    macro_rules! gone_ok {
        ($call:expr, $op:literal) => {
            match $call.send().await {
                Ok(_) => Ok(()),
                Err(e) if is_no_such_entity(e.code()) => Ok(()),
                Err(e) => Err(from_sdk(ctx, $op, e)),
            }
        };
    }
    match step {
        RevokeStep::RevokeOlderSessions { principal } => crate::iam::revoke_older_sessions(session, principal, &crate::iam::session_cut_off(session).await).await,
        RevokeStep::DeleteAccessKey { user, access_key_id } => gone_ok!(iam.delete_access_key().user_name(user).access_key_id(access_key_id), "DeleteAccessKey"),
        RevokeStep::DeleteUserPolicy { user, policy_name } => gone_ok!(iam.delete_user_policy().user_name(user).policy_name(policy_name), "DeleteUserPolicy"),
        RevokeStep::DetachUserPolicy { user, policy_arn } => gone_ok!(iam.detach_user_policy().user_name(user).policy_arn(policy_arn), "DetachUserPolicy"),
        RevokeStep::DeleteUser { user } => gone_ok!(iam.delete_user().user_name(user), "DeleteUser"),
        RevokeStep::DetachRolePolicy { role, policy_arn } => gone_ok!(iam.detach_role_policy().role_name(role).policy_arn(policy_arn), "DetachRolePolicy"),
        RevokeStep::DeleteRolePolicy { role, policy_name } => gone_ok!(iam.delete_role_policy().role_name(role).policy_name(policy_name), "DeleteRolePolicy"),
        RevokeStep::DeleteRole { role } => gone_ok!(iam.delete_role().role_name(role), "DeleteRole"),
        RevokeStep::DeletePolicy { policy_arn } => {
            // A managed policy's non-default versions go first.
            let versions = iam.list_policy_versions().policy_arn(policy_arn).send().await.map_err(|e| from_sdk(ctx, "ListPolicyVersions", e))?;
            for v in versions.versions().iter().filter(|v| !v.is_default_version()) {
                if let Some(id) = v.version_id() {
                    gone_ok!(iam.delete_policy_version().policy_arn(policy_arn).version_id(id), "DeletePolicyVersion")?;
                }
            }
            gone_ok!(iam.delete_policy().policy_arn(policy_arn), "DeletePolicy")
        }
        RevokeStep::DeleteKeychainEntry { key } => {
            let (k, r) = (keychain.clone(), key.clone());
            run_blocking(move || k.delete(&r)).await
        }
        RevokeStep::ForgetRecordEntry { id } => Record::modify(|r| r.entries.retain(|e| &e.id != id)),
    }
}
