//! What this computer does not know: IAM users and roles carrying the app's `created-by` tag that are in
//! no entry of this computer's record (made from another computer, before a reinstall, or by a grant cut
//! short), and adopting one into the record so it can be rotated and revoked as usual.

use super::{has_created_by_tag, is_no_such_entity, out_of_reach};
use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::record::{now_rfc3339, Record, RecordEntry};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// A user or role the app made that this computer's record does not list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elsewhere {
    /// `iam-user` or `role`.
    pub kind: &'static str,
    pub name: String,
    pub created: Option<String>,
    /// A user's access keys: their secrets are not on this computer.
    pub keys: Vec<(String, String)>,
}

impl Elsewhere {
    pub fn label(&self) -> String {
        match self.kind {
            "role" => format!("role \"{}\"", self.name),
            _ => format!("IAM user \"{}\"", self.name),
        }
    }
}

fn time_text(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| std::time::SystemTime::try_from(*t).ok()).map(crate::record::format_time)
}

/// The names this computer's record holds in this session's account and endpoint.
fn known(session: &Session, account: &str, record: &Record, kind: &str) -> Vec<String> {
    record
        .entries
        .iter()
        .filter(|e| out_of_reach(session, account, e).is_none())
        .filter_map(|e| if kind == "role" { e.role_name.clone() } else { e.user_name.clone() })
        .collect()
}

/// Every tagged user and role of the account that the record does not list.
pub async fn find(session: &Session, record: &Record) -> Result<Vec<Elsewhere>> {
    let account = session.whoami().await?.account;
    let iam = &session.iam;
    let ctx = &session.ctx;
    let mut out = Vec::new();
    let users_known = known(session, &account, record, "iam-user");
    let mut users = iam.list_users().into_paginator().items().send();
    while let Some(u) = users.next().await {
        let u = u.map_err(|e| from_sdk(ctx, "ListUsers", e))?;
        let name = u.user_name().to_string();
        if users_known.contains(&name) {
            continue;
        }
        let tags = iam.list_user_tags().user_name(&name).send().await.map_err(|e| from_sdk(ctx, "ListUserTags", e))?;
        if !has_created_by_tag(tags.tags()) {
            continue;
        }
        let keys = match super::user_keys(session, &name).await? {
            Some(k) => k.iter().map(|k| (k.access_key_id().unwrap_or_default().to_string(), k.status().map(|s| s.as_str().to_string()).unwrap_or_default())).collect(),
            None => continue,
        };
        out.push(Elsewhere { kind: "iam-user", name, created: time_text(Some(u.create_date())), keys });
    }
    let roles_known = known(session, &account, record, "role");
    let mut roles = iam.list_roles().into_paginator().items().send();
    while let Some(r) = roles.next().await {
        let r = r.map_err(|e| from_sdk(ctx, "ListRoles", e))?;
        let name = r.role_name().to_string();
        if roles_known.contains(&name) {
            continue;
        }
        let tags = iam.list_role_tags().role_name(&name).send().await.map_err(|e| from_sdk(ctx, "ListRoleTags", e))?;
        if has_created_by_tag(tags.tags()) {
            out.push(Elsewhere { kind: "role", name, created: time_text(Some(r.create_date())), keys: vec![] });
        }
    }
    Ok(out)
}

/// The bucket and folder an app-made policy is about (its first `arn:aws:s3:::BUCKET[/FOLDER/*]` resource).
fn scope_of(doc: &serde_json::Value) -> (String, Option<String>) {
    let resources = doc["Statement"].as_array().into_iter().flatten().flat_map(|s| match &s["Resource"] {
        serde_json::Value::String(r) => vec![r.clone()],
        serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => vec![],
    });
    let (mut bucket, mut folder) = (String::new(), None);
    for r in resources {
        let Some(rest) = r.split_once(":s3:::").map(|(_, rest)| rest.to_string()) else { continue };
        let (b, path) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
        if bucket.is_empty() {
            bucket = b.to_string();
        }
        let f = path.trim_end_matches('*').trim_end_matches('/');
        if b == bucket && folder.is_none() && !f.is_empty() {
            folder = Some(format!("{f}/"));
        }
    }
    (bucket, folder)
}

