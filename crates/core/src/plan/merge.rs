//! Merging into documents S3 replaces whole (CORS configurations and bucket policies): what is there is
//! kept, our part is added, and an identical part already there means nothing to do. Used by planning and
//! by the bucket-settings reader.

use crate::error::{Error, Result};
use super::action::PolicyPurpose;
use crate::request::CorsRule;
use serde_json::{json, Value};

/// The most rules and bytes S3 accepts in a CORS configuration.
pub const CORS_MAX_RULES: usize = 100;
pub const CORS_MAX_BYTES: usize = 64 * 1024;

/// Add `rule` to the existing rules. `None` when an identical rule is already there (nothing to do).
pub fn merge_cors(existing: Option<&[CorsRule]>, rule: &CorsRule) -> Result<Option<Vec<CorsRule>>> {
    let mut rules = existing.map(<[CorsRule]>::to_vec).unwrap_or_default();
    if rules.iter().any(|r| same_rule(r, rule)) {
        return Ok(None);
    }
    rules.push(rule.clone());
    check_cors_limits(&rules)?;
    Ok(Some(rules))
}

/// S3's limits on a CORS configuration: 100 rules, 64 KB.
pub fn check_cors_limits(rules: &[CorsRule]) -> Result<()> {
    if rules.len() > CORS_MAX_RULES {
        return Err(Error::invalid("CORS rule", format!("that makes {} CORS rules; S3 allows at most {CORS_MAX_RULES}: remove unused rules first", rules.len())));
    }
    // The XML S3 stores is larger than this JSON; 2x is a safe upper estimate.
    let size = serde_json::to_string(rules).map(|s| s.len() * 2).unwrap_or(0);
    if size > CORS_MAX_BYTES {
        return Err(Error::invalid("CORS rule", "the CORS configuration would be larger than S3's 64 KB limit; remove unused rules first"));
    }
    Ok(())
}

fn same_rule(a: &CorsRule, b: &CorsRule) -> bool {
    let norm = |v: &Vec<String>| {
        let mut v = v.clone();
        v.sort();
        v
    };
    norm(&a.allowed_origins) == norm(&b.allowed_origins)
        && norm(&a.allowed_methods) == norm(&b.allowed_methods)
        && norm(&a.allowed_headers) == norm(&b.allowed_headers)
        && norm(&a.expose_headers) == norm(&b.expose_headers)
        && a.max_age_seconds == b.max_age_seconds
}

pub const TLS_ONLY_SID: &str = "DenyInsecureTransport";

/// The TLS-only statement for a bucket: deny every S3 action on the bucket and its objects to anyone, for
/// requests not made over TLS.
pub fn tls_only_statement(bucket_arn: &str) -> Value {
    json!({
        "Sid": TLS_ONLY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    })
}

/// The statement that lets S3's log delivery write `source`'s access logs under `target/prefix`, as AWS
/// documents it (service principal, limited by source bucket and account).
pub fn log_delivery_statement(target_arn: &str, prefix: &str, source_arn: &str, account: &str) -> Value {
    json!({
        "Sid": log_delivery_sid(source_arn),
        "Effect": "Allow",
        "Principal": { "Service": LOG_DELIVERY_SERVICE },
        "Action": "s3:PutObject",
        "Resource": format!("{target_arn}/{prefix}*"),
        "Condition": { "ArnLike": { "aws:SourceArn": source_arn }, "StringEquals": { "aws:SourceAccount": account } }
    })
}

const LOG_DELIVERY_SERVICE: &str = "logging.s3.amazonaws.com";

/// A statement id unique to the source bucket: its letters and digits (all a Sid may hold) and a hash of
/// the whole name, so `my-logs` and `my.logs` do not collide (a policy with two equal Sids is refused).
pub fn log_delivery_sid(source_arn: &str) -> String {
    let name = source_arn.rsplit(':').next().unwrap_or_default();
    let letters: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    // FNV-1a: small, stable across releases and platforms (unlike std's hasher).
    let hash = name.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("S3ServerAccessLogs{letters}{hash:08x}")
}

/// Merge a TLS-only deny statement into an existing bucket policy. Returns the new document and how many
/// existing statements were kept, or `None` when the policy already denies insecure transport.
pub fn merge_tls_only(existing: Option<&str>, bucket_arn: &str) -> Result<Option<(String, usize)>> {
    merge_statement(existing, &tls_only_statement(bucket_arn), &PolicyPurpose::TlsOnly)
}

