//! "Why is it denied?": what the other side saw (the AWS CLI's, boto3's, rclone's or Cyberduck's error
//! text, or AWS's own message), or what they tried, answered in one or two sentences with the most likely
//! cause first, from the access's live state decided by the core's IAM evaluator ([`crate::evaluate`]).
//!
//! [`read_error_text`] reads the error (pure); [`diagnose`] decides it against a [`State`] (pure); [`why`]
//! reads the state from the account (reads only) and diagnoses.

use crate::access::policies::Policies as HeldPolicies;
use crate::access::KeyState;
use crate::evaluate::{self, Context, Decision, NamedPolicy, Policies, Request};
use crate::record::RecordEntry;
use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

/// What an error text says: AWS's error code, the operation or action, the resource, the key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorText {
    /// `AccessDenied`, `SignatureDoesNotMatch`, `InvalidAccessKeyId`, `RequestTimeTooSkewed`, …
    pub code: Option<String>,
    /// `s3:PutObject`, from "perform: s3:PutObject" or "calling the PutObject operation".
    pub action: Option<String>,
    /// `arn:aws:s3:::bucket/key`, from "on resource: …" or an `s3://bucket/key` in the text.
    pub resource: Option<String>,
    /// An access key id the text names.
    pub access_key_id: Option<String>,
    /// The region the error says is right (`expecting 'eu-west-1'`).
    pub expected_region: Option<String>,
    /// The request carried the uploader's own encryption key (SSE-C): the pasted command or error says so
    /// (`--sse-c`, `SSECustomerAlgorithm`, `x-amz-server-side-encryption-customer-…`), or the person said so.
    pub sse_c: bool,
}

/// The S3 action an API operation needs (the names the AWS CLI, boto3 and rclone print).
fn action_of_operation(op: &str) -> Option<&'static str> {
    Some(match op {
        "GetObject" | "HeadObject" | "GetObjectAttributes" | "SelectObjectContent" => "s3:GetObject",
        "PutObject" | "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" | "CopyObject" | "UploadPartCopy" => "s3:PutObject",
        "DeleteObject" | "DeleteObjects" => "s3:DeleteObject",
        "ListObjects" | "ListObjectsV2" | "HeadBucket" => "s3:ListBucket",
        "ListObjectVersions" => "s3:ListBucketVersions",
        "ListBuckets" => "s3:ListAllMyBuckets",
        "GetBucketLocation" => "s3:GetBucketLocation",
        "AbortMultipartUpload" => "s3:AbortMultipartUpload",
        "ListParts" => "s3:ListMultipartUploadParts",
        "ListMultipartUploads" => "s3:ListBucketMultipartUploads",
        "PutObjectTagging" => "s3:PutObjectTagging",
        "PutObjectAcl" => "s3:PutObjectAcl",
        _ => return None,
    })
}

const CODES: &[&str] = &[
    "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "RequestTimeTooSkewed", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
    "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException", "NoSuchBucket", "NoSuchKey", "InvalidRequest", "KMS.AccessDeniedException",
];

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("error text pattern"))
}

