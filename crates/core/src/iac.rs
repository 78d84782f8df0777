//! Export for a team's own engine: a reviewed plan, or an access the app created, as a CloudFormation
//! template (YAML or JSON) or Terraform (HCL) with `import` blocks for what already exists.
//!
//! One model ([`IacModel`]) is read from a plan's steps (or from an access's live state) and written out
//! by two pure renderers. Both engines replace a bucket's whole policy and CORS configuration, so the model
//! holds the merged documents the plan would write, and the file says so at the top. Access keys are never
//! in a template: CloudFormation would put the secret in the stack's outputs and Terraform in its state.

use crate::error::{Error, Result};
use crate::plan::{Action, Encryption, Plan, PublicAccessBlock};
use crate::request::{CorsRule, LoggingTarget};
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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

    /// The files of the export when its main file is `path`: the main file first. A CloudFormation export
    /// of something that exists already adds the first of its two steps (see [`cloudformation_import`]).
    pub fn render(self, model: &IacModel, path: &Path) -> Vec<(PathBuf, String)> {
        match self {
            IacFormat::Terraform => vec![(path.to_path_buf(), terraform(model))],
            IacFormat::CloudFormationYaml | IacFormat::CloudFormationJson => {
                let files = ImportFiles::beside(path);
                let json = self == IacFormat::CloudFormationJson;
                let ids = CfnIds::of(model);
                let step1 = cloudformation_import(model, &ids);
                let notes = cfn_notes(model, &files, step1.is_some());
                let mut out = vec![(path.to_path_buf(), cfn_text(cloudformation_template(model, &ids), &notes, json))];
                if let Some((template, resources)) = step1 {
                    let step_notes = vec![format!("Step 1 of 2 of {}: {}", files.main, IMPORT_STEP_NOTE)];
                    out.push((files.template.clone(), cfn_text(template, &step_notes, json)));
                    out.push((files.resources.clone(), serde_json::to_string_pretty(&resources).unwrap_or_default() + "\n"));
                }
                out
            }
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
    /// The policy exists already.
    pub exists: bool,
    /// A managed policy is attached to its user or role already (else the export attaches it).
    pub attached: bool,
}

/// What a bucket held before the change, as read when the plan was made: what Terraform imports and
/// what CloudFormation's first step takes in as it is. Only settings the plan changes are known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BucketBefore {
    pub public_access_block: Option<PublicAccessBlock>,
    pub encryption: Option<Encryption>,
    /// `Enabled` or `Suspended`; `None`: never turned on.
    pub versioning: Option<String>,
    pub logging: Option<LoggingTarget>,
    pub cors: Vec<CorsRule>,
    /// The bucket policy, when it had statements.
    pub policy: Option<Value>,
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
    pub before: BucketBefore,
}

impl IacBucket {
    /// Whether any setting of the bucket itself is declared (else the bucket is only named).
    fn declares_settings(&self) -> bool {
        self.new || self.public_access_block || self.encryption.is_some() || self.versioning || self.logging.is_some() || self.cors.is_some()
    }

    /// The bucket is declared and exists already: it is imported.
    fn imported(&self) -> bool {
        !self.new && self.declares_settings()
    }

    /// The bucket policy held statements before: it is imported, and kept if the stack goes.
    fn policy_existed(&self) -> bool {
        !self.new && self.policy.is_some() && self.before.policy.is_some()
    }
}

/// Everything an export declares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IacModel {
    /// What it is, for the header comment.
    pub title: String,
    /// Where to deploy: the bucket's region (`None`: not known).
    pub region: Option<String>,
    pub buckets: Vec<IacBucket>,
    pub user: Option<IacUser>,
    pub role: Option<IacRole>,
    /// The plan creates an access key (not exported: the header says how to make it).
    pub needs_access_key: bool,
}

/// A bucket policy read back as JSON, when it has statements.
fn statements_of(document: &str) -> Option<Value> {
    crate::plan::policy_statements(document).ok().filter(|s| !s.is_empty())?;
    serde_json::from_str(document).ok()
}

