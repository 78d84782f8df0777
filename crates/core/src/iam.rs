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

/// Create an access key for `user`. The secret is wrapped the moment it leaves the SDK's response. Used by
/// grants and rotations alike.
pub async fn create_access_key(session: &Session, user: &str) -> Result<crate::secret::AccessKey> {
    let out = session.iam.create_access_key().user_name(user).send().await.map_err(|e| {
        if e.as_service_error().map(|s| s.is_limit_exceeded_exception()).unwrap_or(false) {
            crate::Error::KeyLimit { user: user.to_string() }
        } else {
            from_sdk(&session.ctx, "CreateAccessKey", e)
        }
    })?;
    let key = out.access_key().ok_or_else(|| crate::Error::Internal("AWS created a key but returned none".into()))?;
    Ok(crate::secret::AccessKey { access_key_id: key.access_key_id().to_string(), secret_access_key: crate::secret::Secret::new(key.secret_access_key()) })
}

/// What a user can already do, in plain words: its inline policies, attached policies and groups (each
/// group's own policies come with it). Empty when the user has no permissions yet.
pub async fn existing_access(session: &Session, user: &str) -> Result<Vec<String>> {
    let iam = &session.iam;
    let ctx = &session.ctx;
    let (inline, attached, groups) = futures::try_join!(
        async { iam.list_user_policies().user_name(user).send().await.map_err(|e| from_sdk(ctx, "ListUserPolicies", e)) },
        async { iam.list_attached_user_policies().user_name(user).send().await.map_err(|e| from_sdk(ctx, "ListAttachedUserPolicies", e)) },
        async { iam.list_groups_for_user().user_name(user).send().await.map_err(|e| from_sdk(ctx, "ListGroupsForUser", e)) },
    )?;
    let mut out = Vec::new();
    out.extend(inline.policy_names().iter().filter(|n| n.as_str() != REVOKE_OLDER_SESSIONS).map(|n| format!("its own policy \"{n}\"")));
    out.extend(attached.attached_policies().iter().filter_map(|p| p.policy_name()).map(|n| format!("the attached policy \"{n}\"")));
    out.extend(groups.groups().iter().map(|g| format!("membership of the group \"{}\" (and that group's policies)", g.group_name())));
    Ok(out)
}

/// The inline policy that refuses sessions issued before a time, as the console's "Revoke active sessions"
/// names it.
pub const REVOKE_OLDER_SESSIONS: &str = "AWSRevokeOlderSessions";

/// Deny everything to temporary credentials issued before `before` (RFC 3339, UTC). Long-term keys carry
/// no `aws:TokenIssueTime`, so they are not affected; sessions made from a key (sts:GetSessionToken, up to
/// 36 hours) or from a role are.
pub fn revoke_older_sessions_policy(before: &str) -> crate::policy::PolicyDocument {
    crate::policy::PolicyDocument::new(vec![crate::policy::Statement {
        sid: Some("RevokeOlderSessions".into()),
        effect: "Deny".into(),
        principal: None,
        action: vec!["*".into()],
        resource: vec!["*".into()],
        condition: Some(serde_json::json!({ "DateLessThan": { "aws:TokenIssueTime": before } })),
    }])
}

/// How far before AWS's "now" a session cut-off is put: IAM refuses tokens issued before the cut-off, and
/// one a little in the past never reaches a session made after the change (this computer's clock can be
/// ahead of AWS's by minutes).
pub const CUT_OFF_MARGIN: std::time::Duration = std::time::Duration::from_secs(30);

/// The `Date` of an answer, as AWS's clock had it.
#[derive(Debug, Clone, Default)]
struct AnswerDate(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl aws_smithy_runtime_api::client::interceptors::Intercept for AnswerDate {
    fn name(&self) -> &'static str {
        "AnswerDate"
    }

    fn read_before_deserialization(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> std::result::Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(d) = ctx.response().headers().get("date") {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(d.to_string());
        }
        Ok(())
    }
}

/// The cut-off for "sessions made before now": AWS's time (the `Date` of an STS answer) less
/// [`CUT_OFF_MARGIN`]; this computer's clock only when AWS's cannot be read.
pub async fn session_cut_off(session: &Session) -> String {
    let seen = AnswerDate::default();
    let _ = session.sts.get_caller_identity().customize().interceptor(seen.clone()).send().await;
    let date = seen.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
    cut_off_from(date.as_deref(), std::time::SystemTime::now())
}

/// [`session_cut_off`] from an HTTP `Date` (IMF-fixdate, as AWS sends it).
pub fn cut_off_from(date: Option<&str>, local_now: std::time::SystemTime) -> String {
    let aws_now = date
        .and_then(|d| aws_smithy_types::DateTime::from_str(d.trim(), aws_smithy_types::date_time::Format::HttpDate).ok())
        .and_then(|d| std::time::SystemTime::try_from(d).ok())
        .unwrap_or(local_now);
    crate::record::format_time(aws_now - CUT_OFF_MARGIN)
}

/// Who a session cut-off applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    User(String),
    Role(String),
}

/// Put [`revoke_older_sessions_policy`] on a user or role (replacing an earlier one).
pub async fn revoke_older_sessions(session: &Session, who: &Principal, before: &str) -> Result<()> {
    let doc = revoke_older_sessions_policy(before).to_json_pretty();
    match who {
        Principal::User(u) => session
            .iam
            .put_user_policy()
            .user_name(u)
            .policy_name(REVOKE_OLDER_SESSIONS)
            .policy_document(doc)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| from_sdk(&session.ctx, "PutUserPolicy", e)),
        Principal::Role(r) => session
            .iam
            .put_role_policy()
            .role_name(r)
            .policy_name(REVOKE_OLDER_SESSIONS)
            .policy_document(doc)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| from_sdk(&session.ctx, "PutRolePolicy", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The session cut-off is the console's: Deny everything for tokens issued before the time. It names no
    /// long-term key condition, so keys keep working (the emulator does not evaluate aws:TokenIssueTime).
    #[test]
    fn the_cut_off_is_awss_time_less_a_margin() {
        let local = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        // AWS says a minute before this computer's clock: AWS's time wins.
        assert_eq!(cut_off_from(Some("Tue, 15 Jan 2027 07:59:00 GMT"), local), "2027-01-15T07:58:30Z");
        assert_eq!(cut_off_from(None, local), crate::record::format_time(local - CUT_OFF_MARGIN));
        assert_eq!(cut_off_from(Some("not a date"), local), crate::record::format_time(local - CUT_OFF_MARGIN));
    }

    #[test]
    fn older_sessions_are_refused_by_token_issue_time() {
        let doc = revoke_older_sessions_policy("2026-11-23T20:00:00Z");
        let v = serde_json::to_value(&doc).unwrap();
        assert_eq!(v["Statement"][0]["Effect"], "Deny");
        assert_eq!(v["Statement"][0]["Action"], serde_json::json!(["*"]));
        assert_eq!(v["Statement"][0]["Resource"], serde_json::json!(["*"]));
        assert_eq!(v["Statement"][0]["Condition"], serde_json::json!({ "DateLessThan": { "aws:TokenIssueTime": "2026-11-23T20:00:00Z" } }));
    }
}
