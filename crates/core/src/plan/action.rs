//! The steps of a plan: one AWS call (or local effect) each, with its plain-words summary, the JSON it
//! sends, and its undo.

use crate::policy::PolicyDocument;
use crate::request::{CorsRule, LoggingTarget};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The four Block Public Access settings, in AWS's order.
pub type PublicAccessBlock = [bool; 4];

/// Default encryption as S3 reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    pub algorithm: String,
    pub kms_key_id: Option<String>,
}

/// One AWS call (or one local effect) of a plan, with what it needs to run and to be undone. Serialised
/// only into the intent journal (`journal.rs`), which recovery reads back: it holds no secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    CreateBucket { bucket: String, region: String },
    PutPublicAccessBlock { bucket: String, previous: Option<PublicAccessBlock> },
    PutBucketEncryption { bucket: String, previous: Option<Encryption>, target: Encryption },
    /// `added` is the one rule added; `None` when the user edited or deleted rules.
    PutBucketCors { bucket: String, rules: Vec<CorsRule>, previous: Option<Vec<CorsRule>>, added: Option<CorsRule> },
    DeleteBucketCors { bucket: String, previous: Vec<CorsRule> },
    /// `document` is `previous` with `added` merged in (replacing an older statement of ours with the same
    /// Sid). At apply time the policy is read again and `added` merged into what is there then.
    PutBucketPolicy { bucket: String, document: String, previous: Option<String>, added: Value, kept_statements: usize, purpose: PolicyPurpose },
    /// Turn versioning on; `previous` is the bucket's status before (`None`: never enabled).
    PutBucketVersioning { bucket: String, previous: Option<String> },
    PutBucketLogging { bucket: String, target: LoggingTarget, previous: Option<LoggingTarget> },
    CreatePolicy { policy_name: String, policy_arn: String, document: PolicyDocument, grants: String },
    CreateUser { user_name: String },
    AttachUserPolicy { user_name: String, policy_name: String, policy_arn: String },
    PutUserPolicy { user_name: String, policy_name: String, document: PolicyDocument, grants: String },
    CreateRole { role_name: String, trust: PolicyDocument, other_account: String, max_session_seconds: Option<i32> },
    AttachRolePolicy { role_name: String, policy_name: String, policy_arn: String },
    CreateAccessKey { user_name: String },
    SaveSecretToKeychain { user_name: String, service: String },
}

/// Why a bucket policy is changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyPurpose {
    TlsOnly,
    /// Let S3's log delivery write the access logs of `source` into this bucket.
    LogDelivery { source: String },
}

impl Encryption {
    pub fn sse_s3() -> Self {
        Encryption { algorithm: "AES256".into(), kms_key_id: None }
    }

    /// "S3-managed keys" or "the KMS key …", for plain messages.
    pub fn describe(&self) -> String {
        match (self.algorithm.as_str(), &self.kms_key_id) {
            ("AES256", _) => "S3-managed keys (SSE-S3)".into(),
            (_, Some(k)) => format!("the KMS key {k} (SSE-KMS)"),
            (a, None) => format!("{a} with AWS's default key"),
        }
    }
}

/// The tag put on everything the app creates, so people (and the app) can tell it apart.
pub const CREATED_BY_TAG: (&str, &str) = ("created-by", "s3-access-wizard");

