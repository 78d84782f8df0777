//! Bring the vendor's guide: read what a vendor sent (its JSON blocks, the values it names), say in plain
//! words what it asks for and what is broader than the job needs, and propose the least-privilege
//! equivalent in the app's own terms, which then runs through the usual plan, review and rollback.
//!
//! [`extract`] finds the JSON; [`read`] classifies each block (identity policy, bucket policy, trust
//! policy, CORS rules, a handoff), derives a [`Proposal`], and lists [`Finding`]s, each with the line of
//! the guide it comes from. [`recipe`] is the small JSON format a vendor can publish instead of a guide.

pub mod extract;
pub mod recipe;

use crate::policy::AccessLevel;
use crate::request::CorsRule;
use crate::explain;
use extract::{Block, Extracted, MANAGED_POLICIES};
use serde_json::Value;

/// What kind of access the guide sets up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposedMethod {
    IamUser,
    Role,
}

impl ProposedMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposedMethod::IamUser => "iam-user",
            ProposedMethod::Role => "role",
        }
    }
}

/// The least-privilege equivalent, in the app's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub method: ProposedMethod,
    pub access: AccessLevel,
    pub no_list: bool,
    /// A normalised folder, when the guide limits access to one.
    pub prefix: Option<String>,
    /// Browser origins for a CORS rule (the level's methods), when the guide asks for CORS.
    pub cors_origins: Vec<String>,
    /// For a role: the other party's account (or principal ARN) and the external ID.
    pub account: Option<String>,
    pub external_id: Option<String>,
    /// The guide speaks of an external ID but gives none the reader can take (only prose): ask for it
    /// rather than make one up, since the vendor's may be the one that counts.
    pub external_id_asked: bool,
}

/// One thing the guide asks for that is broader than needed (or wrong), with where it says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable: `all_buckets`, `s3_wildcard`, `other_services`, `delete`, `acl`, `bucket_admin`,
    /// `wildcard_principal`, `any_origin`, `unused_methods`, `service_trust`, `no_external_id`,
    /// `managed_policy`, `whole_bucket`, `not_understood`, `unknown_json`, `too_many_blocks`,
    /// `more_findings`.
    pub code: &'static str,
    pub message: String,
    /// The guide's line, and its text.
    pub line: usize,
    pub quote: String,
    /// "Create exactly as pasted" is refused while this finding holds ([`BLOCKING`]).
    pub blocks_as_pasted: bool,
}

/// What a guide was read as.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub extracted: Extracted,
    /// The identity policy the guide gives (the one "as pasted" would create), when it gives one.
    pub identity_policy: Option<Value>,
    pub proposal: Proposal,
    pub findings: Vec<Finding>,
    /// What the guide asks for, one plain sentence each.
    pub asks: Vec<String>,
}

/// The longest guide read: a vendor's guide is a short text; more is refused, said plainly.
pub const MAX_GUIDE_BYTES: usize = 1_000_000;
/// The most findings listed; more are summed up in one last finding.
pub const MAX_FINDINGS: usize = 100;
/// The longest quote of a guide's line shown with a finding.
const MAX_QUOTE: usize = 200;

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => vec![],
    }
}

fn statements(doc: &Value) -> Vec<&Value> {
    match &doc["Statement"] {
        Value::Array(a) => a.iter().collect(),
        v @ Value::Object(_) => vec![v],
        _ => vec![],
    }
}

/// A statement's actions (`Action` or `NotAction`).
fn actions_of(st: &Value) -> Vec<String> {
    strings(st.get("Action").or_else(|| st.get("NotAction")).unwrap_or(&Value::Null))
}

fn has_principal(st: &Value) -> bool {
    st.get("Principal").is_some() || st.get("NotPrincipal").is_some()
}

/// A trust statement: it names who may assume the role, and allows only STS's role actions.
fn is_trust_statement(st: &Value) -> bool {
    let actions = actions_of(st);
    has_principal(st) && st.get("Action").is_some() && !actions.is_empty() && actions.iter().all(|a| a.to_ascii_lowercase().starts_with("sts:"))
        && actions.iter().any(|a| crate::evaluate::pattern_covers(a, "sts:AssumeRole") || a.to_ascii_lowercase().starts_with("sts:assumerole"))
}

/// A statement the reader understands in full: a known effect, actions and resources as strings, known
/// condition operators, nothing else. Anything else is a finding, and "nothing broader" is never said.
fn not_understood(st: &Value, resource_policy: bool) -> Option<String> {
    let Some(o) = st.as_object() else { return Some("a statement that is not an object".into()) };
    for k in o.keys() {
        if !["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal", "NotPrincipal"].contains(&k.as_str()) {
            return Some(format!("the field \"{k}\""));
        }
    }
    if !matches!(st["Effect"].as_str(), Some("Allow" | "Deny")) {
        return Some("an Effect that is neither Allow nor Deny".into());
    }
    if st.get("NotPrincipal").is_some() {
        return Some("NotPrincipal (everyone but the principals it names)".into());
    }
    for k in ["Action", "NotAction", "Resource", "NotResource"] {
        if let Some(v) = st.get(k) {
            let ok = v.is_string() || v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
            if !ok {
                return Some(format!("a {k} that is not a name or a list of names"));
            }
        }
    }
    if actions_of(st).is_empty() {
        return Some("a statement without actions".into());
    }
    if !resource_policy && st.get("Resource").is_none() && st.get("NotResource").is_none() {
        return Some("a statement without resources".into());
    }
    if resource_policy && !has_principal(st) {
        return Some("a statement of a bucket policy without a Principal".into());
    }
    if let Some(c) = st.get("Condition") {
        let Some(ops) = c.as_object() else { return Some("a Condition that is not an object".into()) };
        if let Some(op) = ops.keys().find(|op| !crate::evaluate::known_operator(op)) {
            return Some(format!("the condition operator \"{op}\", which IAM does not know"));
        }
    }
    None
}

