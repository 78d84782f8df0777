//! "What can this key do?": the policies an identity holds, read back as plain yes/no lines about one
//! bucket and folder.
//!
//! Each question stands for a set of requests ("download a file of the folder": `s3:GetObject` or
//! `s3:GetObjectVersion` on any object under `BUCKET/FOLDER`). The answer is Yes when some request of that
//! set gets through: an Allow of a permission policy matches it, the permissions boundary (if there is
//! one) allows it too, and no Deny of either surely matches it. [`reach`] decides that over the policies'
//! own patterns (IAM's wildcards in actions, resources and `s3:prefix` values, `NotAction`,
//! `NotResource`, upper or lower case in action names), so `arn:aws:s3:::acme-data*` is "other buckets"
//! and `BUCKET/in*` reaches `inbox/`. The card never says "No" where AWS could say yes: a condition that
//! can be met (an end date, source addresses, HTTPS only) never turns a Yes into a No ("can it ever?"), and
//! is shown on a line of its own; a Deny counts only when it has no condition (or one on `s3:prefix`,
//! which is decided). `s3:prefix` is decided: only listings carry it, so an Allow that requires it allows
//! no download.
//!
//! What it does not read: a bucket's own policy (which may grant more), and a role session's own policy
//! (which may grant less).

pub mod reach;

use crate::limits::{describe_end, CURRENT_TIME, SOURCE_IP};
use reach::{search, Clause, Comp, Glob};
use serde_json::Value;

/// One line of the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Stable, for scripts and tests: `list_folder`, `list_other_folders`, `download`, `upload`,
    /// `replace`, `delete`, `other_folders`, `public_or_lock`, `bucket_settings`, `other_buckets`,
    /// `other_services`, `ends`, `source_ips`, `conditions`.
    pub code: &'static str,
    /// The question, in plain words.
    pub question: String,
    /// For yes/no questions: whether the policies allow it.
    pub allowed: Option<bool>,
    /// The answer as shown: `Yes`, `No`, `Yes: IAM, STS`, a date, addresses.
    pub answer: String,
}

/// Where the card looks: the bucket and folder of the grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    pub partition: &'a str,
    pub bucket: &'a str,
    /// A normalised folder (`reports/`), or `None` for the whole bucket.
    pub prefix: Option<&'a str>,
}

/// The policy documents an identity holds: its permission policies (inline, attached, its groups') and
/// its permissions boundary.
#[derive(Clone, Debug, Default)]
pub struct Held<'a> {
    pub identity: Vec<&'a Value>,
    pub boundary: Option<&'a Value>,
}

/// Object actions that make a file public or keep it from being changed or deleted.
const PUBLIC_OR_LOCK_ACTIONS: &[&str] = &["s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutObjectRetention", "s3:PutObjectLegalHold"];
const LIST_ACTIONS: &[&str] = &["s3:ListBucket", "s3:ListBucketVersions"];
const GET_ACTIONS: &[&str] = &["s3:GetObject", "s3:GetObjectVersion"];
const DELETE_ACTIONS: &[&str] = &["s3:DeleteObject", "s3:DeleteObjectVersion"];

/// A statement, as the search reads it.
#[derive(Clone)]
struct Rule {
    comp: Comp,
    /// Only usable through S3 (a `kms:ViaService` condition naming S3): a bucket's KMS key.
    via_s3: bool,
    /// The `Action` patterns (lower case), or `None` for `NotAction`.
    actions: Option<Vec<String>>,
}

/// The statements of the documents, Allows and (decidable) Denies apart.
struct Rules {
    allows: Vec<Rule>,
    /// `None` without a boundary.
    boundary: Option<Vec<Rule>>,
    denies: Vec<Comp>,
}

fn statements(doc: &Value) -> Vec<&Value> {
    match &doc["Statement"] {
        Value::Array(list) => list.iter().collect(),
        one @ Value::Object(_) => vec![one],
        _ => vec![],
    }
}

fn strings(v: &Value) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(a) => a.iter().filter_map(one).collect(),
        v => one(v).into_iter().collect(),
    }
}

/// The condition's clauses as (operator, key, values).
fn conditions(st: &Value) -> Vec<(&str, &str, Vec<String>)> {
    let mut out = Vec::new();
    if let Some(ops) = st.get("Condition").and_then(Value::as_object) {
        for (op, keys) in ops {
            match keys.as_object() {
                Some(keys) => out.extend(keys.iter().map(|(k, v)| (op.as_str(), k.as_str(), strings(v)))),
                None => out.push((op.as_str(), "", vec![])),
            }
        }
    }
    out
}

/// A set of patterns from a statement: `wide` when matching more makes the card say Yes more often.
fn globs(values: &[String], lower: bool, wide: bool) -> Vec<Glob> {
    values.iter().filter_map(|v| Glob::parse(&if lower { v.to_ascii_lowercase() } else { v.clone() }, wide)).collect()
}

/// An `s3:prefix` clause as the search decides it, or `None` for an operator it does not decide (the
/// condition may then hold). `allow`: the clause belongs to an Allow (else to a Deny).
fn prefix_clause(op: &str, values: &[String], allow: bool) -> Option<Clause> {
    let (base, if_exists) = match op.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (op, false),
    };
    let exact = |wide: bool| values.iter().filter_map(|v| Glob::parse(&v.replace('*', "${*}").replace('?', "${?}"), wide)).collect::<Vec<_>>();
    Some(match base {
        "StringEquals" => Clause { globs: exact(allow), negated: false, absent: if_exists },
        "StringLike" => Clause { globs: globs(values, false, allow), negated: false, absent: if_exists },
        "StringNotEquals" => Clause { globs: exact(!allow), negated: true, absent: true },
        "StringNotLike" => Clause { globs: globs(values, false, !allow), negated: true, absent: true },
        "Null" if !if_exists && values.len() == 1 => match values[0].as_str() {
            "true" => Clause::absent(),
            "false" => Clause::any_of(vec![Glob::starting("")]),
            _ => return None,
        },
        _ => return None,
    })
}

