//! Export for a team's own engine: a reviewed plan, or an access the app created, as a CloudFormation
//! template (YAML or JSON) or Terraform (HCL) with `import` blocks for what already exists.
//!
//! One model ([`IacModel`]) is read from a plan's steps (or from an access's live state) and written out
//! by two pure renderers. Both engines replace a bucket's whole policy and CORS configuration, so the model
//! holds the merged documents the plan would write, and the file says so at the top. Access keys are never
//! in a template: CloudFormation would put the secret in the stack's outputs and Terraform in its state.

use crate::error::{Error, Result};
use crate::plan::{Action, Encryption, Plan};
use crate::request::{CorsRule, LoggingTarget};
use serde_json::{json, Map, Value};
use std::path::Path;

/// Which engine, and for CloudFormation which syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IacFormat {
    CloudFormationYaml,
    CloudFormationJson,
    Terraform,
}

impl IacFormat {
    /// `cloudformation` (YAML, or JSON when the file ends in `.json`) or `terraform`.
    pub fn parse(word: &str, path: &Path) -> Result<IacFormat> {
        let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        match word.trim().to_ascii_lowercase().as_str() {
            "cloudformation" | "cfn" if json => Ok(IacFormat::CloudFormationJson),
            "cloudformation" | "cfn" => Ok(IacFormat::CloudFormationYaml),
            "terraform" | "tf" => Ok(IacFormat::Terraform),
            other => Err(Error::invalid("export format", format!("\"{other}\" is not a format; use cloudformation or terraform"))),
        }
    }

    pub fn render(self, model: &IacModel) -> String {
        match self {
            IacFormat::CloudFormationYaml => cloudformation_yaml(model),
            IacFormat::CloudFormationJson => cloudformation_json(model),
            IacFormat::Terraform => terraform(model),
        }
    }
}

/// An IAM user and its policy.
#[derive(Clone, Debug, PartialEq)]
pub struct IacUser {
    pub name: String,
    /// Whether the user exists already (an access the app created, or a reused user).
    pub exists: bool,
    pub policy: IacPolicy,
}

/// A role and its policy.
#[derive(Clone, Debug, PartialEq)]
pub struct IacRole {
    pub name: String,
    pub exists: bool,
    pub trust: Value,
    pub max_session_seconds: Option<i32>,
    pub policy: IacPolicy,
}

/// A policy: inline (the user's own) or managed (with its ARN).
#[derive(Clone, Debug, PartialEq)]
pub struct IacPolicy {
    pub name: String,
    pub document: Value,
    /// `Some(arn)` for a managed policy.
    pub managed_arn: Option<String>,
    pub exists: bool,
}

/// A bucket's settings as the export declares them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IacBucket {
    pub name: String,
    /// The plan creates it; otherwise it exists and is imported.
    pub new: bool,
    pub public_access_block: bool,
    pub encryption: Option<Encryption>,
    pub versioning: bool,
    pub logging: Option<LoggingTarget>,
    /// The whole CORS configuration after the change (`Some(empty)`: none).
    pub cors: Option<Vec<CorsRule>>,
    /// The whole bucket policy after the change.
    pub policy: Option<Value>,
}

impl IacBucket {
    /// Whether any setting of the bucket itself is declared (else the bucket is only named).
    fn declares_settings(&self) -> bool {
        self.new || self.public_access_block || self.encryption.is_some() || self.versioning || self.logging.is_some() || self.cors.is_some()
    }
}

/// Everything an export declares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IacModel {
    /// What it is, for the header comment.
    pub title: String,
    pub buckets: Vec<IacBucket>,
    pub user: Option<IacUser>,
    pub role: Option<IacRole>,
    /// The plan creates an access key (not exported: the header says how to make it).
    pub needs_access_key: bool,
}