/// Merge the log-delivery statement for `source` (replacing our older one for the same source, say with
/// another prefix). `None` when exactly that is there.
pub fn merge_log_delivery(existing: Option<&str>, target_arn: &str, prefix: &str, source_arn: &str, account: &str) -> Result<Option<(String, usize)>> {
    let source = source_arn.rsplit(':').next().unwrap_or_default().to_string();
    merge_statement(existing, &log_delivery_statement(target_arn, prefix, source_arn, account), &PolicyPurpose::LogDelivery { source })
}

/// Whether `s` refuses every S3 request to the bucket and its objects that is not made over TLS: a Deny to
/// everyone, of all S3 actions, on both the bucket and its objects, when `aws:SecureTransport` is false. A
/// narrower statement (one action, the objects only, one principal) does not count.
pub fn denies_insecure_transport(s: &Value, bucket_arn: &str) -> bool {
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(x)) => vec![x.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => vec![],
        }
    };
    let everyone = match s.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(o)) => o.get("AWS").map(|a| list(Some(a)).iter().any(|x| x == "*")).unwrap_or(false),
        _ => false,
    };
    let all_actions = s.get("NotAction").is_none() && list(s.get("Action")).iter().any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"));
    let resources = list(s.get("Resource"));
    let covers = |arn: &str| s.get("NotResource").is_none() && resources.iter().any(|r| crate::policy::wildcard_match(r, arn));
    let insecure = ["Bool", "BoolIfExists"].iter().any(|op| {
        s.pointer(&format!("/Condition/{op}/aws:SecureTransport")).map(|v| v == "false" || v == &Value::Bool(false) || v == &json!(["false"])).unwrap_or(false)
    });
    s.get("Effect").and_then(Value::as_str) == Some("Deny") && everyone && all_actions && covers(bucket_arn) && covers(&format!("{bucket_arn}/*")) && insecure
}


/// The statements of a bucket policy (a single statement object counts as a list of one).
pub fn policy_statements(text: &str) -> Result<Vec<Value>> {
    let doc = parse_policy(text)?;
    Ok(match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => vec![],
    })
}

fn parse_policy(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::BucketPolicyUnreadable { detail: format!("it is not valid JSON ({e})") })
}

/// Merge `added` (a statement of ours) into a bucket policy: nothing to do (`None`) when the policy already
/// does what it does; an older statement of ours for the same purpose (same Sid, or for log delivery the
/// same source bucket) is replaced; every other statement is kept as it was. Returns the new document and
/// how many statements were kept. Used when planning and again when applying, on the policy read then.
pub fn merge_statement(existing: Option<&str>, added: &Value, purpose: &PolicyPurpose) -> Result<Option<(String, usize)>> {
    let mut doc: Value = match existing {
        Some(text) => parse_policy(text)?,
        None => json!({ "Version": "2012-10-17", "Statement": [] }),
    };
    let statements = match doc.get_mut("Statement") {
        Some(Value::Array(a)) => a,
        Some(single @ Value::Object(_)) => {
            let one = single.take();
            *single = Value::Array(vec![one]);
            match single.as_array_mut() {
                Some(a) => a,
                None => return Err(Error::BucketPolicyUnreadable { detail: "its Statement is neither a list nor one statement".into() }),
            }
        }
        _ => return Err(Error::BucketPolicyUnreadable { detail: "it has no Statement list".into() }),
    };
    let already = |s: &Value| match purpose {
        PolicyPurpose::TlsOnly => added.pointer("/Resource/0").and_then(Value::as_str).map(|arn| denies_insecure_transport(s, arn)).unwrap_or(false),
        PolicyPurpose::LogDelivery { .. } => without_sid(s) == without_sid(added),
    };
    if statements.iter().any(already) {
        return Ok(None);
    }
    let sid = added.get("Sid");
    let ours = |s: &Value| {
        (sid.is_some() && s.get("Sid") == sid)
            || matches!(purpose, PolicyPurpose::LogDelivery { .. })
                && s.pointer("/Principal/Service").and_then(Value::as_str) == Some(LOG_DELIVERY_SERVICE)
                && s.pointer("/Condition/ArnLike/aws:SourceArn") == added.pointer("/Condition/ArnLike/aws:SourceArn")
    };
    statements.retain(|s| !ours(s));
    let kept = statements.len();
    statements.push(added.clone());
    Ok(Some((serde_json::to_string_pretty(&doc).unwrap_or_default(), kept)))
}

fn without_sid(s: &Value) -> Value {
    let mut s = s.clone();
    if let Some(o) = s.as_object_mut() {
        o.remove("Sid");
    }
    s
}
