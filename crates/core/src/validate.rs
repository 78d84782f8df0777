//! Name and size rules AWS enforces, checked before any call so a mistake is reported as a clear sentence
//! about the field, not as an AWS error halfway through a change.

use crate::error::{Error, Result};

fn iam_name_chars_ok(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

fn iam_name(field: &'static str, what: &str, name: &str, max: usize) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid(field, format!("the {what} name is empty; type a name")));
    }
    if name.chars().count() > max {
        return Err(Error::invalid(field, format!("the {what} name is {} characters long; the most is {max}", name.chars().count())));
    }
    if !iam_name_chars_ok(name) {
        let bad: String = name.chars().filter(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))).take(3).collect();
        return Err(Error::invalid(
            field,
            format!("the {what} name may use only letters, digits and + = , . @ _ - (not {bad:?})"),
        ));
    }
    Ok(())
}

/// IAM user names: 1-64 characters from letters, digits and `+=,.@_-`.
pub fn user_name(name: &str) -> Result<()> {
    iam_name("user name", "user", name, 64)
}

/// IAM role names: 1-64 characters from letters, digits and `+=,.@_-`.
pub fn role_name(name: &str) -> Result<()> {
    iam_name("role name", "role", name, 64)
}

/// Managed policy names: 1-128 characters from the IAM name set. Inline names use the same set here,
/// which is stricter than AWS requires and keeps one rule for users to learn.
pub fn policy_name(name: &str) -> Result<()> {
    iam_name("policy name", "policy", name, 128)
}

/// S3 general purpose bucket names.
pub fn bucket_name(name: &str) -> Result<()> {
    let f = "bucket name";
    let len = name.len();
    if !(3..=63).contains(&len) {
        return Err(Error::invalid(f, format!("\"{name}\" is {len} characters long; a bucket name has 3 to 63")));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')) {
        let hint = if c.is_ascii_uppercase() { " (use lowercase)" } else { "" };
        return Err(Error::invalid(f, format!("\"{name}\" contains {c:?}; use only lowercase letters, digits, dots and hyphens{hint}")));
    }
    let first = name.chars().next().unwrap_or('-');
    let last = name.chars().last().unwrap_or('-');
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Err(Error::invalid(f, format!("\"{name}\" must start and end with a letter or digit")));
    }
    if name.contains("..") {
        return Err(Error::invalid(f, format!("\"{name}\" has two dots in a row")));
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        return Err(Error::invalid(f, format!("\"{name}\" looks like an IP address, which AWS does not allow")));
    }
    for p in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(p) {
            return Err(Error::invalid(f, format!("names starting with \"{p}\" are reserved by AWS")));
        }
    }
    for s in ["-s3alias", "--ol-s3", ".mrap", "--x-s3"] {
        if name.ends_with(s) {
            return Err(Error::invalid(f, format!("names ending with \"{s}\" are reserved by AWS")));
        }
    }
    Ok(())
}

/// A folder (key prefix) inside a bucket, normalised to the form policies use: no leading slash, one
/// trailing slash. An empty or "/" prefix means the whole bucket and returns `None`.
pub fn folder(prefix: &str) -> Result<Option<String>> {
    key_prefix("folder", "a folder name", prefix)
}

/// A key prefix for server access logs: the same rules as a folder, except that a prefix need not end in
/// a slash (S3 writes `PREFIXyyyy-mm-dd-...`). Returned as given, without a leading slash.
pub fn log_prefix(prefix: &str) -> Result<String> {
    let trimmed = prefix.trim().trim_start_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    key_prefix("log prefix", "a log prefix", trimmed)?;
    Ok(trimmed.to_string())
}

/// The first character of `text` above U+00FF, if it has one. IAM takes a policy's text only in tab, line
/// feed, carriage return and U+0020-U+00FF (the `PolicyDocument` pattern of its API); our JSON writes
/// control characters as `\u` escapes, but any character above U+00FF as itself, so a policy naming such
/// a key or folder is refused (MalformedPolicyDocument).
pub fn beyond_policy_text(text: &str) -> Option<char> {
    text.chars().find(|c| (*c as u32) > 0xFF)
}

