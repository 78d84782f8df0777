//! "Is this request allowed, and why?": one concrete request (a principal, an action, a resource, the
//! request's context keys) decided against the policies that govern it, the way AWS documents it. Pure:
//! no AWS calls, the caller brings the policies it read.
//!
//! The order is the IAM guide's ("Policy evaluation logic"): an explicit Deny in any policy wins; then
//! the request needs an Allow. Within one account an Allow in an identity policy (within the
//! permissions boundary, when there is one) or in the resource's policy is enough; across accounts both
//! sides must allow. A resource policy that names a user (or a role session) by ARN grants past the
//! boundary; one that names the account (`arn:aws:iam::ACCOUNT:root`) only trusts the account, whose
//! identity policies must then allow. A KMS key is the exception: only its key policy makes IAM policies
//! count ("Key policies in AWS KMS"), so without a key policy statement for the principal or its account
//! nothing is allowed.
//!
//! Statements are matched with IAM's wildcards (`*`, `?`; actions ignore case, resources do not),
//! policy variables (`${aws:username}`, only in `Version` `2012-10-17` policies), `NotAction`,
//! `NotResource`, `Principal`/`NotPrincipal` in resource policies, and the condition operators in
//! [`condition`]. The answer names the statements that decided it, and the Allows that applied but for
//! a condition (the end date that passed, the address range the caller was outside).
//!
//! Where this differs from the test oracle (`@cloud-copilot/iam-simulate`), ARCHITECTURE.md says which
//! is right and why (`tests/e2e/test_evaluator_agrees.py` names every such case).

mod condition;
mod pattern;
#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::BTreeMap;

/// Whether an `Action` pattern of a policy (IAM's `*` and `?` anywhere, any case) covers `action`.
pub(crate) fn pattern_covers(pattern: &str, action: &str) -> bool {
    pattern::compile(pattern, None).is_ok_and(|toks| pattern::matches(&toks, action, true))
}

/// Whether `name` is a condition operator IAM knows (`StringEquals`, `ForAnyValue:StringLikeIfExists`, ...).
pub(crate) fn known_operator(name: &str) -> bool {
    condition::is_operator(name)
}

/// One context key's value: most keys hold one, some (`aws:TagKeys`) a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    One(String),
    Many(Vec<String>),
}

/// The request's context keys. Key names ignore case (`aws:CurrentTime` is `AWS:currenttime`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context(BTreeMap<String, ContextValue>);

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets one key to one value.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.0.insert(key.to_ascii_lowercase(), ContextValue::One(value.into()));
        self
    }

    /// Sets one key to a list of values.
    pub fn set_many(&mut self, key: &str, values: Vec<String>) -> &mut Self {
        self.0.insert(key.to_ascii_lowercase(), ContextValue::Many(values));
        self
    }

    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.0.get(&key.to_ascii_lowercase())
    }
}

/// One request as AWS sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Who asks: an IAM user, role, role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) or a
    /// service principal (`s3.amazonaws.com`).
    pub principal: String,
    /// `s3:PutObject`.
    pub action: String,
    /// `arn:aws:s3:::bucket/key`, `arn:aws:kms:REGION:ACCOUNT:key/ID`.
    pub resource: String,
    /// The account that owns the resource (an S3 ARN does not say; a KMS key's does).
    pub resource_account: String,
    pub context: Context,
}

/// Which policy a statement came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyKind {
    Identity,
    Boundary,
    /// A bucket policy or a KMS key policy.
    Resource,
}

/// A policy document and the name it is shown by.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedPolicy {
    pub name: String,
    pub document: Value,
}

impl NamedPolicy {
    pub fn new(name: impl Into<String>, document: Value) -> Self {
        Self { name: name.into(), document }
    }
}

/// Everything that decides one principal's request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policies {
    /// Inline and attached policies of the user or role, and of the user's groups.
    pub identity: Vec<NamedPolicy>,
    /// The permissions boundary, if the principal has one.
    pub boundary: Option<NamedPolicy>,
    /// The bucket policy of the bucket (for S3 requests) or the key policy (for KMS requests).
    pub resource: Option<NamedPolicy>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    ExplicitlyDenied,
    ImplicitlyDenied,
}

