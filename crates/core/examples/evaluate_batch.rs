//! The engine's IAM evaluator on a batch of requests, in the format of `tests/oracle/decide.mjs` (the
//! test oracle), for `tests/e2e/test_evaluator_agrees.py`.
//!
//! Reads a JSON array of cases on stdin: `{ identityPolicies: [doc], boundaryPolicies: [doc],
//! resourcePolicy: doc|null, principal, action, resource, accountId, context: { key: value | [values] } }`
//! (`accountId` is the resource's account). Writes one answer per case, in order, as a JSON array:
//! `{ decision, deniedBy, allowedBy, missing }` or `{ error }`.
//!
//! With `--app-policies` it reads nothing and writes every policy the app writes instead, for the test to
//! decide with both evaluators: `[{ name, kind: "identity" | "bucket", bucket, document }]`.

use s3aw_core::evaluate::{evaluate, Context, NamedPolicy, Policies, Request, StatementRef};
use serde_json::{json, Value};
use std::io::Read;

fn refs(list: &[StatementRef]) -> Value {
    Value::Array(list.iter().map(|s| json!({ "policy": s.policy, "sid": s.sid, "index": s.index })).collect())
}

fn decide(case: &Value) -> Result<Value, String> {
    let text = |k: &str| case.get(k).and_then(Value::as_str).map(str::to_string).ok_or_else(|| format!("the case has no {k}"));
    let docs = |k: &str| case.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let boundaries = docs("boundaryPolicies");
    if boundaries.len() > 1 {
        return Err("a principal has at most one permissions boundary".into());
    }
    let policies = Policies {
        identity: docs("identityPolicies").into_iter().enumerate().map(|(i, d)| NamedPolicy::new(format!("identity{i}"), d)).collect(),
        boundary: boundaries.into_iter().next().map(|d| NamedPolicy::new("boundary0", d)),
        resource: case.get("resourcePolicy").filter(|v| !v.is_null()).map(|d| NamedPolicy::new("resource", d.clone())),
    };
    let mut context = Context::new();
    for (k, v) in case.get("context").and_then(Value::as_object).into_iter().flatten() {
        match v {
            Value::String(s) => context.set(k, s.clone()),
            Value::Array(a) => context.set_many(k, a.iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).collect()),
            other => context.set(k, other.to_string()),
        };
    }
    let request = Request { principal: text("principal")?, action: text("action")?, resource: text("resource")?, resource_account: text("accountId")?, context };
    let v = evaluate(&request, &policies).map_err(|e| e.to_string())?;
    Ok(json!({
        "decision": v.decision.as_str(),
        "deniedBy": refs(&v.denied_by),
        "allowedBy": refs(&v.allowed_by),
        "missing": v.missing.map(|m| format!("{m:?}")),
    }))
}

/// Every identity and bucket policy the app writes: each access level, with and without a folder,
/// listing, an end and addresses, and the bucket's KMS key (by ARN and by alias); a share's; the
/// session cut-off; TLS-only and log delivery in a bucket policy.
fn app_policies() -> Result<Value, String> {
    use s3aw_core::limits::Limits;
    use s3aw_core::policy::{access_policy, AccessLevel, BucketKey, Scope};
    let doc = |d: &s3aw_core::policy::PolicyDocument| serde_json::to_value(d).map_err(|e| e.to_string());
    let mut out = Vec::new();
    let limits = [
        Limits::default(),
        Limits { ends_at: Some("2026-09-01T00:00:00Z".into()), source_ips: vec!["203.0.113.0/24".into(), "2001:db8::/32".into()] },
    ];
    let keys = [
        None,
        Some(BucketKey::from_bucket_setting("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "aws", "eu-west-1", "123456789012")),
        Some(BucketKey::from_bucket_setting("alias/data-key", "aws", "eu-west-1", "123456789012")),
    ];
    for level in [AccessLevel::Read, AccessLevel::Upload, AccessLevel::ReadWrite, AccessLevel::Full] {
        for prefix in [None, Some("in")] {
            for list in [true, false] {
                for (li, limit) in limits.iter().enumerate() {
                    for (ki, key) in keys.iter().enumerate() {
                        let mut scope = Scope::new("vendor-data", prefix).map_err(|e| e.to_string())?;
                        scope.allow_list = list;
                        scope.limits = limit.clone();
                        scope.kms = key.clone();
                        let policy = access_policy(&scope, level);
                        let name = format!("{}-{}-list{list}-limits{li}-kms{ki}", level.as_str(), prefix.unwrap_or("bucket"));
                        out.push(json!({ "name": name, "kind": "identity", "bucket": "vendor-data", "document": doc(&policy)? }));
                        if level == AccessLevel::Read && !list {
                            let share = s3aw_core::share::share_policy(&policy, &scope, &["in/a.txt".to_string()]);
                            out.push(json!({ "name": format!("share-{name}"), "kind": "identity", "bucket": "vendor-data", "document": doc(&share)? }));
                        }
                    }
                }
            }
        }
    }
    out.push(json!({ "name": "revoke-older-sessions", "kind": "identity", "bucket": "vendor-data", "document": doc(&s3aw_core::iam::revoke_older_sessions_policy("2026-06-01T00:00:00Z"))? }));
    // Bucket policies as the app merges them into an empty bucket policy, and into one another.
    let bucket_arn = "arn:aws:s3:::vendor-data";
    let text = |merged: s3aw_core::Result<Option<(String, usize)>>| -> Result<String, String> {
        merged.map_err(|e| e.to_string())?.map(|(t, _)| t).ok_or_else(|| "nothing merged".to_string())
    };
    let tls = text(s3aw_core::plan::merge_tls_only(None, bucket_arn))?;
    let logs = text(s3aw_core::plan::merge_log_delivery(Some(&tls), bucket_arn, "logs/", "arn:aws:s3:::source-bucket", "123456789012"))?;
    for (name, t) in [("tls-only", tls), ("tls-only-and-log-delivery", logs)] {
        let document: Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
        out.push(json!({ "name": name, "kind": "bucket", "bucket": "vendor-data", "document": document }));
    }
    Ok(Value::Array(out))
}

fn main() {
    if std::env::args().any(|a| a == "--app-policies") {
        match app_policies() {
            Ok(v) => println!("{v}"),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let mut input = String::new();
    let answers: Vec<Value> = match std::io::stdin().read_to_string(&mut input).map_err(|e| e.to_string()).and_then(|_| serde_json::from_str::<Vec<Value>>(&input).map_err(|e| e.to_string())) {
        Ok(cases) => cases.iter().map(|c| decide(c).unwrap_or_else(|e| json!({ "error": e }))).collect(),
        Err(e) => {
            eprintln!("the input is not a JSON array of cases: {e}");
            std::process::exit(2);
        }
    };
    println!("{}", Value::Array(answers));
}