fn key_prefix(f: &'static str, noun: &str, prefix: &str) -> Result<Option<String>> {
    let trimmed = prefix.trim().trim_start_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.contains('*') || trimmed.contains('?') {
        return Err(Error::invalid(f, format!("{noun} cannot contain * or ?: in a policy they are wildcards and would grant more than that folder")));
    }
    if trimmed.contains("${") {
        return Err(Error::invalid(f, format!("{noun} cannot contain \"${{\": IAM would read it as a policy variable")));
    }
    if trimmed.contains("//") {
        return Err(Error::invalid(f, format!("{noun} has an empty part (\"//\"); remove the extra slash")));
    }
    if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
        return Err(Error::invalid(f, format!("{noun} contains the control character {c:?}; remove it")));
    }
    if let Some(c) = beyond_policy_text(trimmed) {
        return Err(Error::invalid(f, format!("{noun} contains {c:?}, which an IAM policy cannot hold; use plain Latin letters, digits and punctuation")));
    }
    if trimmed.split('/').any(|part| part == "." || part == "..") {
        return Err(Error::invalid(f, format!("{noun} has a \".\" or \"..\" part; S3 keys do not mean \"this folder\" or \"the folder above\" by them, so name the folder itself")));
    }
    let normalised = if trimmed.ends_with('/') { trimmed.to_string() } else { format!("{trimmed}/") };
    if normalised.len() > 1024 {
        return Err(Error::invalid(f, format!("{noun} is longer than S3's 1,024-byte key limit")));
    }
    Ok(Some(normalised))
}

/// A plain duration as people write it: a number and a unit (`90s`, `15m`, `12h`, `7d`, `2w`), or a number
/// of seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DurationText {
    Ok(std::time::Duration),
    /// A number too large to hold.
    TooLong,
    NotADuration,
    /// A number with a unit that is not one.
    BadUnit(String),
}

pub fn duration(text: &str) -> DurationText {
    let t = text.trim().to_ascii_lowercase();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    // A number too large for u64 is still a number: too long, not malformed.
    let n: u64 = match num.parse() {
        Ok(n) => n,
        Err(_) if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => return DurationText::TooLong,
        Err(_) => return DurationText::NotADuration,
    };
    let unit_secs: u64 = match unit.trim() {
        "" | "s" | "sec" | "secs" | "seconds" => 1,
        "m" | "min" | "mins" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        other => return DurationText::BadUnit(other.to_string()),
    };
    match n.checked_mul(unit_secs) {
        Some(secs) => DurationText::Ok(std::time::Duration::from_secs(secs)),
        None => DurationText::TooLong,
    }
}

/// ExternalId for a cross-account role: 2-1,224 characters from letters, digits and `+=,.@:/-`.
pub fn external_id(id: &str) -> Result<()> {
    let f = "external ID";
    if !(2..=1224).contains(&id.len()) {
        return Err(Error::invalid(f, format!("the external ID is {} characters; it needs 2 to 1,224", id.len())));
    }
    // STS's pattern for ExternalId is [\w+=,.@:/-]*: underscores are allowed too.
    if let Some(c) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(*c))) {
        return Err(Error::invalid(f, format!("the external ID contains {c:?}; use letters, digits and _ + = , . @ : / -")));
    }
    Ok(())
}

/// An AWS Region name (`us-east-1`, `eu-central-2`, `cn-north-1`, `us-gov-west-1`): letters, digits and
/// hyphens, so it can go into an endpoint's host name.
pub fn region(r: &str) -> Result<()> {
    let ok = (4..=32).contains(&r.len()) && r.split('-').count() >= 3 && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !r.starts_with('-') && !r.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("region", format!("\"{r}\" is not an AWS Region; it looks like us-east-1 or eu-central-1")))
    }
}

/// A 12-digit AWS account id.
pub fn account_id(id: &str) -> Result<()> {
    if id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid("account ID", format!("\"{id}\" is not an AWS account ID: it must be exactly 12 digits")))
    }
}