/// Where findings point: the guide's own lines (quoted as the guide has them) and a block's repaired text.
struct Quoter<'g> {
    guide: &'g str,
    lines: extract::Lines,
}

impl Quoter<'_> {
    /// The guide's line `line`, trimmed and shortened for showing.
    fn quote(&self, line: usize) -> String {
        let l = self.guide[self.lines.range(line, self.guide.len())].trim();
        match l.char_indices().nth(MAX_QUOTE) {
            Some((cut, _)) => format!("{}…", &l[..cut]),
            None => l.to_string(),
        }
    }

    /// The line of `block` that holds `needle` (its first line if none does).
    fn locate(&self, block: Option<&Block>, from: usize, needle: &str) -> (usize, String) {
        let line = block
            .and_then(|b| b.text.lines().position(|l| l.contains(needle)).map(|k| b.line + k))
            .unwrap_or(from);
        (line, self.quote(line))
    }
}

struct Findings<'g> {
    list: Vec<Finding>,
    quoter: Quoter<'g>,
    more: usize,
}

impl Findings<'_> {
    fn push(&mut self, code: &'static str, message: String, block: Option<&Block>, from: usize, needle: &str) {
        let (line, quote) = self.quoter.locate(block, from, needle);
        if self.list.iter().any(|f| f.code == code && f.line == line) {
            return;
        }
        if self.list.len() >= MAX_FINDINGS {
            self.more += 1;
            return;
        }
        let blocks_as_pasted = BLOCKING.contains(&code);
        self.list.push(Finding { code, message, line, quote, blocks_as_pasted });
    }
}

/// Findings that "create exactly as pasted" refuses: the pasted policy would hand over more than S3, or
/// open the bucket to anyone.
pub const BLOCKING: &[&str] = &["other_services", "wildcard_principal"];

enum Kind {
    Identity,
    BucketPolicy,
    Trust,
    Cors(Vec<Value>),
    Handoff,
    Unknown,
}

/// What a block is, read per statement: a trust policy only when every statement is a trust statement
/// (one `sts:AssumeRole` among permissions never makes a trust policy that skips the checks), a bucket
/// policy when a statement names a principal, else a permission policy.
fn kind_of(v: &Value) -> Kind {
    if v.get("Statement").is_some() {
        let sts = statements(v);
        if !sts.is_empty() && sts.iter().all(|s| is_trust_statement(s)) {
            return Kind::Trust;
        }
        if sts.iter().any(|s| has_principal(s)) {
            return Kind::BucketPolicy;
        }
        return Kind::Identity;
    }
    let rules = match v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o.get("CORSRules").or_else(|| o.get("CorsRules")).and_then(Value::as_array).cloned().unwrap_or_default(),
        _ => vec![],
    };
    if !rules.is_empty() && rules.iter().all(|r| r.get("AllowedOrigins").is_some() || r.get("AllowedMethods").is_some()) {
        return Kind::Cors(rules);
    }
    if ["RoleArn", "ExternalId", "AccountId", "role_arn", "external_id", "account_id"].iter().any(|k| v.get(k).is_some()) {
        return Kind::Handoff;
    }
    Kind::Unknown
}

/// Whether a statement's actions can cover an S3 action (`s3:…`, `*`, `s*:*`, `NotAction`): only then do
/// its resources matter for the bucket.
fn may_act_on_s3(st: &Value) -> bool {
    st.get("NotAction").is_some() || actions_of(st).iter().any(|a| crate::evaluate::pattern_covers(a.split(':').next().unwrap_or(a), "s3") || crate::evaluate::pattern_covers(a, "s3:x"))
}

/// The first action of `b`'s statements that covers one of `actions` (for quoting the line that says so).
fn first_covering(b: &Block, actions: &[&str]) -> String {
    statements(&b.value).iter().flat_map(|st| actions_of(st)).find(|a| actions.iter().any(|x| crate::evaluate::pattern_covers(a, x))).unwrap_or_default()
}

/// Whether a resource pattern pins this one bucket: its literal part before the first wildcard (or policy
/// variable) is `arn:aws:s3:::BUCKET/…`, or it names `arn:aws:s3:::BUCKET` or an object of it exactly.
fn pins_bucket(resource: &str, bucket_arn: &str) -> bool {
    let wild = resource.find(['*', '?', '$']);
    let objects = format!("{bucket_arn}/");
    match wild {
        Some(i) => resource[..i].starts_with(&objects),
        None => resource == bucket_arn || resource.starts_with(&objects),
    }
}

/// Whether a resource pattern can name an S3 bucket or object at all (`arn:aws:iam::…` cannot).
fn may_be_s3(resource: &str) -> bool {
    let lit = &resource[..resource.find(['*', '?', '$']).unwrap_or(resource.len())];
    const S3: &str = "arn:aws:s3:::";
    lit.starts_with(S3) || (resource.len() > lit.len() && S3.starts_with(lit))
}

/// An `AllowedOrigins` entry that lets (nearly) every site in: `*`, `https://*`, `*.com`, `*.github.io`.
fn any_origin(origin: &str) -> bool {
    crate::request::origin_is_any(origin)
}