impl Decision {
    /// The words the IAM policy simulator uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "Allowed",
            Decision::ExplicitlyDenied => "ExplicitlyDenied",
            Decision::ImplicitlyDenied => "ImplicitlyDenied",
        }
    }
}

/// One statement, by policy and place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRef {
    pub kind: PolicyKind,
    pub policy: String,
    pub sid: Option<String>,
    /// Its index in the policy's `Statement` list (0-based).
    pub index: usize,
}

impl std::fmt::Display for StatementRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sid {
            Some(sid) => write!(f, "{} statement {sid}", self.policy),
            None => write!(f, "{} statement #{}", self.policy, self.index + 1),
        }
    }
}

/// Why an implicitly denied request is denied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// No policy allows it.
    NoAllow,
    /// An identity policy allows it (`allowed_by`), the permissions boundary does not.
    Boundary,
    /// Across accounts: the identity policies allow it (`allowed_by`), the resource's policy does not.
    ResourcePolicy,
    /// Across accounts: the resource's policy allows it (`allowed_by`), no identity policy does.
    IdentityPolicy,
    /// A KMS key: identity policies allow it (`allowed_by`), the key policy neither allows the principal
    /// nor lets its account's IAM policies count.
    KeyPolicy,
}

/// An Allow statement that matched the action, resource and principal but not its conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmet {
    pub statement: StatementRef,
    /// The operator and key that did not hold: (`DateLessThan`, `aws:CurrentTime`).
    pub operator: String,
    pub key: String,
}

/// The decision and what decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    /// For an explicit Deny: the Deny statements that matched.
    pub denied_by: Vec<StatementRef>,
    /// For an Allow: the statements that granted it (with the boundary's, when there is one). For an
    /// implicit deny: the Allows that applied on one side only (see `missing`).
    pub allowed_by: Vec<StatementRef>,
    /// For an implicit deny: what was missing.
    pub missing: Option<Missing>,
    /// Allow statements that would have applied but for a condition.
    pub unmet: Vec<Unmet>,
}

/// How a resource policy's `Principal` takes in the request's principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Named {
    /// The account (`ACCOUNT`, `arn:aws:iam::ACCOUNT:root`): trust that the account's policies decide.
    Account,
    /// The role of a role session: limited by the boundary.
    SessionRole,
    /// The principal itself, or everyone (`*`).
    Exactly,
}

/// The statements of one kind that matched the request.
#[derive(Default)]
struct Matched {
    allow: Vec<(StatementRef, Named)>,
    deny: Vec<StatementRef>,
}

