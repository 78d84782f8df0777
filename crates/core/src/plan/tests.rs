use super::*;
use crate::policy::{AccessLevel, Scope};
use super::merge::tls_only_statement;
use serde_json::json;
use crate::request::{AccessRequest, CorsRule, Hardening, IamUserOptions, Method, RoleOptions};

fn user_request(level: AccessLevel, prefix: Option<&str>) -> AccessRequest {
    AccessRequest {
        method: Method::IamUser(IamUserOptions {
            user_name: "vendor".into(),
            policy_name: "vendor-s3-access".into(),
            managed_policy: false,
            reuse_existing_user: false,
            accept_existing_access: false,
            create_access_key: true,
            save_to_keychain: true,
        }),
        scope: Scope::new("data", prefix).unwrap(),
        level,
        cors: None,
        hardening: Hardening::default(),
        create_bucket_in: None,
    }
}

fn seen() -> Observed {
    Observed { account: Some("123456789012".into()), bucket_exists: true, bucket_region: Some("us-east-1".into()), ..Default::default() }
}

fn calls(p: &Plan) -> Vec<&'static str> {
    p.steps.iter().map(Action::api_call).collect()
}

fn opts() -> PlanOptions {
    PlanOptions { keychain_service: "test".into(), unattended: false }
}

fn managed(mut r: AccessRequest) -> AccessRequest {
    if let Method::IamUser(u) = &mut r.method {
        u.managed_policy = true;
    }
    r
}

#[test]
fn iam_user_plan_order() {
    let p = plan_from(&user_request(AccessLevel::Read, Some("in")), &seen(), &opts()).unwrap();
    assert_eq!(calls(&p), vec!["iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey", "keychain:Save"]);
    assert!(p.headline.ends_with("IAM user \"vendor\" in account 123456789012"), "{}", p.headline);
    let text = p.render_text();
    assert!(text.contains("Nothing has been changed yet"), "{text}");
    assert!(text.contains("read access to s3://data/in/"), "{text}");
    let json = p.to_json();
    assert_eq!(json["steps"][1]["call"], "iam:PutUserPolicy");
    // Statement 0 is the bucket's region (GetBucketLocation, unconditioned); 1 the folder-limited listing.
    assert_eq!(json["steps"][1]["document"]["Statement"][1]["Condition"]["StringLike"]["s3:prefix"][0], "in/*");
    assert_eq!(json["steps"][0]["undo"], "iam:DeleteUser");
    assert_eq!(json["account"], "123456789012");
}

#[test]
fn managed_policy_plan_order() {
    let p = plan_from(&managed(user_request(AccessLevel::Read, Some("in"))), &seen(), &opts()).unwrap();
    assert_eq!(calls(&p), vec!["iam:CreatePolicy", "iam:CreateUser", "iam:AttachUserPolicy", "iam:CreateAccessKey", "keychain:Save"]);
    match &p.steps[0] {
        Action::CreatePolicy { policy_arn, .. } => assert_eq!(policy_arn, "arn:aws:iam::123456789012:policy/vendor-s3-access"),
        other => panic!("{other:?}"),
    }
    let text = p.render_text();
    assert!(text.contains("Nothing has been changed yet"), "{text}");
    assert!(text.contains("read access to s3://data/in/"), "{text}");
    let json = p.to_json();
    assert_eq!(json["steps"][0]["call"], "iam:CreatePolicy");
    assert_eq!(json["steps"][0]["document"]["Statement"][1]["Condition"]["StringLike"]["s3:prefix"][0], "in/*");
    assert_eq!(json["steps"][1]["undo"], "iam:DeleteUser");
}