/// Read what the other side saw. Tolerant: any text reads, and what it does not say stays `None`.
pub fn read_error_text(text: &str) -> ErrorText {
    // An error message is short: the first 64 KB say all there is (and bound the time).
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let mut out = ErrorText::default();
    static CODE: OnceLock<Regex> = OnceLock::new();
    static ACTION: OnceLock<Regex> = OnceLock::new();
    static OPERATION: OnceLock<Regex> = OnceLock::new();
    static RESOURCE: OnceLock<Regex> = OnceLock::new();
    static S3_URL: OnceLock<Regex> = OnceLock::new();
    static KEY: OnceLock<Regex> = OnceLock::new();
    static REGION: OnceLock<Regex> = OnceLock::new();
    out.code = CODES.iter().find(|c| text.contains(**c)).map(|c| c.to_string()).or_else(|| {
        re(&CODE, r"\(([A-Z][A-Za-z.]+)\) when calling").captures(text).map(|c| c[1].to_string())
    });
    // rclone and Cyberduck say "Access Denied" in words, and 403.
    if out.code.is_none() && (text.contains("Access Denied") || text.contains("status code: 403") || text.contains("403 Forbidden")) {
        out.code = Some("AccessDenied".into());
    }
    out.action = re(&ACTION, r"perform: ([a-z0-9-]+:[A-Za-z]+)").captures(text).map(|c| c[1].to_string()).or_else(|| {
        re(&OPERATION, r"calling the ([A-Za-z0-9]+) operation").captures(text).and_then(|c| action_of_operation(&c[1])).map(str::to_string)
    });
    out.resource = re(&RESOURCE, r#"on resource:? "?(arn:[^"\s]+)"?"#).captures(text).map(|c| c[1].trim_end_matches(['.', ',', '"']).to_string()).or_else(|| {
        re(&S3_URL, r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/?([^\s'\x22]*)").captures(text).map(|c| format!("arn:aws:s3:::{}{}", &c[1], if c[2].is_empty() { String::new() } else { format!("/{}", &c[2]) }))
    });
    out.access_key_id = re(&KEY, r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b").captures(text).map(|c| c[1].to_string());
    out.expected_region = re(&REGION, r"expecting '([a-z0-9-]+)'").captures(text).map(|c| c[1].to_string());
    let lower = text.to_ascii_lowercase();
    out.sse_c = ["--sse-c", "ssecustomer", "sse_customer", "server-side-encryption-customer", "sse-c "].iter().any(|m| lower.contains(m));
    out
}

/// What the app reads from the account to answer.
#[derive(Clone, Debug)]
pub struct State {
    pub entry: RecordEntry,
    pub keys: Vec<KeyState>,
    pub policies: HeldPolicies,
    pub bucket_policy: Option<Value>,
    /// The bucket's default KMS key, when it encrypts with one.
    pub bucket_kms_key: Option<String>,
    pub bucket_region: Option<String>,
    pub account: String,
}

/// What was tried: an action on a resource (an object, or the bucket with a listing prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub action: String,
    /// `arn:aws:s3:::bucket/key` or, for a listing, `arn:aws:s3:::bucket`.
    pub resource: String,
    /// For a listing: the prefix it asked for.
    pub prefix: Option<String>,
}

/// The answer: a stable cause code, one or two plain sentences, and what would fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// `outside_places`, `list_without_slash`, `list_all_buckets`, `ended`, `source_ip`, `key_inactive`,
    /// `key_unknown`, `signature`, `clock`, `region`, `session_expired`, `kms`, `bucket_policy_deny`,
    /// `sse_c`, `boundary`, `allowed`, `unknown`.
    pub cause: &'static str,
    pub message: String,
    /// What to do, in words (and the command, where there is one).
    pub fix: Option<String>,
    /// The statements that decided it, as the evaluator names them.
    pub decided_by: Vec<String>,
}

fn answer(cause: &'static str, message: String, fix: Option<String>) -> Answer {
    Answer { cause, message, fix, decided_by: vec![] }
}

/// The object key or bucket of an S3 ARN, for sentences.
fn place_words(resource: &str) -> String {
    match resource.strip_prefix("arn:aws:s3:::").or_else(|| resource.split_once(":s3:::").map(|(_, r)| r)) {
        Some(r) => format!("s3://{r}"),
        None => resource.to_string(),
    }
}

/// Turn what the other side gave into an attempt on this access's bucket: `key` (an object name or a
/// folder to list) and `action` from the flags win over what the error text says.
pub fn attempt_of(entry: &RecordEntry, action: Option<&str>, key: Option<&str>, error: &ErrorText) -> crate::Result<Attempt> {
    let action = action.map(str::to_string).or_else(|| error.action.clone()).ok_or_else(|| {
        crate::Error::invalid("what was tried", "say what they tried: --action (s3:GetObject, s3:PutObject, s3:ListBucket, s3:DeleteObject) or paste their error text with --error-text")
    })?;
    let listing = matches!(action.as_str(), "s3:ListBucket" | "s3:ListBucketVersions");
    let bucket_arn = format!("arn:aws:s3:::{}", entry.bucket);
    let from_text = error.resource.clone();
    let (resource, prefix) = match (key, listing) {
        (Some(k), true) => (bucket_arn, Some(k.trim_start_matches('/').to_string())),
        (Some(k), false) => (format!("{bucket_arn}/{}", k.trim_start_matches('/')), None),
        (None, true) => match from_text.as_deref().and_then(|r| r.split_once('/')) {
            Some((b, p)) => (b.to_string(), Some(p.to_string())),
            None => (from_text.unwrap_or(bucket_arn), None),
        },
        (None, false) => (from_text.unwrap_or_else(|| format!("{bucket_arn}/{}", entry.prefix.clone().unwrap_or_default())), None),
    };
    Ok(Attempt { action, resource, prefix })
}

/// Decide why `attempt` failed (or would), most likely cause first.
pub fn diagnose(state: &State, attempt: &Attempt, error: &ErrorText, now: time::OffsetDateTime) -> Answer {
    let who = state.entry.principal_label();
    // Errors that are not about permissions at all.
    match error.code.as_deref() {
        Some("SignatureDoesNotMatch") => return answer("signature", "AWS knows the access key, but the secret they use with it is wrong (a character missing or added when it was copied, or the secret of another key).".into(), Some("Send them the secret again: in My access, reveal or export the key; if it was lost, rotate the key (`s3aw access rotate`).".into())),
        Some("RequestTimeTooSkewed") => return answer("clock", "The clock of the computer making the request is off by more than 15 minutes, and AWS refuses signed requests from it.".into(), Some("Set that computer's clock to the right time (turn on automatic time), then try again.".into())),
        Some("AuthorizationHeaderMalformed" | "PermanentRedirect" | "IllegalLocationConstraintException") => {
            let region = error.expected_region.clone().or_else(|| state.bucket_region.clone()).unwrap_or_else(|| "the bucket's region".into());
            return answer("region", format!("The request went to the wrong region or endpoint: the bucket {} is in {region}.", state.entry.bucket), Some(format!("Set the region to {region} in their tool (and use the endpoint s3.{region}.amazonaws.com).")));
        }
        Some("ExpiredToken" | "TokenRefreshRequired") => return answer("session_expired", "They use temporary credentials (a role session) that have expired.".into(), Some("Their tool must assume the role again; it does so by itself when set up with the role's ARN and external ID.".into())),
        _ => {}
    }
    if let Some(id) = &error.access_key_id {
        match state.keys.iter().find(|k| &k.access_key_id == id) {
            Some(k) if k.status.as_deref() == Some("Inactive") => return answer("key_inactive", format!("The key {id} of {who} is deactivated (after a rotation, or by hand)."), Some("Give them the current key (My access shows it), or rotate to make a new one: `s3aw access rotate`.".into())),
            Some(k) if k.status.is_none() => return answer("key_unknown", format!("The key {id} no longer exists in AWS: it was deleted or rotated away."), Some("Give them the current key of this access, or rotate to make a new one.".into())),
            None if error.code.as_deref() == Some("InvalidAccessKeyId") || !id.starts_with("ASIA") => {
                return answer("key_unknown", format!("The key {id} is not a key of {who}: it was deleted, rotated away, or belongs to something else."), Some("Give them the current key of this access (My access shows it).".into()));
            }
            _ => {}
        }
    } else if error.code.as_deref() == Some("InvalidAccessKeyId") {
        return answer("key_unknown", "AWS does not know the access key they use: it was deleted, rotated away, or mistyped.".into(), Some("Give them the current key of this access (My access shows it).".into()));
    }
    if !state.keys.is_empty() && state.entry.kind == "iam-user" && state.keys.iter().all(|k| k.status.as_deref() != Some("Active")) {
        return answer("key_inactive", format!("{who} has no active access key: every request made with its keys is refused."), Some("Rotate to make a new key: `s3aw access rotate`.".into()));
    }
    if attempt.action == "s3:ListAllMyBuckets" {
        return answer("list_all_buckets", "They listed all buckets (`aws s3 ls` without a bucket), which the access never allows: it is for one bucket only.".into(), Some(format!("List the bucket itself: `aws s3 ls s3://{}/{}`.", state.entry.bucket, state.entry.prefix.clone().unwrap_or_default())));
    }

    // The policies, decided.
    let mut context = Context::new();
    let stamp = now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    context.set("aws:CurrentTime", stamp).set("aws:SecureTransport", "true").set("aws:SourceIp", "192.0.2.1");
    if let Some(p) = &attempt.prefix {
        context.set("s3:prefix", p.as_str());
    }
    if error.sse_c {
        context.set("s3:x-amz-server-side-encryption-customer-algorithm", "AES256");
    }
    let principal = match (&state.entry.user_name, &state.entry.role_name) {
        (Some(u), _) => format!("arn:aws:iam::{}:user/{u}", state.account),
        (None, Some(r)) => format!("arn:aws:iam::{}:role/{r}", state.account),
        _ => format!("arn:aws:iam::{}:root", state.account),
    };
    context.set("aws:PrincipalArn", principal.as_str());
    let policies = Policies {
        identity: state.policies.identity.iter().map(|p| NamedPolicy::new(p.source.clone(), p.document.clone())).collect(),
        boundary: state.policies.boundary.as_ref().map(|p| NamedPolicy::new(p.source.clone(), p.document.clone())),
        resource: state.bucket_policy.clone().map(|d| NamedPolicy::new(format!("the bucket policy of {}", state.entry.bucket), d)),
    };
    let request = Request { principal: principal.clone(), action: attempt.action.clone(), resource: attempt.resource.clone(), resource_account: state.account.clone(), context: context.clone() };
    let verdict = match evaluate::evaluate(&request, &policies) {
        Ok(v) => v,
        Err(e) => return answer("unknown", format!("The app could not read the policies to decide this: {e}"), None),
    };
    let refs = |v: &[evaluate::StatementRef]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let place = place_words(&attempt.resource);
    match verdict.decision {
        Decision::ExplicitlyDenied => {
            let by = refs(&verdict.denied_by);
            let sse_c = verdict.denied_by.iter().any(|d| d.sid.as_deref() == Some("DenyCustomerProvidedKeys"));
            let mut a = if sse_c {
                answer("sse_c", "The upload used encryption with the uploader's own key (SSE-C), which this access refuses by design: files encrypted so could not be read by anyone else.".into(), Some("Upload without SSE-C; the bucket's own encryption still applies.".into()))
            } else if verdict.denied_by.iter().any(|d| d.kind == evaluate::PolicyKind::Resource) {
                answer("bucket_policy_deny", format!("The bucket policy of {} refuses it ({}).", state.entry.bucket, by.join(", ")), Some("If that statement is another administrator's, ask them; the app does not change statements it did not write.".into()))
            } else {
                answer("outside_places", format!("A Deny statement refuses {} on {place} ({}).", attempt.action, by.join(", ")), None)
            };
            a.decided_by = by;
            a
        }
        Decision::ImplicitlyDenied => {
            let unmet_on = |key: &str| verdict.unmet.iter().find(|u| u.key.eq_ignore_ascii_case(key));
            let mut a = if unmet_on("aws:CurrentTime").is_some() {
                answer("ended", format!("The access of {who} has ended: AWS refuses it after its end date."), Some("Give a new access with a later end (the app never extends an ended one silently).".into()))
            } else if unmet_on("aws:SourceIp").is_some() {
                let ranges = crate::limits::limits_of(&state.policies.identity.first().map(|p| p.document.clone()).unwrap_or(Value::Null)).source_ips;
                answer("source_ip", format!("The access works only from {}; the request most likely came from another address.", if ranges.is_empty() { "certain addresses".to_string() } else { ranges.join(", ") }), Some("Ask them for the address their requests come from, and give the access with it.".into()))
            } else if unmet_on("s3:prefix").is_some() && attempt.prefix.as_deref().is_some_and(|p| !p.is_empty() && !p.ends_with('/') && state.entry.prefix.as_deref() == Some(&format!("{p}/"))) {
                let f = state.entry.prefix.clone().unwrap_or_default();
                answer("list_without_slash", format!("They listed \"{}\" without its final slash; the access lists only inside the folder {f}.", attempt.prefix.clone().unwrap_or_default()), Some(format!("List with the slash: `aws s3 ls s3://{}/{f}`.", state.entry.bucket)))
            } else if verdict.missing == Some(evaluate::Missing::Boundary) {
                answer("boundary", format!("A policy allows {} on {place}, but the permissions boundary of {who} does not.", attempt.action), None)
            } else {
                let reach = match &state.entry.prefix {
                    Some(f) => format!("the folder {f} of {}", state.entry.bucket),
                    None => format!("the bucket {}", state.entry.bucket),
                };
                answer("outside_places", format!("{who} has {} access to {reach} only, and {} was {place}: outside what it may do.", state.entry.level, what_was(&attempt.action)), Some("If they need it, give an access for that place (or a level that allows it); nothing is changed without your review.".into()))
            };
            a.decided_by = refs(&verdict.allowed_by);
            a
        }
        Decision::Allowed => {
            // Allowed by the policies: a KMS-encrypted bucket whose key this access cannot use?
            if let Some(key) = &state.bucket_kms_key {
                if matches!(attempt.action.as_str(), "s3:GetObject" | "s3:PutObject") {
                    let kms_action = if attempt.action == "s3:GetObject" { "kms:Decrypt" } else { "kms:GenerateDataKey" };
                    let mut kctx = context.clone();
                    kctx.set("kms:ViaService", format!("s3.{}.amazonaws.com", state.bucket_region.clone().unwrap_or_else(|| "us-east-1".into())));
                    let kms = Request { principal, action: kms_action.into(), resource: key.clone(), resource_account: state.account.clone(), context: kctx };
                    let identity_only = Policies { identity: policies.identity.clone(), boundary: policies.boundary.clone(), resource: None };
                    if evaluate::evaluate(&kms, &identity_only).map(|v| v.decision != Decision::Allowed).unwrap_or(false) {
                        return answer("kms", format!("The bucket encrypts files with the KMS key {key}, and this access may not use it ({kms_action})."), Some("Give the access again with the bucket's KMS key (`--encrypt --kms-key`), or ask who manages the key.".into()));
                    }
                }
            }
            let mut a = answer("allowed", format!("The policies allow {} on {place} for {who}: AWS accepts it. Check that they use this access's key and secret, the bucket's region{}, and the exact name.", attempt.action, state.bucket_region.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()), None);
            a.decided_by = refs(&verdict.allowed_by);
            a
        }
    }
}

fn what_was(action: &str) -> &'static str {
    match action {
        "s3:GetObject" | "s3:GetObjectVersion" => "the download",
        "s3:PutObject" => "the upload",
        "s3:DeleteObject" | "s3:DeleteObjectVersion" => "the delete",
        "s3:ListBucket" | "s3:ListBucketVersions" => "the listing",
        _ => "the request",
    }
}