/// Decides `request` against `policies`. A policy that cannot be read (no `Effect`, an operator IAM does
/// not know, a date that is not one) is an error naming the policy and statement: AWS would have refused
/// to store it, so it never decides a real request.
pub fn evaluate(request: &Request, policies: &Policies) -> Result<Verdict> {
    let mut unmet = Vec::new();
    let has_boundary = policies.boundary.is_some();
    let identity = matched(PolicyKind::Identity, &policies.identity, request, has_boundary, &mut unmet)?;
    let boundary = match &policies.boundary {
        Some(b) => Some(matched(PolicyKind::Boundary, std::slice::from_ref(b), request, has_boundary, &mut unmet)?),
        None => None,
    };
    let resource = matched(PolicyKind::Resource, policies.resource.as_slice(), request, has_boundary, &mut unmet)?;

    let denied_by: Vec<StatementRef> = identity.deny.iter().chain(boundary.iter().flat_map(|b| &b.deny)).chain(&resource.deny).cloned().collect();
    if !denied_by.is_empty() {
        return Ok(Verdict { decision: Decision::ExplicitlyDenied, denied_by, allowed_by: vec![], missing: None, unmet });
    }

    let principal_account = account_of(&request.principal);
    let same_account = principal_account.as_deref() == Some(request.resource_account.as_str());
    let is_kms_key = request.action.to_ascii_lowercase().starts_with("kms:") && kms_key_resource(&request.resource);
    let id_allows: Vec<StatementRef> = identity.allow.iter().map(|(s, _)| s.clone()).collect();
    let boundary_allows: Option<Vec<StatementRef>> = boundary.as_ref().map(|b| b.allow.iter().map(|(s, _)| s.clone()).collect());
    let within_boundary = boundary_allows.as_ref().is_none_or(|b| !b.is_empty());
    let by_name: Vec<StatementRef> = resource.allow.iter().filter(|(_, n)| *n != Named::Account).map(|(s, _)| s.clone()).collect();
    let for_account: Vec<StatementRef> = resource.allow.iter().filter(|(_, n)| *n == Named::Account).map(|(s, _)| s.clone()).collect();
    // Names the principal itself (not only its role): past the boundary within one account.
    let past_boundary: Vec<StatementRef> = resource.allow.iter().filter(|(_, n)| *n == Named::Exactly).map(|(s, _)| s.clone()).collect();
    let with_boundary = |mut v: Vec<StatementRef>| {
        v.extend(boundary_allows.clone().unwrap_or_default());
        v
    };
    let allowed = |allowed_by: Vec<StatementRef>| Verdict { decision: Decision::Allowed, denied_by: vec![], allowed_by, missing: None, unmet: vec![] };
    let implicit = |missing: Missing, allowed_by: Vec<StatementRef>, unmet: Vec<Unmet>| Verdict {
        decision: Decision::ImplicitlyDenied,
        denied_by: vec![],
        allowed_by,
        missing: Some(missing),
        unmet,
    };

    // A service principal (S3's log delivery) has no identity policies: the resource policy decides.
    if principal_account.is_none() {
        return Ok(if by_name.is_empty() { implicit(Missing::NoAllow, vec![], unmet) } else { allowed(by_name) });
    }

    if same_account {
        // The resource policy naming the principal.
        if !by_name.is_empty() && (within_boundary || !past_boundary.is_empty()) {
            return Ok(allowed(if within_boundary { with_boundary(by_name) } else { past_boundary }));
        }
        // Identity policies: for a KMS key only when the key policy trusts the account.
        let identity_counts = !is_kms_key || !for_account.is_empty();
        if !id_allows.is_empty() && identity_counts && within_boundary {
            let mut v = with_boundary(id_allows);
            if is_kms_key {
                v.extend(for_account);
            }
            return Ok(allowed(v));
        }
        if !id_allows.is_empty() && !within_boundary {
            return Ok(implicit(Missing::Boundary, id_allows, unmet));
        }
        if !id_allows.is_empty() && !identity_counts {
            return Ok(implicit(Missing::KeyPolicy, id_allows, unmet));
        }
        if !by_name.is_empty() {
            return Ok(implicit(Missing::Boundary, by_name, unmet));
        }
        return Ok(implicit(Missing::NoAllow, vec![], unmet));
    }

    // Across accounts: both sides.
    let resource_allows: Vec<StatementRef> = by_name.into_iter().chain(for_account).collect();
    match (id_allows.is_empty(), resource_allows.is_empty()) {
        (false, false) if within_boundary => {
            let mut v = with_boundary(id_allows);
            v.extend(resource_allows);
            Ok(allowed(v))
        }
        (false, false) => Ok(implicit(Missing::Boundary, id_allows, unmet)),
        (false, true) => Ok(implicit(if is_kms_key { Missing::KeyPolicy } else { Missing::ResourcePolicy }, id_allows, unmet)),
        (true, false) => Ok(implicit(Missing::IdentityPolicy, resource_allows, unmet)),
        (true, true) => Ok(implicit(Missing::NoAllow, vec![], unmet)),
    }
}

/// `arn:aws:kms:REGION:ACCOUNT:key/ID` (an alias is resolved to its key before IAM decides).
fn kms_key_resource(resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    parts.len() == 6 && parts[2] == "kms" && parts[5].starts_with("key/")
}

