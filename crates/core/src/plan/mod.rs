//! Plans: the ordered AWS calls that fulfil an [`AccessRequest`], built from the request and the account's
//! current state. Reading happens in [`observe`]; [`plan_from`] is pure, so planning and merging are unit
//! tested without AWS. A plan never clobbers: existing CORS rules and bucket-policy statements are kept, and
//! a name already in use is an error that offers a free one.

mod action;
mod build;
mod merge;
mod observe;

pub use action::{Action, Encryption, PolicyPurpose, PublicAccessBlock, CREATED_BY_TAG};
pub use build::{managed_policy_arn, plan_from, role_arn};
pub use merge::{
    check_cors_limits, denies_insecure_transport, log_delivery_sid, merge_cors, merge_log_delivery, merge_statement, merge_tls_only, policy_statements, CORS_MAX_BYTES, CORS_MAX_RULES,
    TLS_ONLY_SID,
};
pub use observe::observe;

use crate::connect::Session;
use crate::error::Result;
use crate::policy::PolicyDocument;
use crate::request::{AccessRequest, CorsRule, LoggingTarget};
use serde_json::{json, Value};

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
    /// What a user to reuse can already do (its policies and groups), in plain words.
    pub user_existing_access: Vec<String>,
    pub managed_policy_exists: bool,
    pub role_exists: bool,
    pub cors: Option<Vec<CorsRule>>,
    pub bucket_policy: Option<String>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub encryption: Option<Encryption>,
    /// The bucket's versioning status (`Enabled`, `Suspended`; `None`: never turned on), when read.
    pub versioning: Option<String>,
    pub versioning_read: bool,
    /// The bucket's default encryption could not be read (no permission): a KMS key would go unnoticed.
    pub encryption_unreadable: bool,
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
    /// The bucket's region (the one it is created in, for a new bucket), when it was read: where a team's
    /// engine deploys the export.
    pub region: Option<String>,
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

/// Read the account and build the plan.
pub async fn build_plan(session: &Session, request: &AccessRequest, opts: &PlanOptions) -> Result<Plan> {
    let seen = observe(session, request, opts).await?;
    plan_from(request, &seen, opts)
}

#[cfg(test)]
mod tests;