impl IacModel {
    /// The model of a reviewed plan: what its steps create and change, with the merged documents.
    pub fn from_plan(plan: &Plan) -> Result<IacModel> {
        let mut m = IacModel { title: plan.headline.clone(), ..Default::default() };
        let main = plan.request.scope.bucket.clone();
        let mut policies: Vec<(String, IacPolicy)> = Vec::new();
        let mut user_new = None;
        for step in &plan.steps {
            match step {
                Action::CreateBucket { bucket, .. } => m.bucket(bucket).new = true,
                Action::PutPublicAccessBlock { bucket, .. } => m.bucket(bucket).public_access_block = true,
                Action::PutBucketEncryption { bucket, target, .. } => m.bucket(bucket).encryption = Some(target.clone()),
                Action::PutBucketVersioning { bucket, .. } => m.bucket(bucket).versioning = true,
                Action::PutBucketLogging { bucket, target, .. } => m.bucket(bucket).logging = Some(target.clone()),
                Action::PutBucketCors { bucket, rules, .. } => m.bucket(bucket).cors = Some(rules.clone()),
                Action::DeleteBucketCors { bucket, .. } => m.bucket(bucket).cors = Some(vec![]),
                Action::PutBucketPolicy { bucket, document, .. } => {
                    m.bucket(bucket).policy = Some(serde_json::from_str(document).map_err(|e| Error::Internal(format!("the planned bucket policy is not JSON: {e}")))?)
                }
                Action::CreateUser { user_name } => user_new = Some(user_name.clone()),
                Action::PutUserPolicy { user_name, policy_name, document, .. } => policies.push((
                    user_name.clone(),
                    IacPolicy { name: policy_name.clone(), document: to_value(document)?, managed_arn: None, exists: false },
                )),
                Action::CreatePolicy { policy_name, policy_arn, document, .. } => {
                    policies.push((String::new(), IacPolicy { name: policy_name.clone(), document: to_value(document)?, managed_arn: Some(policy_arn.clone()), exists: false }))
                }
                Action::AttachUserPolicy { user_name, policy_arn, policy_name } | Action::AttachRolePolicy { role_name: user_name, policy_arn, policy_name } => {
                    // A managed policy created by this plan is claimed by its user or role; one that
                    // exists already is only attached.
                    match policies.iter_mut().find(|(owner, p)| owner.is_empty() && p.managed_arn.as_deref() == Some(policy_arn)) {
                        Some((owner, _)) => *owner = user_name.clone(),
                        None => policies.push((user_name.clone(), IacPolicy { name: policy_name.clone(), document: Value::Null, managed_arn: Some(policy_arn.clone()), exists: true })),
                    }
                }
                Action::CreateRole { role_name, trust, max_session_seconds, .. } => {
                    m.role = Some(IacRole { name: role_name.clone(), exists: false, trust: to_value(trust)?, max_session_seconds: *max_session_seconds, policy: IacPolicy::empty() })
                }
                Action::CreateAccessKey { .. } => m.needs_access_key = true,
                Action::SaveSecretToKeychain { .. } => {}
            }
        }
        if let Some(role) = m.role.as_mut() {
            if let Some((_, p)) = policies.iter().find(|(owner, _)| owner == &role.name) {
                role.policy = p.clone();
            }
        }
        let user_name = user_new.clone().or_else(|| plan.creates_key_for().map(str::to_string)).or_else(|| {
            policies.iter().find(|(owner, _)| !owner.is_empty() && m.role.as_ref().is_none_or(|r| &r.name != owner)).map(|(o, _)| o.clone())
        });
        if let Some(name) = user_name {
            if let Some((_, p)) = policies.iter().find(|(owner, _)| owner == &name) {
                m.user = Some(IacUser { exists: user_new.is_none(), name, policy: p.clone() });
            }
        }
        // The bucket the access is for is named even when nothing of it changes.
        if !m.buckets.iter().any(|b| b.name == main) {
            m.buckets.insert(0, IacBucket { name: main, ..Default::default() });
        }
        Ok(m)
    }

