//! Small read helpers over IAM: one thin async function per question the planner asks.

use crate::connect::Session;
use crate::error::{from_sdk, Result};
use std::future::Future;

pub async fn user_exists(session: &Session, name: &str) -> Result<bool> {
    match session.iam.get_user().user_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().map(|s| s.is_no_such_entity_exception()).unwrap_or(false) => Ok(false),
        Err(e) => Err(from_sdk(&session.ctx, "GetUser", e)),
    }
}

pub async fn role_exists(session: &Session, name: &str) -> Result<bool> {
    match session.iam.get_role().role_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().map(|s| s.is_no_such_entity_exception()).unwrap_or(false) => Ok(false),
        Err(e) => Err(from_sdk(&session.ctx, "GetRole", e)),
    }
}

pub async fn policy_exists(session: &Session, arn: &str) -> Result<bool> {
    match session.iam.get_policy().policy_arn(arn).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().map(|s| s.is_no_such_entity_exception()).unwrap_or(false) => Ok(false),
        Err(e) => Err(from_sdk(&session.ctx, "GetPolicy", e)),
    }
}

pub async fn access_key_ids(session: &Session, user: &str) -> Result<Vec<String>> {
    let out = session.iam.list_access_keys().user_name(user).send().await.map_err(|e| from_sdk(&session.ctx, "ListAccessKeys", e))?;
    Ok(out.access_key_metadata().iter().filter_map(|k| k.access_key_id().map(str::to_string)).collect())
}

/// Names and sizes (characters, whitespace not counted) of a user's inline policies.
pub async fn inline_policy_sizes(session: &Session, user: &str) -> Result<Vec<(String, usize)>> {
    let names = session.iam.list_user_policies().user_name(user).send().await.map_err(|e| from_sdk(&session.ctx, "ListUserPolicies", e))?;
    let mut out = Vec::new();
    for name in names.policy_names() {
        let doc = session.iam.get_user_policy().user_name(user).policy_name(name).send().await.map_err(|e| from_sdk(&session.ctx, "GetUserPolicy", e))?;
        // IAM returns the document URL-encoded.
        let text = percent_encoding::percent_decode_str(doc.policy_document()).decode_utf8_lossy().to_string();
        out.push((name.clone(), text.chars().filter(|c| !c.is_whitespace()).count()));
    }
    Ok(out)
}

/// The first of `NAME-2` … `NAME-20` for which `taken` says no.
pub async fn free_name<F, Fut>(base: &str, taken: F) -> Result<Option<String>>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    for i in 2..=20 {
        let candidate = format!("{base}-{i}");
        if candidate.len() <= 64 && !taken(candidate.clone()).await? {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}