/// The account of a principal ARN (user, role, session, root); `None` for a service principal.
fn account_of(principal: &str) -> Option<String> {
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    (parts.len() == 6 && parts[0] == "arn" && !parts[4].is_empty()).then(|| parts[4].to_string())
}

fn statements(doc: &Value) -> std::result::Result<Vec<&Value>, String> {
    match doc.get("Statement") {
        Some(Value::Array(list)) => Ok(list.iter().collect()),
        Some(one @ Value::Object(_)) => Ok(vec![one]),
        None => Ok(vec![]),
        Some(_) => Err("Statement must be an object or a list of them".into()),
    }
}

/// The statements of `policies` (all of one kind) that match the request, and the Allows whose only
/// miss was a condition (into `unmet`).
fn matched(kind: PolicyKind, policies: &[NamedPolicy], request: &Request, has_boundary: bool, unmet: &mut Vec<Unmet>) -> Result<Matched> {
    let mut out = Matched::default();
    for policy in policies {
        let bad = |index: Option<usize>, what: String| {
            let place = index.map(|i| format!(" statement #{}", i + 1)).unwrap_or_default();
            Error::invalid("policy", format!("the policy {}{place} cannot be read: {what}", policy.name))
        };
        // Variables are variables only in the current policy language.
        let vars = (policy.document.get("Version").and_then(Value::as_str) == Some("2012-10-17")).then_some(&request.context);
        for (index, st) in statements(&policy.document).map_err(|m| bad(None, m))?.into_iter().enumerate() {
            let sid = st.get("Sid").and_then(Value::as_str).map(str::to_string);
            let here = StatementRef { kind, policy: policy.name.clone(), sid, index };
            let deny = match st.get("Effect").and_then(Value::as_str) {
                Some("Allow") => false,
                Some("Deny") => true,
                _ => return Err(bad(Some(index), "Effect must be Allow or Deny".into())),
            };
            let named = if kind == PolicyKind::Resource {
                match principal_named(st, &request.principal, deny && has_boundary).map_err(|m| bad(Some(index), m))? {
                    Some(n) => n,
                    None => continue,
                }
            } else {
                Named::Exactly
            };
            if !action_matches(st, &request.action).map_err(|m| bad(Some(index), m))? || !resource_matches(st, &request.resource, vars).map_err(|m| bad(Some(index), m))? {
                continue;
            }
            match condition::first_unmet(st.get("Condition"), &request.context, vars).map_err(|e| bad(Some(index), e.0))? {
                None if deny => out.deny.push(here),
                None => out.allow.push((here, named)),
                Some((operator, key)) if !deny => unmet.push(Unmet { statement: here, operator, key }),
                Some(_) => {}
            }
        }
    }
    Ok(out)
}

fn string_list(v: &Value, element: &str) -> std::result::Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string).ok_or_else(|| format!("{element} must hold strings"))).collect(),
        _ => Err(format!("{element} must be a string or a list of strings")),
    }
}

fn action_matches(st: &Value, action: &str) -> std::result::Result<bool, String> {
    let one = |p: &str| {
        if p == "*" {
            return true;
        }
        match (p.split_once(':'), action.split_once(':')) {
            (Some((ps, pa)), Some((s, a))) => ps.eq_ignore_ascii_case(s) && pattern::matches(&pattern::compile(pa, None).unwrap_or_default(), a, true),
            _ => false,
        }
    };
    match (st.get("Action"), st.get("NotAction")) {
        (Some(_), Some(_)) => Err("a statement has either Action or NotAction, not both".into()),
        (Some(a), None) => Ok(string_list(a, "Action")?.iter().any(|p| one(p))),
        (None, Some(n)) => Ok(!string_list(n, "NotAction")?.iter().any(|p| one(p))),
        (None, None) => Err("a statement needs Action or NotAction".into()),
    }
}

