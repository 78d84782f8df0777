use super::*;
use serde_json::json;

const ACCOUNT: &str = "123456789012";
const OTHER: &str = "210987654321";
const USER: &str = "arn:aws:iam::123456789012:user/vendor";

fn ctx(pairs: &[(&str, &str)]) -> Context {
    let mut c = Context::new();
    for (k, v) in pairs {
        c.set(k, *v);
    }
    c
}

fn req(action: &str, resource: &str, context: Context) -> Request {
    Request { principal: USER.into(), action: action.into(), resource: resource.into(), resource_account: ACCOUNT.into(), context }
}

fn doc(statements: Value) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

fn identity(statements: Value) -> Policies {
    Policies { identity: vec![NamedPolicy::new("grant", doc(statements))], ..Default::default() }
}

fn decide(p: &Policies, r: &Request) -> Decision {
    evaluate(r, p).unwrap().decision
}

/// One Allow of s3:GetObject on everything with `condition`, decided for `context`.
fn cond(condition: Value, context: Context) -> bool {
    let p = identity(json!([{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition }]));
    decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/k", context)) == Decision::Allowed
}

fn bad(condition: Value) -> String {
    let p = identity(json!([{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition }]));
    evaluate(&req("s3:GetObject", "arn:aws:s3:::b/k", ctx(&[("aws:CurrentTime", "2026-01-01T00:00:00Z"), ("aws:SourceIp", "1.2.3.4"), ("aws:SecureTransport", "true"), ("s3:max-keys", "10")])), &p).unwrap_err().to_string()
}