impl Action {
    /// The AWS API call, as IAM names it in policies (`iam:CreateUser`).
    pub fn api_call(&self) -> &'static str {
        match self {
            Action::CreateBucket { .. } => "s3:CreateBucket",
            Action::PutPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
            Action::PutBucketEncryption { .. } => "s3:PutEncryptionConfiguration",
            Action::PutBucketCors { .. } => "s3:PutBucketCORS",
            Action::DeleteBucketCors { .. } => "s3:DeleteBucketCORS",
            Action::PutBucketPolicy { .. } => "s3:PutBucketPolicy",
            Action::PutBucketLogging { .. } => "s3:PutBucketLogging",
            Action::PutBucketVersioning { .. } => "s3:PutBucketVersioning",
            Action::CreatePolicy { .. } => "iam:CreatePolicy",
            Action::CreateUser { .. } => "iam:CreateUser",
            Action::AttachUserPolicy { .. } => "iam:AttachUserPolicy",
            Action::PutUserPolicy { .. } => "iam:PutUserPolicy",
            Action::CreateRole { .. } => "iam:CreateRole",
            Action::AttachRolePolicy { .. } => "iam:AttachRolePolicy",
            Action::CreateAccessKey { .. } => "iam:CreateAccessKey",
            Action::SaveSecretToKeychain { .. } => "keychain:Save",
        }
    }

    /// One line in plain words.
    pub fn summary(&self) -> String {
        match self {
            Action::CreateBucket { bucket, region } => format!("Create the bucket \"{bucket}\" in {region}"),
            Action::PutPublicAccessBlock { bucket, .. } => format!("Block all public access to \"{bucket}\""),
            Action::PutBucketEncryption { bucket, target, .. } => format!("Encrypt new files in \"{bucket}\" by default with {}", target.describe()),
            Action::PutBucketCors { bucket, previous, added: Some(added), .. } => {
                let kept = previous.as_ref().map(Vec::len).unwrap_or(0);
                let kept = if kept > 0 { format!("; the {kept} existing rule(s) are kept") } else { String::new() };
                format!("Let web pages on {} use \"{bucket}\" from the browser (CORS rule{kept})", added.allowed_origins.join(", "))
            }
            Action::PutBucketCors { bucket, rules, previous, added: None } => {
                format!("Replace the CORS rules of \"{bucket}\": {} rule(s) before, {} after, as you edited them", previous.as_ref().map(Vec::len).unwrap_or(0), rules.len())
            }
            Action::DeleteBucketCors { bucket, previous } => format!("Remove the CORS rules of \"{bucket}\" (all {} of them)", previous.len()),
            Action::PutBucketPolicy { bucket, kept_statements, purpose, .. } => {
                let kept = if *kept_statements > 0 { format!("; the {kept_statements} existing statement(s) are kept") } else { String::new() };
                match purpose {
                    PolicyPurpose::TlsOnly => format!("Refuse unencrypted (non-TLS) connections to \"{bucket}\" (bucket policy{kept})"),
                    PolicyPurpose::LogDelivery { source } => format!("Let S3 write the access logs of \"{source}\" into \"{bucket}\" (bucket policy{kept})"),
                }
            }
            Action::PutBucketLogging { bucket, target, .. } => format!("Record every request to \"{bucket}\" in s3://{}/{} (server access logging)", target.bucket, target.prefix),
            Action::PutBucketVersioning { bucket, .. } => format!("Keep every version of every file in \"{bucket}\", so an overwrite or a delete can be undone (versioning)"),
            Action::CreatePolicy { policy_name, grants, .. } => format!("Create the permission policy \"{policy_name}\": {grants}"),
            Action::CreateUser { user_name } => format!("Create the IAM user \"{user_name}\" (a separate identity with no access of its own)"),
            Action::AttachUserPolicy { user_name, policy_name, .. } => format!("Give user \"{user_name}\" the policy \"{policy_name}\""),
            Action::PutUserPolicy { user_name, policy_name, grants, .. } => format!("Give user \"{user_name}\" {grants} through its own policy \"{policy_name}\""),
            Action::CreateRole { role_name, other_account, .. } => {
                format!("Create the role \"{role_name}\" that AWS account {other_account} can use with the external ID")
            }
            Action::AttachRolePolicy { role_name, policy_name, .. } => format!("Give role \"{role_name}\" the policy \"{policy_name}\""),
            Action::CreateAccessKey { user_name } => format!("Create an access key for \"{user_name}\" (AWS shows its secret only once)"),
            Action::SaveSecretToKeychain { .. } => "Save the secret key in this computer's keychain".to_string(),
        }
    }

    /// What undoing this step does, in the same terms.
    pub fn undo_call(&self) -> &'static str {
        match self {
            Action::CreateBucket { .. } => "s3:DeleteBucket",
            Action::PutPublicAccessBlock { previous: Some(_), .. } => "s3:PutBucketPublicAccessBlock (previous settings)",
            Action::PutPublicAccessBlock { previous: None, .. } => "s3:DeletePublicAccessBlock",
            Action::PutBucketEncryption { previous: Some(_), .. } => "s3:PutEncryptionConfiguration (previous settings)",
            Action::PutBucketEncryption { previous: None, .. } => "s3:DeleteBucketEncryption",
            Action::PutBucketCors { previous: Some(_), .. } => "s3:PutBucketCORS (previous rules)",
            Action::PutBucketCors { previous: None, .. } => "s3:DeleteBucketCORS",
            Action::DeleteBucketCors { .. } => "s3:PutBucketCORS (previous rules)",
            Action::PutBucketLogging { previous: Some(_), .. } => "s3:PutBucketLogging (previous target)",
            Action::PutBucketLogging { previous: None, .. } => "s3:PutBucketLogging (logging off)",
            Action::PutBucketPolicy { previous: Some(_), .. } => "s3:PutBucketPolicy (previous policy)",
            Action::PutBucketPolicy { previous: None, .. } => "s3:DeleteBucketPolicy",
            Action::PutBucketVersioning { previous: Some(s), .. } if s == "Enabled" => "nothing (it was already on)",
            Action::PutBucketVersioning { .. } => "s3:PutBucketVersioning (suspended: versions kept so far stay)",
            Action::CreatePolicy { .. } => "iam:DeletePolicy",
            Action::CreateUser { .. } => "iam:DeleteUser",
            Action::AttachUserPolicy { .. } => "iam:DetachUserPolicy",
            Action::PutUserPolicy { .. } => "iam:DeleteUserPolicy",
            Action::CreateRole { .. } => "iam:DeleteRole",
            Action::AttachRolePolicy { .. } => "iam:DetachRolePolicy",
            Action::CreateAccessKey { .. } => "iam:DeleteAccessKey",
            Action::SaveSecretToKeychain { .. } => "keychain:Delete",
        }
    }

    /// The JSON document the call carries, if any (policies, CORS configuration).
    pub fn document(&self) -> Option<Value> {
        match self {
            Action::CreatePolicy { document, .. } | Action::PutUserPolicy { document, .. } => serde_json::to_value(document).ok(),
            Action::CreateRole { trust, .. } => serde_json::to_value(trust).ok(),
            Action::PutBucketCors { rules, .. } => Some(json!({ "CORSRules": rules })),
            Action::PutBucketPolicy { document, .. } => serde_json::from_str(document).ok(),
            Action::PutPublicAccessBlock { .. } => Some(json!({
                "BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true
            })),
            Action::PutBucketEncryption { target, .. } => Some(match &target.kms_key_id {
                Some(k) => json!({ "Rules": [{ "ApplyServerSideEncryptionByDefault": { "SSEAlgorithm": target.algorithm, "KMSMasterKeyID": k }, "BucketKeyEnabled": true }] }),
                None => json!({ "Rules": [{ "ApplyServerSideEncryptionByDefault": { "SSEAlgorithm": target.algorithm } }] }),
            }),
            Action::PutBucketLogging { target, .. } => Some(json!({ "LoggingEnabled": { "TargetBucket": target.bucket, "TargetPrefix": target.prefix } })),
            Action::PutBucketVersioning { .. } => Some(json!({ "Status": "Enabled" })),
            _ => None,
        }
    }
}