fn resource_matches(st: &Value, resource: &str, vars: pattern::Vars) -> std::result::Result<bool, String> {
    // A pattern with a variable the request cannot fill matches nothing. Under NotResource that makes
    // the statement unreadable, and IAM then does not apply it ("Variables and tags": the statement is
    // invalid), so it matches nothing either.
    let one = |p: &str| -> Option<bool> { if p == "*" { Some(true) } else { pattern::arn_matches(p, resource, vars).ok() } };
    match (st.get("Resource"), st.get("NotResource")) {
        (Some(_), Some(_)) => Err("a statement has either Resource or NotResource, not both".into()),
        (Some(r), None) => Ok(string_list(r, "Resource")?.iter().any(|p| one(p) == Some(true))),
        (None, Some(n)) => {
            let results: Vec<Option<bool>> = string_list(n, "NotResource")?.iter().map(|p| one(p)).collect();
            Ok(results.iter().all(|r| *r == Some(false)))
        }
        (None, None) => Err("a statement needs Resource or NotResource".into()),
    }
}

/// How a resource policy statement's `Principal` or `NotPrincipal` takes in `principal`; `None` when it
/// does not apply to it. `deny_past_boundary`: a Deny with `NotPrincipal` applies to every principal
/// that has a permissions boundary, whatever it names (the IAM guide, "Permissions boundaries").
fn principal_named(st: &Value, principal: &str, deny_past_boundary: bool) -> std::result::Result<Option<Named>, String> {
    match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(_), Some(_)) => Err("a statement has either Principal or NotPrincipal, not both".into()),
        (Some(p), None) => principal_entries(p).map(|entries| entries.iter().filter_map(|(k, v)| names(k, v, principal)).max()),
        (None, Some(p)) => {
            let entries = principal_entries(p)?;
            // NotPrincipal applies to everyone it does not name (the account, the role of a session).
            let excluded = entries.iter().any(|(k, v)| names(k, v, principal).is_some());
            Ok((deny_past_boundary || !excluded).then_some(Named::Exactly))
        }
        (None, None) => Err("a resource policy statement needs Principal or NotPrincipal".into()),
    }
}

fn principal_entries(p: &Value) -> std::result::Result<Vec<(String, String)>, String> {
    match p {
        Value::String(s) if s == "*" => Ok(vec![("AWS".into(), "*".into())]),
        Value::Object(m) => {
            let mut out = Vec::new();
            for (k, v) in m {
                for s in string_list(v, "Principal")? {
                    out.push((k.clone(), s));
                }
            }
            Ok(out)
        }
        _ => Err("Principal must be \"*\" or an object such as {\"AWS\": ARN}".into()),
    }
}

/// Whether one principal entry names `principal`, and how.
fn names(kind: &str, value: &str, principal: &str) -> Option<Named> {
    match kind {
        "AWS" => {
            if value == "*" {
                return Some(Named::Exactly);
            }
            let account = account_of(principal);
            let is_account = |a: &str| account.as_deref() == Some(a);
            if value.len() == 12 && value.chars().all(|c| c.is_ascii_digit()) {
                return is_account(value).then_some(Named::Account);
            }
            let parts: Vec<&str> = value.splitn(6, ':').collect();
            if parts.len() == 6 && parts[2] == "iam" && parts[5] == "root" {
                return is_account(parts[4]).then_some(Named::Account);
            }
            if value == principal {
                // A role stands for its sessions: naming the role is limited by the boundary.
                let role = parts.len() == 6 && parts[2] == "iam" && parts[5].starts_with("role/");
                return Some(if role { Named::SessionRole } else { Named::Exactly });
            }
            session_role(principal).is_some_and(|(acct, role)| {
                parts.len() == 6 && parts[2] == "iam" && parts[4] == acct && parts[5].starts_with("role/") && parts[5].rsplit('/').next() == Some(role)
            }).then_some(Named::SessionRole)
        }
        "Service" | "CanonicalUser" | "Federated" => (value == principal).then_some(Named::Exactly),
        _ => None,
    }
}

/// The account and role name of a role session ARN.
fn session_role(principal: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    if parts.len() != 6 || parts[2] != "sts" {
        return None;
    }
    let rest = parts[5].strip_prefix("assumed-role/")?;
    Some((parts[4], rest.split('/').next()?))
}