/// A statement of `doc`, or `None` when it can be left out: it matches nothing, or it is a Deny whose
/// condition may not hold (so it may not refuse anything).
fn rule(st: &Value) -> Option<(bool, Rule)> {
    let allow = match st["Effect"].as_str() {
        Some("Allow") => true,
        Some("Deny") => false,
        _ => return None,
    };
    // A set the statement must match widens a Yes for an Allow; for a Deny the set it must not match does.
    let set = |key: &str, not: &str, lower: bool| -> Option<Clause> {
        match (st.get(key), st.get(not)) {
            (Some(v), _) => Some(Clause::any_of(globs(&strings(v), lower, allow))),
            (None, Some(v)) => Some(Clause::none_of(globs(&strings(v), lower, !allow))),
            _ => None,
        }
    };
    let action = set("Action", "NotAction", true)?;
    let resource = set("Resource", "NotResource", false)?;
    let mut prefix = Vec::new();
    let mut via_s3 = false;
    for (op, key, values) in conditions(st) {
        if key.eq_ignore_ascii_case("s3:prefix") {
            match prefix_clause(op, &values, allow) {
                Some(c) => prefix.push(c),
                None if allow => {}
                None => return None,
            }
        } else if allow {
            via_s3 |= key.eq_ignore_ascii_case("kms:ViaService") && matches!(op, "StringEquals" | "StringLike") && !values.is_empty() && values.iter().all(|v| v.starts_with("s3."));
        } else {
            return None;
        }
    }
    let actions = st.get("Action").map(|a| strings(a).iter().map(|s| s.to_ascii_lowercase()).collect());
    Some((allow, Rule { comp: Comp { parts: [vec![action], vec![resource], prefix], unwanted: !allow }, via_s3, actions }))
}

impl Rules {
    fn of(held: &Held) -> Rules {
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        for (allow, r) in held.identity.iter().flat_map(|d| statements(d)).filter_map(rule) {
            if allow {
                allows.push(r);
            } else {
                denies.push(r.comp);
            }
        }
        let boundary = held.boundary.map(|b| {
            let mut allows = Vec::new();
            for (allow, r) in statements(b).into_iter().filter_map(rule) {
                if allow {
                    allows.push(r);
                } else {
                    denies.push(r.comp);
                }
            }
            allows
        });
        Rules { allows, boundary, denies }
    }

    /// Whether some request of `ask` gets through: an Allow (and a boundary Allow) match it, no Deny does.
    /// `extra` adds what an Allow itself cannot be used for.
    fn can(&self, ask: &Comp, extra: impl Fn(&Rule) -> Option<Comp>) -> bool {
        let bounds: Vec<Option<&Rule>> = match &self.boundary {
            Some(b) => b.iter().map(Some).collect(),
            None => vec![None],
        };
        self.allows.iter().any(|allow| {
            bounds.iter().any(|bound| {
                let mut comps = vec![ask.clone(), allow.comp.clone()];
                comps.extend(extra(allow));
                if let Some(b) = bound {
                    comps.push(b.comp.clone());
                    comps.extend(extra(b));
                }
                comps.extend(self.denies.iter().cloned());
                search(&comps).possible()
            })
        })
    }

    fn allows(&self, ask: &Comp) -> bool {
        self.can(ask, |_| None)
    }
}

/// A question: the actions (IAM names, any case), the resources and the `s3:prefix` of its requests.
fn ask(action: Vec<Clause>, resource: Vec<Clause>, prefix: Vec<Clause>) -> Comp {
    Comp { parts: [action, resource, prefix], unwanted: false }
}

fn named(actions: &[&str]) -> Clause {
    Clause::any_of(actions.iter().map(|a| Glob::literal(&a.to_ascii_lowercase())).collect())
}

fn under(prefix: &str) -> Clause {
    Clause::any_of(vec![Glob::starting(prefix)])
}

fn not_under(prefix: &str) -> Clause {
    Clause::none_of(vec![Glob::starting(prefix)])
}

/// A pattern of the card's own (bucket names and folders hold no wildcard or variable).
fn pattern(p: &str) -> Glob {
    Glob::parse(p, false).unwrap_or_else(|| Glob::literal(p))
}

fn exactly(text: &str) -> Clause {
    Clause::any_of(vec![Glob::literal(text)])
}

/// How a service is named on the card.
fn service_name(prefix: &str) -> String {
    match prefix {
        "iam" => "IAM".into(),
        "sts" => "STS".into(),
        "kms" => "KMS".into(),
        "ec2" => "EC2".into(),
        "sqs" => "SQS".into(),
        "sns" => "SNS".into(),
        "lambda" => "Lambda".into(),
        "dynamodb" => "DynamoDB".into(),
        "cloudformation" => "CloudFormation".into(),
        "organizations" => "Organizations".into(),
        "secretsmanager" => "Secrets Manager".into(),
        "ssm" => "Systems Manager".into(),
        other => other.to_string(),
    }
}

/// The card for one identity policy document (a plan's, or a share's) about `target`.
pub fn explain(doc: &Value, target: &Target) -> Vec<Line> {
    explain_held(&Held { identity: vec![doc], boundary: None }, target)
}

