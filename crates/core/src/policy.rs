//! Least-privilege IAM policy documents, built by pure functions from (bucket, folder, access level).
//!
//! Shape (what reviewers ask for): explicit actions only, never `s3:*`; bucket-level actions on the bucket
//! ARN; object actions on `arn:aws:s3:::BUCKET/FOLDER*`; with a folder, `s3:ListBucket` is limited by an
//! `s3:prefix` condition.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How much a grant allows inside its bucket and folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    /// List and download.
    Read,
    /// Upload only: cannot list, download or delete.
    Upload,
    /// List, download and upload (overwrite included).
    ReadWrite,
    /// Everything in read-write, plus delete.
    Full,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 4] = [AccessLevel::Read, AccessLevel::Upload, AccessLevel::ReadWrite, AccessLevel::Full];

    /// The word used on the command line and in names (`read`, `upload`, `read-write`, `full`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Read => "read",
            AccessLevel::Upload => "upload",
            AccessLevel::ReadWrite => "read-write",
            AccessLevel::Full => "full",
        }
    }

    /// One plain sentence for people who do not know IAM.
    pub fn describe(self) -> &'static str {
        match self {
            AccessLevel::Read => "Can see and download files. Cannot change or delete anything.",
            AccessLevel::Upload => "Can add new files, and replace a file that has the same name. Cannot see, download or delete files, so tools that look first (aws s3 sync, a plain rclone copy) fail: copy each file (aws s3 cp).",
            AccessLevel::ReadWrite => "Can see, download and upload files; an upload replaces a file that has the same name. Cannot delete files, so it cannot move or rename them either (aws s3 mv, sync --delete).",
            AccessLevel::Full => "Can see, download, upload, replace and delete files.",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" | "read-only" | "readonly" => Ok(AccessLevel::Read),
            "upload" | "upload-only" | "write-only" => Ok(AccessLevel::Upload),
            "read-write" | "readwrite" | "rw" => Ok(AccessLevel::ReadWrite),
            "full" => Ok(AccessLevel::Full),
            other => Err(Error::invalid("access level", format!("\"{other}\" is not an access level; use read, upload, read-write or full"))),
        }
    }

    pub fn reads(self) -> bool {
        matches!(self, AccessLevel::Read | AccessLevel::ReadWrite | AccessLevel::Full)
    }
    pub fn writes(self) -> bool {
        !matches!(self, AccessLevel::Read)
    }
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub bucket: String,
    /// A normalised folder (`uploads/`), or `None` for the whole bucket.
    pub prefix: Option<String>,
    /// Allow listing the bucket (when the level reads). Off for "object-only" grants such as image proxies,
    /// which fetch keys they already know.
    pub allow_list: bool,
    /// AWS partition of the bucket (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
    /// The customer-managed KMS key the bucket encrypts new files with by default, when it has one: the
    /// grant then needs that key too, or reads and writes fail on AWS.
    pub kms: Option<BucketKey>,
    /// When the access ends and where it may be used from: conditions on every Allow statement.
    pub limits: crate::limits::Limits,
}

/// A bucket's default-encryption KMS key, as the grant's policy names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketKey {
    /// The key's ARN; for a key named by alias, every key of the account with that alias (`key/*` and a
    /// `kms:ResourceAliases` condition), since KMS checks permissions against the key, not the alias.
    pub resource: String,
    pub alias: Option<String>,
    /// The bucket's region (the key's too): requests are limited to S3 there (`kms:ViaService`).
    pub region: String,
}

impl BucketKey {
    /// The key as S3 reports it in the bucket's default encryption (a key ARN, a key ID, an alias ARN or
    /// an alias name), completed with the bucket's partition, region and account where S3 leaves them out.
    pub fn from_bucket_setting(key: &str, partition: &str, region: &str, account: &str) -> BucketKey {
        let key = key.trim();
        let (key_region, key_account, resource) = match key.strip_prefix("arn:") {
            Some(_) => {
                let parts: Vec<&str> = key.splitn(6, ':').collect();
                (parts.get(3).copied().unwrap_or(region), parts.get(4).copied().unwrap_or(account), parts.get(5).copied().unwrap_or_default())
            }
            None => (region, account, key),
        };
        let key_region = if key_region.is_empty() { region } else { key_region };
        match resource.strip_prefix("alias/") {
            Some(alias) => BucketKey {
                resource: format!("arn:{partition}:kms:{key_region}:{key_account}:key/*"),
                alias: Some(format!("alias/{alias}")),
                region: region.to_string(),
            },
            None => {
                let id = resource.strip_prefix("key/").unwrap_or(resource);
                BucketKey { resource: format!("arn:{partition}:kms:{key_region}:{key_account}:key/{id}"), alias: None, region: region.to_string() }
            }
        }
    }

