use super::*;
use crate::request::{AccessRequest, CorsRule, Hardening, IamUserOptions, Method, RoleOptions};

fn user_request(level: AccessLevel, prefix: Option<&str>) -> AccessRequest {
    AccessRequest {
        method: Method::IamUser(IamUserOptions {
            user_name: "vendor".into(),
            policy_name: "vendor-s3-access".into(),
            managed_policy: false,
            reuse_existing_user: false,
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
    assert_eq!(json["steps"][1]["document"]["Statement"][0]["Condition"]["StringLike"]["s3:prefix"][0], "in/*");
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
    assert_eq!(json["steps"][0]["document"]["Statement"][0]["Condition"]["StringLike"]["s3:prefix"][0], "in/*");
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

#[test]
fn log_delivery_merges_once_and_keeps_other_statements() {
    let existing = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/public/*"}]}"#;
    let (doc, kept) = merge_log_delivery(Some(existing), "arn:aws:s3:::logs", "logs/data/", "arn:aws:s3:::data", "123456789012").unwrap().unwrap();
    assert_eq!(kept, 1);
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["Statement"][0]["Sid"], "Other");
    assert_eq!(v["Statement"][1]["Sid"], "S3ServerAccessLogsdata");
    assert_eq!(v["Statement"][1]["Condition"]["StringEquals"]["aws:SourceAccount"], "123456789012");
    assert!(merge_log_delivery(Some(&doc), "arn:aws:s3:::logs", "logs/data/", "arn:aws:s3:::data", "123456789012").unwrap().is_none(), "applying twice adds one statement");
}