/// The card for everything an identity holds about `target`.
pub fn explain_held(held: &Held, target: &Target) -> Vec<Line> {
    let rules = Rules::of(held);
    let bucket_arn = format!("arn:{}:s3:::{}", target.partition, target.bucket);
    let folder = target.prefix.unwrap_or("");
    let objects = format!("{bucket_arn}/");
    let in_place = format!("{objects}{folder}");
    let where_ = match target.prefix {
        Some(p) => format!("the folder {p}"),
        None => format!("the bucket {}", target.bucket),
    };
    // An object of the place: under the folder, or any object of the bucket (with a name).
    let place = || {
        let mut r = vec![under(&in_place)];
        if folder.is_empty() {
            r.push(Clause::any_of(vec![pattern(&format!("{objects}?*"))]));
        }
        r
    };
    let object_ask = |actions: &[&str]| ask(vec![named(actions)], place(), vec![Clause::absent()]);
    let mut lines = Vec::new();
    let mut yes_no = |code: &'static str, question: String, allowed: bool| {
        lines.push(Line { code, question, allowed: Some(allowed), answer: if allowed { "Yes" } else { "No" }.to_string() });
    };

    // A listing shows the folder's files when its prefix starts with the folder, or the folder starts
    // with it (the top level without a delimiter lists everything), or it has none.
    let list_prefix = match target.prefix {
        Some(f) => {
            let mut g = vec![Glob::starting(f)];
            g.extend(f.char_indices().map(|(i, _)| Glob::literal(&f[..i])));
            vec![Clause { globs: g, negated: false, absent: true }]
        }
        None => vec![],
    };
    yes_no("list_folder", format!("See the names of the files in {where_}"), rules.allows(&ask(vec![named(LIST_ACTIONS)], vec![exactly(&bucket_arn)], list_prefix)));
    if let Some(f) = target.prefix {
        yes_no(
            "list_other_folders",
            format!("See the names of the files in other folders of {}", target.bucket),
            rules.allows(&ask(vec![named(LIST_ACTIONS)], vec![exactly(&bucket_arn)], vec![Clause::none_of(vec![Glob::starting(f)])])),
        );
    }
    yes_no("download", format!("Download files from {where_}"), rules.allows(&object_ask(GET_ACTIONS)));
    let put = rules.allows(&object_ask(&["s3:PutObject"]));
    yes_no("upload", format!("Upload new files to {where_}"), put);
    yes_no("replace", "Replace a file by uploading one with the same name".to_string(), put);
    yes_no("delete", format!("Delete files in {where_}"), rules.allows(&object_ask(DELETE_ACTIONS)));
    if target.prefix.is_some() {
        let mut actions = GET_ACTIONS.to_vec();
        actions.push("s3:PutObject");
        actions.extend(DELETE_ACTIONS);
        yes_no(
            "other_folders",
            format!("Download, upload or delete files in other folders of {}", target.bucket),
            rules.allows(&ask(vec![named(&actions)], vec![under(&objects), not_under(&in_place)], vec![Clause::absent()])),
        );
    }
    yes_no(
        "public_or_lock",
        format!("Make files of {} public or lock them (object ACLs, retention, legal hold)", target.bucket),
        rules.allows(&ask(vec![named(PUBLIC_OR_LOCK_ACTIONS)], vec![under(&objects)], vec![Clause::absent()])),
    );
    // Every bucket-level change (Put*/Delete* that is not an object's), and the account's public access
    // block, which overrides the bucket's.
    let settings = ask(
        vec![Clause::any_of(vec![Glob::starting("s3:put"), Glob::starting("s3:delete")]), Clause::none_of(vec![Glob::starting("s3:putobject"), Glob::starting("s3:deleteobject")])],
        vec![exactly(&bucket_arn)],
        vec![Clause::absent()],
    );
    let account_block = ask(vec![named(&["s3:PutAccountPublicAccessBlock"])], vec![], vec![Clause::absent()]);
    yes_no(
        "bucket_settings",
        "Change the bucket's settings (its policy, sharing, encryption, notifications, inventory, tags, Object Lock) or delete the bucket".to_string(),
        rules.allows(&settings) || rules.allows(&account_block),
    );
    let s3_arns = format!("arn:{}:s3:::", target.partition);
    let other_buckets = ask(
        vec![under("s3:")],
        vec![Clause::any_of(vec![pattern(&format!("{s3_arns}?*"))]), Clause::none_of(vec![Glob::literal(&bucket_arn), Glob::starting(&objects)])],
        vec![],
    );
    yes_no("other_buckets", "Use other buckets".to_string(), rules.allows(&other_buckets));

    lines.push(other_services(&rules));
    lines.extend(limit_lines(held));
    lines
}

/// "Use other AWS services": any action outside S3 that gets through, but a KMS key used only through
/// S3 (a bucket's own key), with the services named.
fn other_services(rules: &Rules) -> Line {
    let outside = ask(vec![Clause::any_of(vec![pattern("?*:?*")]), not_under("s3:")], vec![], vec![]);
    let not_kms = |r: &Rule| r.via_s3.then(|| ask(vec![not_under("kms:")], vec![], vec![]));
    let mut names: Vec<String> = Vec::new();
    for allow in &rules.allows {
        let one = Rules { allows: vec![allow.clone()], boundary: rules.boundary.clone(), denies: rules.denies.clone() };
        if !one.can(&outside, not_kms) {
            continue;
        }
        match &allow.actions {
            None => names.push("any service".into()),
            Some(actions) => {
                for a in actions {
                    let service = a.split(':').next().unwrap_or("");
                    if service == "s3" || (allow.via_s3 && service == "kms") {
                        continue;
                    }
                    names.push(if !a.contains(':') || service.contains(['*', '?']) { "any service".into() } else { service_name(service) });
                }
            }
        }
    }
    names.sort();
    names.dedup();
    if names.iter().any(|n| n == "any service") {
        names = vec!["any service".into()];
    }
    let allowed = !names.is_empty();
    Line {
        code: "other_services",
        question: "Use other AWS services (IAM, STS, KMS, …)".to_string(),
        allowed: Some(allowed),
        answer: if allowed { format!("Yes: {}", names.join(", ")) } else { "No".to_string() },
    }
}

