//! Links you can cut off. A pre-signed link normally lives until it expires, whoever holds it: nothing can
//! stop it. A share signs its links with a key made for that share alone: a small IAM user allowed only
//! `s3:GetObject` on exactly the chosen files (or one folder), until the share's end. Deleting that key
//! stops every link of the share at once, because S3 checks each request's signature against a key that
//! no longer exists.
//!
//! The share is planned and applied like any grant (its user, its own inline policy, its key in the
//! keychain, rollback on failure) and remembered in the record as kind `share`. No signed URL is stored
//! (they are bearer secrets): [`sign`] makes them again on demand, and [`extend`] moves the end.

use crate::apply::Applied;
use crate::connect::Session;
use crate::error::{Error, Result};
use crate::keychain::Keychain;
use crate::plan::{build_plan, Action, Plan, PlanOptions};
use crate::policy::{AccessLevel, PolicyDocument, Scope};
use crate::presign::{Link, LinkKind, Signer};
use crate::record::{format_time, Record, RecordEntry};
use crate::request::{AccessRequest, Hardening, IamUserOptions, Method};
use std::time::{Duration, SystemTime};

/// The record's word for a share.
pub const KIND: &str = "share";

/// What to share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareRequest {
    pub bucket: String,
    /// The folder: every file in it (now and later) when `files` is empty; otherwise where the files are.
    pub prefix: Option<String>,
    /// Exact object keys. Empty: the whole folder.
    pub files: Vec<String>,
    /// How long the links (and the share's key) work: at most 7 days, as for any SigV4 link.
    pub expires_in: Duration,
}

impl ShareRequest {
    pub fn validate(&self) -> Result<()> {
        crate::validate::bucket_name(&self.bucket)?;
        crate::presign::check_expiry(self.expires_in)?;
        if self.files.is_empty() && self.prefix.is_none() {
            return Err(Error::invalid("share", "choose files, or a folder to share (a share of the whole bucket is not offered)"));
        }
        for f in &self.files {
            if f.is_empty() || f.ends_with('/') {
                return Err(Error::invalid("share", format!("\"{f}\" is not a file; name files, or share their folder")));
            }
            if f.contains('*') || f.contains('?') || f.contains("${") {
                return Err(Error::invalid("share", format!("\"{f}\" contains * ? or ${{, which a policy would read as a wildcard or a variable; share its folder instead")));
            }
            if let Some(c) = crate::validate::beyond_policy_text(f) {
                // The share's policy names each file; IAM refuses the policy, so say it now, before any plan.
                let instead = match f.rsplit_once('/') {
                    Some((folder, _)) if crate::validate::beyond_policy_text(folder).is_none() => format!("share its folder s3://{}/{folder}/ instead", self.bucket),
                    _ => "rename the file, or share a folder it is in whose name has no such characters".to_string(),
                };
                return Err(Error::invalid("share", format!("\"{f}\" has {c:?} in its name: a share names each file in its AWS permissions, which can hold only Western European letters, digits and symbols; {instead}")));
            }
        }
        Ok(())
    }

    /// "3 files in s3://b/f/" or "the folder s3://b/f/".
    pub fn describe(&self) -> String {
        let folder = format!("s3://{}/{}", self.bucket, self.prefix.as_deref().unwrap_or(""));
        match self.files.len() {
            0 => format!("the folder {folder}"),
            1 => format!("1 file in {folder}"),
            n => format!("{n} files in {folder}"),
        }
    }
}

/// The share's policy: from the read-only policy the usual builder made for the bucket and folder (with
/// the bucket's KMS key and the end date), only `s3:GetObject`, on exactly the files when there are
/// files. The bucket's region statement goes: a link needs nothing but the object.
pub fn share_policy(granted: &PolicyDocument, scope: &Scope, files: &[String]) -> PolicyDocument {
    let objects = scope.objects_arn();
    let mut statements = Vec::new();
    for st in &granted.statement {
        if st.action == ["s3:GetBucketLocation"] {
            continue;
        }
        let mut st = st.clone();
        if st.resource == [objects.clone()] {
            st.sid = Some("DownloadSharedFiles".into());
            st.action = vec!["s3:GetObject".into()];
            if !files.is_empty() {
                st.resource = files.iter().map(|f| format!("{}/{f}", scope.bucket_arn())).collect();
            }
        }
        statements.push(st);
    }
    PolicyDocument::new(statements)
}