/// An unattended plan (nobody reviews it) need not know the account for an inline policy: the headline
/// leaves it out, and the JSON says it is unknown. A step that names the account cannot be planned without.
#[test]
fn unattended_inline_grant_without_the_account() {
    let mut s = seen();
    s.account = None;
    let p = plan_from(&user_request(AccessLevel::Read, None), &s, &opts()).unwrap();
    assert_eq!(p.account, None);
    assert!(p.headline.ends_with("IAM user \"vendor\""), "{}", p.headline);
    assert!(p.to_json()["account"].is_null());
    let e = plan_from(&managed(user_request(AccessLevel::Read, None)), &s, &opts()).unwrap_err();
    assert!(e.to_string().contains("needs the account"), "{e}");
}

#[test]
fn no_keychain() {
    let mut r = user_request(AccessLevel::Upload, None);
    if let Method::IamUser(u) = &mut r.method {
        u.save_to_keychain = false;
    }
    let p = plan_from(&r, &seen(), &opts()).unwrap();
    assert_eq!(calls(&p), vec!["iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey"]);
}

#[test]
fn taken_names_are_errors_with_a_suggestion() {
    let mut s = seen();
    s.user_exists = true;
    s.suggested_user_name = Some("vendor-3".into());
    let e = plan_from(&user_request(AccessLevel::Read, None), &s, &opts()).unwrap_err();
    assert_eq!(e.code(), "name_taken");
    assert!(e.to_string().contains("\"vendor-3\" is free"), "{e}");
    assert!(e.to_string().contains("reuse"), "{e}");

    let mut s = seen();
    s.managed_policy_exists = true;
    let e = plan_from(&managed(user_request(AccessLevel::Read, None)), &s, &opts()).unwrap_err();
    assert!(e.to_string().starts_with("Managed policy \"vendor-s3-access\" already exists"), "{e}");
}