/// Read the live state of `entry` (reads only) and answer.
pub async fn why(session: &crate::connect::Session, keychain: &crate::keychain::Keychain, entry: &RecordEntry, attempt: &Attempt, error: &ErrorText) -> crate::Result<Answer> {
    let record = crate::record::Record { version: 1, entries: vec![entry.clone()] };
    let status = crate::access::status(session, keychain, &record).await?.into_iter().next().ok_or_else(|| crate::Error::invalid("access", "it is no longer in this computer's list"))?;
    let policies = match status.policies {
        Some(Ok(p)) => p,
        Some(Err(why)) => return Err(crate::Error::invalid("access", format!("its policies could not be read: {why}"))),
        None => return Ok(answer("key_unknown", format!("{} no longer exists in the account (or is in another account than the one connected).", entry.principal_label()), None)),
    };
    let region = crate::inventory::bucket_region(session, &entry.bucket).await.ok();
    let s3 = session.s3_in(region.as_deref().unwrap_or("us-east-1"));
    let bucket_policy = crate::inventory::read_bucket_policy(session, &s3, &entry.bucket).await?.and_then(|t| serde_json::from_str(&t).ok());
    let bucket_kms_key = crate::inventory::read_encryption(session, &s3, &entry.bucket).await.ok().flatten().filter(|e| e.algorithm.starts_with("aws:kms")).and_then(|e| e.kms_key_id);
    let state = State { entry: entry.clone(), keys: status.keys, policies, bucket_policy, bucket_kms_key, bucket_region: region, account: entry.account.clone() };
    Ok(diagnose(&state, attempt, error, time::OffsetDateTime::now_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::policies::HeldPolicy;
    use crate::policy::{access_policy, AccessLevel, Scope};

    const CLI_DENIED: &str = r#"upload failed: ./report.pdf to s3://data/out/report.pdf An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::123456789012:user/vendor is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/out/report.pdf" because no identity-based policy allows the s3:PutObject action"#;

    #[test]
    fn error_texts_of_the_tools_read_back_to_action_and_resource() {
        let e = read_error_text(CLI_DENIED);
        assert_eq!((e.code.as_deref(), e.action.as_deref(), e.resource.as_deref()), (Some("AccessDenied"), Some("s3:PutObject"), Some("arn:aws:s3:::data/out/report.pdf")));
        let boto = read_error_text("botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the ListObjectsV2 operation: The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        assert_eq!((boto.code.as_deref(), boto.action.as_deref()), (Some("SignatureDoesNotMatch"), Some("s3:ListBucket")));
        let rclone = read_error_text("2026/12/07 14:02:11 ERROR : report.pdf: Failed to copy: AccessDenied: Access Denied\n\tstatus code: 403, request id: 8XZ, host id: abc=");
        assert_eq!(rclone.code.as_deref(), Some("AccessDenied"));
        let region = read_error_text("An error occurred (AuthorizationHeaderMalformed) when calling the ListObjectsV2 operation: The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'");
        assert_eq!(region.expected_region.as_deref(), Some("eu-west-1"));
        let key = read_error_text("An error occurred (InvalidAccessKeyId) when calling the GetObject operation: The AWS Access Key Id you provided does not exist in our records. AKIAWHYTESTKEY000001");
        assert_eq!((key.code.as_deref(), key.access_key_id.as_deref()), (Some("InvalidAccessKeyId"), Some("AKIAWHYTESTKEY000001")));
        assert_eq!(read_error_text("it just does not work"), ErrorText::default());
    }

    fn state(level: AccessLevel, prefix: Option<&str>, limits: crate::limits::Limits) -> State {
        let mut scope = Scope::new("data", prefix).unwrap();
        scope.limits = limits;
        let doc = serde_json::to_value(access_policy(&scope, level)).unwrap();
        State {
            entry: RecordEntry { kind: "iam-user".into(), user_name: Some("vendor".into()), bucket: "data".into(), prefix: scope.prefix.clone(), level: level.as_str().into(), account: "123456789012".into(), ..Default::default() },
            keys: vec![KeyState { access_key_id: "AKIAWHYTESTKEY000001".into(), status: Some("Active".into()), created: None, last_used: None, last_used_service: None, in_keychain: true, recorded: true }],
            policies: HeldPolicies { identity: vec![HeldPolicy { source: "the policy \"vendor-s3-access\"".into(), document: doc }], boundary: None },
            bucket_policy: None,
            bucket_kms_key: None,
            bucket_region: Some("us-east-1".into()),
            account: "123456789012".into(),
        }
    }

    fn now() -> time::OffsetDateTime {
        time::macros::datetime!(2026-12-07 12:00 UTC)
    }

    fn cause(s: &State, action: Option<&str>, key: Option<&str>, text: &str) -> Answer {
        let e = read_error_text(text);
        diagnose(s, &attempt_of(&s.entry, action, key, &e).unwrap(), &e, now())
    }

    #[test]
    fn each_cause_is_named() {
        let upload_in = state(AccessLevel::Upload, Some("in"), Default::default());
        let a = cause(&upload_in, None, None, CLI_DENIED);
        assert_eq!(a.cause, "outside_places", "{a:?}");
        assert!(a.message.contains("the folder in/") && a.message.contains("s3://data/out/report.pdf"), "{}", a.message);
        assert_eq!(cause(&upload_in, Some("s3:PutObject"), Some("in/report.pdf"), "").cause, "allowed");
        assert_eq!(cause(&upload_in, Some("s3:PutObject"), Some("in/x.bin"), "").decided_by.len(), 1);

        let read_in = state(AccessLevel::Read, Some("in"), Default::default());
        assert_eq!(cause(&read_in, Some("s3:ListBucket"), Some("in"), "").cause, "list_without_slash");
        assert_eq!(cause(&read_in, Some("s3:ListBucket"), Some("in/"), "").cause, "allowed");
        assert_eq!(cause(&read_in, None, None, "An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied").cause, "list_all_buckets");

        let ended = state(AccessLevel::Read, None, crate::limits::Limits { ends_at: Some("2026-12-01T00:00:00Z".into()), source_ips: vec![] });
        assert_eq!(cause(&ended, Some("s3:GetObject"), Some("a.csv"), "").cause, "ended");
        let ips = state(AccessLevel::Read, None, crate::limits::Limits { ends_at: None, source_ips: vec!["203.0.113.0/24".into()] });
        let a = cause(&ips, Some("s3:GetObject"), Some("a.csv"), "");
        assert_eq!(a.cause, "source_ip");
        assert!(a.message.contains("203.0.113.0/24"), "{}", a.message);

        let rw = state(AccessLevel::ReadWrite, None, Default::default());
        assert_eq!(cause(&rw, Some("s3:PutObject"), Some("a.csv"), "").cause, "allowed");
        assert_eq!(cause(&rw, Some("s3:DeleteObject"), Some("a.csv"), "").cause, "outside_places");
        assert_eq!(cause(&rw, None, None, "An error occurred (SignatureDoesNotMatch) when calling the GetObject operation").cause, "signature");
        assert_eq!(cause(&rw, None, None, "An error occurred (RequestTimeTooSkewed) when calling the GetObject operation").cause, "clock");
        assert_eq!(cause(&rw, Some("s3:GetObject"), None, "the region 'us-east-1' is wrong; expecting 'eu-west-1' (AuthorizationHeaderMalformed)").cause, "region");

        let mut inactive = rw.clone();
        inactive.keys[0].status = Some("Inactive".into());
        assert_eq!(cause(&inactive, Some("s3:GetObject"), Some("a"), "AKIAWHYTESTKEY000001 AccessDenied").cause, "key_inactive");
        assert_eq!(cause(&rw, Some("s3:GetObject"), Some("a"), "An error occurred (InvalidAccessKeyId): AKIAOTHERKEY00000000").cause, "key_unknown");

        let mut tls = rw.clone();
        tls.bucket_policy = Some(serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "OnlyFromTheOffice", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"], "Condition": {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}}}]}));
        let a = cause(&tls, Some("s3:GetObject"), Some("a.csv"), "");
        assert_eq!(a.cause, "bucket_policy_deny");
        assert!(a.message.contains("OnlyFromTheOffice"), "{}", a.message);

        let mut kms = rw.clone();
        kms.bucket_kms_key = Some("arn:aws:kms:us-east-1:123456789012:key/1".into());
        assert_eq!(cause(&kms, Some("s3:GetObject"), Some("a.csv"), "").cause, "kms");

        // An upload with the uploader's own key (SSE-C) is refused by the access's own Deny, by design: said
        // when the pasted command shows it, and never said for a plain upload.
        let sse_c = "aws s3 cp report.pdf s3://data/report.pdf --sse-c AES256 --sse-c-key fileb://k.bin\nupload failed: ./report.pdf to s3://data/report.pdf An error occurred (AccessDenied) when calling the PutObject operation: Access Denied";
        assert!(read_error_text(sse_c).sse_c);
        assert_eq!(cause(&rw, None, None, sse_c).cause, "sse_c");
        assert_eq!(cause(&rw, None, None, &sse_c.replace(" --sse-c AES256 --sse-c-key fileb://k.bin", "")).cause, "allowed");
        assert!(read_error_text("ClientError: PutObject SSECustomerAlgorithm='AES256'").sse_c);
        assert!(attempt_of(&rw.entry, None, None, &ErrorText::default()).unwrap_err().to_string().contains("--action"));
    }
}