#[test]
fn actions_ignore_case_and_resources_do_not() {
    let p = identity(json!([{ "Effect": "Allow", "Action": "S3:get*", "Resource": "arn:aws:s3:::b/In/*" }]));
    assert_eq!(decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/In/a", Context::new())), Decision::Allowed);
    assert_eq!(decide(&p, &req("s3:getobjecttagging", "arn:aws:s3:::b/In/a", Context::new())), Decision::Allowed);
    assert_eq!(decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/in/a", Context::new())), Decision::ImplicitlyDenied);
    assert_eq!(decide(&p, &req("s3:PutObject", "arn:aws:s3:::b/In/a", Context::new())), Decision::ImplicitlyDenied);
    let q = identity(json!([{ "Effect": "Allow", "Action": ["s3:?etObject", "kms:Decrypt"], "Resource": ["arn:aws:s3:::b/x?", "arn:aws:s3:::c"] }]));
    assert_eq!(decide(&q, &req("s3:SetObject", "arn:aws:s3:::b/x1", Context::new())), Decision::Allowed);
    assert_eq!(decide(&q, &req("s3:GetObject", "arn:aws:s3:::b/x12", Context::new())), Decision::ImplicitlyDenied);
    assert_eq!(decide(&q, &req("s3:GetObject", "arn:aws:s3:::c/x", Context::new())), Decision::ImplicitlyDenied);
    // The service part is not a wildcard and must be the action's.
    let r = identity(json!([{ "Effect": "Allow", "Action": "s*:GetObject", "Resource": "*" }]));
    assert_eq!(decide(&r, &req("s3:GetObject", "arn:aws:s3:::b/k", Context::new())), Decision::ImplicitlyDenied);
}

#[test]
fn arn_segments_are_matched_one_by_one() {
    assert_eq!(pattern::arn_matches("arn:aws:kms:*:123456789012:key/*", "arn:aws:kms:eu-west-1:123456789012:key/abc", None), Ok(true));
    // A `*` inside the region does not run into the account.
    assert_eq!(pattern::arn_matches("arn:aws:kms:eu-*1:key/*", "arn:aws:kms:eu-west-1:123456789012:key/abc", None), Ok(false));
    // The resource part holds colons (an S3 key may).
    assert_eq!(pattern::arn_matches("arn:aws:s3:::b/a:*", "arn:aws:s3:::b/a:b:c", None), Ok(true));
    // A shorter pattern whose last segment ends in `*` covers the rest.
    assert_eq!(pattern::arn_matches("arn:aws:s3:*", "arn:aws:s3:::b/k", None), Ok(true));
    assert_eq!(pattern::arn_matches("arn:aws:s3", "arn:aws:s3:::b/k", None), Ok(false));
}

#[test]
fn policy_variables_fill_resources_and_condition_values() {
    let p = identity(json!([
        { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/home/${aws:username}/*" },
        { "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", "Condition": { "StringLike": { "s3:prefix": "home/${aws:username}/*" } } },
    ]));
    let me = ctx(&[("aws:username", "vendor")]);
    assert_eq!(decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/home/vendor/a", me.clone())), Decision::Allowed);
    assert_eq!(decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/home/other/a", me.clone())), Decision::ImplicitlyDenied);
    let mut listing = me.clone();
    listing.set("s3:prefix", "home/vendor/x");
    assert_eq!(decide(&p, &req("s3:ListBucket", "arn:aws:s3:::b", listing)), Decision::Allowed);
    // Without the key the variable cannot be filled: nothing matches.
    assert_eq!(decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/home/vendor/a", Context::new())), Decision::ImplicitlyDenied);
    // A default fills it; the escapes are literal characters.
    let d = identity(json!([{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/${aws:username, 'guest'}/*", "arn:aws:s3:::b/star${*}"] }]));
    assert_eq!(decide(&d, &req("s3:GetObject", "arn:aws:s3:::b/guest/a", Context::new())), Decision::Allowed);
    assert_eq!(decide(&d, &req("s3:GetObject", "arn:aws:s3:::b/star*", Context::new())), Decision::Allowed);
    assert_eq!(decide(&d, &req("s3:GetObject", "arn:aws:s3:::b/starx", Context::new())), Decision::ImplicitlyDenied);
    // A value filled in is literal text: a user name with `*` is no wildcard.
    assert_eq!(decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/home/vendorX/a", ctx(&[("aws:username", "vendor*")]))), Decision::ImplicitlyDenied);
    // In the 2008 policy language `${...}` is text.
    let old = Policies { identity: vec![NamedPolicy::new("old", json!({ "Version": "2008-10-17", "Statement": [{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}" }] }))], ..Default::default() };
    assert_eq!(decide(&old, &req("s3:GetObject", "arn:aws:s3:::b/vendor", me.clone())), Decision::ImplicitlyDenied);
    assert_eq!(decide(&old, &req("s3:GetObject", "arn:aws:s3:::b/${aws:username}", me)), Decision::Allowed);
}

#[test]
fn string_operators() {
    let c = |k: &str| ctx(&[("s3:prefix", k)]);
    assert!(cond(json!({ "StringEquals": { "s3:prefix": ["a/", "b/"] } }), c("b/")));
    assert!(!cond(json!({ "StringEquals": { "s3:prefix": "a/" } }), c("A/")));
    assert!(!cond(json!({ "StringEquals": { "s3:prefix": "a/*" } }), c("a/x")), "no wildcards in StringEquals");
    assert!(cond(json!({ "StringEqualsIgnoreCase": { "s3:prefix": "a/" } }), c("A/")));
    assert!(cond(json!({ "StringNotEqualsIgnoreCase": { "s3:prefix": "a/" } }), c("b/")));
    assert!(!cond(json!({ "StringNotEqualsIgnoreCase": { "s3:prefix": "a/" } }), c("A/")));
    assert!(cond(json!({ "StringLike": { "s3:prefix": "in/*" } }), c("in/x/y")));
    assert!(cond(json!({ "StringLike": { "s3:prefix": "in/?" } }), c("in/x")));
    assert!(!cond(json!({ "StringLike": { "s3:prefix": "in/?" } }), c("in/xy")));
    // Negated operators with several values are NORed.
    assert!(!cond(json!({ "StringNotEquals": { "s3:prefix": ["a/", "b/"] } }), c("b/")));
    assert!(cond(json!({ "StringNotEquals": { "s3:prefix": ["a/", "b/"] } }), c("c/")));
    assert!(!cond(json!({ "StringNotLike": { "s3:prefix": ["a/*", "b/*"] } }), c("b/x")));
    // Key names ignore case; values do not.
    assert!(cond(json!({ "StringEquals": { "S3:Prefix": "a/" } }), c("a/")));
}

#[test]
fn missing_keys_per_operator() {
    let none = Context::new();
    assert!(!cond(json!({ "StringEquals": { "s3:prefix": "a/" } }), none.clone()));
    assert!(cond(json!({ "StringNotEquals": { "s3:prefix": "a/" } }), none.clone()), "a negated operator holds for a missing key");
    assert!(cond(json!({ "StringNotLike": { "s3:prefix": "a/*" } }), none.clone()));
    assert!(cond(json!({ "NotIpAddress": { "aws:SourceIp": "10.0.0.0/8" } }), none.clone()));
    assert!(cond(json!({ "ArnNotLike": { "aws:SourceArn": "arn:aws:s3:::b" } }), none.clone()));
    assert!(cond(json!({ "DateNotEquals": { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" } }), none.clone()));
    assert!(cond(json!({ "NumericNotEquals": { "s3:max-keys": "10" } }), none.clone()));
    assert!(!cond(json!({ "DateLessThan": { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" } }), none.clone()));
    assert!(!cond(json!({ "Bool": { "aws:SecureTransport": "true" } }), none.clone()));
    assert!(!cond(json!({ "IpAddress": { "aws:SourceIp": "0.0.0.0/0" } }), none.clone()));
    // IfExists: true when missing, checked when present.
    assert!(cond(json!({ "StringEqualsIfExists": { "s3:prefix": "a/" } }), none.clone()));
    assert!(!cond(json!({ "StringEqualsIfExists": { "s3:prefix": "a/" } }), ctx(&[("s3:prefix", "b/")])));
    assert!(cond(json!({ "BoolIfExists": { "aws:SecureTransport": "false" } }), none.clone()));
    assert!(!cond(json!({ "StringNotEqualsIfExists": { "s3:prefix": "a/" } }), ctx(&[("s3:prefix", "a/")])));
}

#[test]
fn null_tests_presence() {
    let sse = "s3:x-amz-server-side-encryption-customer-algorithm";
    assert!(cond(json!({ "Null": { sse: "true" } }), Context::new()));
    assert!(!cond(json!({ "Null": { sse: "true" } }), ctx(&[(sse, "AES256")])));
    assert!(cond(json!({ "Null": { sse: "false" } }), ctx(&[(sse, "AES256")])));
    assert!(cond(json!({ "Null": { sse: false } }), ctx(&[(sse, "AES256")])), "JSON booleans read as their text");
    assert!(bad(json!({ "NullIfExists": { sse: "true" } })).contains("NullIfExists is not a condition operator"));
}

#[test]
fn set_operators() {
    let tags = |v: &[&str]| {
        let mut c = Context::new();
        c.set_many("aws:TagKeys", v.iter().map(|s| s.to_string()).collect());
        c
    };
    let all = json!({ "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } });
    assert!(cond(all.clone(), tags(&["a", "b"])));
    assert!(!cond(all.clone(), tags(&["a", "c"])));
    assert!(cond(all.clone(), Context::new()), "ForAllValues holds for a missing key");
    assert!(cond(all.clone(), tags(&[])), "and for an empty list");
    let any = json!({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } });
    assert!(cond(any.clone(), tags(&["c", "a"])));
    assert!(!cond(any.clone(), tags(&["c"])));
    assert!(!cond(any.clone(), Context::new()), "ForAnyValue fails for a missing key");
    assert!(!cond(any, tags(&[])));
    // ForAllValues with a negated operator: every value is none of the policy's.
    let none_of = json!({ "ForAllValues:StringNotLike": { "aws:TagKeys": "key1*" } });
    assert!(!cond(none_of.clone(), tags(&["key1:legal"])));
    assert!(cond(none_of.clone(), tags(&["key2:audit"])));
    assert!(!cond(none_of, tags(&["key2", "key1x"])));
    assert!(cond(json!({ "ForAnyValue:StringNotEquals": { "aws:TagKeys": "a" } }), tags(&["a", "b"])));
    // A list without a set operator compares nothing.
    assert!(!cond(json!({ "StringEquals": { "aws:TagKeys": "a" } }), tags(&["a"])));
    assert!(!cond(json!({ "StringNotEquals": { "aws:TagKeys": "b" } }), tags(&["a"])));
    // A single value under a set operator is a list of one.
    assert!(cond(json!({ "ForAnyValue:StringLike": { "s3:prefix": "in/*" } }), ctx(&[("s3:prefix", "in/a")])));
}

#[test]
fn numeric_operators() {
    let n = |v: &str| ctx(&[("s3:max-keys", v)]);
    assert!(cond(json!({ "NumericLessThanEquals": { "s3:max-keys": "10" } }), n("10")));
    assert!(!cond(json!({ "NumericLessThan": { "s3:max-keys": "10" } }), n("10")));
    assert!(cond(json!({ "NumericGreaterThan": { "s3:max-keys": 9.5 } }), n("10")));
    assert!(cond(json!({ "NumericGreaterThanEquals": { "s3:max-keys": "10.0" } }), n("10")));
    assert!(cond(json!({ "NumericEquals": { "s3:max-keys": ["1", "10"] } }), n("10")));
    assert!(!cond(json!({ "NumericNotEquals": { "s3:max-keys": ["1", "10"] } }), n("10")));
    assert!(cond(json!({ "NumericNotEquals": { "s3:max-keys": ["1", "10"] } }), n("2")));
    assert!(bad(json!({ "NumericEquals": { "s3:max-keys": "ten" } })).contains("ten is not a number"));
}

#[test]
fn date_operators() {
    let at = |t: &str| ctx(&[("aws:CurrentTime", t)]);
    let end = json!({ "DateLessThan": { "aws:CurrentTime": "2026-12-31T00:00:00Z" } });
    assert!(cond(end.clone(), at("2026-12-30T23:59:59Z")));
    assert!(!cond(end.clone(), at("2026-12-31T00:00:00Z")));
    assert!(!cond(end.clone(), at("2027-01-01T00:00:00Z")));
    assert!(cond(json!({ "DateLessThanEquals": { "aws:CurrentTime": "2026-12-31T00:00:00Z" } }), at("2026-12-31T00:00:00Z")));
    assert!(cond(json!({ "DateGreaterThan": { "aws:CurrentTime": "2026-12-31" } }), at("2026-12-31T00:00:01Z")), "a date alone is its midnight UTC");
    assert!(cond(json!({ "DateGreaterThanEquals": { "aws:CurrentTime": "2026-12-31T01:00:00+01:00" } }), at("2026-12-31T00:00:00Z")), "offsets count");
    assert!(cond(json!({ "DateEquals": { "aws:CurrentTime": "2026-12-31T00:00:00.000Z" } }), at("2026-12-31T00:00:00Z")));
    assert!(!cond(json!({ "DateNotEquals": { "aws:CurrentTime": "2026-12-31T00:00:00Z" } }), at("2026-12-31T00:00:00Z")));
    // Epoch seconds, as aws:EpochTime holds them, on either side.
    assert!(cond(json!({ "DateLessThan": { "aws:CurrentTime": "1798675200" } }), at("2026-12-30T00:00:00Z")));
    assert!(!cond(json!({ "DateLessThan": { "aws:EpochTime": "2026-12-31T00:00:00Z" } }), ctx(&[("aws:EpochTime", "1798675200")])));
    assert!(cond(json!({ "DateLessThan": { "aws:EpochTime": "2026-12-31T00:00:01Z" } }), ctx(&[("aws:EpochTime", "1798675200")])));
    assert_eq!(condition::date("2026"), Some(2_026_000), "all digits are seconds since 1970");
    assert_eq!(condition::date("2026-12"), condition::date("2026-12-01T00:00Z"));
    assert!(bad(json!({ "DateLessThan": { "aws:CurrentTime": "next week" } })).contains("next week is not a date"));
    assert!(bad(json!({ "DateLessThan": { "aws:CurrentTime": "2026-13-01" } })).contains("is not a date"));
}

#[test]
fn bool_and_binary() {
    assert!(cond(json!({ "Bool": { "aws:SecureTransport": "false" } }), ctx(&[("aws:SecureTransport", "FALSE")])));
    assert!(!cond(json!({ "Bool": { "aws:SecureTransport": true } }), ctx(&[("aws:SecureTransport", "false")])));
    assert!(bad(json!({ "Bool": { "aws:SecureTransport": "yes" } })).contains("yes is not true or false"));
    assert!(cond(json!({ "BinaryEquals": { "k": "QmluYXJ5" } }), ctx(&[("k", "QmluYXJ5")])));
    assert!(!cond(json!({ "BinaryEquals": { "k": "QmluYXJ5" } }), ctx(&[("k", "QmluYXJz")])));
}

#[test]
fn ip_operators_v4_and_v6() {
    let from = |ip: &str| ctx(&[("aws:SourceIp", ip)]);
    let ranges = json!({ "IpAddress": { "aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"] } });
    assert!(cond(ranges.clone(), from("203.0.113.255")));
    assert!(!cond(ranges.clone(), from("203.0.114.0")));
    assert!(cond(ranges.clone(), from("2001:db8:1234:5678:ffff::1")));
    assert!(!cond(ranges.clone(), from("2001:db8:1234:5679::1")));
    assert!(!cond(ranges, from("::ffff:203.0.113.1")), "an IPv6 address is not in an IPv4 range");
    assert!(cond(json!({ "IpAddress": { "aws:SourceIp": "198.51.100.7" } }), from("198.51.100.7")), "an address alone is /32");
    assert!(cond(json!({ "IpAddress": { "aws:SourceIp": "2001:db8::1" } }), from("2001:DB8:0::1")), "IPv6 compared as numbers, not text");
    assert!(cond(json!({ "IpAddress": { "aws:SourceIp": "0.0.0.0/0" } }), from("8.8.8.8")));
    assert!(cond(json!({ "NotIpAddress": { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } }), from("8.8.8.8")));
    assert!(!cond(json!({ "NotIpAddress": { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } }), from("192.168.1.1")));
    assert!(bad(json!({ "IpAddress": { "aws:SourceIp": "10.0.0.0/33" } })).contains("is not an IP address or CIDR range"));
}

#[test]
fn arn_operators() {
    let src = |arn: &str| ctx(&[("aws:PrincipalArn", arn)]);
    assert!(cond(json!({ "ArnLike": { "aws:PrincipalArn": "arn:aws:iam::*:role/ci-*" } }), src("arn:aws:iam::123456789012:role/ci-deploy")));
    assert!(cond(json!({ "ArnEquals": { "aws:PrincipalArn": "arn:aws:iam::*:role/ci-*" } }), src("arn:aws:iam::123456789012:role/ci-deploy")), "ArnEquals is ArnLike");
    assert!(!cond(json!({ "ArnLike": { "aws:PrincipalArn": "arn:aws:iam::*:role/ci-*" } }), src("arn:aws:iam::123456789012:role/CI-deploy")));
    // The documented example: StringLike's `*` spans colons, ArnLike's does not.
    let pattern = "arn:aws:someservice:*:111122223333:finance/*";
    let value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    assert!(cond(json!({ "StringLike": { "aws:SourceArn": pattern } }), ctx(&[("aws:SourceArn", value)])));
    assert!(!cond(json!({ "ArnLike": { "aws:SourceArn": pattern } }), ctx(&[("aws:SourceArn", value)])));
    assert!(!cond(json!({ "ArnLike": { "aws:SourceArn": "*" } }), ctx(&[("aws:SourceArn", "not-an-arn")])));
    assert!(cond(json!({ "ArnNotLike": { "aws:PrincipalArn": "arn:aws:iam::*:role/ci-*" } }), src(USER)));
}

#[test]
fn conditions_are_anded_across_operators_and_keys() {
    let both = json!({ "DateLessThan": { "aws:CurrentTime": "2027-01-01T00:00:00Z" }, "IpAddress": { "aws:SourceIp": "203.0.113.0/24" } });
    assert!(cond(both.clone(), ctx(&[("aws:CurrentTime", "2026-06-01T00:00:00Z"), ("aws:SourceIp", "203.0.113.9")])));
    assert!(!cond(both.clone(), ctx(&[("aws:CurrentTime", "2027-06-01T00:00:00Z"), ("aws:SourceIp", "203.0.113.9")])));
    assert!(!cond(both, ctx(&[("aws:CurrentTime", "2026-06-01T00:00:00Z"), ("aws:SourceIp", "198.51.100.1")])));
    let two_keys = json!({ "StringEquals": { "s3:prefix": "a/", "s3:delimiter": "/" } });
    assert!(cond(two_keys.clone(), ctx(&[("s3:prefix", "a/"), ("s3:delimiter", "/")])));
    assert!(!cond(two_keys, ctx(&[("s3:prefix", "a/")])));
    assert!(bad(json!({ "StringEqualz": { "s3:prefix": "a/" } })).contains("StringEqualz is not a condition operator IAM knows"));
}

#[test]
fn not_action_and_not_resource() {
    let p = identity(json!([{ "Effect": "Allow", "NotAction": ["s3:Delete*"], "NotResource": ["arn:aws:s3:::b/secret/*"] }]));
    assert_eq!(decide(&p, &req("s3:PutObject", "arn:aws:s3:::b/a", Context::new())), Decision::Allowed);
    assert_eq!(decide(&p, &req("s3:DeleteObject", "arn:aws:s3:::b/a", Context::new())), Decision::ImplicitlyDenied);
    assert_eq!(decide(&p, &req("s3:PutObject", "arn:aws:s3:::b/secret/a", Context::new())), Decision::ImplicitlyDenied);
    assert_eq!(decide(&p, &req("iam:CreateUser", "arn:aws:iam::123456789012:user/x", Context::new())), Decision::Allowed);
    // A NotResource with a variable the request lacks: the statement does not apply.
    let v = identity(json!([{ "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/${aws:username}/*" }]));
    assert_eq!(decide(&v, &req("s3:GetObject", "arn:aws:s3:::b/x/a", Context::new())), Decision::ImplicitlyDenied);
    assert_eq!(decide(&v, &req("s3:GetObject", "arn:aws:s3:::b/x/a", ctx(&[("aws:username", "vendor")]))), Decision::Allowed);
}

#[test]
fn explicit_deny_wins_and_names_its_statement() {
    let p = identity(json!([
        { "Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*" },
        { "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": { "Null": { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } } },
    ]));
    let v = evaluate(&req("s3:PutObject", "arn:aws:s3:::b/k", ctx(&[("s3:x-amz-server-side-encryption-customer-algorithm", "AES256")])), &p).unwrap();
    assert_eq!(v.decision, Decision::ExplicitlyDenied);
    assert_eq!(v.denied_by, vec![StatementRef { kind: PolicyKind::Identity, policy: "grant".into(), sid: None, index: 1 }]);
    assert_eq!(v.denied_by[0].to_string(), "grant statement #2");
    let ok = evaluate(&req("s3:PutObject", "arn:aws:s3:::b/k", Context::new()), &p).unwrap();
    assert_eq!((ok.decision, ok.allowed_by[0].to_string()), (Decision::Allowed, "grant statement All".to_string()));
}

#[test]
fn unmet_conditions_are_reported() {
    let p = identity(json!([{ "Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
        "DateLessThan": { "aws:CurrentTime": "2026-01-01T00:00:00Z" }, "IpAddress": { "aws:SourceIp": "203.0.113.0/24" } } }]));
    let v = evaluate(&req("s3:GetObject", "arn:aws:s3:::b/k", ctx(&[("aws:CurrentTime", "2026-02-01T00:00:00Z"), ("aws:SourceIp", "203.0.113.1")])), &p).unwrap();
    assert_eq!(v.decision, Decision::ImplicitlyDenied);
    assert_eq!(v.missing, Some(Missing::NoAllow));
    assert_eq!((v.unmet[0].operator.as_str(), v.unmet[0].key.as_str(), v.unmet[0].statement.sid.as_deref()), ("DateLessThan", "aws:CurrentTime", Some("Read")));
}

fn bucket(statements: Value) -> Option<NamedPolicy> {
    Some(NamedPolicy::new("bucket policy", doc(statements)))
}

#[test]
fn boundary_limits_identity_policies() {
    let boundary = Some(NamedPolicy::new("boundary", doc(json!([{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }]))));
    let p = Policies { boundary, ..identity(json!([{ "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*" }])) };
    assert_eq!(decide(&p, &req("s3:GetObject", "arn:aws:s3:::b/k", Context::new())), Decision::Allowed);
    let v = evaluate(&req("s3:PutObject", "arn:aws:s3:::b/k", Context::new()), &p).unwrap();
    assert_eq!((v.decision, v.missing), (Decision::ImplicitlyDenied, Some(Missing::Boundary)));
    assert_eq!(v.allowed_by[0].policy, "grant");
    // A boundary Deny is an explicit deny.
    let deny = Policies { boundary: Some(NamedPolicy::new("boundary", doc(json!([{ "Effect": "Allow", "Action": "*", "Resource": "*" }, { "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*" }])))), ..p.clone() };
    assert_eq!(decide(&deny, &req("s3:GetObject", "arn:aws:s3:::b/k", Context::new())), Decision::ExplicitlyDenied);
    // A bucket policy naming the user grants past the boundary; one naming the account does not.
    let named = Policies { resource: bucket(json!([{ "Effect": "Allow", "Principal": { "AWS": USER }, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*" }])), ..p.clone() };
    assert_eq!(decide(&named, &req("s3:PutObject", "arn:aws:s3:::b/k", Context::new())), Decision::Allowed);
    let account = Policies { resource: bucket(json!([{ "Effect": "Allow", "Principal": { "AWS": format!("arn:aws:iam::{ACCOUNT}:root") }, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*" }])), ..p };
    assert_eq!(decide(&account, &req("s3:PutObject", "arn:aws:s3:::b/k", Context::new())), Decision::ImplicitlyDenied);
}

#[test]
fn same_account_needs_one_allow_and_cross_account_both() {
    let id = identity(json!([{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*" }]));
    let bp = bucket(json!([{ "Effect": "Allow", "Principal": { "AWS": USER }, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*" }]));
    let both = Policies { resource: bp.clone(), ..id.clone() };
    // Same account: either side.
    assert_eq!(decide(&both, &req("s3:GetObject", "arn:aws:s3:::b/k", Context::new())), Decision::Allowed);
    assert_eq!(decide(&both, &req("s3:PutObject", "arn:aws:s3:::b/k", Context::new())), Decision::Allowed);
    let bucket_only = Policies { resource: bp.clone(), ..Default::default() };
    assert_eq!(decide(&bucket_only, &req("s3:PutObject", "arn:aws:s3:::b/k", Context::new())), Decision::Allowed);
    // Across accounts: neither side alone.
    let far = |action: &str| Request { resource_account: OTHER.into(), ..req(action, "arn:aws:s3:::b/k", Context::new()) };
    let v = evaluate(&far("s3:GetObject"), &id).unwrap();
    assert_eq!((v.decision, v.missing), (Decision::ImplicitlyDenied, Some(Missing::ResourcePolicy)));
    let v = evaluate(&far("s3:PutObject"), &bucket_only).unwrap();
    assert_eq!((v.decision, v.missing), (Decision::ImplicitlyDenied, Some(Missing::IdentityPolicy)));
    let cross = Policies { resource: bucket(json!([{ "Effect": "Allow", "Principal": { "AWS": ACCOUNT }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*" }])), ..id.clone() };
    let v = evaluate(&far("s3:GetObject"), &cross).unwrap();
    assert_eq!((v.decision, v.allowed_by.len()), (Decision::Allowed, 2));
    // A bucket policy statement for someone else does nothing; a Deny for everyone denies.
    let others = Policies { resource: bucket(json!([{ "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::123456789012:user/other" }, "Action": "s3:*", "Resource": "*" }])), ..Default::default() };
    assert_eq!(decide(&others, &req("s3:GetObject", "arn:aws:s3:::b/k", Context::new())), Decision::ImplicitlyDenied);
    let tls = Policies { resource: bucket(json!([{ "Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": { "Bool": { "aws:SecureTransport": "false" } } }])), ..id };
    let v = evaluate(&req("s3:GetObject", "arn:aws:s3:::b/k", ctx(&[("aws:SecureTransport", "false")])), &tls).unwrap();
    assert_eq!((v.decision, v.denied_by[0].to_string()), (Decision::ExplicitlyDenied, "bucket policy statement TLSOnly".to_string()));
    assert_eq!(decide(&tls, &req("s3:GetObject", "arn:aws:s3:::b/k", ctx(&[("aws:SecureTransport", "true")]))), Decision::Allowed);
}

#[test]
fn principals_in_resource_policies() {
    let session = "arn:aws:sts::123456789012:assumed-role/reader/alice";
    let role = "arn:aws:iam::123456789012:role/team/reader";
    let as_session = |p: &Policies| decide(p, &Request { principal: session.into(), ..req("s3:GetObject", "arn:aws:s3:::b/k", Context::new()) });
    let for_role = Policies { resource: bucket(json!([{ "Effect": "Allow", "Principal": { "AWS": [role] }, "Action": "s3:GetObject", "Resource": "*" }])), ..Default::default() };
    assert_eq!(as_session(&for_role), Decision::Allowed, "a role's sessions are the role");
    // ...but within the boundary, unlike a statement naming the session itself.
    let bounded = |p: &Policies| Policies { boundary: Some(NamedPolicy::new("boundary", doc(json!([{ "Effect": "Allow", "Action": "sts:*", "Resource": "*" }])))), ..p.clone() };
    assert_eq!(as_session(&bounded(&for_role)), Decision::ImplicitlyDenied);
    let for_session = Policies { resource: bucket(json!([{ "Effect": "Allow", "Principal": { "AWS": session }, "Action": "s3:GetObject", "Resource": "*" }])), ..Default::default() };
    assert_eq!(as_session(&bounded(&for_session)), Decision::Allowed);
    // NotPrincipal: everyone but those named; with a boundary a Deny with it applies to everyone.
    let not_me = Policies { resource: bucket(json!([
        { "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*" },
        { "Effect": "Deny", "NotPrincipal": { "AWS": USER }, "Action": "s3:GetObject", "Resource": "*" },
    ])), ..Default::default() };
    assert_eq!(decide(&not_me, &req("s3:GetObject", "arn:aws:s3:::b/k", Context::new())), Decision::Allowed);
    assert_eq!(decide(&not_me, &Request { principal: "arn:aws:iam::123456789012:user/other".into(), ..req("s3:GetObject", "arn:aws:s3:::b/k", Context::new()) }), Decision::ExplicitlyDenied);
    let not_me_bounded = Policies { boundary: Some(NamedPolicy::new("boundary", doc(json!([{ "Effect": "Allow", "Action": "*", "Resource": "*" }])))), ..not_me };
    assert_eq!(decide(&not_me_bounded, &req("s3:GetObject", "arn:aws:s3:::b/k", Context::new())), Decision::ExplicitlyDenied);
    // A service principal.
    let logs = Policies { resource: bucket(json!([{ "Effect": "Allow", "Principal": { "Service": "logging.s3.amazonaws.com" }, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/logs/*" }])), ..Default::default() };
    assert_eq!(decide(&logs, &Request { principal: "logging.s3.amazonaws.com".into(), ..req("s3:PutObject", "arn:aws:s3:::b/logs/x", Context::new()) }), Decision::Allowed);
    assert_eq!(decide(&logs, &req("s3:PutObject", "arn:aws:s3:::b/logs/x", Context::new())), Decision::ImplicitlyDenied);
}

#[test]
fn a_kms_key_needs_its_key_policy() {
    let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let kms = |p: &Policies| evaluate(&req("kms:Decrypt", key, ctx(&[("kms:ViaService", "s3.eu-west-1.amazonaws.com")])), p).unwrap();
    let id = identity(json!([{ "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key, "Condition": { "StringEquals": { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } }]));
    let v = kms(&id);
    assert_eq!((v.decision, v.missing), (Decision::ImplicitlyDenied, Some(Missing::KeyPolicy)), "without a key policy IAM policies do not count");
    let root = json!([{ "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": { "AWS": format!("arn:aws:iam::{ACCOUNT}:root") }, "Action": "kms:*", "Resource": "*" }]);
    let default_key_policy = Policies { resource: Some(NamedPolicy::new("key policy", doc(root.clone()))), ..id.clone() };
    let v = kms(&default_key_policy);
    assert_eq!(v.decision, Decision::Allowed);
    assert!(v.allowed_by.iter().any(|s| s.sid.as_deref() == Some("Enable IAM User Permissions")));
    // The account trusted, no identity policy: nothing.
    assert_eq!(kms(&Policies { resource: Some(NamedPolicy::new("key policy", doc(root))), ..Default::default() }).decision, Decision::ImplicitlyDenied);
    // A key policy naming the user is enough by itself.
    let direct = Policies { resource: Some(NamedPolicy::new("key policy", doc(json!([{ "Effect": "Allow", "Principal": { "AWS": USER }, "Action": "kms:Decrypt", "Resource": "*" }])))), ..Default::default() };
    assert_eq!(kms(&direct).decision, Decision::Allowed);
}

#[test]
fn unreadable_policies_are_errors_naming_the_place() {
    let p = Policies { identity: vec![NamedPolicy::new("p", doc(json!([{ "Action": "s3:*", "Resource": "*" }])))], ..Default::default() };
    let e = evaluate(&req("s3:GetObject", "arn:aws:s3:::b/k", Context::new()), &p).unwrap_err().to_string();
    assert!(e.contains("the policy p statement #1 cannot be read: Effect must be Allow or Deny"), "{e}");
    let both = identity(json!([{ "Effect": "Allow", "Action": "s3:*", "NotAction": "s3:x", "Resource": "*" }]));
    assert!(evaluate(&req("s3:GetObject", "arn:aws:s3:::b/k", Context::new()), &both).unwrap_err().to_string().contains("either Action or NotAction"));
    let no_principal = Policies { resource: bucket(json!([{ "Effect": "Allow", "Action": "s3:*", "Resource": "*" }])), ..Default::default() };
    assert!(evaluate(&req("s3:GetObject", "arn:aws:s3:::b/k", Context::new()), &no_principal).unwrap_err().to_string().contains("needs Principal"));
}

/// Every policy the app writes, decided for what it promises (the differential test holds the same
/// policies to the oracle).
#[test]
fn the_apps_own_policies_do_what_they_say() {
    use crate::limits::Limits;
    use crate::policy::{access_policy, AccessLevel, Scope};
    let mut s = Scope::new("vendor-data", Some("in")).unwrap();
    s.limits = Limits { ends_at: Some("2027-01-01T00:00:00Z".into()), source_ips: vec!["203.0.113.0/24".into()] };
    let p = Policies { identity: vec![NamedPolicy::new("s3aw", serde_json::to_value(access_policy(&s, AccessLevel::Upload)).unwrap())], ..Default::default() };
    let at = |t: &str, ip: &str| ctx(&[("aws:CurrentTime", t), ("aws:SourceIp", ip), ("aws:SecureTransport", "true")]);
    let now = at("2026-06-01T00:00:00Z", "203.0.113.5");
    assert_eq!(decide(&p, &req("s3:PutObject", "arn:aws:s3:::vendor-data/in/a.pdf", now.clone())), Decision::Allowed);
    assert_eq!(decide(&p, &req("s3:PutObject", "arn:aws:s3:::vendor-data/out/a.pdf", now.clone())), Decision::ImplicitlyDenied);
    let late = evaluate(&req("s3:PutObject", "arn:aws:s3:::vendor-data/in/a.pdf", at("2027-06-01T00:00:00Z", "203.0.113.5")), &p).unwrap();
    assert_eq!((late.decision, late.unmet[0].key.as_str()), (Decision::ImplicitlyDenied, "aws:CurrentTime"));
    let away = evaluate(&req("s3:PutObject", "arn:aws:s3:::vendor-data/in/a.pdf", at("2026-06-01T00:00:00Z", "198.51.100.1")), &p).unwrap();
    assert_eq!((away.decision, away.unmet[0].key.as_str()), (Decision::ImplicitlyDenied, "aws:SourceIp"));
    let mut sse_c = now;
    sse_c.set("s3:x-amz-server-side-encryption-customer-algorithm", "AES256");
    assert_eq!(decide(&p, &req("s3:PutObject", "arn:aws:s3:::vendor-data/in/a.pdf", sse_c)), Decision::ExplicitlyDenied);
}