/// Plan a share: a new IAM user `s3aw-share-…` with the share's policy and a key saved in the keychain.
/// Read-only against the account, like any plan.
pub async fn plan_share(session: &Session, req: &ShareRequest, keychain_service: &str) -> Result<Plan> {
    req.validate()?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let user_name = format!("s3aw-share-{}", &id[..12]);
    let mut scope = Scope::new(&req.bucket, req.prefix.as_deref())?;
    scope.allow_list = false;
    scope.partition = session.partition().to_string();
    scope.limits.ends_at = Some(format_time(SystemTime::now() + req.expires_in));
    let request = AccessRequest {
        method: Method::IamUser(IamUserOptions {
            user_name: user_name.clone(),
            policy_name: crate::request::default_policy_name(&user_name),
            managed_policy: false,
            reuse_existing_user: false,
            accept_existing_access: false,
            create_access_key: true,
            save_to_keychain: true,
        }),
        scope: scope.clone(),
        level: AccessLevel::Read,
        cors: None,
        hardening: Hardening::default(),
        create_bucket_in: None,
    };
    let mut plan = build_plan(session, &request, &PlanOptions { keychain_service: keychain_service.to_string(), unattended: false }).await?;
    let granted = plan.policy.clone().ok_or_else(|| Error::Internal("the share's plan has no policy".into()))?;
    let doc = share_policy(&granted, &plan.request.scope, &req.files);
    if let Err(e) = crate::policy::check_user_inline_size(&doc, 0) {
        return Err(Error::invalid("share", format!("{e}: too many files for one share; share their folder, or fewer files")));
    }
    let what = req.describe();
    for step in plan.steps.iter_mut() {
        if let Action::PutUserPolicy { document, grants, .. } = step {
            *document = doc.clone();
            *grants = format!("download access to {what} until {}", crate::limits::describe_end(scope.limits.ends_at.as_deref().unwrap_or_default()));
        }
    }
    plan.policy = Some(doc);
    plan.headline = format!("Share {what} with links you can stop (a key made for this share: user \"{user_name}\")");
    plan.notes.retain(|n| !n.starts_with("Access ends"));
    plan.notes.push(format!(
        "The links work until {}, when the share's key ends too. \"Stop these links now\" deletes the key: every link of the share stops at once.",
        crate::limits::describe_end(scope.limits.ends_at.as_deref().unwrap_or_default())
    ));
    Ok(plan)
}

/// Remember an applied share (no link, no secret in the record).
pub fn remember(session: &Session, plan: &Plan, applied: &Applied, req: &ShareRequest) -> Result<RecordEntry> {
    let mut entry = crate::grant::record_entry(session, plan, applied).ok_or_else(|| Error::Internal("the share's plan created nothing to remember".into()))?;
    entry.kind = KIND.into();
    entry.level = "share".into();
    entry.share_files = req.files.clone();
    Record::append(entry.clone())?;
    applied.close_journal();
    Ok(entry)
}