    /// The model of an access in My access, as it is in the account now: its user or role and policy
    /// (imported, since they exist), and its bucket by name.
    pub async fn from_access(session: &crate::connect::Session, status: &crate::access::AccessStatus) -> Result<IacModel> {
        let e = &status.entry;
        let what = format!("{} ({} access to s3://{}/{})", e.principal_label(), e.level, e.bucket, e.prefix.as_deref().unwrap_or(""));
        let document = status.policy_document.clone().ok_or_else(|| match &status.principal {
            crate::access::Live::Deleted => Error::invalid("access", format!("{} no longer exists in AWS: there is nothing to export", e.principal_label())),
            crate::access::Live::Unchecked(why) => Error::invalid("access", format!("it could not be read: {why}")),
            crate::access::Live::Exists => Error::invalid("access", format!("the policy of {} could not be read", e.principal_label())),
        })?;
        let policy = IacPolicy {
            name: e.inline_policy_name.clone().or_else(|| e.policy_arn.as_deref().and_then(|a| a.rsplit('/').next()).map(str::to_string)).unwrap_or_default(),
            document,
            managed_arn: e.policy_arn.clone(),
            exists: true,
        };
        let mut m = IacModel { title: what, buckets: vec![IacBucket { name: e.bucket.clone(), ..Default::default() }], ..Default::default() };
        if e.bucket.is_empty() {
            m.buckets.clear();
        }
        match (&e.user_name, &e.role_name) {
            (Some(u), _) => m.user = Some(IacUser { name: u.clone(), exists: true, policy }),
            (None, Some(r)) => {
                let out = session.iam.get_role().role_name(r).send().await.map_err(|err| crate::error::from_sdk(&session.ctx, "GetRole", err))?;
                let role = out.role().ok_or_else(|| Error::invalid("access", format!("the role \"{r}\" could not be read")))?;
                let trust = role.assume_role_policy_document().and_then(crate::access::decode_document).unwrap_or(Value::Null);
                m.role = Some(IacRole { name: r.clone(), exists: true, trust, max_session_seconds: role.max_session_duration(), policy });
            }
            _ => return Err(Error::invalid("access", "this entry names no user or role")),
        }
        Ok(m)
    }

    /// Write the export to `path` (refusing to replace a file unless `force`).
    pub fn write(&self, format: IacFormat, path: &Path, force: bool) -> Result<()> {
        crate::export::write_private_file(path, &format.render(self), force)
    }

    fn bucket(&mut self, name: &str) -> &mut IacBucket {
        if let Some(i) = self.buckets.iter().position(|b| b.name == name) {
            return &mut self.buckets[i];
        }
        self.buckets.push(IacBucket { name: name.to_string(), ..Default::default() });
        let last = self.buckets.len() - 1;
        &mut self.buckets[last]
    }
}

impl IacPolicy {
    fn empty() -> IacPolicy {
        IacPolicy { name: String::new(), document: Value::Null, managed_arn: None, exists: false }
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(e.to_string()))
}

const KEY_NOTE: &str = "No access key is declared here: CloudFormation would put its secret in the stack's outputs, and Terraform in its state file. After the stack is applied, create the key in the IAM console (its secret is shown once) and add it to S3 Access Wizard (My access, \"Add an existing access key\") to keep the secret in a keychain.";
const WHOLE_DOCUMENTS_NOTE: &str = "CloudFormation and Terraform replace a bucket's whole policy and CORS configuration: what is declared here is the merged document the bucket would hold after the change (its existing statements and rules included), as read when this was exported.";

const IMPORT_NOTE: &str = "Resources with DeletionPolicy Retain exist already: create the stack by importing them (CloudFormation resource import: a change set of type IMPORT), not by creating them. Terraform adopts them through the import blocks.";

fn header_lines(m: &IacModel) -> Vec<String> {
    let mut out = vec![format!("Exported by S3 Access Wizard: {}.", m.title), WHOLE_DOCUMENTS_NOTE.to_string()];
    let existing = m.buckets.iter().any(|b| !b.new && b.declares_settings()) || m.user.as_ref().is_some_and(|u| u.exists) || m.role.as_ref().is_some_and(|r| r.exists);
    if existing {
        out.push(IMPORT_NOTE.to_string());
    }
    if m.needs_access_key {
        out.push(KEY_NOTE.to_string());
    }
    out
}

