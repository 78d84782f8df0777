//! "What can this key do?": a policy document read back as plain yes/no lines about one bucket and folder.
//!
//! One pure function, [`explain`], answers each question by evaluating the document the way IAM does for
//! the request that question stands for (an Allow that matches, and no Deny that surely matches): the
//! action and resource with IAM's wildcards, `NotAction` and `NotResource`, and the `s3:prefix` of a
//! listing. Conditions it cannot decide from the question alone (an end date, source addresses, the
//! encryption headers of an upload) never turn an Allow into a "no": the card answers "can it ever?", and
//! says when and from where on lines of their own. A Deny counts only when it has no condition.
//!
//! It reads any identity policy: ours, one someone edited, or an imported key's.

use crate::limits::{describe_end, limits_of};
use crate::policy::wildcard_match;
use serde_json::Value;

/// One line of the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Stable, for scripts and tests: `list_folder`, `list_other_folders`, `download`, `upload`,
    /// `replace`, `delete`, `other_folders`, `bucket_settings`, `other_buckets`, `ends`, `source_ips`.
    pub code: &'static str,
    /// The question, in plain words.
    pub question: String,
    /// For yes/no questions: whether the policy allows it.
    pub allowed: Option<bool>,
    /// The answer as shown: `Yes`, `No`, a date, addresses.
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

/// Names no real folder or bucket is likely to have, standing for "any other one".
const OTHER_FOLDER: &str = "s3aw-some-other-folder/";
const OTHER_BUCKET: &str = "s3aw-some-other-bucket";
const A_FILE: &str = "s3aw-a-file.txt";

/// Bucket-level actions that change the bucket itself: its policy, ACL, CORS, encryption, public access,
/// versioning, logging, lifecycle, or the bucket's existence.
const BUCKET_ADMIN_ACTIONS: &[&str] = &[
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketCORS",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutBucketLogging",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketWebsite",
    "s3:PutReplicationConfiguration",
    "s3:DeleteBucket",
];

/// The request a question stands for.
struct Ask<'a> {
    action: &'a str,
    resource: String,
    /// The `s3:prefix` of a listing.
    list_prefix: Option<&'a str>,
}

/// The card for `doc` (an identity policy document) about `target`.
pub fn explain(doc: &Value, target: &Target) -> Vec<Line> {
    let bucket_arn = format!("arn:{}:s3:::{}", target.partition, target.bucket);
    let folder = target.prefix.unwrap_or("");
    let in_folder = format!("{bucket_arn}/{folder}{A_FILE}");
    let where_ = match target.prefix {
        Some(p) => format!("the folder {p}"),
        None => format!("the bucket {}", target.bucket),
    };
    let allows = |asks: &[Ask]| asks.iter().any(|a| allowed(doc, a));
    let object = |action: &'static str, resource: &str| Ask { action, resource: resource.to_string(), list_prefix: None };
    let mut lines = Vec::new();
    let mut yes_no = |code: &'static str, question: String, allowed: bool| {
        lines.push(Line { code, question, allowed: Some(allowed), answer: if allowed { "Yes" } else { "No" }.to_string() });
    };

    yes_no("list_folder", format!("See the names of the files in {where_}"), allows(&[Ask { action: "s3:ListBucket", resource: bucket_arn.clone(), list_prefix: Some(folder) }]));
    if target.prefix.is_some() {
        yes_no(
            "list_other_folders",
            format!("See the names of the files in other folders of {}", target.bucket),
            allows(&[Ask { action: "s3:ListBucket", resource: bucket_arn.clone(), list_prefix: Some(OTHER_FOLDER) }, Ask {
                action: "s3:ListBucket",
                resource: bucket_arn.clone(),
                list_prefix: Some(""),
            }]),
        );
    }
    yes_no("download", format!("Download files from {where_}"), allows(&[object("s3:GetObject", &in_folder)]));
    yes_no("upload", format!("Upload new files to {where_}"), allows(&[object("s3:PutObject", &in_folder)]));
    yes_no("replace", "Replace a file by uploading one with the same name".to_string(), allows(&[object("s3:PutObject", &in_folder)]));
    yes_no("delete", format!("Delete files in {where_}"), allows(&[object("s3:DeleteObject", &in_folder), object("s3:DeleteObjectVersion", &in_folder)]));
    if target.prefix.is_some() {
        let other = format!("{bucket_arn}/{OTHER_FOLDER}{A_FILE}");
        yes_no(
            "other_folders",
            format!("Download, upload or delete files in other folders of {}", target.bucket),
            allows(&[object("s3:GetObject", &other), object("s3:PutObject", &other), object("s3:DeleteObject", &other)]),
        );
    }
    let settings: Vec<Ask> = BUCKET_ADMIN_ACTIONS.iter().map(|a| object(a, &bucket_arn)).collect();
    yes_no("bucket_settings", "Change the bucket's settings (its policy, sharing, encryption) or delete the bucket".to_string(), allows(&settings));
    let other_bucket = format!("arn:{}:s3:::{OTHER_BUCKET}", target.partition);
    let other_object = format!("{other_bucket}/{A_FILE}");
    yes_no(
        "other_buckets",
        "Use other buckets".to_string(),
        allows(&[
            Ask { action: "s3:ListBucket", resource: other_bucket.clone(), list_prefix: Some("") },
            object("s3:GetObject", &other_object),
            object("s3:PutObject", &other_object),
            object("s3:DeleteObject", &other_object),
        ]),
    );

    let limits = limits_of(doc);
    lines.push(Line {
        code: "ends",
        question: "Ends on".to_string(),
        allowed: None,
        answer: limits.ends_at.as_deref().map(describe_end).unwrap_or_else(|| "Never: it works until it is revoked".to_string()),
    });
    lines.push(Line {
        code: "source_ips",
        question: "Only from these addresses".to_string(),
        allowed: None,
        answer: if limits.source_ips.is_empty() { "Any address".to_string() } else { limits.source_ips.join(", ") },
    });
    lines
}

