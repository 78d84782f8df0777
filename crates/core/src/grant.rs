//! What follows a successful apply, shared by the CLI and the desktop app: remembering what was created.

use crate::apply::Applied;
use crate::connect::Session;
use crate::error::Result;
use crate::plan::{Action, Plan};
use crate::record::{now_rfc3339, Record, RecordEntry};
use crate::request::Method;

/// The record entry for an applied plan (no secret in it), or `None` when the plan created nothing to track
/// (or, which the apply prevents, its account is unknown).
pub fn record_entry(session: &Session, plan: &Plan, applied: &Applied) -> Option<RecordEntry> {
    let account = applied.account.clone().or_else(|| plan.account.clone())?;
    let mut entry = draft_entry(session, plan)?;
    entry.account = account;
    entry.access_key_ids = applied.access_key.iter().map(|k| k.access_key_id.clone()).collect();
    Some(entry)
}

/// The record entry a plan will make, before it is applied: no key yet, and the account as the plan
/// knows it (empty for an unattended plan, which learns it from the user it creates). `None` for plans
/// that record nothing (bucket settings, links). The intent journal keeps it, so `recover` can finish
/// an interrupted grant.
pub fn draft_entry(session: &Session, plan: &Plan) -> Option<RecordEntry> {
    let req = &plan.request;
    let find_policy_arn = || {
        plan.steps.iter().find_map(|s| match s {
            Action::CreatePolicy { policy_arn, .. } => Some(policy_arn.clone()),
            _ => None,
        })
    };
    let inline = plan.steps.iter().find_map(|s| match s {
        Action::PutUserPolicy { policy_name, .. } => Some(policy_name.clone()),
        _ => None,
    });
    let (kind, user_name, role_name, created_user) = match &req.method {
        Method::IamUser(u) => ("iam-user", Some(u.user_name.clone()), None, plan.steps.iter().any(|s| matches!(s, Action::CreateUser { .. }))),
        Method::CrossAccountRole(r) => ("role", None, Some(r.role_name.clone()), false),
        Method::PresignedLinks | Method::BucketSettings => return None,
    };
    let account = plan.account.clone().unwrap_or_default();
    let created_at = now_rfc3339();
    Some(RecordEntry {
        id: format!("{}-{}", user_name.as_deref().or(role_name.as_deref()).unwrap_or("access"), created_at.replace([':', '-'], "")),
        created_at,
        account,
        kind: kind.into(),
        user_name,
        role_name,
        policy_arn: find_policy_arn(),
        inline_policy_name: inline,
        created_user,
        created_policy: plan.steps.iter().any(|s| matches!(s, Action::CreatePolicy { .. })),
        bucket: req.scope.bucket.clone(),
        prefix: req.scope.prefix.clone(),
        level: req.level.as_str().into(),
        access_key_ids: Vec::new(),
        endpoint: session.endpoint_url().map(str::to_string),
        ends_at: req.scope.limits.ends_at.clone(),
        source_ips: req.scope.limits.source_ips.clone(),
        share_files: Vec::new(),
    })
}

/// Add the applied plan to the local record, and close its journal entry. Returns the new entry's id
/// (`None` when the plan created nothing to track). When the record cannot be written the journal entry
/// stays open, so `recover` finishes it later.
pub fn remember(session: &Session, plan: &Plan, applied: &Applied) -> Result<Option<String>> {
    let id = match record_entry(session, plan, applied) {
        Some(entry) => {
            let id = entry.id.clone();
            Record::append(entry)?;
            Some(id)
        }
        None => None,
    };
    applied.close_journal();
    Ok(id)
}