/// A logical id for CloudFormation or a Terraform label: letters and digits (and `_` for Terraform).
fn ident(prefix: &str, name: &str, underscores: bool) -> String {
    let mut out = String::from(prefix);
    let mut upper = !underscores;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else if underscores {
            out.push('_');
        } else {
            upper = true;
        }
    }
    out.chars().take(200).collect()
}

fn cfn_tags() -> Value {
    let (k, v) = crate::plan::CREATED_BY_TAG;
    json!([{ "Key": k, "Value": v }])
}

fn cfn_cors(rules: &[CorsRule]) -> Value {
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            let mut o = Map::new();
            if let Some(id) = &r.id {
                o.insert("Id".into(), json!(id));
            }
            o.insert("AllowedOrigins".into(), json!(r.allowed_origins));
            o.insert("AllowedMethods".into(), json!(r.allowed_methods));
            if !r.allowed_headers.is_empty() {
                o.insert("AllowedHeaders".into(), json!(r.allowed_headers));
            }
            if !r.expose_headers.is_empty() {
                o.insert("ExposedHeaders".into(), json!(r.expose_headers));
            }
            if let Some(age) = r.max_age_seconds {
                o.insert("MaxAge".into(), json!(age));
            }
            Value::Object(o)
        })
        .collect();
    json!({ "CorsRules": rules })
}