/// The links of a share, signed now with the share's key from the keychain: one per file, or one per
/// file now in the folder (listed with the connected identity: the share's key may not list).
pub async fn sign(session: &Session, keychain: &Keychain, entry: &RecordEntry, expires_in: Duration) -> Result<Vec<Link>> {
    if entry.kind != KIND {
        return Err(Error::invalid("share", format!("{} is not a share", entry.principal_label())));
    }
    let ends = entry.ends_at.as_deref().and_then(|e| crate::record::parse_time(e).ok());
    if ends.is_some_and(|end| end <= SystemTime::now()) {
        return Err(Error::invalid("share", "this share has ended; extend it to make its links work again"));
    }
    // A link must not outlive the share's key policy: AWS would refuse it after the end anyway.
    let expires_in = match ends.and_then(|end| end.duration_since(SystemTime::now()).ok()) {
        Some(left) if left < expires_in => left.max(Duration::from_secs(1)),
        _ => expires_in,
    };
    let key_id = entry.access_key_ids.last().ok_or_else(|| Error::invalid("share", "this share has no key (it was stopped)"))?;
    let key = crate::credential_process::load_saved_key(keychain, key_id).await?;
    let keys = if entry.share_files.is_empty() {
        crate::inventory::list_all_keys(session, &entry.bucket, entry.prefix.as_deref().unwrap_or("")).await?
    } else {
        entry.share_files.clone()
    };
    let signing = session.with_key(&key);
    let signer = Signer::new(&signing, &entry.bucket, expires_in).await?;
    let mut links = Vec::with_capacity(keys.len());
    for k in &keys {
        links.push(signer.sign(k, &LinkKind::Download).await?);
    }
    Ok(links)
}