impl IacModel {
    /// The model of a reviewed plan: what its steps create and change, with the merged documents, and
    /// what each changed setting was before.
    pub fn from_plan(plan: &Plan) -> Result<IacModel> {
        let mut m = IacModel { title: plan.headline.clone(), region: plan.region.clone(), ..Default::default() };
        let main = plan.request.scope.bucket.clone();
        let mut policies: Vec<(String, IacPolicy)> = Vec::new();
        let mut user_new = None;
        for step in &plan.steps {
            match step {
                Action::CreateBucket { bucket, .. } => m.bucket(bucket).new = true,
                Action::PutPublicAccessBlock { bucket, previous } => {
                    let b = m.bucket(bucket);
                    b.public_access_block = true;
                    b.before.public_access_block = *previous;
                }
                Action::PutBucketEncryption { bucket, target, previous } => {
                    let b = m.bucket(bucket);
                    b.encryption = Some(target.clone());
                    b.before.encryption = previous.clone();
                }
                Action::PutBucketVersioning { bucket, previous } => {
                    let b = m.bucket(bucket);
                    b.versioning = true;
                    b.before.versioning = previous.clone().filter(|s| !s.is_empty());
                }
                Action::PutBucketLogging { bucket, target, previous } => {
                    let b = m.bucket(bucket);
                    b.logging = Some(target.clone());
                    b.before.logging = previous.clone();
                }
                Action::PutBucketCors { bucket, rules, previous, .. } => {
                    let b = m.bucket(bucket);
                    b.cors = Some(rules.clone());
                    b.before.cors = previous.clone().unwrap_or_default();
                }
                Action::DeleteBucketCors { bucket, previous } => {
                    let b = m.bucket(bucket);
                    b.cors = Some(vec![]);
                    b.before.cors = previous.clone();
                }
                Action::PutBucketPolicy { bucket, document, previous, .. } => {
                    let merged = serde_json::from_str(document).map_err(|e| Error::Internal(format!("the planned bucket policy is not JSON: {e}")))?;
                    let b = m.bucket(bucket);
                    b.policy = Some(merged);
                    b.before.policy = previous.as_deref().and_then(statements_of);
                }
                Action::CreateUser { user_name } => user_new = Some(user_name.clone()),
                Action::PutUserPolicy { user_name, policy_name, document, .. } => policies.push((
                    user_name.clone(),
                    IacPolicy { name: policy_name.clone(), document: to_value(document)?, managed_arn: None, exists: false, attached: false },
                )),
                Action::CreatePolicy { policy_name, policy_arn, document, .. } => policies.push((
                    String::new(),
                    IacPolicy { name: policy_name.clone(), document: to_value(document)?, managed_arn: Some(policy_arn.clone()), exists: false, attached: false },
                )),
                Action::AttachUserPolicy { user_name, policy_arn, policy_name } | Action::AttachRolePolicy { role_name: user_name, policy_arn, policy_name } => {
                    // A managed policy created by this plan is claimed by its user or role; one that
                    // exists already is only attached.
                    match policies.iter_mut().find(|(owner, p)| owner.is_empty() && p.managed_arn.as_deref() == Some(policy_arn)) {
                        Some((owner, _)) => *owner = user_name.clone(),
                        None => policies.push((
                            user_name.clone(),
                            IacPolicy { name: policy_name.clone(), document: Value::Null, managed_arn: Some(policy_arn.clone()), exists: true, attached: false },
                        )),
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
            attached: true,
        };
        let mut m = IacModel { title: what, buckets: vec![IacBucket { name: e.bucket.clone(), ..Default::default() }], ..Default::default() };
        if e.bucket.is_empty() {
            m.buckets.clear();
        } else {
            m.region = Some(crate::inventory::bucket_region_or_session(session, &e.bucket).await);
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

    /// Write the export with `path` as its main file (refusing to replace any of its files unless
    /// `force`; none is written when one is refused). Returns every file written, the main one first.
    pub fn write(&self, format: IacFormat, path: &Path, force: bool) -> Result<Vec<PathBuf>> {
        let files = format.render(self, path);
        if !force {
            if let Some((taken, _)) = files.iter().find(|(p, _)| p.exists()) {
                return Err(Error::FileExists { path: taken.clone() });
            }
        }
        for (p, text) in &files {
            crate::export::write_private_file(p, text, true)?;
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }

    fn bucket(&mut self, name: &str) -> &mut IacBucket {
        if let Some(i) = self.buckets.iter().position(|b| b.name == name) {
            return &mut self.buckets[i];
        }
        self.buckets.push(IacBucket { name: name.to_string(), ..Default::default() });
        let last = self.buckets.len() - 1;
        &mut self.buckets[last]
    }

    fn region_words(&self) -> String {
        self.region.clone().unwrap_or_else(|| "the bucket's region".into())
    }
}

impl IacPolicy {
    fn empty() -> IacPolicy {
        IacPolicy { name: String::new(), document: Value::Null, managed_arn: None, exists: false, attached: false }
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(e.to_string()))
}

const KEY_NOTE: &str = "No access key is declared here: CloudFormation would put its secret in the stack's outputs, and Terraform in its state file. After the stack is applied, create the key in the IAM console (its secret is shown once) and add it to S3 Access Wizard (My access, \"Add an existing access key\") to keep the secret in a keychain.";
const WHOLE_DOCUMENTS_NOTE: &str = "CloudFormation and Terraform replace a bucket's whole policy and CORS configuration: what is declared here is the merged document the bucket would hold after the change (its existing statements and rules included), as read when this was exported.";
const IMPORT_STEP_NOTE: &str = "the resources that exist already, declared as they were when this was exported. Importing them changes nothing in the account; step 2 (the other template) makes the changes.";
const TF_IMPORT_NOTE: &str = "What existed before this export is adopted through import blocks (Terraform 1.5 or later) and marked prevent_destroy: `terraform destroy` stops rather than delete it. To stop managing such a resource without deleting it, replace its resource block with a removed block (Terraform 1.7 or later): removed { from = ADDRESS lifecycle { destroy = false } }. What is new here is created, and destroyed with the rest.";

/// The files of a CloudFormation export's first step, beside its main file: `NAME.import.EXT` (the
/// template) and `NAME.import-resources.json` (the list `--resources-to-import` reads).
struct ImportFiles {
    main: String,
    template: PathBuf,
    resources: PathBuf,
}

impl ImportFiles {
    fn beside(path: &Path) -> ImportFiles {
        let name = file_name(path);
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), ext.to_string()),
            _ => (name.clone(), "yaml".to_string()),
        };
        ImportFiles { template: path.with_file_name(format!("{stem}.import.{ext}")), resources: path.with_file_name(format!("{stem}.import-resources.json")), main: name }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "template.yaml".into())
}

fn common_notes(m: &IacModel) -> Vec<String> {
    vec![format!("Exported by S3 Access Wizard: {}.", m.title), WHOLE_DOCUMENTS_NOTE.to_string()]
}

/// The notes at the top of a CloudFormation template: how to deploy it, in one step or two.
fn cfn_notes(m: &IacModel, files: &ImportFiles, imports: bool) -> Vec<String> {
    let mut out = common_notes(m);
    let region = m.region.as_deref().map(|r| format!(" --region {r}")).unwrap_or_default();
    let deploy = format!("aws cloudformation deploy{region} --stack-name STACK --template-file {} --capabilities CAPABILITY_NAMED_IAM", files.main);
    if imports {
        out.push(format!(
            "Some of what this declares exists already (its resources have DeletionPolicy Retain) and a new stack cannot create it, so deploy in {} in two steps. \
             Step 1 takes the existing resources into a new stack as they are, changing nothing: \
             aws cloudformation create-change-set{region} --stack-name STACK --change-set-name import-existing --change-set-type IMPORT --template-body file://{} --resources-to-import file://{} --capabilities CAPABILITY_NAMED_IAM, \
             then aws cloudformation execute-change-set{region} --stack-name STACK --change-set-name import-existing. \
             Step 2 makes the changes: {deploy}. \
             Deleting the stack later keeps every resource marked Retain, so what was there before stays.",
            m.region_words(),
            file_name(&files.template),
            file_name(&files.resources),
        ));
    } else {
        out.push(format!("Deploy in {}: {deploy}.", m.region_words()));
    }
    if m.needs_access_key {
        out.push(KEY_NOTE.to_string());
    }
    out
}

/// Names that never collide: the second `my_bucket` (from `my-bucket` after `my.bucket`) is `my_bucket_2`.
#[derive(Default)]
struct Names(HashSet<String>);

impl Names {
    fn take(&mut self, base: String, separator: &str) -> String {
        let mut name = base.clone();
        let mut n = 2;
        while !self.0.insert(name.clone()) {
            name = format!("{base}{separator}{n}");
            n += 1;
        }
        name
    }
}

/// A CloudFormation logical id: letters and digits, starting with `prefix` (a letter).
fn cfn_ident(prefix: &str, name: &str) -> String {
    let mut out = String::from(prefix);
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    out.chars().take(200).collect()
}

/// A Terraform label: letters, digits and `_`, starting with a letter (`kind_` is put first when the
/// name starts with anything else, as `2024-reports` does).
fn tf_ident(kind: &str, name: &str) -> String {
    let out: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if out.starts_with(|c: char| c.is_ascii_alphabetic()) { out } else { format!("{kind}_{out}") }
}

/// The logical ids of one CloudFormation export, the same in both of its steps: (resource, its policy).
pub struct CfnIds {
    buckets: Vec<(String, String)>,
    user: (String, String),
    role: (String, String),
}

impl CfnIds {
    pub fn of(m: &IacModel) -> CfnIds {
        let mut names = Names::default();
        let buckets = m.buckets.iter().map(|b| (names.take(cfn_ident("Bucket", &b.name), ""), names.take(cfn_ident("BucketPolicy", &b.name), ""))).collect();
        let mut principal = |prefix: &str, name: Option<(&str, &str)>| match name {
            Some((who, policy)) => (names.take(cfn_ident(prefix, who), ""), names.take(cfn_ident("Policy", policy), "")),
            None => Default::default(),
        };
        let user = principal("User", m.user.as_ref().map(|u| (u.name.as_str(), u.policy.name.as_str())));
        let role = principal("Role", m.role.as_ref().map(|r| (r.name.as_str(), r.policy.name.as_str())));
        CfnIds { buckets, user, role }
    }
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

fn cfn_public_access_block(b: &PublicAccessBlock) -> Value {
    json!({ "BlockPublicAcls": b[0], "IgnorePublicAcls": b[1], "BlockPublicPolicy": b[2], "RestrictPublicBuckets": b[3] })
}

fn cfn_encryption(e: &Encryption) -> Value {
    let mut d = json!({ "SSEAlgorithm": e.algorithm });
    if let Some(k) = &e.kms_key_id {
        d["KMSMasterKeyID"] = json!(k);
    }
    json!({ "ServerSideEncryptionConfiguration": [{ "ServerSideEncryptionByDefault": d }] })
}

fn cfn_logging(l: &LoggingTarget) -> Value {
    json!({ "DestinationBucketName": l.bucket, "LogFilePrefix": l.prefix })
}

/// A bucket's properties as they were before the change (only the settings the plan changes are known,
/// and only those are declared).
fn cfn_bucket_before(b: &IacBucket) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("BucketName".into(), json!(b.name));
    if let Some(p) = &b.before.public_access_block {
        props.insert("PublicAccessBlockConfiguration".into(), cfn_public_access_block(p));
    }
    if let Some(e) = &b.before.encryption {
        props.insert("BucketEncryption".into(), cfn_encryption(e));
    }
    if let Some(v) = &b.before.versioning {
        props.insert("VersioningConfiguration".into(), json!({ "Status": v }));
    }
    if let Some(l) = &b.before.logging {
        props.insert("LoggingConfiguration".into(), cfn_logging(l));
    }
    if !b.before.cors.is_empty() {
        props.insert("CorsConfiguration".into(), cfn_cors(&b.before.cors));
    }
    props
}

/// A bucket's properties after the change: what it had, with the changes over it (a property the first
/// step declares and the second left out would be removed by CloudFormation).
fn cfn_bucket_after(b: &IacBucket) -> Map<String, Value> {
    let mut props = if b.new { Map::from_iter([("BucketName".to_string(), json!(b.name))]) } else { cfn_bucket_before(b) };
    if b.public_access_block || b.new {
        props.insert("PublicAccessBlockConfiguration".into(), cfn_public_access_block(&[true; 4]));
    }
    if let Some(e) = &b.encryption {
        props.insert("BucketEncryption".into(), cfn_encryption(e));
    }
    if b.versioning {
        props.insert("VersioningConfiguration".into(), json!({ "Status": "Enabled" }));
    }
    if let Some(l) = &b.logging {
        props.insert("LoggingConfiguration".into(), cfn_logging(l));
    }
    match &b.cors {
        Some(rules) if rules.is_empty() => {
            props.remove("CorsConfiguration");
        }
        Some(rules) => {
            props.insert("CorsConfiguration".into(), cfn_cors(rules));
        }
        None => {}
    }
    // The app's tag only on what the app creates: Tags replaces a resource's whole tag set.
    if b.new {
        props.insert("Tags".into(), cfn_tags());
    }
    props
}

fn cfn_bucket_ref(b: &IacBucket, id: &str) -> Value {
    if b.declares_settings() { json!({ "Ref": id }) } else { json!(b.name) }
}

/// The CloudFormation template as a JSON value (rendered as YAML or JSON): everything after the change.
pub fn cloudformation_template(m: &IacModel, ids: &CfnIds) -> Value {
    let mut resources = Map::new();
    for (b, (id, policy_id)) in m.buckets.iter().zip(&ids.buckets) {
        if b.declares_settings() {
            // A bucket is never deleted with the stack; an existing one is imported into it.
            resources.insert(id.clone(), retained(json!({ "Type": "AWS::S3::Bucket", "Properties": cfn_bucket_after(b) }), true));
        }
        if let Some(policy) = &b.policy {
            let resource = json!({ "Type": "AWS::S3::BucketPolicy", "Properties": { "Bucket": cfn_bucket_ref(b, id), "PolicyDocument": policy } });
            resources.insert(policy_id.clone(), retained(resource, b.policy_existed()));
        }
    }
    if let Some(u) = &m.user {
        resources.insert(ids.user.0.clone(), cfn_user(u));
        cfn_policy(&mut resources, &u.policy, Principal::User(&ids.user.0), &ids.user.1);
    }
    if let Some(r) = &m.role {
        resources.insert(ids.role.0.clone(), cfn_role(r));
        cfn_policy(&mut resources, &r.policy, Principal::Role(&ids.role.0), &ids.role.1);
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("S3 Access Wizard: {}", m.title).chars().take(1024).collect::<String>(),
        "Resources": resources,
    })
}

fn cfn_user(u: &IacUser) -> Value {
    let mut props = json!({ "UserName": u.name });
    if !u.exists {
        props["Tags"] = cfn_tags();
    }
    retained(json!({ "Type": "AWS::IAM::User", "Properties": props }), u.exists)
}

fn cfn_role(r: &IacRole) -> Value {
    let mut props = json!({ "RoleName": r.name, "AssumeRolePolicyDocument": r.trust });
    if let Some(s) = r.max_session_seconds {
        props["MaxSessionDuration"] = json!(s);
    }
    if !r.exists {
        props["Tags"] = cfn_tags();
    }
    retained(json!({ "Type": "AWS::IAM::Role", "Properties": props }), r.exists)
}

/// Step 1 of a CloudFormation export of something that exists already: a template of only the existing
/// resources, as they were (CloudFormation's IMPORT change set may create nothing and must find each
/// resource declared with a DeletionPolicy), and the `--resources-to-import` list naming each one by its
/// identifier. `None` when nothing exists already.
pub fn cloudformation_import(m: &IacModel, ids: &CfnIds) -> Option<(Value, Value)> {
    let mut resources = Map::new();
    let mut to_import = Vec::new();
    let mut take = |id: &str, resource: Value, identifier: Value| {
        to_import.push(json!({ "ResourceType": resource["Type"], "LogicalResourceId": id, "ResourceIdentifier": identifier }));
        resources.insert(id.to_string(), resource);
    };
    for (b, (id, policy_id)) in m.buckets.iter().zip(&ids.buckets) {
        if b.imported() {
            take(id, retained(json!({ "Type": "AWS::S3::Bucket", "Properties": cfn_bucket_before(b) }), true), json!({ "BucketName": b.name }));
        }
        if let (true, Some(before)) = (b.policy_existed(), &b.before.policy) {
            let resource = json!({ "Type": "AWS::S3::BucketPolicy", "Properties": { "Bucket": cfn_bucket_ref(b, id), "PolicyDocument": before } });
            take(policy_id, retained(resource, true), json!({ "Bucket": b.name }));
        }
    }
    let principals = [
        m.user.as_ref().filter(|u| u.exists).map(|u| (cfn_user(u), ("UserName", &u.name), &u.policy, &ids.user, Principal::User(&ids.user.0))),
        m.role.as_ref().filter(|r| r.exists).map(|r| (cfn_role(r), ("RoleName", &r.name), &r.policy, &ids.role, Principal::Role(&ids.role.0))),
    ];
    for (resource, (key, name), policy, (id, policy_id), principal) in principals.into_iter().flatten() {
        take(id, resource, json!({ key: name }));
        let mut one = Map::new();
        cfn_policy(&mut one, policy, principal, policy_id);
        if let (true, Some(resource)) = (policy.exists, one.remove(policy_id)) {
            let identifier = match &policy.managed_arn {
                Some(arn) => json!({ "PolicyArn": arn }),
                None => json!({ "PolicyName": policy.name, key: name }),
            };
            take(policy_id, resource, identifier);
        }
    }
    if resources.is_empty() {
        return None;
    }
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("S3 Access Wizard, step 1 of 2 (import what exists): {}", m.title).chars().take(1024).collect::<String>(),
        "Resources": resources,
    });
    Some((template, Value::Array(to_import)))
}