/// Looks a condition key up as IAM does: its case does not matter.
fn key_is(key: &str, name: &str) -> bool {
    key.eq_ignore_ascii_case(name)
}

/// The end, the addresses, and any other condition of the Allows, each on a line of its own. The end is
/// the latest of the Allows' ends, and "never" when one has none; the addresses are all the Allows name
/// (but a KMS key's, which S3 uses from its own address), and "any" when one names none.
fn limit_lines(held: &Held) -> Vec<Line> {
    let allows: Vec<&Value> = held.identity.iter().flat_map(|d| statements(d)).filter(|st| st["Effect"] == "Allow").collect();
    let kms_only = |st: &Value| {
        let a = strings(st.get("Action").unwrap_or(&Value::Null));
        !a.is_empty() && a.iter().all(|a| a.to_ascii_lowercase().starts_with("kms:"))
    };
    let end_of = |st: &Value| conditions(st).into_iter().find(|(op, k, v)| *op == "DateLessThan" && key_is(k, CURRENT_TIME) && v.len() == 1).map(|(_, _, v)| v[0].clone());
    let ends: Vec<Option<String>> = allows.iter().map(|st| end_of(st)).collect();
    let ends_at = if ends.is_empty() || ends.iter().any(Option::is_none) { None } else { ends.into_iter().flatten().max() };
    let ips_of = |st: &Value| conditions(st).into_iter().find(|(op, k, _)| *op == "IpAddress" && key_is(k, SOURCE_IP)).map(|(_, _, v)| v);
    let address_allows: Vec<&Value> = allows.iter().copied().filter(|st| !kms_only(st)).collect();
    let mut ips: Vec<String> = Vec::new();
    let mut anywhere = address_allows.is_empty();
    for st in &address_allows {
        match ips_of(st) {
            Some(v) => ips.extend(v),
            None => anywhere = true,
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    ips.retain(|ip| seen.insert(ip.clone()));
    let mut lines = vec![
        Line { code: "ends", question: "Ends on".to_string(), allowed: None, answer: ends_at.as_deref().map(describe_end).unwrap_or_else(|| "Never: it works until it is revoked".to_string()) },
        Line { code: "source_ips", question: "Only from these addresses".to_string(), allowed: None, answer: if anywhere || ips.is_empty() { "Any address".to_string() } else { ips.join(", ") } },
    ];
    let mut others: Vec<String> = Vec::new();
    for st in allows.iter().copied().chain(held.boundary.into_iter().flat_map(statements).filter(|st| st["Effect"] == "Allow")) {
        for (op, key, values) in conditions(st) {
            let shown = (op == "DateLessThan" && key_is(key, CURRENT_TIME))
                || (op == "IpAddress" && key_is(key, SOURCE_IP))
                || key_is(key, "s3:prefix")
                || key.to_ascii_lowercase().starts_with("kms:");
            if shown {
                continue;
            }
            let text = match (op, key.to_ascii_lowercase().as_str(), values.as_slice()) {
                ("Bool" | "BoolIfExists", "aws:securetransport", [v]) if v == "true" => "only over HTTPS".to_string(),
                ("Bool" | "BoolIfExists", "aws:multifactorauthpresent", [v]) if v == "true" => "only after signing in with MFA".to_string(),
                _ => format!("{key} {op} {}", values.join(", ")),
            };
            if !others.contains(&text) {
                others.push(text);
            }
        }
    }
    if !others.is_empty() {
        lines.push(Line { code: "conditions", question: "Some of it only when".to_string(), allowed: None, answer: others.join("; ") });
    }
    lines
}

/// The card for a plan's access policy (what the key or role will be able to do), when the plan grants one.
pub fn for_plan(plan: &crate::plan::Plan) -> Option<Vec<Line>> {
    let doc = serde_json::to_value(plan.policy.as_ref()?).ok()?;
    let s = &plan.request.scope;
    Some(explain(&doc, &Target { partition: &s.partition, bucket: &s.bucket, prefix: s.prefix.as_deref() }))
}

/// The card for an access in My access, from every policy its user or role holds in the account now.
/// `bucket` names the bucket to ask about when the entry has none (an imported key).
pub fn for_access(status: &crate::access::AccessStatus, partition: &str, bucket: Option<&str>, prefix: Option<&str>) -> crate::Result<Vec<Line>> {
    use crate::error::Error;
    let e = &status.entry;
    let bucket = bucket.map(str::to_string).or_else(|| (!e.bucket.is_empty()).then(|| e.bucket.clone())).ok_or_else(|| {
        Error::invalid("bucket", format!("{} has no bucket on record (an imported key); name the bucket to ask about", e.principal_label()))
    })?;
    crate::validate::bucket_name(&bucket)?;
    let prefix = match prefix {
        Some(p) => crate::validate::folder(p)?,
        None => e.prefix.clone(),
    };
    let policies = match (&status.policies, &status.principal) {
        (Some(Ok(p)), _) => p,
        (Some(Err(why)), _) => return Err(Error::invalid("access", format!("the policies of {} could not all be read: {why}", e.principal_label()))),
        (None, crate::access::Live::Deleted) => return Err(Error::invalid("access", format!("{} no longer exists in AWS: it can do nothing", e.principal_label()))),
        (None, crate::access::Live::Unchecked(why)) => return Err(Error::invalid("access", format!("its policies could not be read: {why}"))),
        (None, crate::access::Live::Exists) => return Err(Error::invalid("access", format!("the policies of {} could not be read", e.principal_label()))),
    };
    let target = Target { partition, bucket: &bucket, prefix: prefix.as_deref() };
    let held = policies.held();
    let mut lines = explain_held(&held, &target);
    if let Some(line) = shared_files_line_held(&held, &target, &e.share_files) {
        lines.insert(0, line);
    }
    Ok(lines)
}

/// The card of a share's plan: the plan's card, with whether the shared files download first.
pub fn for_share_plan(plan: &crate::plan::Plan, files: &[String]) -> Option<Vec<Line>> {
    let mut lines = for_plan(plan)?;
    let doc = serde_json::to_value(plan.policy.as_ref()?).ok()?;
    let s = &plan.request.scope;
    if let Some(line) = shared_files_line(&doc, &Target { partition: &s.partition, bucket: &s.bucket, prefix: s.prefix.as_deref() }, files) {
        lines.insert(0, line);
    }
    Some(lines)
}

/// For a share of some files: whether those files (all of them) download.
pub(crate) fn shared_files_line(doc: &Value, target: &Target, files: &[String]) -> Option<Line> {
    shared_files_line_held(&Held { identity: vec![doc], boundary: None }, target, files)
}

fn shared_files_line_held(held: &Held, target: &Target, files: &[String]) -> Option<Line> {
    if files.is_empty() {
        return None;
    }
    let rules = Rules::of(held);
    let all = files.iter().all(|f| rules.allows(&ask(vec![named(&["s3:GetObject"])], vec![exactly(&format!("arn:{}:s3:::{}/{f}", target.partition, target.bucket))], vec![Clause::absent()])));
    let n = files.len();
    Some(Line {
        code: "download_shared",
        question: format!("Download the {n} shared file{}", if n == 1 { "" } else { "s" }),
        allowed: Some(all),
        answer: if all { "Yes" } else { "No" }.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::policy::{access_policy, wildcard_match, AccessLevel, Scope};
    use serde_json::json;

    fn card(doc: &Value, prefix: Option<&str>) -> Vec<(&'static str, String)> {
        explain(doc, &Target { partition: "aws", bucket: "vendor-data", prefix }).into_iter().map(|l| (l.code, l.answer)).collect()
    }

    fn ours(level: AccessLevel, prefix: Option<&str>, list: bool, limits: Limits) -> Value {
        let mut s = Scope::new("vendor-data", prefix).unwrap();
        s.allow_list = list;
        s.limits = limits;
        serde_json::to_value(access_policy(&s, level)).unwrap()
    }

    fn answers(lines: &[(&'static str, String)]) -> String {
        lines.iter().map(|(c, a)| format!("{c}={a}")).collect::<Vec<_>>().join(" ")
    }

    /// Every level, with and without a folder and listing: the card says exactly what the level promises.
    #[test]
    fn every_level_reads_back_as_it_was_described() {
        let none = Limits::default;
        let never = "ends=Never: it works until it is revoked source_ips=Any address";
        let cases = [
            (AccessLevel::Read, Some("in"), true, "list_folder=Yes list_other_folders=No download=Yes upload=No replace=No delete=No other_folders=No"),
            (AccessLevel::Upload, Some("in"), true, "list_folder=No list_other_folders=No download=No upload=Yes replace=Yes delete=No other_folders=No"),
            (AccessLevel::ReadWrite, Some("in"), true, "list_folder=Yes list_other_folders=No download=Yes upload=Yes replace=Yes delete=No other_folders=No"),
            (AccessLevel::Full, Some("in"), true, "list_folder=Yes list_other_folders=No download=Yes upload=Yes replace=Yes delete=Yes other_folders=No"),
            (AccessLevel::Read, Some("in"), false, "list_folder=No list_other_folders=No download=Yes upload=No replace=No delete=No other_folders=No"),
            (AccessLevel::Read, None, true, "list_folder=Yes download=Yes upload=No replace=No delete=No"),
            (AccessLevel::Full, None, true, "list_folder=Yes download=Yes upload=Yes replace=Yes delete=Yes"),
            (AccessLevel::Read, None, false, "list_folder=No download=Yes upload=No replace=No delete=No"),
        ];
        for (level, prefix, list, want) in cases {
            let doc = ours(level, prefix, list, none());
            let want = format!("{want} public_or_lock=No bucket_settings=No other_buckets=No other_services=No {never}");
            assert_eq!(answers(&card(&doc, prefix.map(|p| format!("{p}/")).as_deref())), want, "{level:?} {prefix:?} list={list}");
        }
    }

    #[test]
    fn ends_and_addresses_have_lines_of_their_own() {
        let limits = Limits { ends_at: Some("2026-12-31T00:00:00Z".into()), source_ips: vec!["203.0.113.0/24".into(), "2001:db8::/32".into()] };
        let doc = ours(AccessLevel::Read, Some("in"), true, limits);
        let lines = card(&doc, Some("in/"));
        assert!(answers(&lines).starts_with("list_folder=Yes list_other_folders=No download=Yes"), "limits do not turn a yes into a no");
        assert_eq!(lines[lines.len() - 2], ("ends", "2026-12-31 00:00 UTC".to_string()));
        assert_eq!(lines[lines.len() - 1], ("source_ips", "203.0.113.0/24, 2001:db8::/32".to_string()));
    }

    /// Policies a vendor's guide or a hurried admin writes read back as the broad things they are.
    #[test]
    fn broad_policies_say_so() {
        let s3_all = json!({ "Statement": { "Effect": "Allow", "Action": "s3:*", "Resource": "*" } });
        assert_eq!(
            answers(&card(&s3_all, Some("in/"))),
            "list_folder=Yes list_other_folders=Yes download=Yes upload=Yes replace=Yes delete=Yes other_folders=Yes public_or_lock=Yes bucket_settings=Yes other_buckets=Yes other_services=No ends=Never: it works until it is revoked source_ips=Any address"
        );
        let read_only_managed = json!({ "Statement": [{ "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*" }] });
        let a = answers(&card(&read_only_managed, Some("in/")));
        assert!(a.contains("download=Yes") && a.contains("other_buckets=Yes") && a.contains("delete=No") && a.contains("bucket_settings=No"), "{a}");
        // "Everything but DeleteObject" still allows deleting a file's versions: the card says delete=Yes.
        let not_delete = json!({ "Statement": [{ "Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::vendor-data/*" }] });
        assert!(answers(&card(&not_delete, None)).contains("delete=Yes"));
        let not_action = json!({ "Statement": [{ "Effect": "Allow", "NotAction": ["s3:DeleteObject", "s3:DeleteObjectVersion"], "Resource": "arn:aws:s3:::vendor-data/*" }] });
        let a = answers(&card(&not_action, None));
        assert!(a.contains("upload=Yes") && a.contains("delete=No") && a.contains("other_buckets=No"), "{a}");
        let denied = json!({ "Statement": [
            { "Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::vendor-data", "arn:aws:s3:::vendor-data/*"] },
            { "Effect": "Deny", "Action": ["s3:Delete*", "s3:PutBucket*"], "Resource": "*" }
        ]});
        let a = answers(&card(&denied, None));
        assert!(a.contains("delete=No") && a.contains("upload=Yes") && a.contains("other_buckets=No"), "{a}");
        // A Deny with a condition may not apply to every request: it does not turn a yes into a no.
        let conditional_deny = json!({ "Statement": [
            { "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::vendor-data/*" },
            { "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": { "Null": { "s3:x-amz-server-side-encryption": "true" } } }
        ]});
        assert!(answers(&card(&conditional_deny, None)).contains("upload=Yes"));
        // Listing limited by StringEquals to the folder itself, or the bucket's top level visible.
        let top = json!({ "Statement": [{ "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::vendor-data", "Condition": { "StringEquals": { "s3:prefix": ["", "in/"] } } }] });
        assert!(answers(&card(&top, Some("in/"))).contains("list_folder=Yes list_other_folders=Yes"), "the top level shows other folders' names");
        assert_eq!(answers(&card(&json!({}), None)).matches("=No").count(), 9, "an empty document allows nothing");
    }

    /// The answer of one line.
    fn line(doc: &Value, prefix: Option<&str>, code: &str) -> String {
        card(doc, prefix).into_iter().find(|(c, _)| *c == code).map(|(_, a)| a).unwrap_or_else(|| panic!("no line {code}"))
    }

    fn allow(action: Value, resource: Value) -> Value {
        json!({ "Effect": "Allow", "Action": action, "Resource": resource })
    }

    fn doc(statements: Vec<Value>) -> Value {
        json!({ "Version": "2012-10-17", "Statement": statements })
    }

    /// Every level with the bucket's KMS key and limits: nothing beyond the bucket, the key only through S3.
    #[test]
    fn the_apps_own_policies_never_say_more() {
        for level in AccessLevel::ALL {
            let mut s = Scope::new("vendor-data", Some("in")).unwrap();
            s.kms = Some(crate::policy::BucketKey::from_bucket_setting("arn:aws:kms:eu-west-1:123456789012:key/k1", "aws", "eu-west-1", "123456789012"));
            s.limits = Limits { ends_at: Some("2026-12-31T00:00:00Z".into()), source_ips: vec!["203.0.113.0/24".into()] };
            let doc = serde_json::to_value(access_policy(&s, level)).unwrap();
            let a = answers(&card(&doc, Some("in/")));
            for no in ["list_other_folders=No", "other_folders=No", "public_or_lock=No", "bucket_settings=No", "other_buckets=No", "other_services=No"] {
                assert!(a.contains(no), "{level:?}: {a}");
            }
            assert!(!a.contains("conditions="), "ends, addresses and the KMS key's conditions have lines of their own: {a}");
        }
    }

    /// The cases an outside review found wrong: patterns that reach other buckets and folders.
    #[test]
    fn patterns_reach_what_they_cover() {
        let wild_bucket = doc(vec![allow(json!("s3:*"), json!(["arn:aws:s3:::vendor-data*", "arn:aws:s3:::vendor-data*/*"]))]);
        assert_eq!(line(&wild_bucket, None, "other_buckets"), "Yes", "vendor-data* covers vendor-data-backups");
        let two_buckets = doc(vec![allow(json!("s3:GetObject"), json!(["arn:aws:s3:::vendor-data/*", "arn:aws:s3:::vendor-logs/*"]))]);
        assert_eq!(line(&two_buckets, None, "other_buckets"), "Yes");
        let no_slash = doc(vec![
            allow(json!(["s3:GetObject"]), json!("arn:aws:s3:::vendor-data/in*")),
            json!({ "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::vendor-data", "Condition": { "StringLike": { "s3:prefix": "in*" } } }),
        ]);
        let a = answers(&card(&no_slash, Some("in/")));
        assert!(a.contains("other_folders=Yes") && a.contains("list_other_folders=Yes") && a.contains("other_buckets=No"), "in* covers inbox/: {a}");
        let two_folders = doc(vec![allow(json!("s3:GetObject"), json!(["arn:aws:s3:::vendor-data/in/*", "arn:aws:s3:::vendor-data/out/*"]))]);
        assert_eq!(line(&two_folders, Some("in/"), "other_folders"), "Yes");
        let one_folder = doc(vec![allow(json!("s3:GetObject"), json!(["arn:aws:s3:::vendor-data/in/*"]))]);
        assert_eq!(line(&one_folder, Some("in/"), "other_folders"), "No");
        assert_eq!(line(&one_folder, Some("in/sub/"), "download"), "Yes", "a folder inside the grant");
        assert_eq!(line(&one_folder, Some("inbox/"), "download"), "No");
        let any_bucket_in = doc(vec![allow(json!("s3:GetObject"), json!("arn:aws:s3:::*/in/*"))]);
        assert_eq!(line(&any_bucket_in, Some("in/"), "other_buckets"), "Yes");
    }

    #[test]
    fn actions_match_with_wildcards_anywhere_and_in_any_case() {
        let star_object = doc(vec![allow(json!("s3:*Object"), json!("arn:aws:s3:::vendor-data/in/*"))]);
        let a = answers(&card(&star_object, Some("in/")));
        assert!(a.contains("download=Yes") && a.contains("upload=Yes") && a.contains("delete=Yes") && a.contains("public_or_lock=No"), "{a}");
        let lower = doc(vec![allow(json!(["s3:getobject", "S3:PUTOBJECT"]), json!("arn:aws:s3:::vendor-data/*"))]);
        let a = answers(&card(&lower, None));
        assert!(a.contains("download=Yes") && a.contains("upload=Yes") && a.contains("delete=No"), "{a}");
        for action in ["s3:PutBucketNotification", "s3:PutInventoryConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketTagging", "s3:DeleteBucket", "s3:PutAccountPublicAccessBlock"] {
            let resource = if action.contains("Account") { "*" } else { "arn:aws:s3:::vendor-data" };
            assert_eq!(line(&doc(vec![allow(json!(action), json!(resource))]), None, "bucket_settings"), "Yes", "{action}");
        }
        assert_eq!(line(&doc(vec![allow(json!("s3:PutObjectTagging"), json!("arn:aws:s3:::vendor-data/*"))]), None, "bucket_settings"), "No");
        for action in ["s3:PutObjectAcl", "s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:PutObject*"] {
            assert_eq!(line(&doc(vec![allow(json!(action), json!("arn:aws:s3:::vendor-data/out/*"))]), Some("in/"), "public_or_lock"), "Yes", "{action}");
        }
        // "Everything but the bucket's settings" still allows the settings a Deny list forgot.
        let most = doc(vec![allow(json!("s3:*"), json!("*")), json!({ "Effect": "Deny", "Action": ["s3:PutBucket*", "s3:DeleteBucket*"], "Resource": "*" })]);
        assert_eq!(line(&most, None, "bucket_settings"), "Yes", "PutEncryptionConfiguration, PutInventoryConfiguration");
    }

    #[test]
    fn a_prefix_condition_refuses_everything_but_listings() {
        let both = doc(vec![json!({ "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": ["arn:aws:s3:::vendor-data", "arn:aws:s3:::vendor-data/*"], "Condition": { "StringLike": { "s3:prefix": "in/*" } } })]);
        let a = answers(&card(&both, Some("in/")));
        assert!(a.contains("list_folder=Yes") && a.contains("list_other_folders=No") && a.contains("download=No"), "{a}");
        // A negated operator holds when the key is missing: StringNotLike allows the download.
        let not_like = doc(vec![json!({ "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::vendor-data/*", "Condition": { "StringNotLike": { "s3:prefix": "x*" } } })]);
        assert_eq!(line(&not_like, None, "download"), "Yes");
        // A Deny of listings outside the folder (a prefix condition) is decided; listing with no prefix is refused too.
        let deny_outside = doc(vec![
            allow(json!("s3:ListBucket"), json!("arn:aws:s3:::vendor-data")),
            json!({ "Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::vendor-data", "Condition": { "StringNotLike": { "s3:prefix": "in/*" } } }),
        ]);
        let a = answers(&card(&deny_outside, Some("in/")));
        assert!(a.contains("list_folder=Yes") && a.contains("list_other_folders=No"), "{a}");
        let a = answers(&card(&deny_outside, None));
        assert!(a.contains("list_folder=Yes"), "the folder's listing of the bucket: {a}");
        // An operator the card does not decide may hold: a Yes.
        let unknown = doc(vec![json!({ "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::vendor-data", "Condition": { "StringEqualsIgnoreCase": { "s3:prefix": "OUT/" } } })]);
        assert_eq!(line(&unknown, Some("in/"), "list_other_folders"), "Yes");
    }

    #[test]
    fn not_resource_and_not_action_cover_the_rest() {
        let not_secret = doc(vec![json!({ "Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::vendor-data/secret/*" })]);
        let a = answers(&card(&not_secret, Some("secret/")));
        assert!(a.contains("download=No") && a.contains("other_folders=Yes") && a.contains("other_buckets=Yes") && a.contains("bucket_settings=Yes"), "{a}");
        let not_iam = doc(vec![json!({ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" })]);
        assert_eq!(line(&not_iam, None, "other_services"), "Yes: any service");
        assert_eq!(line(&not_iam, None, "other_buckets"), "Yes");
    }

    #[test]
    fn other_services_are_named_and_the_buckets_key_through_s3_is_not_one() {
        let assume = doc(vec![allow(json!("sts:AssumeRole"), json!("*")), allow(json!("iam:CreateAccessKey"), json!("arn:aws:iam::123456789012:user/*"))]);
        assert_eq!(line(&assume, None, "other_services"), "Yes: IAM, STS");
        assert_eq!(line(&doc(vec![allow(json!("*"), json!("*"))]), None, "other_services"), "Yes: any service");
        let via_s3 = json!({ "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "arn:aws:kms:eu-west-1:123456789012:key/k1", "Condition": { "StringEquals": { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } });
        assert_eq!(line(&doc(vec![via_s3.clone()]), None, "other_services"), "No");
        let direct = allow(json!("kms:Decrypt"), json!("*"));
        assert_eq!(line(&doc(vec![via_s3, direct]), None, "other_services"), "Yes: KMS");
        let denied = doc(vec![allow(json!("*"), json!("*")), json!({ "Effect": "Deny", "NotAction": "s3:*", "Resource": "*" })]);
        assert_eq!(line(&denied, None, "other_services"), "No", "a Deny of everything outside S3");
        assert_eq!(line(&denied, None, "other_buckets"), "Yes");
    }

    /// Everything the identity holds counts: a second policy, and the boundary narrows.
    #[test]
    fn every_policy_and_the_boundary_count() {
        let ours = ours(AccessLevel::Read, Some("in"), true, Limits::default());
        let admin = doc(vec![allow(json!("*"), json!("*"))]);
        let target = Target { partition: "aws", bucket: "vendor-data", prefix: Some("in/") };
        let of = |held: &Held| explain_held(held, &target).into_iter().map(|l| (l.code, l.answer)).collect::<Vec<_>>();
        let a = answers(&of(&Held { identity: vec![&ours, &admin], boundary: None }));
        assert!(a.contains("other_buckets=Yes") && a.contains("other_services=Yes: any service") && a.contains("bucket_settings=Yes"), "{a}");
        let boundary = doc(vec![allow(json!(["s3:GetObject", "s3:ListBucket"]), json!(["arn:aws:s3:::vendor-data", "arn:aws:s3:::vendor-data/in/*"]))]);
        let a = answers(&of(&Held { identity: vec![&admin], boundary: Some(&boundary) }));
        assert!(a.starts_with("list_folder=Yes list_other_folders=Yes download=Yes upload=No replace=No delete=No other_folders=No public_or_lock=No bucket_settings=No other_buckets=No other_services=No"), "{a}");
        let deny_in_boundary = doc(vec![allow(json!("*"), json!("*")), json!({ "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::vendor-data/in/*" })]);
        let a = answers(&of(&Held { identity: vec![&admin], boundary: Some(&deny_in_boundary) }));
        assert!(a.contains("download=No") && a.contains("other_folders=Yes"), "{a}");
        // The admin policy never ends: neither does the access.
        let mut ending = ours.clone();
        ending["Statement"][0]["Condition"] = json!({ "DateLessThan": { "aws:CurrentTime": "2026-12-31T00:00:00Z" } });
        assert!(answers(&of(&Held { identity: vec![&ending, &admin], boundary: None })).contains("ends=Never"));
    }

    #[test]
    fn conditions_that_can_be_met_keep_the_yes_and_are_shown() {
        let https = doc(vec![
            json!({ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::vendor-data/*", "Condition": { "Bool": { "aws:SecureTransport": "true" }, "StringEquals": { "aws:PrincipalTag/team": "a" } } }),
            json!({ "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } }),
        ]);
        let lines = card(&https, None);
        assert!(answers(&lines).contains("download=Yes"));
        assert_eq!(lines.last().unwrap(), &("conditions", "only over HTTPS; aws:PrincipalTag/team StringEquals a".to_string()));
        let two_ranges = doc(vec![
            json!({ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::vendor-data/*", "Condition": { "IpAddress": { "aws:SourceIp": "203.0.113.0/24" } } }),
            json!({ "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::vendor-data/*", "Condition": { "IpAddress": { "aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"] } } }),
        ]);
        assert_eq!(line(&two_ranges, None, "source_ips"), "203.0.113.0/24, 198.51.100.0/24", "from any of the addresses");
        let later = doc(vec![
            json!({ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": { "DateLessThan": { "aws:CurrentTime": "2026-12-31T00:00:00Z" } } }),
            json!({ "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": { "DateLessThan": { "aws:CurrentTime": "2027-06-30T00:00:00Z" } } }),
        ]);
        assert_eq!(line(&later, None, "ends"), "2027-06-30 00:00 UTC", "the latest end");
    }

    #[test]
    fn policy_variables_may_reach_other_folders() {
        let home = doc(vec![allow(json!(["s3:GetObject"]), json!("arn:aws:s3:::vendor-data/home/${aws:username}/*"))]);
        let a = answers(&card(&home, Some("in/")));
        assert!(a.contains("other_folders=Yes") && a.contains("download=No") && a.contains("other_buckets=No"), "{a}");
        // A Deny with a variable may not cover the folder: it does not make a No.
        let deny_home = doc(vec![allow(json!("s3:*"), json!("arn:aws:s3:::vendor-data/*")), json!({ "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::vendor-data/${aws:username}/*" })]);
        assert_eq!(line(&deny_home, Some("in/"), "download"), "Yes");
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(wildcard_match("arn:aws:s3:::b/in/*", "arn:aws:s3:::b/in/x/y"));
        assert!(!wildcard_match("arn:aws:s3:::b/in/*", "arn:aws:s3:::b/inside"));
        assert!(wildcard_match("s3:get*", "s3:getobject") && wildcard_match("s3:?etObject", "s3:GetObject") && wildcard_match("*", ""));
        assert!(!wildcard_match("arn:aws:s3:::b", "arn:aws:s3:::b2"));
    }
}