    fn via_service(&self, partition: &str) -> String {
        format!("s3.{}.{}", self.region, dns_suffix(partition))
    }
}

impl Scope {
    pub fn new(bucket: &str, prefix: Option<&str>) -> Result<Self> {
        crate::validate::bucket_name(bucket)?;
        let prefix = match prefix {
            Some(p) => crate::validate::folder(p)?,
            None => None,
        };
        Ok(Scope { bucket: bucket.to_string(), prefix, allow_list: true, partition: "aws".into(), kms: None, limits: Default::default() })
    }

    pub fn bucket_arn(&self) -> String {
        format!("arn:{}:s3:::{}", self.partition, self.bucket)
    }

    pub fn objects_arn(&self) -> String {
        format!("{}/{}*", self.bucket_arn(), self.prefix.as_deref().unwrap_or(""))
    }

    /// `s3://bucket/prefix` for people.
    pub fn display(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix.as_deref().unwrap_or(""))
    }
}

/// The partition a region belongs to.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The domain of AWS's service hosts in a partition: `amazonaws.com.cn` in China, else `amazonaws.com`.
pub fn dns_suffix(partition: &str) -> &'static str {
    if partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// An IAM policy document. Field order matches what the AWS console shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statement: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid", skip_serializing_if = "Option::is_none", default)]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: String,
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none", default)]
    pub principal: Option<Value>,
    #[serde(rename = "Action")]
    pub action: Vec<String>,
    #[serde(rename = "Resource", skip_serializing_if = "Vec::is_empty", default)]
    pub resource: Vec<String>,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none", default)]
    pub condition: Option<Value>,
}

impl PolicyDocument {
    pub fn new(statement: Vec<Statement>) -> Self {
        PolicyDocument { version: "2012-10-17".into(), statement }
    }

    /// Pretty JSON, as shown to people and sent to AWS.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Size as IAM counts it: characters, whitespace outside strings not counted.
    pub fn iam_size(&self) -> usize {
        serde_json::to_string(self).map(|s| s.chars().count()).unwrap_or(usize::MAX)
    }

    /// Every action the document allows, for plain-language summaries and tests.
    pub fn actions(&self) -> Vec<&str> {
        self.statement.iter().flat_map(|s| s.action.iter().map(String::as_str)).collect()
    }
}

const READ_OBJECT_ACTIONS: &[&str] = &["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"];
/// Uploading, multipart uploads included: resumable uploaders (Cyberduck, Uppy and other browser uploaders,
/// the SDKs' transfer managers) list the parts already sent before going on, and cancel what they leave.
const WRITE_OBJECT_ACTIONS: &[&str] = &["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"];
/// Levels that read and write also set tags: an upload that carries tags, and `aws s3 cp`/`mv`, which copy
/// a large object's tags after its parts (`--copy-props default`), call PutObjectTagging.
const TAG_OBJECT_ACTIONS: &[&str] = &["s3:PutObjectTagging"];
const DELETE_OBJECT_ACTIONS: &[&str] = &["s3:DeleteObject"];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The statements granting `level` on `scope`:
/// - the bucket's region (`s3:GetBucketLocation`, which AWS CLIs, rclone and Cyberduck ask first) in a
///   statement of its own: that request carries no `s3:prefix`, so a prefix condition would refuse it;
/// - listing, when the level reads and listing is allowed, limited to the folder by `s3:prefix`;
/// - the object actions of the level on the folder;
/// - for levels that write, a Deny of uploads encrypted with a key only the uploader holds (SSE-C): with
///   it, an overwrite could re-encrypt a file so that nobody else can read it (the S3 ransomware pattern);
/// - the bucket's KMS key, when it encrypts with one: kms:Decrypt to read, kms:GenerateDataKey (and
///   kms:Decrypt, for multipart uploads) to write, only through S3 in the bucket's region;
/// - the scope's [`crate::limits::Limits`] on every Allow statement: the end date on all of them, the source
///   addresses on all but the KMS key's. S3 calls KMS on the user's behalf (a forward access session) from
///   its own address, so an address condition there would refuse every read and write of an encrypted
///   file; the S3 statements already hold the user's own requests to those addresses.
pub fn access_statements(scope: &Scope, level: AccessLevel) -> Vec<Statement> {
    let mut out = unlimited_statements(scope, level);
    let end_only = crate::limits::Limits { ends_at: scope.limits.ends_at.clone(), source_ips: vec![] };
    for st in out.iter_mut().filter(|st| st.effect == "Allow") {
        let limits = if st.action.iter().all(|a| a.starts_with("kms:")) { &end_only } else { &scope.limits };
        st.condition = limits.apply_to(st.condition.take());
    }
    out
}