#[derive(Clone, Copy)]
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
fn cfn_policy(resources: &mut Map<String, Value>, p: &IacPolicy, principal: Principal, id: &str) {
    if p.name.is_empty() || p.document.is_null() {
        return;
    }
    let (list_key, one_key, inline_type, owner) = match principal {
        Principal::User(owner) => ("Users", "UserName", "AWS::IAM::UserPolicy", owner),
        Principal::Role(owner) => ("Roles", "RoleName", "AWS::IAM::RolePolicy", owner),
    };
    let r = json!({ "Ref": owner });
    let resource = match (&p.managed_arn, p.exists) {
        (Some(_), _) => json!({ "Type": "AWS::IAM::ManagedPolicy", "Properties": { "ManagedPolicyName": p.name, "PolicyDocument": p.document, list_key: [r] } }),
        (None, false) => json!({ "Type": "AWS::IAM::Policy", "Properties": { "PolicyName": p.name, "PolicyDocument": p.document, list_key: [r] } }),
        (None, true) => json!({ "Type": inline_type, "Properties": { "PolicyName": p.name, "PolicyDocument": p.document, one_key: r } }),
    };
    resources.insert(id.to_string(), retained(resource, p.exists));
}

/// A template as text: YAML with the notes as comments, or JSON with them in its Metadata.
fn cfn_text(mut template: Value, notes: &[String], json: bool) -> String {
    if json {
        template["Metadata"] = json!({ "S3AccessWizard": { "Notes": notes } });
        serde_json::to_string_pretty(&template).unwrap_or_default() + "\n"
    } else {
        let mut out = comment_block(notes, "#");
        out.push_str(&yaml(&template, 0));
        out
    }
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

/// The labels of one Terraform export: one per bucket (shared by its settings' resources), the user,
/// the role, and their policies.
struct TfLabels {
    buckets: Vec<String>,
    user: (String, String),
    role: (String, String),
}

impl TfLabels {
    fn of(m: &IacModel) -> TfLabels {
        let (mut buckets, mut principals, mut policies) = (Names::default(), Names::default(), Names::default());
        let mut principal = |kind: &str, name: Option<(&str, &str)>| match name {
            Some((who, policy)) => (principals.take(tf_ident(kind, who), "_"), policies.take(tf_ident("policy", policy), "_")),
            None => Default::default(),
        };
        let user = principal("user", m.user.as_ref().map(|u| (u.name.as_str(), u.policy.name.as_str())));
        let role = principal("role", m.role.as_ref().map(|r| (r.name.as_str(), r.policy.name.as_str())));
        TfLabels { buckets: m.buckets.iter().map(|b| buckets.take(tf_ident("bucket", &b.name), "_")).collect(), user, role }
    }
}

/// One Terraform export being written: its text and its import blocks.
struct Tf {
    out: String,
    imports: Vec<(String, String)>,
    tags: String,
}

impl Tf {
    /// A resource block; one that exists already is imported (by `import_id`) and kept from `destroy`.
    fn resource(&mut self, kind: &str, label: &str, body: &str, import_id: Option<&str>) {
        let keep = if import_id.is_some() { "  lifecycle {\n    prevent_destroy = true\n  }\n" } else { "" };
        self.out.push_str(&format!("resource \"{kind}\" \"{label}\" {{\n{body}{keep}}}\n\n"));
        if let Some(id) = import_id {
            self.imports.push((format!("{kind}.{label}"), id.to_string()));
        }
    }

    /// The app's tag, only on what the export creates (tags replace a resource's whole tag set).
    fn tags(&self, new: bool) -> &str {
        if new { &self.tags } else { "" }
    }
}

fn tf_cors(rules: &[CorsRule]) -> String {
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
    body
}

/// Terraform (HCL) for the AWS provider, with `import` blocks for exactly what existed before the change
/// (import blocks need Terraform 1.5), each kept from `terraform destroy`.
pub fn terraform(m: &IacModel) -> String {
    let mut head = String::from("\nterraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n\n");
    match &m.region {
        Some(r) => head.push_str(&format!("provider \"aws\" {{\n  region = {}\n}}\n\n", tf_str(r))),
        None => head.push_str("# Set the region to the bucket's region.\nprovider \"aws\" {}\n\n"),
    }
    let (tag_k, tag_v) = crate::plan::CREATED_BY_TAG;
    let mut tf = Tf { out: head, imports: Vec::new(), tags: format!("  tags = {{\n    {} = {}\n  }}\n", tf_str(tag_k), tf_str(tag_v)) };
    let labels = TfLabels::of(m);
    for (b, label) in m.buckets.iter().zip(&labels.buckets) {
        let existing = (!b.new).then_some(b.name.as_str());
        let bucket_attr = if b.declares_settings() {
            let body = format!("  bucket = {}\n{}", tf_str(&b.name), tf.tags(b.new));
            tf.resource("aws_s3_bucket", label, &body, existing);
            format!("aws_s3_bucket.{label}.id")
        } else {
            tf_str(&b.name)
        };
        let on = |body: String| format!("  bucket = {bucket_attr}\n{body}");
        let was = |set: bool| existing.filter(|_| set);
        if b.public_access_block || b.new {
            let body = "  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n";
            tf.resource("aws_s3_bucket_public_access_block", label, &on(body.into()), was(b.before.public_access_block.is_some()));
        }
        if let Some(e) = &b.encryption {
            let kms = e.kms_key_id.as_deref().map(|k| format!("      kms_master_key_id = {}\n", tf_str(k))).unwrap_or_default();
            let body = format!("  rule {{\n    apply_server_side_encryption_by_default {{\n      sse_algorithm = {}\n{kms}    }}\n  }}\n", tf_str(&e.algorithm));
            tf.resource("aws_s3_bucket_server_side_encryption_configuration", label, &on(body), was(b.before.encryption.is_some()));
        }
        if b.versioning {
            let body = "  versioning_configuration {\n    status = \"Enabled\"\n  }\n";
            tf.resource("aws_s3_bucket_versioning", label, &on(body.into()), was(b.before.versioning.is_some()));
        }
        if let Some(l) = &b.logging {
            let body = format!("  target_bucket = {}\n  target_prefix = {}\n", tf_str(&l.bucket), tf_str(&l.prefix));
            tf.resource("aws_s3_bucket_logging", label, &on(body), was(b.before.logging.is_some()));
        }
        if let Some(rules) = b.cors.as_ref().filter(|r| !r.is_empty()) {
            tf.resource("aws_s3_bucket_cors_configuration", label, &on(tf_cors(rules)), was(!b.before.cors.is_empty()));
        }
        if let Some(p) = &b.policy {
            tf.resource("aws_s3_bucket_policy", label, &on(format!("  policy = {}\n", tf_json(p))), was(b.policy_existed()));
        }
    }
    if let Some(u) = &m.user {
        let (label, policy_label) = &labels.user;
        let body = format!("  name = {}\n{}", tf_str(&u.name), tf.tags(!u.exists));
        tf.resource("aws_iam_user", label, &body, u.exists.then_some(u.name.as_str()));
        tf_policy(&mut tf, &u.policy, "user", &format!("aws_iam_user.{label}.name"), &u.name, policy_label);
    }
    if let Some(r) = &m.role {
        let (label, policy_label) = &labels.role;
        let session = r.max_session_seconds.map(|s| format!("  max_session_duration = {s}\n")).unwrap_or_default();
        let body = format!("  name = {}\n  assume_role_policy = {}\n{session}{}", tf_str(&r.name), tf_json(&r.trust), tf.tags(!r.exists));
        tf.resource("aws_iam_role", label, &body, r.exists.then_some(r.name.as_str()));
        tf_policy(&mut tf, &r.policy, "role", &format!("aws_iam_role.{label}.name"), &r.name, policy_label);
    }
    let mut notes = common_notes(m);
    if !tf.imports.is_empty() {
        notes.push(TF_IMPORT_NOTE.to_string());
    }
    if m.needs_access_key {
        notes.push(KEY_NOTE.to_string());
    }
    let mut out = comment_block(&notes, "#") + &tf.out;
    for (to, id) in tf.imports {
        out.push_str(&format!("import {{\n  to = {to}\n  id = {}\n}}\n\n", tf_str(&id)));
    }
    out.trim_end().to_string() + "\n"
}

fn tf_policy(tf: &mut Tf, p: &IacPolicy, who: &str, principal: &str, principal_name: &str, label: &str) {
    if p.name.is_empty() {
        return;
    }
    match &p.managed_arn {
        Some(arn) => {
            if !p.document.is_null() {
                let body = format!("  name   = {}\n  policy = {}\n", tf_str(&p.name), tf_json(&p.document));
                tf.resource("aws_iam_policy", label, &body, p.exists.then_some(arn.as_str()));
            }
            let policy_arn = if p.document.is_null() { tf_str(arn) } else { format!("aws_iam_policy.{label}.arn") };
            let body = format!("  {who} = {principal}\n  policy_arn = {policy_arn}\n");
            let id = format!("{principal_name}/{arn}");
            tf.resource(&format!("aws_iam_{who}_policy_attachment"), label, &body, p.attached.then_some(id.as_str()));
        }
        None => {
            let body = format!("  name   = {}\n  {who}   = {principal}\n  policy = {}\n", tf_str(&p.name), tf_json(&p.document));
            let id = format!("{principal_name}:{}", p.name);
            tf.resource(&format!("aws_iam_{who}_policy"), label, &body, p.exists.then_some(id.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(name: &str, exists: bool) -> IacPolicy {
        IacPolicy { name: name.into(), document: json!({ "Version": "2012-10-17", "Statement": [] }), managed_arn: None, exists, attached: exists }
    }

    /// An existing bucket with Block Public Access already on and nothing else set, an existing user.
    fn model() -> IacModel {
        IacModel {
            title: "read access to s3://vendor-data/in/".into(),
            region: Some("eu-west-1".into()),
            buckets: vec![IacBucket {
                name: "vendor-data".into(),
                public_access_block: true,
                versioning: true,
                cors: Some(vec![CorsRule::for_origins(&["https://app.example.com".into()], crate::policy::AccessLevel::Read)]),
                policy: Some(json!({ "Version": "2012-10-17", "Statement": [{ "Sid": "x", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::vendor-data/${aws:username}" }] })),
                before: BucketBefore { public_access_block: Some([true, true, false, true]), ..Default::default() },
                ..Default::default()
            }],
            user: Some(IacUser { name: "vendor".into(), exists: true, policy: policy("vendor-s3-access", true) }),
            role: None,
            needs_access_key: true,
        }
    }

    fn imports(tf: &str) -> Vec<String> {
        tf.split("import {\n  to = ").skip(1).map(|rest| rest.split('\n').next().unwrap_or_default().to_string()).collect()
    }

    #[test]
    fn terraform_imports_only_what_existed_and_keeps_it_from_destroy() {
        let tf = terraform(&model());
        assert_eq!(
            imports(&tf),
            ["aws_s3_bucket.vendor_data", "aws_s3_bucket_public_access_block.vendor_data", "aws_iam_user.vendor", "aws_iam_user_policy.vendor_s3_access"],
            "versioning, CORS and the bucket policy were not set before: they are created, never imported\n{tf}"
        );
        assert!(tf.contains("import {\n  to = aws_iam_user_policy.vendor_s3_access\n  id = \"vendor:vendor-s3-access\"\n}"));
        assert_eq!(tf.matches("prevent_destroy = true").count(), 4, "each imported resource, and only those, is kept from destroy");
        assert!(tf.contains("required_version = \">= 1.5\"") && tf.contains("source  = \"hashicorp/aws\""));
        assert!(tf.contains("provider \"aws\" {\n  region = \"eu-west-1\"\n}"));
        assert!(!tf.contains("created-by"), "no tag on resources that existed: it would replace their tags");
        assert!(tf.contains("$${aws:username}"), "a policy variable is not a Terraform interpolation");
        assert!(tf.contains("No access key is declared here") && tf.contains("removed { from = ADDRESS"), "{tf}");
        assert!(tf.contains("cors_rule {") && tf.contains("versioning_configuration {"));

        // A new bucket and user: nothing imported, the app's tag on what it creates.
        let mut fresh = model();
        fresh.buckets[0].new = true;
        fresh.buckets[0].before = BucketBefore::default();
        fresh.user = Some(IacUser { name: "vendor".into(), exists: false, policy: policy("vendor-s3-access", false) });
        let tf = terraform(&fresh);
        assert!(imports(&tf).is_empty(), "{tf}");
        assert_eq!(tf.matches("\"created-by\" = \"s3-access-wizard\"").count(), 2, "{tf}");
        assert!(!tf.contains("prevent_destroy") && !tf.contains("removed {"), "nothing to keep, nothing said about keeping\n{tf}");

        // A bucket policy that held statements before is imported and kept.
        let mut had_policy = model();
        had_policy.buckets[0].before.policy = Some(json!({ "Version": "2012-10-17", "Statement": [{ "Sid": "theirs", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::1:root" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::vendor-data/*" }] }));
        assert!(imports(&terraform(&had_policy)).contains(&"aws_s3_bucket_policy.vendor_data".to_string()));
    }

    #[test]
    fn labels_start_with_a_letter_and_never_collide() {
        let m = IacModel {
            buckets: ["2024-reports", "my.bucket", "my-bucket"].iter().map(|n| IacBucket { name: n.to_string(), versioning: true, ..Default::default() }).collect(),
            ..Default::default()
        };
        let tf = terraform(&m);
        for label in ["\"bucket_2024_reports\"", "\"my_bucket\"", "\"my_bucket_2\""] {
            assert!(tf.contains(&format!("resource \"aws_s3_bucket\" {label}")), "{label}\n{tf}");
        }
        let ids = CfnIds::of(&m);
        let names: Vec<&str> = ids.buckets.iter().map(|(b, _)| b.as_str()).collect();
        assert_eq!(names, ["Bucket2024Reports", "BucketMyBucket", "BucketMyBucket2"]);
        let template = cloudformation_template(&m, &ids);
        assert_eq!(template["Resources"].as_object().unwrap().len(), 3);
        assert_eq!(tf_ident("user", "9lives"), "user_9lives");
    }

    #[test]
    fn cloudformation_deploys_in_two_steps_when_something_exists() {
        let mut m = model();
        m.buckets[0].before.policy = Some(json!({ "Version": "2012-10-17", "Statement": [{ "Sid": "theirs", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::vendor-data/*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] }));
        let files = IacFormat::CloudFormationYaml.render(&m, Path::new("/x/vendor.cfn.yaml"));
        let names: Vec<String> = files.iter().map(|(p, _)| file_name(p)).collect();
        assert_eq!(names, ["vendor.cfn.yaml", "vendor.cfn.import.yaml", "vendor.cfn.import-resources.json"]);
        assert!(files.iter().all(|(p, _)| p.parent() == Some(Path::new("/x"))), "side by side");
        // The notes, unwrapped.
        let main = files[0].1.lines().filter_map(|l| l.strip_prefix("# ")).collect::<Vec<_>>().join(" ");
        assert!(main.contains("--change-set-type IMPORT --template-body file://vendor.cfn.import.yaml --resources-to-import file://vendor.cfn.import-resources.json"), "{main}");
        assert!(main.contains("aws cloudformation deploy --region eu-west-1 --stack-name STACK --template-file vendor.cfn.yaml"));

        let ids = CfnIds::of(&m);
        let (step1, to_import) = cloudformation_import(&m, &ids).unwrap();
        let listed: Vec<(String, Value)> = to_import.as_array().unwrap().iter().map(|r| (r["LogicalResourceId"].as_str().unwrap().to_string(), r["ResourceIdentifier"].clone())).collect();
        assert_eq!(
            listed,
            [
                ("BucketVendorData".to_string(), json!({ "BucketName": "vendor-data" })),
                ("BucketPolicyVendorData".to_string(), json!({ "Bucket": "vendor-data" })),
                ("UserVendor".to_string(), json!({ "UserName": "vendor" })),
                ("PolicyVendorS3Access".to_string(), json!({ "PolicyName": "vendor-s3-access", "UserName": "vendor" })),
            ]
        );
        let resources = step1["Resources"].as_object().unwrap();
        assert_eq!(resources.len(), listed.len(), "step 1 declares only what it imports");
        for (id, r) in resources {
            assert_eq!(r["DeletionPolicy"], "Retain", "{id}: an import needs a DeletionPolicy");
        }
        // Step 1 declares the bucket as it was, step 2 as it will be; neither tags what existed.
        assert_eq!(resources["BucketVendorData"]["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], false);
        assert!(resources["BucketVendorData"]["Properties"].get("VersioningConfiguration").is_none());
        assert_eq!(resources["BucketPolicyVendorData"]["Properties"]["PolicyDocument"]["Statement"][0]["Sid"], "theirs");
        let step2 = cloudformation_template(&m, &ids);
        let after = &step2["Resources"]["BucketVendorData"]["Properties"];
        assert_eq!(after["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], true);
        assert_eq!(after["VersioningConfiguration"]["Status"], "Enabled");
        assert!(after.get("Tags").is_none() && step2["Resources"]["UserVendor"]["Properties"].get("Tags").is_none());
        assert_eq!(step2["Resources"]["BucketPolicyVendorData"]["DeletionPolicy"], "Retain", "the policy that held their statements stays with a deleted stack");

        // Nothing existing: one file, one step.
        let mut fresh = model();
        fresh.buckets[0].new = true;
        fresh.buckets[0].before = BucketBefore::default();
        fresh.user = Some(IacUser { name: "vendor".into(), exists: false, policy: policy("vendor-s3-access", false) });
        let files = IacFormat::CloudFormationJson.render(&fresh, Path::new("a.json"));
        assert_eq!(files.len(), 1);
        let v: Value = serde_json::from_str(&files[0].1).unwrap();
        assert!(v["Resources"]["BucketPolicyVendorData"].get("DeletionPolicy").is_none(), "a new bucket's policy goes with the stack");
        assert_eq!(v["Resources"]["UserVendor"]["Properties"]["Tags"][0]["Key"], "created-by");
    }

    #[test]
    fn cloudformation_yaml_is_the_same_template_as_json() {
        let m = model();
        let text = &IacFormat::CloudFormationYaml.render(&m, Path::new("t.yaml"))[0].1;
        assert!(text.starts_with("# Exported by S3 Access Wizard"));
        assert!(text.contains("AWSTemplateFormatVersion: \"2010-09-09\""));
        assert!(text.contains("Type: \"AWS::S3::Bucket\"") && text.contains("DeletionPolicy: \"Retain\""));
        // Keys YAML would read as null, a boolean or a number are quoted.
        let tricky = json!({ "Null": { "a:b": "false" }, "On": 1, "Plain": true });
        assert_eq!(yaml(&tricky, 0), "\"Null\":\n  \"a:b\": \"false\"\n\"On\": 1\nPlain: true\n");
        let json_text = &IacFormat::CloudFormationJson.render(&m, Path::new("t.json"))[0].1;
        let v: Value = serde_json::from_str(json_text).unwrap();
        assert_eq!(v["Resources"]["BucketVendorData"]["Properties"]["VersioningConfiguration"]["Status"], "Enabled");
        let notes = v["Metadata"]["S3AccessWizard"]["Notes"].to_string();
        assert!(notes.contains("No access key") && notes.contains("two steps"), "{notes}");
        // An existing user and its inline policy are declared to be imported (and never deleted).
        assert_eq!(v["Resources"]["UserVendor"]["DeletionPolicy"], "Retain");
        assert_eq!(v["Resources"]["PolicyVendorS3Access"]["Type"], "AWS::IAM::UserPolicy");
        assert_eq!(v["Resources"]["PolicyVendorS3Access"]["Properties"]["UserName"], json!({ "Ref": "UserVendor" }));
    }

    #[test]
    fn an_export_writes_all_its_files_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("vendor.yaml");
        std::fs::write(dir.path().join("vendor.import.yaml"), "mine").unwrap();
        let err = model().write(IacFormat::CloudFormationYaml, &main, false).unwrap_err().to_string();
        assert!(err.contains("vendor.import.yaml"), "{err}");
        assert!(!main.exists(), "nothing is written when one of the files is taken");
        let written = model().write(IacFormat::CloudFormationYaml, &main, true).unwrap();
        assert_eq!(written.len(), 3);
        assert!(std::fs::read_to_string(dir.path().join("vendor.import.yaml")).unwrap().contains("Step 1 of 2 of vendor.yaml"));
    }

    #[test]
    fn formats_by_word_and_extension() {
        assert_eq!(IacFormat::parse("cloudformation", Path::new("a.yaml")).unwrap(), IacFormat::CloudFormationYaml);
        assert_eq!(IacFormat::parse("cloudformation", Path::new("a.JSON")).unwrap(), IacFormat::CloudFormationJson);
        assert_eq!(IacFormat::parse("terraform", Path::new("a.tf")).unwrap(), IacFormat::Terraform);
        assert!(IacFormat::parse("pulumi", Path::new("a")).unwrap_err().to_string().contains("cloudformation or terraform"));
        assert_eq!(cfn_ident("Bucket", "my.bucket-1"), "BucketMyBucket1");
        assert_eq!(tf_ident("bucket", "my.bucket-1"), "my_bucket_1");
    }
}