/// The AWS partitions a principal or key can live in.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// Who the other party is: their 12-digit account ID (anyone in that account whom they allow), or the ARN
/// of one IAM user or role of theirs (`arn:aws:iam::ACCOUNT:role/NAME`). No wildcards and no policy
/// variables: a trust policy with either trusts more than one principal. Returns the account ID.
pub fn trusted_principal(p: &str) -> Result<String> {
    let p = p.trim();
    if !p.starts_with("arn:") {
        account_id(p)?;
        return Ok(p.to_string());
    }
    let f = "other account";
    let shape = || Error::invalid(f, format!("\"{p}\" is not an account ID or an IAM user or role ARN (arn:aws:iam::123456789012:role/NAME)"));
    if p.contains(['*', '?']) || p.contains("${") {
        return Err(Error::invalid(f, format!("\"{p}\" has a wildcard or a policy variable; name exactly one user or role, or give the 12-digit account ID")));
    }
    let parts: Vec<&str> = p.splitn(6, ':').collect();
    if parts.len() != 6 || !PARTITIONS.contains(&parts[1]) || parts[2] != "iam" || !parts[3].is_empty() || account_id(parts[4]).is_err() {
        return Err(shape());
    }
    let resource = parts[5];
    if resource == "root" {
        return Err(Error::invalid(f, format!("\"{p}\" is the whole account: give its 12-digit account ID ({}) instead", parts[4])));
    }
    let (kind, rest) = resource.split_once('/').ok_or_else(shape)?;
    let name = rest.rsplit('/').next().unwrap_or_default();
    if !matches!(kind, "user" | "role") || name.is_empty() || !iam_name_chars_ok(name) || rest.contains(char::is_whitespace) {
        return Err(shape());
    }
    Ok(parts[4].to_string())
}

/// A KMS key for default encryption: a key or alias ARN with a 12-digit account, in `partition`. Returns
/// the key's account.
pub fn kms_key_arn(arn: &str, partition: &str) -> Result<String> {
    let f = "KMS key";
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shaped = parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "kms"
        && !parts[3].is_empty()
        && account_id(parts[4]).is_ok()
        && (parts[5].strip_prefix("key/").or_else(|| parts[5].strip_prefix("alias/")).map(|r| !r.is_empty() && !r.contains(['*', '?', ' '])).unwrap_or(false));
    if !shaped {
        return Err(Error::invalid(f, format!("\"{arn}\" is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID, or an alias ARN)")));
    }
    if parts[1] != partition {
        return Err(Error::invalid(f, format!("the key is in the \"{}\" partition but this account is in \"{partition}\"", parts[1])));
    }
    Ok(parts[4].to_string())
}