#[test]
fn reusing_a_user_respects_the_key_limit_and_inline_budget() {
    let mut r = user_request(AccessLevel::Read, None);
    if let Method::IamUser(u) = &mut r.method {
        u.reuse_existing_user = true;
    }
    let mut s = seen();
    s.user_exists = true;
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert_eq!(calls(&p), vec!["iam:PutUserPolicy", "iam:CreateAccessKey", "keychain:Save"]);
    assert!(p.headline.contains("the existing IAM user"));
    let p = plan_from(&managed(r.clone()), &s, &opts()).unwrap();
    assert_eq!(calls(&p), vec!["iam:CreatePolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "keychain:Save"]);
    s.user_key_count = 2;
    assert_eq!(plan_from(&r, &s, &opts()).unwrap_err().code(), "key_limit");
    s.user_key_count = 0;
    s.user_inline_policies = vec![("old".into(), 1900)];
    assert!(plan_from(&r, &s, &opts()).unwrap_err().to_string().contains("2048 characters"));
}

#[test]
fn missing_bucket_and_bucket_creation() {
    let mut s = seen();
    s.bucket_exists = false;
    assert_eq!(plan_from(&user_request(AccessLevel::Read, None), &s, &opts()).unwrap_err().code(), "no_such_bucket");
    let mut r = user_request(AccessLevel::Read, None);
    r.create_bucket_in = Some("eu-west-1".into());
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert_eq!(&calls(&p)[..3], &["s3:CreateBucket", "s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration"]);
    assert!(plan_from(&r, &seen(), &opts()).is_err(), "creating a bucket that exists is refused");
}

#[test]
fn cors_is_merged_never_replaced() {
    let existing = CorsRule {
        id: Some("keep-me".into()),
        allowed_origins: vec!["https://old.example.com".into()],
        allowed_methods: vec!["GET".into()],
        ..Default::default()
    };
    let mut r = user_request(AccessLevel::Upload, None);
    r.cors = Some(CorsRule::for_origins(&["https://app.example.com".into()], AccessLevel::Upload));
    let mut s = seen();
    s.cors = Some(vec![existing.clone()]);
    let p = plan_from(&r, &s, &opts()).unwrap();
    match &p.steps[0] {
        Action::PutBucketCors { rules, previous, .. } => {
            assert_eq!(rules.len(), 2);
            assert_eq!(rules[0], existing);
            assert_eq!(previous.as_ref().unwrap(), &vec![existing.clone()]);
        }
        other => panic!("{other:?}"),
    }
    assert!(p.steps[0].summary().contains("the 1 existing rule(s) are kept"));
    // An identical rule already there: nothing to do.
    s.cors = Some(vec![existing, r.cors.clone().unwrap()]);
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert!(!calls(&p).contains(&"s3:PutBucketCORS"));
    assert!(p.notes.iter().any(|n| n.contains("identical rule")));
    // The 100-rule limit.
    s.cors = Some((0..100).map(|i| CorsRule { allowed_origins: vec![format!("https://s{i}.example.com")], allowed_methods: vec!["GET".into()], ..Default::default() }).collect());
    assert!(plan_from(&r, &s, &opts()).unwrap_err().to_string().contains("at most 100"));
}

#[test]
fn wildcard_origin_warns() {
    let mut r = user_request(AccessLevel::Read, None);
    r.cors = Some(CorsRule::for_origins(&["*".into()], AccessLevel::Read));
    let p = plan_from(&r, &seen(), &opts()).unwrap();
    assert!(p.notes.iter().any(|n| n.contains("any web site")));
}

#[test]
fn tls_only_merges_into_the_bucket_policy_idempotently() {
    let existing = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#;
    let (doc, kept) = merge_tls_only(Some(existing), "arn:aws:s3:::data").unwrap().unwrap();
    assert_eq!(kept, 1);
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["Statement"][0]["Sid"], "Other");
    assert_eq!(v["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
    assert_eq!(v["Statement"][1]["Sid"], TLS_ONLY_SID);
    assert!(merge_tls_only(Some(&doc), "arn:aws:s3:::data").unwrap().is_none(), "applying twice adds one statement");
    let (fresh, kept) = merge_tls_only(None, "arn:aws:s3:::data").unwrap().unwrap();
    assert_eq!(kept, 0);
    assert!(fresh.contains("aws:SecureTransport"));
    assert!(merge_tls_only(Some("not json"), "arn:aws:s3:::data").is_err());
}

#[test]
fn hardening_plans_only_what_is_needed() {
    let mut r = user_request(AccessLevel::Read, None);
    r.hardening = Hardening { block_public_access: true, default_encryption: true, ..Default::default() };
    let mut s = seen();
    s.public_access_block = Some([true; 4]);
    s.encryption = Some(Encryption { algorithm: "AES256".into(), kms_key_id: None });
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert!(!calls(&p).iter().any(|c| c.starts_with("s3:")), "{:?}", calls(&p));
    assert!(p.notes.iter().any(|n| n.contains("already on")));
    s.public_access_block = Some([true, true, false, true]);
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert_eq!(calls(&p)[0], "s3:PutBucketPublicAccessBlock");
    assert_eq!(p.steps[0].undo_call(), "s3:PutBucketPublicAccessBlock (previous settings)");
}

#[test]
fn cross_account_role_plan() {
    let r = AccessRequest {
        method: Method::CrossAccountRole(RoleOptions {
            role_name: "partner".into(),
            policy_name: "partner-s3-access".into(),
            other_account: "210987654321".into(),
            external_id: "a-long-external-id-0123456789abcdef".into(),
            max_session_seconds: None,
        }),
        ..user_request(AccessLevel::Read, None)
    };
    let p = plan_from(&r, &seen(), &opts()).unwrap();
    assert_eq!(calls(&p), vec!["iam:CreatePolicy", "iam:CreateRole", "iam:AttachRolePolicy"]);
    let trust = p.steps[1].document().unwrap();
    assert_eq!(trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], "a-long-external-id-0123456789abcdef");
    let mut bad = r.clone();
    if let Method::CrossAccountRole(o) = &mut bad.method {
        o.other_account = "12".into();
    }
    assert_eq!(plan_from(&bad, &seen(), &opts()).unwrap_err().code(), "invalid_input");
}

#[test]
fn a_cors_edit_refuses_rules_changed_meanwhile() {
    let rule = |o: &str| CorsRule { allowed_origins: vec![o.into()], allowed_methods: vec!["GET".into()], ..Default::default() };
    let mut r = user_request(AccessLevel::Read, None);
    r.method = Method::BucketSettings;
    r.hardening.cors_edit = Some(crate::request::CorsEdit { based_on: vec![rule("https://a"), rule("https://b")], rules: vec![rule("https://b")] });
    let mut s = seen();
    s.cors = Some(vec![rule("https://a"), rule("https://b")]);
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert_eq!(calls(&p), vec!["s3:PutBucketCORS"]);
    assert!(p.policy.is_none(), "a settings change grants nothing");
    assert!(p.steps[0].summary().contains("2 rule(s) before, 1 after"), "{}", p.steps[0].summary());
    // Someone added a rule since the user loaded the list: refuse rather than drop it.
    s.cors = Some(vec![rule("https://a"), rule("https://b"), rule("https://new")]);
    assert!(plan_from(&r, &s, &opts()).unwrap_err().to_string().contains("changed since they were loaded"));
    // Deleting every rule is one DeleteBucketCors, undone by putting them back.
    s.cors = Some(vec![rule("https://a"), rule("https://b")]);
    r.hardening.cors_edit = Some(crate::request::CorsEdit { based_on: vec![rule("https://a"), rule("https://b")], rules: vec![] });
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert_eq!(calls(&p), vec!["s3:DeleteBucketCORS"]);
    assert_eq!(p.steps[0].undo_call(), "s3:PutBucketCORS (previous rules)");
}

/// Origins are written as a browser sends them: a new rule (added from the wizard's DTO as it is, or in an
/// edit) loses one trailing slash and is refused with a path; a rule already on the bucket is kept as it is.
#[test]
fn cors_origins_are_planned_as_browsers_send_them() {
    let rule = |o: &str| CorsRule { allowed_origins: vec![o.into()], allowed_methods: vec!["GET".into()], ..Default::default() };
    let mut r = user_request(AccessLevel::Read, None);
    r.cors = Some(rule("https://app.example.com/"));
    let p = plan_from(&r, &seen(), &opts()).unwrap();
    match &p.steps[0] {
        Action::PutBucketCors { rules, added, .. } => {
            assert_eq!(rules, &vec![rule("https://app.example.com")]);
            assert_eq!(added.as_ref(), Some(&rule("https://app.example.com")));
        }
        other => panic!("{other:?}"),
    }
    r.cors = Some(rule("https://app.example.com/app"));
    assert!(plan_from(&r, &seen(), &opts()).unwrap_err().to_string().contains("write \"https://app.example.com\""));

    let mut e = user_request(AccessLevel::Read, None);
    e.method = Method::BucketSettings;
    let old = rule("https://old.example.com/app");
    let mut s = seen();
    s.cors = Some(vec![old.clone()]);
    e.hardening.cors_edit = Some(crate::request::CorsEdit { based_on: vec![old.clone()], rules: vec![old.clone(), rule("https://new.example.com/")] });
    let p = plan_from(&e, &s, &opts()).unwrap();
    match &p.steps[0] {
        Action::PutBucketCors { rules, .. } => assert_eq!(rules, &vec![old.clone(), rule("https://new.example.com")]),
        other => panic!("{other:?}"),
    }
    e.hardening.cors_edit = Some(crate::request::CorsEdit { based_on: vec![old.clone()], rules: vec![rule("https://new.example.com/x")] });
    assert!(plan_from(&e, &s, &opts()).unwrap_err().to_string().contains("path, query or fragment"));
}

#[test]
fn log_delivery_merges_once_and_keeps_other_statements() {
    let existing = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/public/*"}]}"#;
    let (doc, kept) = merge_log_delivery(Some(existing), "arn:aws:s3:::logs", "logs/data/", "arn:aws:s3:::data", "123456789012").unwrap().unwrap();
    assert_eq!(kept, 1);
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["Statement"][0]["Sid"], "Other");
    assert_eq!(v["Statement"][1]["Sid"], log_delivery_sid("arn:aws:s3:::data"));
    assert!(v["Statement"][1]["Sid"].as_str().unwrap().starts_with("S3ServerAccessLogsdata"));
    assert_eq!(v["Statement"][1]["Condition"]["StringEquals"]["aws:SourceAccount"], "123456789012");
    assert!(merge_log_delivery(Some(&doc), "arn:aws:s3:::logs", "logs/data/", "arn:aws:s3:::data", "123456789012").unwrap().is_none(), "applying twice adds one statement");
}

/// A user that already has permissions hands all of them over with its new key: the plan names them and
/// refuses unless that is confirmed explicitly (the CLI's --yes alone is not enough).
#[test]
fn reusing_a_user_with_other_permissions_needs_an_explicit_yes() {
    let mut r = user_request(AccessLevel::Read, None);
    if let Method::IamUser(u) = &mut r.method {
        u.reuse_existing_user = true;
    }
    let mut s = seen();
    s.user_exists = true;
    s.user_existing_access = vec!["the attached policy \"AdministratorAccess\"".into(), "membership of the group \"ops\" (and that group's policies)".into()];
    let e = plan_from(&r, &s, &opts()).unwrap_err();
    assert_eq!(e.code(), "existing_access");
    assert!(e.to_string().contains("AdministratorAccess") && e.to_string().contains("group \"ops\""), "{e}");
    assert!(e.to_string().contains("--accept-existing-access"), "{e}");
    if let Method::IamUser(u) = &mut r.method {
        u.accept_existing_access = true;
    }
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert!(p.notes.iter().any(|n| n.starts_with("Warning:") && n.contains("AdministratorAccess") && n.contains("not only read access to s3://data/")), "{:?}", p.notes);
}

/// A bucket that encrypts with a customer-managed KMS key: the grant's policy lets the key be used, only
/// through S3 in the bucket's region; the AWS managed key needs nothing.
#[test]
fn a_buckets_kms_key_is_part_of_the_grant() {
    let mut s = seen();
    s.bucket_region = Some("eu-west-1".into());
    s.encryption = Some(Encryption { algorithm: "aws:kms".into(), kms_key_id: Some("arn:aws:kms:eu-west-1:123456789012:key/abcd".into()) });
    let p = plan_from(&user_request(AccessLevel::ReadWrite, Some("in")), &s, &opts()).unwrap();
    let doc = serde_json::to_value(p.policy.as_ref().unwrap()).unwrap();
    let kms = doc["Statement"].as_array().unwrap().iter().find(|st| st["Sid"] == "UseTheBucketsKmsKey").expect("a KMS statement");
    assert_eq!(kms["Action"], json!(["kms:GenerateDataKey", "kms:Decrypt"]));
    assert_eq!(kms["Resource"], json!(["arn:aws:kms:eu-west-1:123456789012:key/abcd"]));
    assert_eq!(kms["Condition"]["StringEquals"]["kms:ViaService"], "s3.eu-west-1.amazonaws.com");
    // The key goes into the step AWS receives, not only the preview.
    assert_eq!(p.steps.iter().find_map(|a| a.document()).unwrap(), doc);
    // A bare key id is completed with the account and region.
    s.encryption = Some(Encryption { algorithm: "aws:kms".into(), kms_key_id: Some("abcd".into()) });
    let p = plan_from(&user_request(AccessLevel::Read, None), &s, &opts()).unwrap();
    assert!(p.policy.as_ref().unwrap().to_json_pretty().contains("arn:aws:kms:eu-west-1:123456789012:key/abcd"));
    for managed_key in [None, Some("alias/aws/s3".to_string())] {
        s.encryption = Some(Encryption { algorithm: "aws:kms".into(), kms_key_id: managed_key });
        let p = plan_from(&user_request(AccessLevel::Read, None), &s, &opts()).unwrap();
        assert!(p.policy.as_ref().unwrap().actions().iter().all(|a| !a.starts_with("kms:")));
    }
    s.encryption = None;
    s.encryption_unreadable = true;
    let p = plan_from(&user_request(AccessLevel::Read, None), &s, &opts()).unwrap();
    assert!(p.notes.iter().any(|n| n.contains("could not be read")), "{:?}", p.notes);
}

/// A grant that writes says when an overwrite cannot be undone; versioning is a hardening step of its own.
#[test]
fn versioning_is_offered_and_its_absence_noted() {
    let mut s = seen();
    s.versioning_read = true;
    let p = plan_from(&user_request(AccessLevel::Upload, None), &s, &opts()).unwrap();
    assert!(p.notes.iter().any(|n| n.contains("cannot be undone")), "{:?}", p.notes);
    let p = plan_from(&user_request(AccessLevel::Read, None), &s, &opts()).unwrap();
    assert!(!p.notes.iter().any(|n| n.contains("cannot be undone")));
    s.versioning = Some("Enabled".into());
    let p = plan_from(&user_request(AccessLevel::Full, None), &s, &opts()).unwrap();
    assert!(!p.notes.iter().any(|n| n.contains("cannot be undone")));
    let mut r = user_request(AccessLevel::Read, None);
    r.method = Method::BucketSettings;
    r.hardening.versioning = true;
    s.versioning = None;
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert_eq!(calls(&p), vec!["s3:PutBucketVersioning"]);
    assert!(p.steps[0].undo_call().contains("suspended"));
    s.versioning = Some("Enabled".into());
    assert!(plan_from(&r, &s, &opts()).unwrap().steps.is_empty());
}

/// "TLS-only is already on" only when a statement refuses every S3 action on the bucket and its objects
/// to everyone; a narrower Deny with aws:SecureTransport is not enough.
#[test]
fn tls_only_is_detected_only_when_it_covers_everything() {
    let arn = "arn:aws:s3:::data";
    let full = tls_only_statement(arn);
    assert!(denies_insecure_transport(&full, arn));
    let with = |patch: Value| {
        let mut s = full.clone();
        for (k, v) in patch.as_object().unwrap() {
            s[k] = v.clone();
        }
        s
    };
    assert!(denies_insecure_transport(&with(json!({ "Action": "*", "Resource": "*" })), arn));
    assert!(denies_insecure_transport(&with(json!({ "Principal": { "AWS": "*" }, "Resource": ["arn:aws:s3:::data*"] })), arn));
    for narrow in [
        json!({ "Action": "s3:GetObject" }),
        json!({ "Resource": "arn:aws:s3:::data/*" }),
        json!({ "Principal": { "AWS": "arn:aws:iam::123456789012:root" } }),
        json!({ "Effect": "Allow" }),
        json!({ "Resource": "arn:aws:s3:::other-bucket/*" }),
    ] {
        let s = with(narrow.clone());
        assert!(!denies_insecure_transport(&s, arn), "{narrow}");
        let policy = json!({ "Version": "2012-10-17", "Statement": [s] }).to_string();
        assert!(merge_tls_only(Some(&policy), arn).unwrap().is_some(), "a narrow statement does not stop the full one being added: {narrow}");
    }
}

/// Log-delivery statements of buckets whose names differ only in punctuation do not collide, and a new
/// prefix replaces our statement for that source instead of adding a second.
#[test]
fn log_delivery_statements_are_unique_and_updated() {
    assert_ne!(log_delivery_sid("arn:aws:s3:::my-logs"), log_delivery_sid("arn:aws:s3:::my.logs"));
    assert_ne!(log_delivery_sid("arn:aws:s3:::my-logs"), log_delivery_sid("arn:aws:s3:::mylogs"));
    let (a, _) = merge_log_delivery(None, "arn:aws:s3:::logs", "a/", "arn:aws:s3:::my-logs", "123456789012").unwrap().unwrap();
    let (ab, kept) = merge_log_delivery(Some(&a), "arn:aws:s3:::logs", "a/", "arn:aws:s3:::my.logs", "123456789012").unwrap().unwrap();
    assert_eq!(kept, 1);
    let sids: Vec<Value> = serde_json::from_str::<Value>(&ab).unwrap()["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].clone()).collect();
    assert_eq!(sids.len(), 2);
    assert_ne!(sids[0], sids[1]);
    // my-logs again, with another prefix: one statement for my-logs, with the new prefix.
    let (moved, kept) = merge_log_delivery(Some(&ab), "arn:aws:s3:::logs", "b/", "arn:aws:s3:::my-logs", "123456789012").unwrap().unwrap();
    assert_eq!(kept, 1, "our old statement for my-logs is replaced, my.logs's kept");
    let v: Value = serde_json::from_str(&moved).unwrap();
    let for_source: Vec<&Value> = v["Statement"].as_array().unwrap().iter().filter(|s| s["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:s3:::my-logs").collect();
    assert_eq!(for_source.len(), 1);
    assert_eq!(for_source[0]["Resource"], "arn:aws:s3:::logs/b/*");
}

/// A KMS key for default encryption: a proper ARN in this partition, and a warning for another account's.
#[test]
fn kms_keys_are_checked_and_other_accounts_keys_warned_about() {
    let mut r = user_request(AccessLevel::Read, None);
    r.method = Method::BucketSettings;
    r.hardening.default_encryption = true;
    let mut s = seen();
    s.bucket_region = Some("eu-west-1".into());
    r.hardening.kms_key_arn = Some("arn:aws:kms:eu-west-1:999999999999:key/k1".into());
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert!(p.notes.iter().any(|n| n.contains("another AWS account (999999999999)")), "{:?}", p.notes);
    r.hardening.kms_key_arn = Some("arn:aws:kms:eu-west-1:123456789012:key/k1".into());
    assert!(!plan_from(&r, &s, &opts()).unwrap().notes.iter().any(|n| n.contains("another AWS account")));
    for bad in ["arn:aws:kms:eu-west-1:12345:key/k1", "arn:aws-cn:kms:eu-west-1:123456789012:key/k1", "arn:aws:kms:us-east-1:123456789012:key/k1"] {
        r.hardening.kms_key_arn = Some(bad.into());
        assert_eq!(plan_from(&r, &s, &opts()).unwrap_err().code(), "invalid_input", "{bad}");
    }
}

/// Access-log prefixes follow the folder rules: no wildcards, no policy variables, no "..".
#[test]
fn access_log_prefixes_are_checked_like_folders() {
    let mut r = user_request(AccessLevel::Read, None);
    r.method = Method::BucketSettings;
    let mut s = seen();
    s.log_target_exists = true;
    s.log_target_region = Some("us-east-1".into());
    for bad in ["logs/*", "logs/${aws:username}/", "logs/../x"] {
        r.hardening.access_logging = Some(crate::request::LoggingTarget { bucket: "logs".into(), prefix: bad.into() });
        assert_eq!(plan_from(&r, &s, &opts()).unwrap_err().code(), "invalid_input", "{bad}");
    }
    r.hardening.access_logging = Some(crate::request::LoggingTarget { bucket: "logs".into(), prefix: "/logs/data/".into() });
    let p = plan_from(&r, &s, &opts()).unwrap();
    assert_eq!(calls(&p), vec!["s3:PutBucketPolicy", "s3:PutBucketLogging"]);
}