/// The CloudFormation template as a JSON value (rendered as YAML or JSON).
pub fn cloudformation_template(m: &IacModel) -> Value {
    let mut resources = Map::new();
    for b in &m.buckets {
        let bucket_ref = if b.declares_settings() {
            let id = ident("Bucket", &b.name, false);
            let mut props = Map::new();
            props.insert("BucketName".into(), json!(b.name));
            if b.public_access_block || b.new {
                props.insert(
                    "PublicAccessBlockConfiguration".into(),
                    json!({ "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true }),
                );
            }
            if let Some(e) = &b.encryption {
                let mut d = json!({ "SSEAlgorithm": e.algorithm });
                if let Some(k) = &e.kms_key_id {
                    d["KMSMasterKeyID"] = json!(k);
                }
                props.insert("BucketEncryption".into(), json!({ "ServerSideEncryptionConfiguration": [{ "ServerSideEncryptionByDefault": d }] }));
            }
            if b.versioning {
                props.insert("VersioningConfiguration".into(), json!({ "Status": "Enabled" }));
            }
            if let Some(l) = &b.logging {
                props.insert("LoggingConfiguration".into(), json!({ "DestinationBucketName": l.bucket, "LogFilePrefix": l.prefix }));
            }
            if let Some(rules) = b.cors.as_ref().filter(|r| !r.is_empty()) {
                props.insert("CorsConfiguration".into(), cfn_cors(rules));
            }
            props.insert("Tags".into(), cfn_tags());
            // A bucket is never deleted with the stack; an existing one is imported into it.
            resources.insert(id.clone(), retained(json!({ "Type": "AWS::S3::Bucket", "Properties": props }), true));
            json!({ "Ref": id })
        } else {
            json!(b.name)
        };
        if let Some(policy) = &b.policy {
            resources.insert(ident("BucketPolicy", &b.name, false), json!({ "Type": "AWS::S3::BucketPolicy", "Properties": { "Bucket": bucket_ref, "PolicyDocument": policy } }));
        }
    }
    if let Some(u) = &m.user {
        let id = ident("User", &u.name, false);
        resources.insert(id.clone(), retained(json!({ "Type": "AWS::IAM::User", "Properties": { "UserName": u.name, "Tags": cfn_tags() } }), u.exists));
        cfn_policy(&mut resources, &u.policy, Principal::User(&id));
    }
    if let Some(r) = &m.role {
        let id = ident("Role", &r.name, false);
        let mut props = json!({ "RoleName": r.name, "AssumeRolePolicyDocument": r.trust, "Tags": cfn_tags() });
        if let Some(s) = r.max_session_seconds {
            props["MaxSessionDuration"] = json!(s);
        }
        resources.insert(id.clone(), retained(json!({ "Type": "AWS::IAM::Role", "Properties": props }), r.exists));
        cfn_policy(&mut resources, &r.policy, Principal::Role(&id));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("S3 Access Wizard: {}", m.title).chars().take(1024).collect::<String>(),
        "Resources": resources,
    })
}

enum Principal<'a> {
    User(&'a str),
    Role(&'a str),
}

/// A resource that exists already: imported into the stack (CloudFormation resource import), and kept
/// if the stack is ever deleted.
fn retained(mut resource: Value, exists: bool) -> Value {
    if exists {
        resource["DeletionPolicy"] = json!("Retain");
        resource["UpdateReplacePolicy"] = json!("Retain");
    }
    resource
}

/// The policy of a user or role. A new inline policy is `AWS::IAM::Policy`; one that exists is
/// `AWS::IAM::UserPolicy` / `RolePolicy`, the inline types CloudFormation can import. A managed policy
/// the plan did not create (no document) is left out: it is not this access's.
fn cfn_policy(resources: &mut Map<String, Value>, p: &IacPolicy, principal: Principal) {
    if p.name.is_empty() || p.document.is_null() {
        return;
    }
    let (list_key, one_key, inline_type, id) = match principal {
        Principal::User(id) => ("Users", "UserName", "AWS::IAM::UserPolicy", id),
        Principal::Role(id) => ("Roles", "RoleName", "AWS::IAM::RolePolicy", id),
    };
    let r = json!({ "Ref": id });
    let resource = match (&p.managed_arn, p.exists) {
        (Some(_), _) => json!({ "Type": "AWS::IAM::ManagedPolicy", "Properties": { "ManagedPolicyName": p.name, "PolicyDocument": p.document, list_key: [r] } }),
        (None, false) => json!({ "Type": "AWS::IAM::Policy", "Properties": { "PolicyName": p.name, "PolicyDocument": p.document, list_key: [r] } }),
        (None, true) => json!({ "Type": inline_type, "Properties": { "PolicyName": p.name, "PolicyDocument": p.document, one_key: r } }),
    };
    resources.insert(ident("Policy", &p.name, false), retained(resource, p.exists));
}

fn comment_block(lines: &[String], mark: &str) -> String {
    let mut out = String::new();
    for line in lines {
        let mut current = String::new();
        for word in line.split(' ') {
            if current.len() + word.len() > 100 && !current.is_empty() {
                out.push_str(&format!("{mark} {current}\n"));
                current.clear();
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(&format!("{mark} {current}\n"));
    }
    out
}

pub fn cloudformation_yaml(m: &IacModel) -> String {
    let mut out = comment_block(&header_lines(m), "#");
    out.push_str(&yaml(&cloudformation_template(m), 0));
    out
}

/// JSON has no comments: the notes go into the template's Metadata.
pub fn cloudformation_json(m: &IacModel) -> String {
    let mut t = cloudformation_template(m);
    t["Metadata"] = json!({ "S3AccessWizard": { "Notes": header_lines(m) } });
    serde_json::to_string_pretty(&t).unwrap_or_default() + "\n"
}

/// YAML for a JSON value: block style, every string double-quoted (JSON escapes are valid YAML).
fn yaml(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let scalar = |v: &Value| match v {
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        other => other.to_string(),
    };
    // A plain key only when YAML cannot read it as anything but that string (not null, a boolean, a
    // number, or with a colon); every other key is quoted.
    let key = |k: &str| {
        let special = ["null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"].contains(&k.to_ascii_lowercase().as_str());
        let plain = !k.is_empty() && !special && k.starts_with(|c: char| c.is_ascii_alphabetic()) && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain { k.to_string() } else { serde_json::to_string(k).unwrap_or_default() }
    };
    let mut out = String::new();
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                match val {
                    Value::Object(m) if !m.is_empty() => out.push_str(&format!("{pad}{}:\n{}", key(k), yaml(val, indent + 2))),
                    Value::Array(a) if !a.is_empty() => out.push_str(&format!("{pad}{}:\n{}", key(k), yaml(val, indent + 2))),
                    Value::Object(_) => out.push_str(&format!("{pad}{}: {{}}\n", key(k))),
                    Value::Array(_) => out.push_str(&format!("{pad}{}: []\n", key(k))),
                    _ => out.push_str(&format!("{pad}{}: {}\n", key(k), scalar(val))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        let inner = yaml(item, indent + 2);
                        out.push_str(&format!("{pad}- {}", inner.trim_start()));
                    }
                    Value::Array(a) if !a.is_empty() => out.push_str(&format!("{pad}-\n{}", yaml(item, indent + 2))),
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
    out
}

/// A JSON document as a Terraform heredoc (`jsonencode` would re-order nothing but is harder to review).
fn tf_json(v: &Value) -> String {
    let body = serde_json::to_string_pretty(v).unwrap_or_default().replace("${", "$${").replace("%{", "%%{");
    format!("<<-EOT\n{body}\nEOT")
}

fn tf_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default().replace("${", "$${").replace("%{", "%%{")
}

fn tf_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| tf_str(s)).collect::<Vec<_>>().join(", "))
}

/// Terraform (HCL) for the AWS provider, with `import` blocks for what exists already.
pub fn terraform(m: &IacModel) -> String {
    let mut out = comment_block(&header_lines(m), "#");
    out.push_str("# Apply with the AWS provider (hashicorp/aws 5.x); `terraform plan` shows the imports first.\n\n");
    let mut imports: Vec<(String, String)> = Vec::new();
    let (tag_k, tag_v) = crate::plan::CREATED_BY_TAG;
    let tags = format!("  tags = {{\n    {} = {}\n  }}\n", tf_str(tag_k), tf_str(tag_v));
    for b in &m.buckets {
        let label = ident("", &b.name, true);
        let bucket_attr = if b.declares_settings() {
            out.push_str(&format!("resource \"aws_s3_bucket\" \"{label}\" {{\n  bucket = {}\n{tags}}}\n\n", tf_str(&b.name)));
            if !b.new {
                imports.push((format!("aws_s3_bucket.{label}"), b.name.clone()));
            }
            format!("aws_s3_bucket.{label}.id")
        } else {
            tf_str(&b.name)
        };
        let exists = !b.new;
        let mut config = |kind: &str, body: String, imports: &mut Vec<(String, String)>| {
            out.push_str(&format!("resource \"{kind}\" \"{label}\" {{\n  bucket = {bucket_attr}\n{body}}}\n\n"));
            if exists {
                imports.push((format!("{kind}.{label}"), b.name.clone()));
            }
        };
        if b.public_access_block || b.new {
            config(
                "aws_s3_bucket_public_access_block",
                "  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n".into(),
                &mut imports,
            );
        }
        if let Some(e) = &b.encryption {
            let kms = e.kms_key_id.as_deref().map(|k| format!("      kms_master_key_id = {}\n", tf_str(k))).unwrap_or_default();
            config(
                "aws_s3_bucket_server_side_encryption_configuration",
                format!("  rule {{\n    apply_server_side_encryption_by_default {{\n      sse_algorithm = {}\n{kms}    }}\n  }}\n", tf_str(&e.algorithm)),
                &mut imports,
            );
        }
        if b.versioning {
            config("aws_s3_bucket_versioning", "  versioning_configuration {\n    status = \"Enabled\"\n  }\n".into(), &mut imports);
        }
        if let Some(l) = &b.logging {
            config("aws_s3_bucket_logging", format!("  target_bucket = {}\n  target_prefix = {}\n", tf_str(&l.bucket), tf_str(&l.prefix)), &mut imports);
        }
        if let Some(rules) = b.cors.as_ref().filter(|r| !r.is_empty()) {
            let mut body = String::new();
            for r in rules {
                body.push_str("  cors_rule {\n");
                if let Some(id) = &r.id {
                    body.push_str(&format!("    id              = {}\n", tf_str(id)));
                }
                body.push_str(&format!("    allowed_origins = {}\n    allowed_methods = {}\n", tf_list(&r.allowed_origins), tf_list(&r.allowed_methods)));
                if !r.allowed_headers.is_empty() {
                    body.push_str(&format!("    allowed_headers = {}\n", tf_list(&r.allowed_headers)));
                }
                if !r.expose_headers.is_empty() {
                    body.push_str(&format!("    expose_headers  = {}\n", tf_list(&r.expose_headers)));
                }
                if let Some(age) = r.max_age_seconds {
                    body.push_str(&format!("    max_age_seconds = {age}\n"));
                }
                body.push_str("  }\n");
            }
            config("aws_s3_bucket_cors_configuration", body, &mut imports);
        }
        if let Some(p) = &b.policy {
            out.push_str(&format!("resource \"aws_s3_bucket_policy\" \"{label}\" {{\n  bucket = {bucket_attr}\n  policy = {}\n}}\n\n", tf_json(p)));
            imports.push((format!("aws_s3_bucket_policy.{label}"), b.name.clone()));
        }
    }
    if let Some(u) = &m.user {
        let label = ident("", &u.name, true);
        out.push_str(&format!("resource \"aws_iam_user\" \"{label}\" {{\n  name = {}\n{tags}}}\n\n", tf_str(&u.name)));
        if u.exists {
            imports.push((format!("aws_iam_user.{label}"), u.name.clone()));
        }
        tf_policy(&mut out, &mut imports, &u.policy, "user", &format!("aws_iam_user.{label}.name"), &u.name);
    }
    if let Some(r) = &m.role {
        let label = ident("", &r.name, true);
        let session = r.max_session_seconds.map(|s| format!("  max_session_duration = {s}\n")).unwrap_or_default();
        out.push_str(&format!("resource \"aws_iam_role\" \"{label}\" {{\n  name = {}\n  assume_role_policy = {}\n{session}{tags}}}\n\n", tf_str(&r.name), tf_json(&r.trust)));
        if r.exists {
            imports.push((format!("aws_iam_role.{label}"), r.name.clone()));
        }
        tf_policy(&mut out, &mut imports, &r.policy, "role", &format!("aws_iam_role.{label}.name"), &r.name);
    }
    for (to, id) in imports {
        out.push_str(&format!("import {{\n  to = {to}\n  id = {}\n}}\n\n", tf_str(&id)));
    }
    out.trim_end().to_string() + "\n"
}

fn tf_policy(out: &mut String, imports: &mut Vec<(String, String)>, p: &IacPolicy, who: &str, principal: &str, principal_name: &str) {
    if p.name.is_empty() {
        return;
    }
    let label = ident("", &p.name, true);
    match &p.managed_arn {
        Some(arn) => {
            if !p.document.is_null() {
                out.push_str(&format!("resource \"aws_iam_policy\" \"{label}\" {{\n  name   = {}\n  policy = {}\n}}\n\n", tf_str(&p.name), tf_json(&p.document)));
                if p.exists {
                    imports.push((format!("aws_iam_policy.{label}"), arn.clone()));
                }
            }
            let policy_arn = if p.document.is_null() { tf_str(arn) } else { format!("aws_iam_policy.{label}.arn") };
            out.push_str(&format!("resource \"aws_iam_{who}_policy_attachment\" \"{label}\" {{\n  {who} = {principal}\n  policy_arn = {policy_arn}\n}}\n\n"));
            if p.exists {
                imports.push((format!("aws_iam_{who}_policy_attachment.{label}"), format!("{principal_name}/{arn}")));
            }
        }
        None => {
            out.push_str(&format!("resource \"aws_iam_{who}_policy\" \"{label}\" {{\n  name   = {}\n  {who}   = {principal}\n  policy = {}\n}}\n\n", tf_str(&p.name), tf_json(&p.document)));
            if p.exists {
                imports.push((format!("aws_iam_{who}_policy.{label}"), format!("{principal_name}:{}", p.name)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> IacModel {
        IacModel {
            title: "read access to s3://vendor-data/in/".into(),
            buckets: vec![IacBucket {
                name: "vendor-data".into(),
                public_access_block: true,
                versioning: true,
                cors: Some(vec![CorsRule::for_origins(&["https://app.example.com".into()], crate::policy::AccessLevel::Read)]),
                policy: Some(json!({ "Version": "2012-10-17", "Statement": [{ "Sid": "x", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::vendor-data/${aws:username}" }] })),
                ..Default::default()
            }],
            user: Some(IacUser {
                name: "vendor".into(),
                exists: true,
                policy: IacPolicy { name: "vendor-s3-access".into(), document: json!({ "Version": "2012-10-17", "Statement": [] }), managed_arn: None, exists: true },
            }),
            role: None,
            needs_access_key: true,
        }
    }

    #[test]
    fn terraform_imports_what_exists_and_escapes_interpolation() {
        let tf = terraform(&model());
        assert!(tf.contains("import {\n  to = aws_s3_bucket.vendor_data\n  id = \"vendor-data\"\n}"), "{tf}");
        assert!(tf.contains("import {\n  to = aws_iam_user_policy.vendor_s3_access\n  id = \"vendor:vendor-s3-access\"\n}"));
        assert!(tf.contains("import {\n  to = aws_iam_user.vendor\n  id = \"vendor\"\n}"));
        assert!(tf.contains("$${aws:username}"), "a policy variable is not a Terraform interpolation");
        assert!(tf.contains("No access key is declared here"));
        assert!(tf.contains("cors_rule {") && tf.contains("versioning_configuration {"));
    }

    #[test]
    fn cloudformation_yaml_is_the_same_template_as_json() {
        let m = model();
        let text = cloudformation_yaml(&m);
        assert!(text.starts_with("# Exported by S3 Access Wizard"));
        assert!(text.contains("AWSTemplateFormatVersion: \"2010-09-09\""));
        assert!(text.contains("Type: \"AWS::S3::Bucket\"") && text.contains("DeletionPolicy: \"Retain\""));
        // Keys YAML would read as null, a boolean or a number are quoted.
        let tricky = json!({ "Null": { "a:b": "false" }, "On": 1, "Plain": true });
        assert_eq!(yaml(&tricky, 0), "\"Null\":\n  \"a:b\": \"false\"\n\"On\": 1\nPlain: true\n");
        let json_text = cloudformation_json(&m);
        let v: Value = serde_json::from_str(&json_text).unwrap();
        assert_eq!(v["Resources"]["BucketVendorData"]["Properties"]["VersioningConfiguration"]["Status"], "Enabled");
        let notes = v["Metadata"]["S3AccessWizard"]["Notes"].to_string();
        assert!(notes.contains("No access key") && notes.contains("resource import"), "{notes}");
        // An existing user and its inline policy are declared to be imported (and never deleted).
        assert_eq!(v["Resources"]["UserVendor"]["DeletionPolicy"], "Retain");
        assert_eq!(v["Resources"]["PolicyVendorS3Access"]["Type"], "AWS::IAM::UserPolicy");
        assert_eq!(v["Resources"]["PolicyVendorS3Access"]["Properties"]["UserName"], json!({ "Ref": "UserVendor" }));
    }

    #[test]
    fn formats_by_word_and_extension() {
        assert_eq!(IacFormat::parse("cloudformation", Path::new("a.yaml")).unwrap(), IacFormat::CloudFormationYaml);
        assert_eq!(IacFormat::parse("cloudformation", Path::new("a.JSON")).unwrap(), IacFormat::CloudFormationJson);
        assert_eq!(IacFormat::parse("terraform", Path::new("a.tf")).unwrap(), IacFormat::Terraform);
        assert!(IacFormat::parse("pulumi", Path::new("a")).unwrap_err().to_string().contains("cloudformation or terraform"));
        assert_eq!(ident("Bucket", "my.bucket-1", false), "BucketMyBucket1");
        assert_eq!(ident("", "my.bucket-1", true), "my_bucket_1");
    }
}
