//! Every policy an IAM user or role holds, for "what can this key do?": its inline policies, the
//! managed policies attached to it (their default version), for a user the inline and attached policies of
//! each of its groups, and its permissions boundary when it has one. A policy that cannot be read is an
//! error, never skipped: a card that left one out could say "No" where AWS says yes.

use super::{decode_document, is_no_such_entity, managed_policy_document};
use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use serde_json::Value;

/// One policy, and where it comes from in plain words (`the attached policy "AdministratorAccess"`).
#[derive(Clone, Debug, PartialEq)]
pub struct HeldPolicy {
    pub source: String,
    pub document: Value,
}

/// Everything that decides what a user or role may do (a bucket's own policy aside).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Policies {
    pub identity: Vec<HeldPolicy>,
    pub boundary: Option<HeldPolicy>,
}

impl Policies {
    /// The documents as the card reads them.
    pub fn held(&self) -> crate::explain::Held<'_> {
        crate::explain::Held { identity: self.identity.iter().map(|p| &p.document).collect(), boundary: self.boundary.as_ref().map(|p| &p.document) }
    }
}

fn decoded(source: String, text: &str) -> Result<HeldPolicy> {
    let document = decode_document(text).ok_or_else(|| Error::invalid("policy", format!("{source} is not a policy document this app can read")))?;
    Ok(HeldPolicy { source, document })
}

async fn managed(session: &Session, arn: &str, source: String) -> Result<Option<HeldPolicy>> {
    Ok(managed_policy_document(session, arn).await?.map(|document| HeldPolicy { source, document }))
}

/// The attached managed policies, each described by `source` from its name.
async fn attached_to(out: &mut Vec<HeldPolicy>, session: &Session, attached: &[aws_sdk_iam::types::AttachedPolicy], source: impl Fn(&str) -> String) -> Result<()> {
    for arn in attached.iter().filter_map(|p| p.policy_arn()) {
        out.extend(managed(session, arn, source(policy_name(arn))).await?);
    }
    Ok(())
}

/// The permissions boundary named by `arn`: it must be readable, as it narrows everything.
async fn boundary_of(session: &Session, arn: Option<String>) -> Result<Option<HeldPolicy>> {
    let Some(arn) = arn else { return Ok(None) };
    let found = managed(session, &arn, format!("its permissions boundary \"{}\"", policy_name(&arn))).await?;
    found.map(Some).ok_or_else(|| Error::invalid("policy", format!("its permissions boundary {arn} could not be read")))
}

fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Every policy of the IAM user `user`; `None` when the user does not exist.
pub async fn of_user(session: &Session, user: &str) -> Result<Option<Policies>> {
    let iam = &session.iam;
    let ctx = &session.ctx;
    let boundary = match iam.get_user().user_name(user).send().await {
        Ok(out) => out.user().and_then(|u| u.permissions_boundary()).and_then(|b| b.permissions_boundary_arn()).map(str::to_string),
        Err(e) if is_no_such_entity(aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e)) => return Ok(None),
        Err(e) => return Err(from_sdk(ctx, "GetUser", e)),
    };
    let mut out = Policies::default();
    let names = iam.list_user_policies().user_name(user).into_paginator().items().send().try_collect().await.map_err(|e| from_sdk(ctx, "ListUserPolicies", e))?;
    for name in names {
        let doc = iam.get_user_policy().user_name(user).policy_name(&name).send().await.map_err(|e| from_sdk(ctx, "GetUserPolicy", e))?;
        out.identity.push(decoded(format!("its own policy \"{name}\""), doc.policy_document())?);
    }
    let attached = iam.list_attached_user_policies().user_name(user).into_paginator().items().send().try_collect().await.map_err(|e| from_sdk(ctx, "ListAttachedUserPolicies", e))?;
    attached_to(&mut out.identity, session, &attached, |name| format!("the attached policy \"{name}\"")).await?;
    let groups = iam.list_groups_for_user().user_name(user).into_paginator().items().send().try_collect().await.map_err(|e| from_sdk(ctx, "ListGroupsForUser", e))?;
    for group in groups.iter().map(|g| g.group_name()) {
        let names = iam.list_group_policies().group_name(group).into_paginator().items().send().try_collect().await.map_err(|e| from_sdk(ctx, "ListGroupPolicies", e))?;
        for name in names {
            let doc = iam.get_group_policy().group_name(group).policy_name(&name).send().await.map_err(|e| from_sdk(ctx, "GetGroupPolicy", e))?;
            out.identity.push(decoded(format!("the policy \"{name}\" of its group \"{group}\""), doc.policy_document())?);
        }
        let attached = iam.list_attached_group_policies().group_name(group).into_paginator().items().send().try_collect().await.map_err(|e| from_sdk(ctx, "ListAttachedGroupPolicies", e))?;
        attached_to(&mut out.identity, session, &attached, |name| format!("the policy \"{name}\" attached to its group \"{group}\"")).await?;
    }
    out.boundary = boundary_of(session, boundary).await?;
    Ok(Some(out))
}

/// Every policy of the role `role`; `None` when the role does not exist. (What a session of the role may
/// do can be narrowed further by the session's own policy, which only the one who assumes it knows.)
pub async fn of_role(session: &Session, role: &str) -> Result<Option<Policies>> {
    let iam = &session.iam;
    let ctx = &session.ctx;
    let boundary = match iam.get_role().role_name(role).send().await {
        Ok(out) => out.role().and_then(|r| r.permissions_boundary()).and_then(|b| b.permissions_boundary_arn()).map(str::to_string),
        Err(e) if is_no_such_entity(aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e)) => return Ok(None),
        Err(e) => return Err(from_sdk(ctx, "GetRole", e)),
    };
    let mut out = Policies::default();
    let names = iam.list_role_policies().role_name(role).into_paginator().items().send().try_collect().await.map_err(|e| from_sdk(ctx, "ListRolePolicies", e))?;
    for name in names {
        let doc = iam.get_role_policy().role_name(role).policy_name(&name).send().await.map_err(|e| from_sdk(ctx, "GetRolePolicy", e))?;
        out.identity.push(decoded(format!("its own policy \"{name}\""), doc.policy_document())?);
    }
    let attached = iam.list_attached_role_policies().role_name(role).into_paginator().items().send().try_collect().await.map_err(|e| from_sdk(ctx, "ListAttachedRolePolicies", e))?;
    attached_to(&mut out.identity, session, &attached, |name| format!("the attached policy \"{name}\"")).await?;
    out.boundary = boundary_of(session, boundary).await?;
    Ok(Some(out))
}