/// The card for a plan's access policy (what the key or role will be able to do), when the plan grants one.
pub fn for_plan(plan: &crate::plan::Plan) -> Option<Vec<Line>> {
    let doc = serde_json::to_value(plan.policy.as_ref()?).ok()?;
    let s = &plan.request.scope;
    Some(explain(&doc, &Target { partition: &s.partition, bucket: &s.bucket, prefix: s.prefix.as_deref() }))
}

/// The card for an access in My access, from its policy as it is in the account now. `bucket` names the
/// bucket to ask about when the entry has none (an imported key).
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
    let doc = status.policy_document.as_ref().ok_or_else(|| match &status.principal {
        crate::access::Live::Deleted => Error::invalid("access", format!("{} no longer exists in AWS: it can do nothing", e.principal_label())),
        crate::access::Live::Unchecked(why) => Error::invalid("access", format!("its policy could not be read: {why}")),
        crate::access::Live::Exists => Error::invalid("access", format!("the policy of {} could not be read (it has no policy this app made)", e.principal_label())),
    })?;
    let target = Target { partition, bucket: &bucket, prefix: prefix.as_deref() };
    let mut lines = explain(doc, &target);
    if let Some(line) = shared_files_line(doc, &target, &e.share_files) {
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
    if files.is_empty() {
        return None;
    }
    let all = files.iter().all(|f| allowed(doc, &Ask { action: "s3:GetObject", resource: format!("arn:{}:s3:::{}/{f}", target.partition, target.bucket), list_prefix: None }));
    let n = files.len();
    Some(Line {
        code: "download_shared",
        question: format!("Download the {n} shared file{}", if n == 1 { "" } else { "s" }),
        allowed: Some(all),
        answer: if all { "Yes" } else { "No" }.to_string(),
    })
}

/// Whether the document allows the request: some Allow statement matches and no unconditional Deny does.
fn allowed(doc: &Value, ask: &Ask) -> bool {
    let statements: Vec<&Value> = match &doc["Statement"] {
        Value::Array(list) => list.iter().collect(),
        one @ Value::Object(_) => vec![one],
        _ => vec![],
    };
    let matching = |st: &Value| matches_action(st, ask.action) && matches_resource(st, &ask.resource);
    let allow = statements.iter().any(|st| st["Effect"] == "Allow" && matching(st) && condition_may_hold(&st["Condition"], ask));
    let denied = statements.iter().any(|st| st["Effect"] == "Deny" && matching(st) && st.get("Condition").is_none_or(Value::is_null));
    allow && !denied
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

fn matches_action(st: &Value, action: &str) -> bool {
    let any = |patterns: Vec<&str>| patterns.iter().any(|p| wildcard_match(&p.to_ascii_lowercase(), &action.to_ascii_lowercase()));
    match (st.get("Action"), st.get("NotAction")) {
        (Some(a), _) => any(strings(a)),
        (None, Some(not)) => !any(strings(not)),
        _ => false,
    }
}

fn matches_resource(st: &Value, resource: &str) -> bool {
    let any = |patterns: Vec<&str>| patterns.iter().any(|p| wildcard_match(p, resource));
    match (st.get("Resource"), st.get("NotResource")) {
        (Some(r), _) => any(strings(r)),
        (None, Some(not)) => !any(strings(not)),
        _ => false,
    }
}

/// Whether a condition can hold for the request. Only the `s3:prefix` of a listing is decided; any other
/// key is assumed met (the card reports ends and addresses on lines of their own).
fn condition_may_hold(condition: &Value, ask: &Ask) -> bool {
    let Some(ops) = condition.as_object() else { return true };
    for (op, keys) in ops {
        let Some(values) = keys.get("s3:prefix") else { continue };
        let Some(prefix) = ask.list_prefix else { continue };
        let values = strings(values);
        let holds = match op.as_str() {
            "StringEquals" => values.contains(&prefix),
            "StringLike" => values.iter().any(|v| wildcard_match(v, prefix)),
            "StringNotEquals" => !values.contains(&prefix),
            "StringNotLike" => !values.iter().any(|v| wildcard_match(v, prefix)),
            _ => true,
        };
        if !holds {
            return false;
        }
    }
    true
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::policy::{access_policy, AccessLevel, Scope};
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
            let want = format!("{want} bucket_settings=No other_buckets=No {never}");
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
            "list_folder=Yes list_other_folders=Yes download=Yes upload=Yes replace=Yes delete=Yes other_folders=Yes bucket_settings=Yes other_buckets=Yes ends=Never: it works until it is revoked source_ips=Any address"
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
        assert_eq!(answers(&card(&json!({}), None)).matches("=No").count(), 7, "an empty document allows nothing");
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(wildcard_match("arn:aws:s3:::b/in/*", "arn:aws:s3:::b/in/x/y"));
        assert!(!wildcard_match("arn:aws:s3:::b/in/*", "arn:aws:s3:::b/inside"));
        assert!(wildcard_match("s3:get*", "s3:getobject") && wildcard_match("s3:?etObject", "s3:GetObject") && wildcard_match("*", ""));
        assert!(!wildcard_match("arn:aws:s3:::b", "arn:aws:s3:::b2"));
    }
}