fn unlimited_statements(scope: &Scope, level: AccessLevel) -> Vec<Statement> {
    let mut out = vec![Statement {
        sid: Some("BucketLocation".into()),
        effect: "Allow".into(),
        principal: None,
        action: strings(&["s3:GetBucketLocation"]),
        resource: vec![scope.bucket_arn()],
        condition: None,
    }];
    if level.reads() && scope.allow_list {
        out.push(Statement {
            sid: Some("ListBucket".into()),
            effect: "Allow".into(),
            principal: None,
            action: strings(&["s3:ListBucket"]),
            resource: vec![scope.bucket_arn()],
            condition: scope.prefix.as_ref().map(|p| json!({ "StringLike": { "s3:prefix": [format!("{p}*")] } })),
        });
    }
    let mut actions = Vec::new();
    if level.reads() {
        actions.extend(strings(READ_OBJECT_ACTIONS));
    }
    if level.writes() {
        actions.extend(strings(WRITE_OBJECT_ACTIONS));
    }
    if level.reads() && level.writes() {
        actions.extend(strings(TAG_OBJECT_ACTIONS));
    }
    if level == AccessLevel::Full {
        actions.extend(strings(DELETE_OBJECT_ACTIONS));
    }
    let sid = match level {
        AccessLevel::Read => "ReadObjects",
        AccessLevel::Upload => "UploadObjects",
        AccessLevel::ReadWrite => "ReadWriteObjects",
        AccessLevel::Full => "ManageObjects",
    };
    out.push(Statement {
        sid: Some(sid.into()),
        effect: "Allow".into(),
        principal: None,
        action: actions,
        resource: vec![scope.objects_arn()],
        condition: None,
    });
    if level.writes() {
        out.push(Statement {
            sid: Some("DenyCustomerProvidedKeys".into()),
            effect: "Deny".into(),
            principal: None,
            action: strings(&["s3:PutObject"]),
            resource: vec![scope.objects_arn()],
            condition: Some(json!({ "Null": { SSE_C_KEY: "false" } })),
        });
    }
    if let Some(key) = &scope.kms {
        let mut actions = Vec::new();
        if level.writes() {
            actions.push("kms:GenerateDataKey".to_string());
        }
        actions.push("kms:Decrypt".to_string());
        let mut condition = json!({ "StringEquals": { "kms:ViaService": key.via_service(&scope.partition) } });
        if let Some(alias) = &key.alias {
            condition["ForAnyValue:StringEquals"] = json!({ "kms:ResourceAliases": alias });
        }
        out.push(Statement {
            sid: Some("UseTheBucketsKmsKey".into()),
            effect: "Allow".into(),
            principal: None,
            action: actions,
            resource: vec![key.resource.clone()],
            condition: Some(condition),
        });
    }
    out
}

/// The condition key of a request that carries its own encryption key (SSE-C).
pub const SSE_C_KEY: &str = "s3:x-amz-server-side-encryption-customer-algorithm";

/// The identity policy for a user or role with `level` on `scope`.
pub fn access_policy(scope: &Scope, level: AccessLevel) -> PolicyDocument {
    PolicyDocument::new(access_statements(scope, level))
}

/// Limits on policy size (characters, whitespace not counted).
pub const MANAGED_POLICY_LIMIT: usize = 6_144;
pub const USER_INLINE_LIMIT: usize = 2_048;