/// Add a user or role the app made elsewhere to this computer's record (nothing in AWS changes). It must
/// carry the app's tag. Its keys are listed; their secrets are not on this computer.
pub async fn adopt(session: &Session, name: &str) -> Result<RecordEntry> {
    crate::validate::user_name(name).or_else(|_| crate::validate::role_name(name))?;
    let record = Record::load()?;
    let found = find(session, &record).await?;
    let one = found.into_iter().find(|e| e.name == name).ok_or_else(|| {
        Error::invalid("access", format!("no IAM user or role named \"{name}\" made by this app is missing from this computer's list; `s3aw access list --all` shows those there are"))
    })?;
    let account = session.whoami().await?.account;
    let iam = &session.iam;
    let ctx = &session.ctx;
    let (mut inline, mut policy_arn, mut doc) = (None, None, serde_json::Value::Null);
    if one.kind == "iam-user" {
        let names = iam.list_user_policies().user_name(name).send().await.map_err(|e| from_sdk(ctx, "ListUserPolicies", e))?;
        if let Some(p) = names.policy_names().iter().find(|p| p.as_str() != crate::iam::REVOKE_OLDER_SESSIONS) {
            inline = Some(p.clone());
            doc = match iam.get_user_policy().user_name(name).policy_name(p).send().await {
                Ok(out) => super::decode_document(out.policy_document()).unwrap_or_default(),
                Err(e) if is_no_such_entity(e.code()) => serde_json::Value::Null,
                Err(e) => return Err(from_sdk(ctx, "GetUserPolicy", e)),
            };
        }
        if inline.is_none() {
            let attached = iam.list_attached_user_policies().user_name(name).send().await.map_err(|e| from_sdk(ctx, "ListAttachedUserPolicies", e))?;
            policy_arn = attached.attached_policies().first().and_then(|p| p.policy_arn()).map(str::to_string);
        }
    } else {
        let attached = iam.list_attached_role_policies().role_name(name).send().await.map_err(|e| from_sdk(ctx, "ListAttachedRolePolicies", e))?;
        policy_arn = attached.attached_policies().first().and_then(|p| p.policy_arn()).map(str::to_string);
    }
    let (bucket, prefix) = scope_of(&doc);
    let now = now_rfc3339();
    let entry = RecordEntry {
        id: format!("{name}-adopted-{}", now.replace([':', '-'], "")),
        created_at: one.created.clone().unwrap_or(now),
        account,
        kind: one.kind.to_string(),
        user_name: (one.kind == "iam-user").then(|| name.to_string()),
        role_name: (one.kind == "role").then(|| name.to_string()),
        policy_arn,
        inline_policy_name: inline,
        // The tag says the app made it.
        created_user: one.kind == "iam-user",
        created_policy: false,
        bucket,
        prefix,
        level: String::new(),
        access_key_ids: one.keys.iter().map(|(id, _)| id.clone()).collect(),
        endpoint: session.endpoint_url().map(str::to_string),
        ..Default::default()
    };
    Record::append(entry.clone())?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_comes_from_the_policy() {
        let doc = serde_json::json!({"Statement": [
            {"Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data"},
            {"Action": "s3:GetObject", "Resource": ["arn:aws:s3:::data/in/*"]}
        ]});
        assert_eq!(scope_of(&doc), ("data".to_string(), Some("in/".to_string())), "the folder from the objects' resource");
        let doc = serde_json::json!({"Statement": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]});
        assert_eq!(scope_of(&doc), ("data".to_string(), None));
        let doc = serde_json::json!({"Statement": [{"Action": "s3:GetObject", "Resource": ["arn:aws:s3:::data/in/*"]}]});
        assert_eq!(scope_of(&doc), ("data".to_string(), Some("in/".to_string())));
        assert_eq!(scope_of(&serde_json::Value::Null), (String::new(), None));
    }
}