/// Move the share's end `expires_in` from now (at most 7 days): the key's policy gets the new end, the
/// record too, and the links are signed again (the old ones still end at the old time).
pub async fn extend(session: &Session, keychain: &Keychain, entry: &RecordEntry, expires_in: Duration) -> Result<(RecordEntry, Vec<Link>)> {
    crate::presign::check_expiry(expires_in)?;
    let account = session.whoami().await?.account;
    if let Some(why) = crate::access::out_of_reach(session, &account, entry) {
        return Err(Error::OutOfReach { why: format!("This share was {why}") });
    }
    let user = entry.user_name.clone().ok_or_else(|| Error::invalid("share", "this share has no user on record"))?;
    let policy_name = entry.inline_policy_name.clone().ok_or_else(|| Error::invalid("share", "this share has no policy on record"))?;
    let out = session
        .iam
        .get_user_policy()
        .user_name(&user)
        .policy_name(&policy_name)
        .send()
        .await
        .map_err(|e| crate::error::from_sdk(&session.ctx, "GetUserPolicy", e))?;
    let mut doc: serde_json::Value = crate::access::decode_document(out.policy_document())
        .ok_or_else(|| Error::invalid("share", "the share's policy could not be read"))?;
    let end = format_time(SystemTime::now() + expires_in);
    for st in doc["Statement"].as_array_mut().into_iter().flatten().filter(|s| s["Effect"] == "Allow") {
        st["Condition"]["DateLessThan"] = serde_json::json!({ crate::limits::CURRENT_TIME: end });
    }
    session
        .iam
        .put_user_policy()
        .user_name(&user)
        .policy_name(&policy_name)
        .policy_document(doc.to_string())
        .send()
        .await
        .map_err(|e| crate::error::from_sdk(&session.ctx, "PutUserPolicy", e))?;
    let mut updated = entry.clone();
    updated.ends_at = Some(end.clone());
    Record::modify(|r| {
        if let Some(e) = r.entries.iter_mut().find(|e| e.id == entry.id) {
            e.ends_at = Some(end.clone());
        }
    })?;
    let links = sign(session, keychain, &updated, expires_in).await?;
    Ok((updated, links))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{access_policy, BucketKey};

    fn scope(prefix: Option<&str>) -> Scope {
        let mut s = Scope::new("vendor-data", prefix).unwrap();
        s.allow_list = false;
        s.limits.ends_at = Some("2026-12-01T00:00:00Z".into());
        s
    }

    #[test]
    fn a_share_may_only_download_the_chosen_files_until_its_end() {
        let s = scope(Some("reports"));
        let doc = share_policy(&access_policy(&s, AccessLevel::Read), &s, &["reports/q1.pdf".into(), "reports/q2.pdf".into()]);
        assert_eq!(doc.actions(), vec!["s3:GetObject"], "GetObject and nothing else");
        assert_eq!(doc.statement[0].resource, vec!["arn:aws:s3:::vendor-data/reports/q1.pdf", "arn:aws:s3:::vendor-data/reports/q2.pdf"]);
        assert_eq!(doc.statement[0].condition.as_ref().unwrap()["DateLessThan"]["aws:CurrentTime"], "2026-12-01T00:00:00Z");
        let folder = share_policy(&access_policy(&s, AccessLevel::Read), &s, &[]);
        assert_eq!(folder.statement[0].resource, vec!["arn:aws:s3:::vendor-data/reports/*"]);
        // The card agrees: download yes, everything else no, and the end.
        let card = crate::explain::explain(&serde_json::to_value(&doc).unwrap(), &crate::explain::Target { partition: "aws", bucket: "vendor-data", prefix: Some("reports/") });
        let yes: Vec<&str> = card.iter().filter(|l| l.allowed == Some(true)).map(|l| l.code).collect();
        assert_eq!(yes, ["download"], "the shared files are files of the folder; nothing else is allowed");
        let target = crate::explain::Target { partition: "aws", bucket: "vendor-data", prefix: Some("reports/") };
        let files = ["reports/q1.pdf".to_string(), "reports/q2.pdf".to_string()];
        let line = crate::explain::shared_files_line(&serde_json::to_value(&doc).unwrap(), &target, &files).unwrap();
        assert_eq!((line.code, line.allowed), ("download_shared", Some(true)), "the shared files do download");
        let more = ["reports/q1.pdf".to_string(), "reports/q3.pdf".to_string()];
        assert_eq!(crate::explain::shared_files_line(&serde_json::to_value(&doc).unwrap(), &target, &more).unwrap().allowed, Some(false));
        let folder_card = crate::explain::explain(&serde_json::to_value(&folder).unwrap(), &crate::explain::Target { partition: "aws", bucket: "vendor-data", prefix: Some("reports/") });
        let yes: Vec<&str> = folder_card.iter().filter(|l| l.allowed == Some(true)).map(|l| l.code).collect();
        assert_eq!(yes, vec!["download"]);
    }

    #[test]
    fn a_kms_bucket_keeps_its_key_statement() {
        let mut s = scope(Some("r"));
        s.kms = Some(BucketKey::from_bucket_setting("arn:aws:kms:eu-west-1:123456789012:key/k", "aws", "eu-west-1", "123456789012"));
        let doc = share_policy(&access_policy(&s, AccessLevel::Read), &s, &["r/a".into()]);
        assert_eq!(doc.actions(), vec!["s3:GetObject", "kms:Decrypt"]);
    }

    #[test]
    fn requests_are_checked() {
        let ok = ShareRequest { bucket: "b-1".into(), prefix: Some("f/".into()), files: vec![], expires_in: Duration::from_secs(3600) };
        ok.validate().unwrap();
        assert_eq!(ok.describe(), "the folder s3://b-1/f/");
        let none = ShareRequest { prefix: None, ..ok.clone() };
        assert!(none.validate().unwrap_err().to_string().contains("choose files, or a folder"));
        let star = ShareRequest { files: vec!["f/*.pdf".into()], ..ok.clone() };
        assert!(star.validate().unwrap_err().to_string().contains("wildcard"));
        // IAM cannot hold these names in a policy (MalformedPolicyDocument): refused before any plan, with
        // the folder offered when its own name can be held.
        let chinese = ShareRequest { files: vec!["f/报告.pdf".into()], ..ok.clone() };
        let err = chinese.validate().unwrap_err().to_string();
        assert!(err.contains("'报'") && err.contains("share its folder s3://b-1/f/ instead"), "{err}");
        let emoji_folder = ShareRequest { files: vec!["📁/a.pdf".into()], ..ok.clone() };
        assert!(emoji_folder.validate().unwrap_err().to_string().contains("rename the file"));
        let latin1 = ShareRequest { files: vec!["f/Größe café.pdf".into()], ..ok.clone() };
        latin1.validate().unwrap();
        let long = ShareRequest { expires_in: Duration::from_secs(8 * 86_400), ..ok.clone() };
        assert!(long.validate().unwrap_err().to_string().contains("7 days"));
        assert_eq!(ShareRequest { files: vec!["f/a".into(), "f/b".into()], ..ok }.describe(), "2 files in s3://b-1/f/");
    }
}