/// A long-term access key id: 16-128 upper-case letters and digits, starting with AKIA.
pub fn access_key_id(id: &str) -> Result<()> {
    let f = "access key ID";
    if id.starts_with("ASIA") {
        return Err(Error::invalid(f, "this is a temporary key (it starts with ASIA) and stops working when its session ends; import a long-term IAM user key (AKIA...)"));
    }
    if !id.starts_with("AKIA") {
        return Err(Error::invalid(f, format!("\"{}\" is not an access key ID: they start with AKIA", crate::secret::mask_key_id(id))));
    }
    if !(16..=128).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err(Error::invalid(f, "an access key ID is 16 to 128 capital letters and digits; check that it was copied whole"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_err(r: Result<()>) -> String {
        r.expect_err("should be rejected").to_string()
    }

    #[test]
    fn user_names() {
        for ok in ["a", "vendor-reader", "x+=,.@_-", &"u".repeat(64)] {
            user_name(ok).unwrap();
        }
        assert!(field_err(user_name("")).contains("empty"));
        assert!(field_err(user_name(&"u".repeat(65))).contains("65 characters"));
        assert!(field_err(user_name("has space")).contains("\" \""));
        assert!(field_err(user_name("slash/name")).contains("only letters"));
        policy_name(&"p".repeat(128)).unwrap();
        assert!(policy_name(&"p".repeat(129)).is_err());
        assert!(role_name(&"r".repeat(65)).is_err());
    }

    #[test]
    fn bucket_names() {
        for ok in ["abc", "my-bucket.logs", "a1b2c3", &"b".repeat(63)] {
            bucket_name(ok).unwrap();
        }
        let cases = [
            ("ab", "3 to 63"),
            ("MyBucket", "lowercase"),
            ("under_score", "'_'"),
            ("-start", "start and end"),
            ("end.", "start and end"),
            ("a..b", "two dots"),
            ("192.168.5.4", "IP address"),
            ("xn--abc", "reserved"),
            ("data-s3alias", "reserved"),
            ("bucket--x-s3", "reserved"),
        ];
        for (bad, why) in cases {
            let msg = field_err(bucket_name(bad));
            assert!(msg.contains(why), "{bad}: {msg}");
            assert!(msg.starts_with("bucket name: "), "{msg}");
        }
    }

    #[test]
    fn folders_are_normalised() {
        assert_eq!(folder("").unwrap(), None);
        assert_eq!(folder("/").unwrap(), None);
        assert_eq!(folder("uploads").unwrap().as_deref(), Some("uploads/"));
        assert_eq!(folder("/team/a/").unwrap().as_deref(), Some("team/a/"));
        assert!(folder("a*b").is_err());
        assert!(folder("a/${aws:username}").is_err());
        assert!(folder("a//b").is_err());
        assert!(folder("名前").is_err());
        for bad in ["a/../b", "..", "./x", "a/./b", "tab\there", "nul\u{0}", "del\u{7f}"] {
            assert!(folder(bad).is_err(), "{bad:?}");
        }
        assert_eq!(folder("a..b/c.d").unwrap().as_deref(), Some("a..b/c.d/"));
        assert_eq!(log_prefix("/logs/src-").unwrap(), "logs/src-");
        assert_eq!(log_prefix("").unwrap(), "");
        for bad in ["logs/*", "logs?", "logs/${aws:username}/", "logs/../x"] {
            assert!(log_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kms_key_arns() {
        assert_eq!(kms_key_arn("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab", "aws").unwrap(), "123456789012");
        assert_eq!(kms_key_arn("arn:aws:kms:eu-west-1:210987654321:alias/data", "aws").unwrap(), "210987654321");
        assert!(field_err(kms_key_arn("arn:aws:kms:eu-west-1:1234:key/x", "aws").map(|_| ())).contains("not a KMS key ARN"));
        assert!(field_err(kms_key_arn("arn:aws:kms:eu-west-1:123456789012:key/*", "aws").map(|_| ())).contains("not a KMS key ARN"));
        assert!(field_err(kms_key_arn("arn:aws-cn:kms:cn-north-1:123456789012:key/x", "aws").map(|_| ())).contains("partition"));
    }

    #[test]
    fn external_ids_and_accounts() {
        external_id("abc:def/ghi=+,.@-12").unwrap();
        external_id("vendor_42").unwrap();
        assert!(external_id("a").is_err());
        assert!(external_id("has space").is_err());
        account_id("123456789012").unwrap();
        assert!(account_id("12345678901").is_err());
        assert!(account_id("12345678901a").is_err());
    }

    #[test]
    fn access_key_ids() {
        assert!(access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(field_err(access_key_id("ASIAIOSFODNN7EXAMPLE")).contains("temporary"));
        assert!(field_err(access_key_id("wJalrXUtnFEMI")).contains("start with AKIA"));
        assert!(field_err(access_key_id("AKIA iosfodnn7")).contains("copied whole"));
    }

    #[test]
    fn trusted_principals() {
        assert_eq!(trusted_principal("210987654321").unwrap(), "210987654321");
        assert_eq!(trusted_principal("arn:aws:iam::210987654321:role/vendor-ingest").unwrap(), "210987654321");
        assert_eq!(trusted_principal("arn:aws:iam::210987654321:user/team/vendor").unwrap(), "210987654321");
        assert!(field_err(trusted_principal("arn:aws:iam::210987654321:root").map(|_| ())).contains("give its 12-digit account ID (210987654321)"));
        assert!(field_err(trusted_principal("arn:aws:s3:::bucket").map(|_| ())).contains("not an account ID"));
        for bad in ["arn:aws:iam::210987654321:role/*", "arn:aws:iam::210987654321:role/${aws:username}", "arn:aws:iam::*:role/x", "arn:aws:iam::210987654321:group/x", "arn:aws:iam::210987654321:role/", "arn:evil:iam::210987654321:role/x"] {
            assert!(trusted_principal(bad).is_err(), "{bad}");
        }
        assert!(field_err(trusted_principal("21098765432").map(|_| ())).contains("12 digits"));
    }
}