/// Read a guide for `bucket`: what it asks, what is too broad, and the least-privilege proposal. Refuses a
/// text over [`MAX_GUIDE_BYTES`]; linear in the text's length otherwise.
pub fn read(guide: &str, bucket: &str) -> crate::Result<Reading> {
    if guide.len() > MAX_GUIDE_BYTES {
        return Err(crate::Error::invalid(
            "guide",
            format!("the text is {:.1} MB; the app reads a vendor's guide of up to 1 MB. Paste only the part with the policy and the values it names", guide.len() as f64 / 1e6),
        ));
    }
    let extracted = extract::extract(guide, bucket);
    let mut f = Findings { list: Vec::new(), quoter: Quoter { guide, lines: extract::Lines::of(guide) }, more: 0 };
    let mut asks = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut identity_policy = None;
    let mut identity_line: Option<usize> = None;
    let mut permission_docs: Vec<&Value> = Vec::new();
    let mut cors_origins: Vec<String> = Vec::new();
    let mut cors_methods: Vec<String> = Vec::new();
    let mut method = ProposedMethod::IamUser;
    let mut account = extracted.account_id.clone();
    let mut external_id = extracted.external_id.clone();
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let whole = explain::Target { partition: "aws", bucket, prefix: None };

    for b in &extracted.blocks {
        match kind_of(&b.value) {
            kind @ (Kind::Identity | Kind::BucketPolicy) => {
                let is_bucket_policy = matches!(kind, Kind::BucketPolicy);
                if is_bucket_policy {
                    asks.push(format!("A bucket policy (line {}).", b.line));
                } else {
                    asks.push(format!("A permission policy for the user or role (line {}).", b.line));
                    identity_policy.get_or_insert_with(|| b.value.clone());
                    identity_line.get_or_insert(b.line);
                }
                permission_docs.push(&b.value);
                for st in statements(&b.value) {
                    if let Some(what) = not_understood(st, is_bucket_policy) {
                        let needle = st.as_object().and_then(|o| o.keys().next()).map(|k| format!("\"{k}\"")).unwrap_or_default();
                        f.push("not_understood", format!("A statement the app cannot read in full ({what}): it says nothing about what it allows. Ask the vendor what it is for, or leave it out."), Some(b), b.line, &needle);
                    }
                    if st["Effect"] != "Allow" {
                        continue;
                    }
                    if is_bucket_policy {
                        let p = &st["Principal"];
                        if p == "*" || p["AWS"] == "*" || strings(&p["AWS"]).iter().any(|a| a == "*") {
                            f.push("wildcard_principal", "The bucket policy allows anyone (\"Principal\": \"*\"): it would make the bucket public. The app never creates that.".into(), Some(b), b.line, "\"Principal\"");
                        }
                    }
                    for a in actions_of(st) {
                        if a.contains(['*', '?']) {
                            let every = a == "*" || a.eq_ignore_ascii_case("s3:*");
                            let message = if every { format!("\"{a}\" allows every {}action, deleting and changing the bucket's settings included.", if a == "*" { "" } else { "S3 " }) } else { format!("\"{a}\" is a wildcard: it allows every action whose name fits it, now and in future.") };
                            f.push("s3_wildcard", message, Some(b), b.line, &a);
                        }
                    }
                    if st.get("NotAction").is_some() {
                        f.push("s3_wildcard", "\"NotAction\" allows every action but the ones it names, in every AWS service, now and in future.".into(), Some(b), b.line, "NotAction");
                    }
                    let resources = strings(st.get("Resource").unwrap_or(&Value::Null));
                    for r in resources.iter().filter(|_| may_act_on_s3(st)) {
                        if !may_be_s3(r) || pins_bucket(r, &bucket_arn) {
                            if let Some(rest) = r.strip_prefix(&format!("{bucket_arn}/")) {
                                let folder = rest.trim_end_matches('*');
                                if folder.is_empty() {
                                    if !prefixes.iter().any(|p| p.is_empty()) {
                                        prefixes.push(String::new());
                                    }
                                } else if let Ok(Some(p)) = crate::validate::folder(folder.trim_end_matches('/')) {
                                    if !prefixes.contains(&p) {
                                        prefixes.push(p);
                                    }
                                }
                            }
                            continue;
                        }
                        if r == "*" || r == "arn:aws:s3:::*" || r == "arn:aws:s3:::*/*" || r.starts_with("arn:aws:s3:*") || r.starts_with("arn:*") {
                            f.push("all_buckets", format!("\"{r}\" means every bucket in the account, not only \"{bucket}\"."), Some(b), b.line, &format!("\"{r}\""));
                        } else {
                            f.push("all_buckets", format!("\"{r}\" reaches other buckets than \"{bucket}\" (a second bucket, or a pattern that fits other names)."), Some(b), b.line, &format!("\"{r}\""));
                        }
                    }
                    if st.get("NotResource").is_some() {
                        f.push("all_buckets", "\"NotResource\" allows everything but what it names: every other bucket, and more.".into(), Some(b), b.line, "NotResource");
                    }
                }
                // What AWS would allow, read by the card over the statements' own patterns (sound: proven
                // against the independent evaluator): each dangerous Yes is a finding.
                card_findings(&mut f, b, &explain::explain(&b.value, &whole), bucket);
            }
            Kind::Trust => {
                method = ProposedMethod::Role;
                asks.push(format!("A role another account uses (line {}).", b.line));
                for st in statements(&b.value) {
                    let p = &st["Principal"];
                    if let Some(svc) = strings(&p["Service"]).first() {
                        f.push("service_trust", format!("The role is trusted by an AWS service ({svc}), not by the vendor's account: a cross-account role names their account ID."), Some(b), b.line, svc);
                    }
                    if p == "*" {
                        f.push("wildcard_principal", "The role would trust every AWS account (\"*\"). The app never creates that.".into(), Some(b), b.line, "\"*\"");
                    }
                    if let Some(aws) = strings(&p["AWS"]).first() {
                        if aws == "*" {
                            f.push("wildcard_principal", "The role would trust every AWS account (\"*\"). The app never creates that.".into(), Some(b), b.line, "\"*\"");
                        } else {
                            let acct = aws.strip_prefix("arn:aws:iam::").and_then(|r| r.split(':').next()).map(str::to_string).unwrap_or_else(|| aws.clone());
                            account.get_or_insert(if aws.ends_with(":root") || !aws.starts_with("arn:") { acct } else { aws.clone() });
                        }
                    }
                    let id = st["Condition"].as_object().and_then(|c| c.iter().find(|(op, _)| op.eq_ignore_ascii_case("StringEquals"))).and_then(|(_, keys)| keys.as_object()).and_then(|k| k.iter().find(|(key, _)| key.eq_ignore_ascii_case("sts:ExternalId"))).and_then(|(_, v)| v.as_str());
                    match id {
                        Some(id) => {
                            external_id.get_or_insert_with(|| id.to_string());
                        }
                        None if st["Principal"].get("AWS").is_some() => {
                            f.push("no_external_id", "The trust policy has no external ID: without one, anyone who learns the role's name could have the vendor use it on their behalf (the confused deputy). The app always sets one.".into(), Some(b), b.line, "sts:AssumeRole");
                        }
                        None => {}
                    }
                }
            }
            Kind::Cors(rules) => {
                asks.push(format!("CORS rules, so a web page can reach the bucket (line {}).", b.line));
                for r in &rules {
                    for o in strings(&r["AllowedOrigins"]) {
                        if any_origin(&o) {
                            f.push("any_origin", format!("\"AllowedOrigins\": \"{o}\" lets (nearly) every web site in the world use the bucket from a browser. Name the vendor's site instead."), Some(b), b.line, &o);
                        } else if !cors_origins.contains(&o) {
                            cors_origins.push(o);
                        }
                    }
                    for m in strings(&r["AllowedMethods"]) {
                        if !cors_methods.contains(&m) {
                            cors_methods.push(m);
                        }
                    }
                }
            }
            Kind::Handoff => {
                method = ProposedMethod::Role;
                let v = &b.value;
                let pick = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string));
                if let Some(a) = pick(&["AccountId", "account_id", "Account"]) {
                    account.get_or_insert(a);
                }
                if let Some(e) = pick(&["ExternalId", "external_id"]) {
                    external_id.get_or_insert(e);
                }
                asks.push(format!("Values for a cross-account role (line {}).", b.line));
            }
            Kind::Unknown => f.push("unknown_json", "This JSON is not a policy, CORS rules or a role handoff the app knows; it is left out of the proposal.".into(), Some(b), b.line, ""),
        }
    }
    if extracted.more_blocks {
        f.push("too_many_blocks", format!("The text holds more than {} JSON blocks; only the first {} were read. Paste only the vendor's instructions.", extract::MAX_BLOCKS, extract::MAX_BLOCKS), None, extracted.blocks.last().map(|b| b.line).unwrap_or(1), "");
    }

    // The level: what the guide's own policies let the key do in the bucket (or its one folder).
    let prefix = match prefixes.as_slice() {
        [one] if !one.is_empty() => Some(one.clone()),
        _ => None,
    };
    let target = explain::Target { partition: "aws", bucket, prefix: prefix.as_deref() };
    let yes = |lines: &[explain::Line], code: &str| lines.iter().any(|l| l.code == code && l.allowed == Some(true));
    let (mut reads, mut writes, mut deletes, mut lists) = (false, false, false, false);
    if !permission_docs.is_empty() {
        let held = explain::Held { identity: permission_docs.clone(), boundary: None };
        let lines = explain::explain_held(&held, &target);
        reads = yes(&lines, "download");
        writes = yes(&lines, "upload");
        deletes = yes(&lines, "delete");
        lists = yes(&lines, "list_folder");
    }
    for (name, line) in &extracted.managed_policies {
        let what = MANAGED_POLICIES.iter().find(|(n, _)| n == name).map(|(_, w)| *w).unwrap_or("more than one bucket");
        // A guide that also gives a policy of its own: the narrower of the two is what the job needs.
        let narrower = identity_line.map(|l| format!(" The guide also gives a narrower policy of its own (line {l}): the proposal follows that one.")).unwrap_or_default();
        f.push("managed_policy", format!("The AWS managed policy {name} allows you to {what}. The proposal grants only \"{bucket}\".{narrower}"), None, *line, name);
        asks.push(format!("The AWS managed policy {name} (line {line})."));
        if identity_line.is_some() {
            continue;
        }
        reads = true;
        lists = true;
        if name != "AmazonS3ReadOnlyAccess" {
            writes = true;
        }
    }
    if method == ProposedMethod::IamUser && account.is_some() && external_id.is_some() && identity_policy.is_some() && asks.iter().any(|a| a.contains("role")) {
        method = ProposedMethod::Role;
    }

    // Delete only when the guide asked for it.
    let access = match (reads || lists, writes, deletes) {
        (_, _, true) if !reads && !writes => AccessLevel::Full,
        (true, true, true) => AccessLevel::Full,
        (true, true, false) => AccessLevel::ReadWrite,
        (false, true, _) => AccessLevel::Upload,
        _ => AccessLevel::Read,
    };
    if prefix.is_none() && (reads || writes) && identity_policy.is_some() && !f.list.iter().any(|x| x.code == "all_buckets" || x.code == "s3_wildcard") {
        let line = identity_line.unwrap_or(1);
        let block = extracted.blocks.iter().find(|b| b.line == line);
        f.push("whole_bucket", format!("It gives access to the whole bucket \"{bucket}\", not one folder. If the vendor needs only one folder, name it when you take the proposal."), block, line, "arn:aws:s3:::");
    }
    // CORS: the methods the proposed level uses; more than that is a finding.
    if !cors_methods.is_empty() {
        let needed = CorsRule::for_origins(&[], access).allowed_methods;
        let extra: Vec<&String> = cors_methods.iter().filter(|m| !needed.contains(m)).collect();
        if !extra.is_empty() {
            let block = extracted.blocks.iter().find(|b| matches!(kind_of(&b.value), Kind::Cors(_)));
            f.push("unused_methods", format!("The CORS rules allow {} although the access is {}: the proposal allows only {}.", extra.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "), access.as_str(), needed.join(", ")), block, block.map(|b| b.line).unwrap_or(1), "AllowedMethods");
        }
    }
    let mut findings = f.list;
    if f.more > 0 {
        findings.push(Finding { code: "more_findings", message: format!("And {} more findings like the ones above.", f.more), line: findings.last().map(|x| x.line).unwrap_or(1), quote: String::new(), blocks_as_pasted: false });
    }
    if findings.is_empty() && asks.is_empty() {
        findings.push(Finding { code: "unknown_json", message: "No policy, CORS rules or role values were found in the text.".into(), line: 1, quote: String::new(), blocks_as_pasted: false });
    }
    let external_id_asked = method == ProposedMethod::Role && external_id.is_none() && extracted.external_id_mentioned;
    let proposal = Proposal { method, access, no_list: !lists && reads, prefix, cors_origins, account, external_id, external_id_asked };
    Ok(Reading { extracted, identity_policy, proposal, findings, asks })
}

/// The card's dangerous answers about one policy block, as findings: other buckets, other services,
/// deleting, the bucket's settings, making files public or locking them. The card reads every pattern
/// (wildcards anywhere, any case, `NotAction`, `NotResource`), so what it says Yes to is never missed.
fn card_findings(f: &mut Findings, b: &Block, lines: &[explain::Line], bucket: &str) {
    let yes = |code: &str| lines.iter().find(|l| l.code == code && l.allowed == Some(true));
    let already = |f: &Findings, code: &str| f.list.iter().any(|x| x.code == code && x.line >= b.line && x.line <= b.line + b.text.lines().count());
    if let Some(l) = yes("other_services") {
        let services = l.answer.trim_start_matches("Yes: ");
        let needle = statements(&b.value).iter().filter(|st| st["Effect"] == "Allow").flat_map(|st| actions_of(st)).find(|a| !a.to_ascii_lowercase().starts_with("s3:")).unwrap_or_default();
        f.push(
            "other_services",
            format!("It allows actions outside S3 ({services}): with them the key could do far more than use files, such as make more keys, change permissions or act as other roles. The proposal uses S3 only, and the app will not create this as pasted."),
            Some(b),
            b.line,
            &needle,
        );
    }
    if yes("other_buckets").is_some() && !already(f, "all_buckets") {
        f.push("all_buckets", format!("It reaches other buckets than \"{bucket}\"."), Some(b), b.line, "Resource");
    }
    if yes("delete").is_some() {
        let a = first_covering(b, &["s3:DeleteObject", "s3:DeleteObjectVersion"]);
        f.push("delete", format!("It allows deleting files ({a}). Most vendors only read or upload."), Some(b), b.line, &a);
    }
    if yes("public_or_lock").is_some() {
        let a = first_covering(b, &["s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutObjectRetention", "s3:PutObjectLegalHold"]);
        f.push("acl", format!("It allows making files public (object ACLs) or locking them against change (retention, legal hold) ({a})."), Some(b), b.line, &a);
    }
    if yes("bucket_settings").is_some() {
        let a = first_covering(b, &["s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketAcl", "s3:PutEncryptionConfiguration", "s3:PutBucketNotification", "s3:PutInventoryConfiguration", "s3:PutBucketTagging", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketCORS", "s3:PutBucketPublicAccessBlock", "s3:PutAccountPublicAccessBlock", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning"]);
        f.push("bucket_admin", format!("It allows changing or deleting the bucket itself (its policy, sharing, encryption, notifications, inventory, tags or Object Lock), not just its files ({a})."), Some(b), b.line, &a);
    }
}

/// Check a pasted identity policy before creating it "as pasted": it must parse as a policy, allow
/// something, and never name a wildcard principal.
pub fn validate_as_pasted(doc: &Value) -> crate::Result<crate::policy::PolicyDocument> {
    let text = doc.to_string();
    if text.contains("\"Principal\"") {
        let wildcard = statements(doc).iter().any(|s| s["Principal"] == "*" || strings(&s["Principal"]["AWS"]).iter().any(|a| a == "*"));
        if wildcard {
            return Err(crate::Error::invalid("pasted policy", "it names a wildcard principal (\"*\"): the app never creates a policy that opens access to anyone"));
        }
        return Err(crate::Error::invalid("pasted policy", "it names a Principal, so it is a resource policy, not a permission policy for a user or role"));
    }
    let card = explain::explain(doc, &explain::Target { partition: "aws", bucket: ANY_BUCKET, prefix: None });
    if let Some(l) = card.iter().find(|l| l.code == "other_services" && l.allowed == Some(true)) {
        return Err(crate::Error::invalid(
            "pasted policy",
            format!("it allows actions outside S3 ({}), which would let the key do far more than use files; the app creates it only as the least-privilege proposal", l.answer.trim_start_matches("Yes: ")),
        ));
    }
    let parsed: crate::policy::PolicyDocument = serde_json::from_value(normalise(doc)).map_err(|e| crate::Error::invalid("pasted policy", format!("it is not an IAM policy the app can read: {e}")))?;
    if parsed.statement.is_empty() {
        return Err(crate::Error::invalid("pasted policy", "it has no statements"));
    }
    crate::policy::check_managed_size(&parsed)?;
    Ok(parsed)
}

/// Make a plan create `doc` (checked by [`validate_as_pasted`]) in place of the least-privilege policy it
/// generated: the vendor's policy exactly as pasted, with a warning in the plan.
pub fn apply_as_pasted(plan: &mut crate::plan::Plan, doc: &Value) -> crate::Result<()> {
    let pasted = validate_as_pasted(doc)?;
    let mut replaced = false;
    for step in plan.steps.iter_mut() {
        match step {
            crate::plan::Action::PutUserPolicy { document, grants, .. } | crate::plan::Action::CreatePolicy { document, grants, .. } => {
                *document = pasted.clone();
                *grants = "the policy exactly as the vendor's guide gives it".into();
                replaced = true;
            }
            _ => {}
        }
    }
    if !replaced {
        return Err(crate::Error::invalid("pasted policy", "this plan writes no permission policy to replace"));
    }
    plan.policy = Some(pasted);
    plan.notes.push("Warning: this creates the vendor's policy exactly as pasted, not the least-privilege equivalent; what the guide's findings say applies to it.".into());
    Ok(())
}

/// The policy "as pasted" would create: the guide's permission policy, else its first policy of any kind
/// (which [`validate_as_pasted`] then refuses, saying why).
pub fn pasted_policy(r: &Reading) -> Option<&Value> {
    r.identity_policy.as_ref().or_else(|| r.extracted.blocks.iter().map(|b| &b.value).find(|v| v.get("Statement").is_some()))
}

/// A bucket name that stands for "yours" while a guide is read before the bucket is chosen (the app reads it
/// on "What do you need?"): the guide's placeholders become it, so folders in its resources are found.
const ANY_BUCKET: &str = "s3aw-your-bucket";

/// [`read`] before the bucket is chosen: findings say "your bucket", and the policy "as pasted" is given as
/// text with `YOUR-BUCKET-NAME` where the bucket goes (filled by [`apply_pasted_text`] once it is chosen).
pub fn read_before_bucket(guide: &str) -> crate::Result<(Reading, Option<String>)> {
    let mut r = read(guide, ANY_BUCKET)?;
    for f in &mut r.findings {
        f.message = f.message.replace(ANY_BUCKET, "your bucket");
    }
    let pasted = pasted_policy(&r).and_then(|v| serde_json::to_string_pretty(v).ok()).map(|t| t.replace(ANY_BUCKET, "YOUR-BUCKET-NAME"));
    Ok((r, pasted))
}

/// [`apply_as_pasted`] for a policy given as text (a guide's block, as the app shows it): its bucket
/// placeholders become `bucket` first.
pub fn apply_pasted_text(plan: &mut crate::plan::Plan, text: &str, bucket: &str) -> crate::Result<()> {
    let (text, _) = extract::fill_placeholders(text, bucket);
    let doc: Value = serde_json::from_str(&text).map_err(|e| crate::Error::invalid("pasted policy", format!("it is not JSON ({e}); paste the policy block whole")))?;
    apply_as_pasted(plan, &doc)
}

/// IAM allows a single string where a list is usual, and a single statement object: the app's policy type
/// wants lists.
fn normalise(doc: &Value) -> Value {
    let mut d = doc.clone();
    if d["Statement"].is_object() {
        d["Statement"] = Value::Array(vec![d["Statement"].clone()]);
    }
    if d.get("Version").is_none() {
        d["Version"] = Value::String("2012-10-17".into());
    }
    if let Some(sts) = d["Statement"].as_array_mut() {
        for st in sts {
            for k in ["Action", "Resource"] {
                if let Some(s) = st.get(k).and_then(Value::as_str).map(str::to_string) {
                    st[k] = Value::Array(vec![Value::String(s)]);
                }
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broad_guide_reads_as_what_it_is() {
        let guide = r#"Create a user and attach:
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:PutObjectAcl"],
    "Resource": ["arn:aws:s3:::YOUR-BUCKET-NAME", "arn:aws:s3:::YOUR-BUCKET-NAME/*"]
  }]
}
"#;
        let r = read(guide, "acme-data").unwrap();
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"delete") && codes.contains(&"acl") && codes.contains(&"whole_bucket"), "{codes:?}");
        let delete = r.findings.iter().find(|f| f.code == "delete").unwrap();
        assert_eq!(delete.line, 6);
        assert!(delete.quote.contains("s3:DeleteObject"));
        assert_eq!(r.proposal.access, AccessLevel::Full);
        assert_eq!(r.proposal.method, ProposedMethod::IamUser);
        assert!(!r.proposal.no_list);
    }

    /// Read before the bucket is chosen (the app): the findings speak of "your bucket", and the policy as
    /// pasted keeps a placeholder for the bucket to come, never the stand-in name.
    #[test]
    fn a_guide_read_before_the_bucket_is_chosen_keeps_its_placeholder() {
        let guide = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::YOUR-BUCKET-NAME", "arn:aws:s3:::YOUR-BUCKET-NAME/*"]}]}"#;
        let (r, pasted) = read_before_bucket(guide).unwrap();
        assert!(!r.findings.is_empty());
        assert!(r.findings.iter().all(|f| !f.message.contains(ANY_BUCKET)), "{:?}", r.findings);
        let pasted = pasted.unwrap();
        assert!(pasted.contains("arn:aws:s3:::YOUR-BUCKET-NAME/*") && !pasted.contains(ANY_BUCKET), "{pasted}");
        let (filled, _) = extract::fill_placeholders(&pasted, "acme-data");
        assert!(filled.contains("arn:aws:s3:::acme-data/*"));
    }

    #[test]
    fn wildcards_every_bucket_and_public_principals_are_called_out() {
        let r = read(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#, "b").unwrap();
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"s3_wildcard") && codes.contains(&"all_buckets"), "{codes:?}");
        let public = read(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#, "b").unwrap();
        assert!(public.findings.iter().any(|f| f.code == "wildcard_principal"));
        assert!(validate_as_pasted(&public.extracted.blocks[0].value).unwrap_err().to_string().contains("wildcard principal"));
    }

    #[test]
    fn a_folder_and_object_only_reads_are_proposed() {
        let r = read(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{your-bucket-name}/images/*"}]}"#, "photos").unwrap();
        assert_eq!(r.proposal.access, AccessLevel::Read);
        assert_eq!(r.proposal.prefix.as_deref(), Some("images/"));
        assert!(r.proposal.no_list, "no ListBucket in the guide: object-only");
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(validate_as_pasted(r.identity_policy.as_ref().unwrap()).unwrap().actions(), vec!["s3:GetObject"]);
    }

    fn codes(r: &Reading) -> Vec<&'static str> {
        r.findings.iter().map(|f| f.code).collect()
    }

    fn policy(statements: &str) -> String {
        format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
    }

    /// Actions outside S3 are account takeover as pasted: each is a finding that blocks "as pasted".
    #[test]
    fn actions_outside_s3_are_findings_that_block_as_pasted() {
        for action in ["iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:PassRole", "sts:AssumeRole", "kms:*", "*", "IAM:createaccesskey", "i*:*"] {
            let guide = policy(&format!(r#"{{"Effect": "Allow", "Action": ["s3:GetObject", "{action}"], "Resource": ["arn:aws:s3:::YOUR-BUCKET-NAME/*", "*"]}}"#));
            let r = read(&guide, "acme-data").unwrap();
            let f = r.findings.iter().find(|f| f.code == "other_services").unwrap_or_else(|| panic!("{action}: {:?}", codes(&r)));
            assert!(f.blocks_as_pasted, "{action}");
            let err = validate_as_pasted(r.identity_policy.as_ref().unwrap()).unwrap_err().to_string();
            assert!(err.contains("outside S3"), "{action}: {err}");
        }
        // The bucket's own KMS key, used only through S3, is part of the job.
        let kms = policy(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"},
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "arn:aws:kms:us-east-1:111122223333:key/1", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}"#);
        let r = read(&kms, "acme-data").unwrap();
        assert!(!codes(&r).contains(&"other_services"), "{:?}", r.findings);
        validate_as_pasted(r.identity_policy.as_ref().unwrap()).unwrap();
    }

    /// One `sts:AssumeRole` statement among permissions does not make a trust policy that skips the checks.
    #[test]
    fn statements_are_classified_one_by_one() {
        let guide = policy(r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#);
        let r = read(&guide, "acme-data").unwrap();
        assert_eq!(r.proposal.method, ProposedMethod::IamUser);
        let c = codes(&r);
        assert!(c.contains(&"other_services") && c.contains(&"all_buckets") && c.contains(&"s3_wildcard"), "{c:?}");
        // A real trust policy still reads as one.
        let trust = policy(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {"StringEquals": {"sts:ExternalId": "x-1"}}}"#);
        let r = read(&trust, "acme-data").unwrap();
        assert_eq!((r.proposal.method, r.proposal.external_id.as_deref()), (ProposedMethod::Role, Some("x-1")));
    }

    /// Lower-case names and wildcards anywhere in a name are read as IAM reads them.
    #[test]
    fn actions_match_in_any_case_and_with_wildcards_anywhere() {
        for (action, code) in [("s3:deleteobject", "delete"), ("s3:*Object", "delete"), ("s3:Delete*", "delete"), ("s3:PutObjectAcl", "acl"), ("s3:putobjectretention", "acl"), ("s3:PutBucketNotification", "bucket_admin"), ("s3:PutInventoryConfiguration", "bucket_admin"), ("s3:Put*", "bucket_admin")] {
            let guide = policy(&format!(r#"{{"Effect": "Allow", "Action": "{action}", "Resource": ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"]}}"#));
            let r = read(&guide, "acme-data").unwrap();
            assert!(codes(&r).contains(&code), "{action} → {code}: {:?}", r.findings);
        }
    }

    /// A resource pins the bucket only when its literal part before the first wildcard does.
    #[test]
    fn resources_that_do_not_pin_the_bucket_are_called_out() {
        for resource in ["arn:aws:s3:::YOUR-BUCKET-NAME*", "arn:aws:s3:::acme-data*/*", "arn:aws:s3:*:*:*", "arn:aws:s3:::*-prod/*", "arn:aws:s3:::other-bucket/*", "arn:*:s3:::*", "*"] {
            let guide = policy(&format!(r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::acme-data/*", "{resource}"]}}"#));
            let r = read(&guide, "acme-data").unwrap();
            assert!(codes(&r).contains(&"all_buckets"), "{resource}: {:?}", r.findings);
        }
        for resource in ["arn:aws:s3:::acme-data/in/*", "arn:aws:s3:::acme-data/*", "arn:aws:s3:::YOUR-BUCKET-NAME/in*"] {
            let guide = policy(&format!(r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{resource}"}}"#));
            let r = read(&guide, "acme-data").unwrap();
            assert!(!codes(&r).contains(&"all_buckets"), "{resource}: {:?}", r.findings);
        }
        assert!(pins_bucket("arn:aws:s3:::b/x", "arn:aws:s3:::b") && !pins_bucket("arn:aws:s3:::b*", "arn:aws:s3:::b") && !pins_bucket("arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::b"));
        assert!(!may_be_s3("arn:aws:iam::*:user/*") && may_be_s3("arn:*") && may_be_s3("*"));
    }

    #[test]
    fn origins_that_fit_every_site_are_any_origin() {
        for o in ["*", "https://*", "*.com", "https://*.com", "https://*.co.uk", "https://*.github.io", "https://app*.example.com"] {
            let guide = format!(r#"[{{"AllowedOrigins": ["{o}"], "AllowedMethods": ["GET"]}}]"#);
            let r = read(&guide, "acme-data").unwrap();
            assert!(codes(&r).contains(&"any_origin"), "{o}: {:?}", r.findings);
            assert!(r.proposal.cors_origins.is_empty(), "{o}");
        }
        let r = read(r#"[{"AllowedOrigins": ["https://*.example.com"], "AllowedMethods": ["GET"]}]"#, "acme-data").unwrap();
        assert_eq!(r.proposal.cors_origins, vec!["https://*.example.com".to_string()]);
    }

    #[test]
    fn the_external_id_is_taken_only_when_quoted_or_code() {
        let prose = "Create a role for account 210987654321. The External ID is generated by our dashboard when you sign up.";
        assert_eq!(read(prose, "b").unwrap().extracted.external_id, None);
        for (text, want) in [("External ID: `acme-7f3a9`.", "acme-7f3a9"), ("use the external ID \"vendor-42\" when asked", "vendor-42"), ("ExternalId = 'x9-y'", "x9-y")] {
            assert_eq!(read(text, "b").unwrap().extracted.external_id.as_deref(), Some(want), "{text}");
        }
    }

    /// "Nothing broader" needs every statement understood: anything else is said.
    #[test]
    fn statements_not_understood_are_findings() {
        for st in [
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEqualsWhatever": {"aws:x": "1"}}}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Extra": 1}"#,
            r#"{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            r#"{"Effect": "Allow", "Action": {"s3": "GetObject"}, "Resource": "arn:aws:s3:::b/*"}"#,
        ] {
            let r = read(&policy(st), "b").unwrap();
            assert!(codes(&r).contains(&"not_understood"), "{st}: {:?}", r.findings);
        }
    }

    /// A managed policy and a narrower JSON of the guide's own: the narrower one is proposed, and why.
    #[test]
    fn a_narrower_policy_of_the_guides_own_wins_over_a_managed_one() {
        let guide = "Attach AmazonS3ReadOnlyAccess, or for least privilege this policy:\n{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::YOUR-BUCKET-NAME/*\"}]}\n";
        let r = read(guide, "images").unwrap();
        assert_eq!((r.proposal.access, r.proposal.no_list), (AccessLevel::Read, true));
        let m = r.findings.iter().find(|f| f.code == "managed_policy").unwrap();
        assert!(m.message.contains("narrower policy of its own (line 2)"), "{}", m.message);
    }

    /// Hostile texts: each read in bounded time, in a plain result; over the cap, a plain refusal.
    #[test]
    fn hostile_guides_of_a_megabyte_are_read() {
        let almost = MAX_GUIDE_BYTES - 1;
        let policy_line = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]}\n";
        for text in [
            "{".repeat(almost),
            "[".repeat(almost / 2) + &"]".repeat(almost / 2),
            "{}\n".repeat(almost / 3),
            "\"{".repeat(almost / 2),
            "Click \"Save\" {then} [next] it's \"done\n".repeat(almost / 40),
            policy_line.repeat(almost / policy_line.len()),
            format!("{}{}", "x".repeat(almost - 100), "\u{1b}[2J"),
        ] {
            let started = std::time::Instant::now();
            let r = read(&text, "b").unwrap();
            assert!(r.findings.len() <= MAX_FINDINGS + 1 && r.extracted.blocks.len() <= extract::MAX_BLOCKS);
            assert!(r.findings.iter().all(|f| f.quote.chars().count() <= MAX_QUOTE + 1));
            // Generous for a debug build on a loaded machine; `make bench` prints the release figure.
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?} for a text starting {:?}", started.elapsed(), &text[..20]);
        }
        let many = policy_line.repeat(200);
        let r = read(&many, "b").unwrap();
        assert!(codes(&r).contains(&"too_many_blocks"));
        let err = read(&"a".repeat(MAX_GUIDE_BYTES + 1), "b").unwrap_err().to_string();
        assert!(err.contains("up to 1 MB"), "{err}");
    }

    /// The reader finds blocks as before: nested, after prose with quotes, and a broken one skipped for
    /// what it holds.
    #[test]
    fn blocks_are_found_after_prose_and_inside_broken_ones() {
        let text = "Click \"Save\" {then}\n{\"broken\": [ {\"a\": 1} ]\n and [1, 2] then {\"b\": {\"c\": 2}}";
        let x = extract::extract(text, "b");
        let values: Vec<String> = x.blocks.iter().map(|b| b.value.to_string()).collect();
        assert_eq!(values, vec![r#"[{"a":1}]"#.to_string(), r#"{"b":{"c":2}}"#.to_string()]);
        assert_eq!(x.blocks.iter().map(|b| b.line).collect::<Vec<_>>(), vec![2, 3]);
        // Nested 127 deep still parses; deeper is not JSON serde_json reads, and what it holds is tried.
        let nest = |n: usize| format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n));
        assert_eq!(extract::extract(&nest(127), "b").blocks[0].text, nest(127));
        assert_eq!(extract::extract(&nest(200), "b").blocks[0].text, nest(127));
    }
}
