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
}

/// One thing the guide asks for that is broader than needed (or wrong), with where it says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable: `all_buckets`, `s3_wildcard`, `delete`, `acl`, `bucket_admin`, `wildcard_principal`,
    /// `any_origin`, `unused_methods`, `service_trust`, `no_external_id`, `managed_policy`,
    /// `whole_bucket`, `unknown_json`.
    pub code: &'static str,
    pub message: String,
    /// The guide's line, and its text.
    pub line: usize,
    pub quote: String,
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

/// The guide's line that holds `needle` (first from `from`), for quoting a finding.
fn locate(guide: &str, from: usize, needle: &str) -> (usize, String) {
    let lines: Vec<&str> = guide.lines().collect();
    for (i, l) in lines.iter().enumerate().skip(from.saturating_sub(1)) {
        if l.contains(needle) {
            return (i + 1, l.trim().to_string());
        }
    }
    (from, lines.get(from.saturating_sub(1)).map(|l| l.trim().to_string()).unwrap_or_default())
}

enum Kind {
    Identity,
    BucketPolicy,
    Trust,
    Cors(Vec<Value>),
    Handoff,
    Unknown,
}

fn kind_of(v: &Value) -> Kind {
    if v.get("Statement").is_some() {
        let sts = statements(v);
        if sts.iter().any(|s| strings(&s["Action"]).iter().any(|a| a.starts_with("sts:AssumeRole"))) {
            return Kind::Trust;
        }
        if sts.iter().any(|s| s.get("Principal").is_some()) {
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

const BUCKET_ADMIN: &[&str] = &["PutBucketPolicy", "DeleteBucketPolicy", "DeleteBucket", "PutBucketCORS", "PutEncryptionConfiguration", "PutBucketPublicAccessBlock", "PutBucketVersioning", "PutLifecycleConfiguration", "PutBucketWebsite", "PutBucketOwnershipControls", "CreateBucket"];

fn push_finding(findings: &mut Vec<Finding>, guide: &str, code: &'static str, message: String, from: usize, needle: &str) {
    let (line, quote) = locate(guide, from, needle);
    if !findings.iter().any(|f| f.code == code && f.line == line) {
        findings.push(Finding { code, message, line, quote });
    }
}

/// Read a guide for `bucket`: what it asks, what is too broad, and the least-privilege proposal.
pub fn read(guide: &str, bucket: &str) -> Reading {
    let extracted = extract::extract(guide, bucket);
    let mut findings = Vec::new();
    let mut asks = Vec::new();
    macro_rules! find {
        ($($a:expr),* $(,)?) => {
            push_finding(&mut findings, guide, $($a),*)
        };
    }
    let (mut reads, mut writes, mut deletes, mut lists) = (false, false, false, false);
    let mut prefixes: Vec<String> = Vec::new();
    let mut identity_policy = None;
    let mut identity_line: Option<usize> = None;
    let mut cors_origins: Vec<String> = Vec::new();
    let mut cors_methods: Vec<String> = Vec::new();
    let mut method = ProposedMethod::IamUser;
    let mut account = extracted.account_id.clone();
    let mut external_id = extracted.external_id.clone();
    let bucket_arn = format!("arn:aws:s3:::{bucket}");

    let blocks: Vec<Block> = extracted.blocks.clone();
    for b in &blocks {
        match kind_of(&b.value) {
            Kind::Identity | Kind::BucketPolicy => {
                let is_bucket_policy = matches!(kind_of(&b.value), Kind::BucketPolicy);
                if is_bucket_policy {
                    asks.push(format!("A bucket policy (line {}).", b.line));
                } else {
                    asks.push(format!("A permission policy for the user or role (line {}).", b.line));
                    identity_policy.get_or_insert_with(|| b.value.clone());
                    identity_line.get_or_insert(b.line);
                }
                for st in statements(&b.value) {
                    if st["Effect"] != "Allow" {
                        continue;
                    }
                    if is_bucket_policy {
                        let p = &st["Principal"];
                        if p == "*" || p["AWS"] == "*" || strings(&p["AWS"]).iter().any(|a| a == "*") {
                            find!("wildcard_principal", "The bucket policy allows anyone (\"Principal\": \"*\"): it would make the bucket public. The app never creates that.".into(), b.line, "\"Principal\"");
                        }
                    }
                    let actions = strings(&st["Action"]);
                    let resources = strings(&st["Resource"]);
                    for a in &actions {
                        let name = a.strip_prefix("s3:").unwrap_or(a);
                        if a == "*" || a == "s3:*" {
                            find!("s3_wildcard", format!("\"{a}\" allows every S3 action, deleting and changing the bucket's settings included."), b.line, &format!("\"{a}\""));
                            reads = true;
                            writes = true;
                            deletes = true;
                            lists = true;
                            continue;
                        }
                        if name.starts_with("Get") || name == "*Object*" {
                            reads |= name.starts_with("GetObject") || name == "Get*";
                        }
                        if name.starts_with("List") {
                            lists = true;
                        }
                        if name.starts_with("PutObject") && !name.contains("Acl") && !name.contains("Tagging") || name == "Put*" || name == "AbortMultipartUpload" {
                            writes = true;
                        }
                        if name.starts_with("DeleteObject") || name == "Delete*" {
                            deletes = true;
                            find!("delete", format!("It allows deleting files ({a}). Most vendors only read or upload."), b.line, a);
                        }
                        if name.contains("Acl") {
                            find!("acl", format!("It allows changing who may read files or the bucket ({a}): an ACL can make a file public."), b.line, a);
                        }
                        if BUCKET_ADMIN.contains(&name) || name == "PutBucket*" {
                            find!("bucket_admin", format!("It allows changing or deleting the bucket itself ({a}), not just its files."), b.line, a);
                        }
                        if name.ends_with('*') && name != "*" && a != "s3:*" {
                            find!("s3_wildcard", format!("\"{a}\" is a wildcard: it allows every action whose name starts so, now and in future."), b.line, a);
                        }
                    }
                    for r in &resources {
                        if r == "*" || r == "arn:aws:s3:::*" || r == "arn:aws:s3:::*/*" {
                            find!("all_buckets", format!("\"{r}\" means every bucket in the account, not only \"{bucket}\"."), b.line, &format!("\"{r}\""));
                        } else if let Some(rest) = r.strip_prefix(&format!("{bucket_arn}/")) {
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
                    }
                }
            }
            Kind::Trust => {
                method = ProposedMethod::Role;
                asks.push(format!("A role another account uses (line {}).", b.line));
                for st in statements(&b.value) {
                    let p = &st["Principal"];
                    if let Some(svc) = strings(&p["Service"]).first() {
                        find!("service_trust", format!("The role is trusted by an AWS service ({svc}), not by the vendor's account: a cross-account role names their account ID."), b.line, svc);
                    }
                    if let Some(aws) = strings(&p["AWS"]).first() {
                        if aws == "*" {
                            find!("wildcard_principal", "The role would trust every AWS account (\"*\"). The app never creates that.".into(), b.line, "\"*\"");
                        } else {
                            let acct = aws.strip_prefix("arn:aws:iam::").and_then(|r| r.split(':').next()).map(str::to_string).unwrap_or_else(|| aws.clone());
                            account.get_or_insert(if aws.ends_with(":root") || !aws.starts_with("arn:") { acct } else { aws.clone() });
                        }
                    }
                    match st["Condition"]["StringEquals"]["sts:ExternalId"].as_str() {
                        Some(id) => {
                            external_id.get_or_insert_with(|| id.to_string());
                        }
                        None if st["Principal"].get("AWS").is_some() => {
                            find!("no_external_id", "The trust policy has no external ID: without one, anyone who learns the role's name could have the vendor use it on their behalf (the confused deputy). The app always sets one.".into(), b.line, "sts:AssumeRole");
                        }
                        None => {}
                    }
                }
            }
            Kind::Cors(rules) => {
                asks.push(format!("CORS rules, so a web page can reach the bucket (line {}).", b.line));
                for r in &rules {
                    for o in strings(&r["AllowedOrigins"]) {
                        if o == "*" {
                            find!("any_origin", "\"AllowedOrigins\": [\"*\"] lets every web site in the world use the bucket from a browser. Name the vendor's site instead.".into(), b.line, "AllowedOrigins");
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
            Kind::Unknown => find!("unknown_json", "This JSON is not a policy, CORS rules or a role handoff the app knows; it is left out of the proposal.".into(), b.line, b.text.lines().next().unwrap_or("")),
        }
    }
    for (name, line) in &extracted.managed_policies {
        let what = MANAGED_POLICIES.iter().find(|(n, _)| n == name).map(|(_, w)| *w).unwrap_or("more than one bucket");
        find!("managed_policy", format!("The AWS managed policy {name} allows you to {what}. The proposal grants only \"{bucket}\"."), *line, name);
        asks.push(format!("The AWS managed policy {name} (line {line})."));
        match name.as_str() {
            "AmazonS3ReadOnlyAccess" => {
                reads = true;
                lists = true;
            }
            _ => {
                reads = true;
                writes = true;
                lists = true;
            }
        }
    }
    if method == ProposedMethod::IamUser && account.is_some() && external_id.is_some() && identity_policy.is_some() && asks.iter().any(|a| a.contains("role")) {
        method = ProposedMethod::Role;
    }

    // The level: what the guide's actions do, with delete only when it asked for nothing narrower.
    let access = match (reads || lists, writes, deletes) {
        (_, _, true) if !reads && !writes => AccessLevel::Full,
        (true, true, true) => AccessLevel::Full,
        (true, true, false) => AccessLevel::ReadWrite,
        (false, true, _) => AccessLevel::Upload,
        _ => AccessLevel::Read,
    };
    let prefix = match prefixes.as_slice() {
        [one] if !one.is_empty() => Some(one.clone()),
        _ => None,
    };
    if prefix.is_none() && (reads || writes) && identity_policy.is_some() && !findings.iter().any(|f| f.code == "all_buckets" || f.code == "s3_wildcard") {
        find!("whole_bucket", format!("It gives access to the whole bucket \"{bucket}\", not one folder. If the vendor needs only one folder, name it when you take the proposal."), identity_line.unwrap_or(1), "arn:aws:s3:::");
    }
    // CORS: the methods the proposed level uses; more than that is a finding.
    if !cors_methods.is_empty() {
        let needed = CorsRule::for_origins(&[], access).allowed_methods;
        let extra: Vec<&String> = cors_methods.iter().filter(|m| !needed.contains(m)).collect();
        if !extra.is_empty() {
            let line = blocks.iter().find(|b| matches!(kind_of(&b.value), Kind::Cors(_))).map(|b| b.line).unwrap_or(1);
            find!("unused_methods", format!("The CORS rules allow {} although the access is {}: the proposal allows only {}.", extra.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "), access.as_str(), needed.join(", ")), line, "AllowedMethods");
        }
    }
    if findings.is_empty() && asks.is_empty() {
        findings.push(Finding { code: "unknown_json", message: "No policy, CORS rules or role values were found in the text.".into(), line: 1, quote: String::new() });
    }
    let proposal = Proposal { method, access, no_list: !lists && reads, prefix, cors_origins, account, external_id };
    Reading { extracted, identity_policy, proposal, findings, asks }
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
pub fn read_before_bucket(guide: &str) -> (Reading, Option<String>) {
    let mut r = read(guide, ANY_BUCKET);
    for f in &mut r.findings {
        f.message = f.message.replace(ANY_BUCKET, "your bucket");
    }
    let pasted = pasted_policy(&r).and_then(|v| serde_json::to_string_pretty(v).ok()).map(|t| t.replace(ANY_BUCKET, "YOUR-BUCKET-NAME"));
    (r, pasted)
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
        let r = read(guide, "acme-data");
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
        let (r, pasted) = read_before_bucket(guide);
        assert!(!r.findings.is_empty());
        assert!(r.findings.iter().all(|f| !f.message.contains(ANY_BUCKET)), "{:?}", r.findings);
        let pasted = pasted.unwrap();
        assert!(pasted.contains("arn:aws:s3:::YOUR-BUCKET-NAME/*") && !pasted.contains(ANY_BUCKET), "{pasted}");
        let (filled, _) = extract::fill_placeholders(&pasted, "acme-data");
        assert!(filled.contains("arn:aws:s3:::acme-data/*"));
    }

    #[test]
    fn wildcards_every_bucket_and_public_principals_are_called_out() {
        let r = read(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#, "b");
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"s3_wildcard") && codes.contains(&"all_buckets"), "{codes:?}");
        let public = read(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#, "b");
        assert!(public.findings.iter().any(|f| f.code == "wildcard_principal"));
        assert!(validate_as_pasted(&public.extracted.blocks[0].value).unwrap_err().to_string().contains("wildcard principal"));
    }

    #[test]
    fn a_folder_and_object_only_reads_are_proposed() {
        let r = read(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{your-bucket-name}/images/*"}]}"#, "photos");
        assert_eq!(r.proposal.access, AccessLevel::Read);
        assert_eq!(r.proposal.prefix.as_deref(), Some("images/"));
        assert!(r.proposal.no_list, "no ListBucket in the guide: object-only");
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(validate_as_pasted(r.identity_policy.as_ref().unwrap()).unwrap().actions(), vec!["s3:GetObject"]);
    }
}