/// Check a managed policy fits.
pub fn check_managed_size(doc: &PolicyDocument) -> Result<()> {
    let size = doc.iam_size();
    if size > MANAGED_POLICY_LIMIT {
        return Err(Error::invalid("policy", format!("the policy is {size} characters; a managed policy may have at most {MANAGED_POLICY_LIMIT}")));
    }
    Ok(())
}

/// Check an inline policy fits next to the user's existing inline policies (`existing` characters).
pub fn check_user_inline_size(doc: &PolicyDocument, existing: usize) -> Result<()> {
    let size = doc.iam_size() + existing;
    if size > USER_INLINE_LIMIT {
        return Err(Error::invalid(
            "policy",
            format!("inline policies on one user may total at most {USER_INLINE_LIMIT} characters, and this would make {size}; use a managed policy instead"),
        ));
    }
    Ok(())
}

/// The trust policy for a role that another account assumes with an external ID. `other` is their account
/// ID (trusting the account, which then decides who of theirs may assume it) or one principal's ARN.
pub fn cross_account_trust_policy(partition: &str, other: &str, external_id: &str) -> PolicyDocument {
    let principal = if other.starts_with("arn:") { other.to_string() } else { format!("arn:{partition}:iam::{other}:root") };
    PolicyDocument::new(vec![Statement {
        sid: Some("TrustOtherAccountWithExternalId".into()),
        effect: "Allow".into(),
        principal: Some(json!({ "AWS": principal })),
        action: vec!["sts:AssumeRole".into()],
        resource: vec![],
        condition: Some(json!({ "StringEquals": { "sts:ExternalId": external_id } })),
    }])
}

/// IAM's wildcard match: `*` any run of characters, `?` one character.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Compare against a stored snapshot under `src/snapshots/`. Set `UPDATE_SNAPSHOTS=1` to rewrite them,
    /// then review the diff like any other change.
    fn assert_snapshot(name: &str, actual: &str) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/snapshots").join(format!("{name}.json"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("{actual}\n")).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing snapshot {}; run with UPDATE_SNAPSHOTS=1", path.display()));
        assert_eq!(expected.trim_end(), actual, "snapshot {name} differs");
    }

    fn scope(prefix: Option<&str>) -> Scope {
        Scope::new("vendor-data", prefix).unwrap()
    }

    #[test]
    fn snapshots_for_every_level_with_and_without_folder() {
        for level in AccessLevel::ALL {
            for (tag, prefix) in [("bucket", None), ("folder", Some("reports/2026"))] {
                let doc = access_policy(&scope(prefix), level);
                assert_snapshot(&format!("{}_{tag}", level.as_str()), &doc.to_json_pretty());
            }
        }
        let mut object_only = scope(None);
        object_only.allow_list = false;
        assert_snapshot("read_object_only", &access_policy(&object_only, AccessLevel::Read).to_json_pretty());
        assert_snapshot("trust_external_id", &cross_account_trust_policy("aws", "210987654321", "ext-id-123").to_json_pretty());
    }

    #[test]
    fn never_wildcard_actions_and_objects_scoped_to_folder() {
        for level in AccessLevel::ALL {
            let doc = access_policy(&scope(Some("a/b")), level);
            assert!(doc.actions().iter().all(|a| !a.contains('*')), "{level:?}");
            for st in &doc.statement {
                for r in &st.resource {
                    assert!(r == "arn:aws:s3:::vendor-data" || r == "arn:aws:s3:::vendor-data/a/b/*", "{r}");
                }
                if st.action.contains(&"s3:ListBucket".to_string()) {
                    assert_eq!(st.condition.as_ref().unwrap()["StringLike"]["s3:prefix"][0], "a/b/*");
                    assert_eq!(st.action, vec!["s3:ListBucket"], "only ListBucket requests carry s3:prefix");
                }
                if st.action.contains(&"s3:GetBucketLocation".to_string()) {
                    assert_eq!(st.condition, None, "GetBucketLocation carries no s3:prefix: {level:?}");
                    assert_eq!(st.action, vec!["s3:GetBucketLocation"]);
                }
            }
            assert!(doc.statement.iter().any(|st| st.action == vec!["s3:GetBucketLocation"]), "every level, upload too: {level:?}");
        }
    }

    #[test]
    fn levels_grant_what_they_say() {
        let s = scope(None);
        let has = |l, a: &str| access_policy(&s, l).actions().contains(&a);
        assert!(has(AccessLevel::Read, "s3:GetObject") && has(AccessLevel::Read, "s3:ListBucket"));
        assert!(!has(AccessLevel::Read, "s3:PutObject"));
        assert!(has(AccessLevel::Upload, "s3:PutObject"));
        assert!(!has(AccessLevel::Upload, "s3:GetObject") && !has(AccessLevel::Upload, "s3:ListBucket"));
        assert!(has(AccessLevel::ReadWrite, "s3:PutObject") && !has(AccessLevel::ReadWrite, "s3:DeleteObject"));
        assert!(has(AccessLevel::Full, "s3:DeleteObject"));
    }

    /// What resumable and multipart uploaders call: every level that writes may list the parts it sent and
    /// cancel an upload, on the folder's files only; levels that also read may set tags (a tagged upload,
    /// `aws s3 cp` of a large tagged file). Read-only may do none of these, upload-only may not tag.
    #[test]
    fn writing_levels_can_resume_and_cancel_multipart_uploads() {
        for level in AccessLevel::ALL {
            let doc = access_policy(&scope(Some("in")), level);
            let objects = doc.statement.iter().find(|st| st.effect == "Allow" && st.resource == ["arn:aws:s3:::vendor-data/in/*"]).unwrap();
            for multipart in ["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"] {
                assert_eq!(objects.action.iter().any(|a| a == multipart), level.writes(), "{level:?} {multipart}");
                assert_eq!(doc.actions().iter().filter(|a| **a == multipart).count(), usize::from(level.writes()), "only on the folder's files: {level:?}");
            }
            let tags = objects.action.iter().any(|a| a == "s3:PutObjectTagging");
            assert_eq!(tags, matches!(level, AccessLevel::ReadWrite | AccessLevel::Full), "{level:?}");
        }
        assert!(AccessLevel::Upload.describe().contains("aws s3 sync"), "the upload level says which tools cannot work with it");
    }

    /// Every level that writes refuses uploads with a customer-provided key (SSE-C), on the objects it may
    /// write; levels that only read need no such statement.
    #[test]
    fn writing_levels_refuse_customer_provided_keys() {
        for level in AccessLevel::ALL {
            let doc = access_policy(&scope(Some("in")), level);
            let deny: Vec<&Statement> = doc.statement.iter().filter(|s| s.effect == "Deny").collect();
            if level.writes() {
                assert_eq!(deny.len(), 1, "{level:?}");
                assert_eq!(deny[0].action, vec!["s3:PutObject"]);
                assert_eq!(deny[0].resource, vec!["arn:aws:s3:::vendor-data/in/*"]);
                assert_eq!(deny[0].condition, Some(json!({ "Null": { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } })));
            } else {
                assert!(deny.is_empty(), "{level:?}");
            }
        }
    }

    /// A bucket encrypted with a customer-managed KMS key: readers get kms:Decrypt, writers
    /// kms:GenerateDataKey and kms:Decrypt, on that key alone and only through S3 in the bucket's region.
    #[test]
    fn the_buckets_kms_key_is_granted_as_the_level_needs() {
        let key = BucketKey::from_bucket_setting("arn:aws:kms:eu-west-1:123456789012:key/1234abcd", "aws", "eu-west-1", "123456789012");
        for level in AccessLevel::ALL {
            let mut s = scope(None);
            s.kms = Some(key.clone());
            let doc = access_policy(&s, level);
            let kms = doc.statement.iter().find(|st| st.action.iter().any(|a| a.starts_with("kms:"))).unwrap();
            let want: Vec<&str> = if level.writes() { vec!["kms:GenerateDataKey", "kms:Decrypt"] } else { vec!["kms:Decrypt"] };
            assert_eq!(kms.action, want, "{level:?}");
            assert_eq!(kms.resource, vec!["arn:aws:kms:eu-west-1:123456789012:key/1234abcd"]);
            assert_eq!(kms.condition, Some(json!({ "StringEquals": { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } })));
        }
        assert!(access_policy(&scope(None), AccessLevel::Read).actions().iter().all(|a| !a.starts_with("kms:")), "no key, no KMS statement");
        // S3 may name the key by its bare ID or an alias.
        let bare = BucketKey::from_bucket_setting("1234abcd", "aws", "us-east-2", "123456789012");
        assert_eq!(bare.resource, "arn:aws:kms:us-east-2:123456789012:key/1234abcd");
        let alias = BucketKey::from_bucket_setting("arn:aws:kms:us-east-2:123456789012:alias/reports", "aws", "us-east-2", "123456789012");
        assert_eq!((alias.resource.as_str(), alias.alias.as_deref()), ("arn:aws:kms:us-east-2:123456789012:key/*", Some("alias/reports")));
        let mut s = scope(None);
        s.kms = Some(alias);
        let doc = access_policy(&s, AccessLevel::Read);
        assert_eq!(doc.statement.last().unwrap().condition.as_ref().unwrap()["ForAnyValue:StringEquals"]["kms:ResourceAliases"], "alias/reports");
        let cn = BucketKey::from_bucket_setting("k", "aws-cn", "cn-north-1", "123456789012");
        assert_eq!(cn.via_service("aws-cn"), "s3.cn-north-1.amazonaws.com.cn");
    }

    /// An end date and source addresses reach every Allow statement (and leave the Deny alone), next to
    /// the statement's own conditions.
    #[test]
    fn limits_reach_every_allow_statement() {
        let limits = crate::limits::Limits { ends_at: Some("2026-12-31T00:00:00Z".into()), source_ips: vec!["203.0.113.0/24".into()] };
        let key = BucketKey::from_bucket_setting("arn:aws:kms:eu-west-1:123456789012:key/1", "aws", "eu-west-1", "123456789012");
        for level in AccessLevel::ALL {
            for prefix in [None, Some("in")] {
                let mut s = scope(prefix);
                s.kms = Some(key.clone());
                s.limits = limits.clone();
                let doc = access_policy(&s, level);
                let unlimited = { let mut u = s.clone(); u.limits = Default::default(); access_policy(&u, level) };
                assert_eq!(doc.statement.len(), unlimited.statement.len());
                for (st, before) in doc.statement.iter().zip(&unlimited.statement) {
                    if st.effect == "Deny" {
                        assert_eq!(st, before, "a Deny is not limited: {level:?}");
                        continue;
                    }
                    let c = st.condition.as_ref().unwrap();
                    assert_eq!(c["DateLessThan"]["aws:CurrentTime"], "2026-12-31T00:00:00Z", "{level:?} {:?}", st.sid);
                    if st.action.iter().all(|a| a.starts_with("kms:")) {
                        // S3 calls KMS for the user from S3's own address: an address limit there would
                        // refuse every encrypted read and write.
                        assert!(c.get("IpAddress").is_none(), "no address limit on the KMS key: {level:?}");
                    } else {
                        assert_eq!(c["IpAddress"]["aws:SourceIp"], json!(["203.0.113.0/24"]));
                    }
                    for (op, keys) in before.condition.as_ref().and_then(|c| c.as_object()).into_iter().flatten() {
                        assert_eq!(&c[op], keys, "the statement's own condition is kept");
                    }
                }
                assert_eq!(crate::limits::limits_of(&serde_json::to_value(&doc).unwrap()), limits);
            }
        }
        let mut one = scope(Some("in"));
        one.limits.ends_at = Some("2027-01-01T00:00:00Z".into());
        assert_snapshot("read_folder_ends", &access_policy(&one, AccessLevel::Read).to_json_pretty());
    }

    #[test]
    fn partitions_and_parsing() {
        assert_eq!(partition_for_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_for_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_for_region("eu-west-1"), "aws");
        assert_eq!(AccessLevel::parse("Read-Write").unwrap(), AccessLevel::ReadWrite);
        assert!(AccessLevel::parse("admin").unwrap_err().to_string().contains("read, upload, read-write or full"));
    }

    #[test]
    fn size_limits() {
        let small = access_policy(&scope(None), AccessLevel::Full);
        check_managed_size(&small).unwrap();
        check_user_inline_size(&small, 0).unwrap();
        assert!(check_user_inline_size(&small, 2_000).unwrap_err().to_string().contains("managed policy instead"));
        let many: Vec<Statement> = (0..60).flat_map(|i| access_statements(&scope(Some(&format!("folder-number-{i}"))), AccessLevel::Full)).collect();
        assert!(check_managed_size(&PolicyDocument::new(many)).is_err());
        // Whitespace is not counted: the compact form is what IAM measures.
        assert!(small.iam_size() < small.to_json_pretty().len());
    }
}
