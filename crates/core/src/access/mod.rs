//! What the app created, managed later: the local record joined with the account's live state ([`status`]),
//! key rotation ([`rotate`]), revocation ([`revoke`]) and importing an existing key ([`import_key`]).
//!
//! The record says what the app made; AWS says what still exists. Nothing here touches an IAM entity the
//! record does not name, and deletion also needs the entity to carry the app's `created-by` tag, unless
//! the caller explicitly adopts it.

pub mod elsewhere;
pub mod policies;
pub mod revoke;
pub mod rotate;

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::keychain::{run_blocking, KeyRef, Keychain};
use crate::plan::CREATED_BY_TAG;
use crate::record::{format_time, Record, RecordEntry};
use crate::secret::AccessKey;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;

/// Whether the user or role behind an entry still exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Live {
    Exists,
    /// Deleted outside the app.
    Deleted,
    /// Not checked, with why (another account, another endpoint, or the check failed).
    Unchecked(String),
}

/// One access key of the entry's user, as AWS and this machine's keychain see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyState {
    pub access_key_id: String,
    /// `Active` or `Inactive`; `None` when AWS no longer has the key.
    pub status: Option<String>,
    pub created: Option<String>,
    /// When AWS last saw the key used, and for which service; `None` for never (or unknown).
    pub last_used: Option<String>,
    pub last_used_service: Option<String>,
    pub in_keychain: bool,
    /// Whether the app created or imported this key (it is in the record).
    pub recorded: bool,
}

/// AWS's advice for long-term keys: rotate them at least every 90 days. `S3AW_KEY_MAX_AGE_DAYS` sets another
/// age (a whole number of days, at least 1).
pub const DEFAULT_KEY_MAX_AGE_DAYS: u64 = 90;

/// The age after which a key is due for rotation, in days.
pub fn key_max_age_days() -> u64 {
    std::env::var("S3AW_KEY_MAX_AGE_DAYS").ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|d| *d >= 1).unwrap_or(DEFAULT_KEY_MAX_AGE_DAYS)
}

impl KeyState {
    /// Whole days since AWS made the key (`None` when its creation time is not known).
    pub fn age_days(&self, now: std::time::SystemTime) -> Option<u64> {
        let created = crate::record::parse_time(self.created.as_deref()?).ok()?;
        Some(now.duration_since(created).map(|d| d.as_secs() / 86_400).unwrap_or(0))
    }

    /// An active key at least `max_age_days` old: rotate it.
    pub fn rotation_due(&self, now: std::time::SystemTime, max_age_days: u64) -> bool {
        self.status.as_deref() == Some("Active") && self.age_days(now).is_some_and(|d| d >= max_age_days)
    }
}

/// An entry of the record with the live state of what it names.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessStatus {
    pub entry: RecordEntry,
    pub principal: Live,
    pub keys: Vec<KeyState>,
    /// The access policy as it is in the account now, when it could be read.
    pub policy_document: Option<Value>,
    /// Every policy the user or role holds (what the card reads), or why they could not all be read;
    /// `None` when not checked or gone.
    pub policies: Option<std::result::Result<policies::Policies, String>>,
}

impl AccessStatus {
    /// When the access ends and where it may be used from: as the policy in the account says, when it
    /// could be read (someone may have changed it), else as recorded when it was granted.
    pub fn limits(&self) -> crate::limits::Limits {
        match &self.policy_document {
            Some(doc) => crate::limits::limits_of(doc),
            None => crate::limits::Limits { ends_at: self.entry.ends_at.clone(), source_ips: self.entry.source_ips.clone() },
        }
    }

    /// Whether the access has ended: AWS refuses every request made with it.
    pub fn expired(&self, now: std::time::SystemTime) -> bool {
        self.limits().ended(now)
    }
}

impl RecordEntry {
    /// The keychain entry for one of this entry's keys.
    pub fn key_ref(&self, access_key_id: &str) -> KeyRef {
        KeyRef {
            account: self.account.clone(),
            owner: self.user_name.clone().or_else(|| self.role_name.clone()).unwrap_or_default(),
            access_key_id: access_key_id.to_string(),
        }
    }

    /// "IAM user \"x\"" or "role \"y\"", for messages.
    pub fn principal_label(&self) -> String {
        match (&self.user_name, &self.role_name) {
            (Some(u), _) => format!("IAM user \"{u}\""),
            (None, Some(r)) => format!("role \"{r}\""),
            _ => "access".to_string(),
        }
    }
}

/// Why an entry cannot be checked or changed with this session, if it cannot.
pub fn out_of_reach(session: &Session, account: &str, entry: &RecordEntry) -> Option<String> {
    if entry.account != account {
        return Some(format!("created in AWS account {}; connect to that account to check or change it", entry.account));
    }
    if entry.endpoint.as_deref() != session.endpoint_url() {
        return Some(match &entry.endpoint {
            Some(e) => format!("created against the endpoint {e}; connect to it to check or change it"),
            None => "created in AWS itself, not at this endpoint".to_string(),
        });
    }
    None
}

fn is_no_such_entity(code: Option<&str>) -> bool {
    code == Some("NoSuchEntity")
}

/// The user's keys with status and last use.
pub(crate) async fn user_keys(session: &Session, user: &str) -> Result<Option<Vec<aws_sdk_iam::types::AccessKeyMetadata>>> {
    match session.iam.list_access_keys().user_name(user).send().await {
        Ok(out) => Ok(Some(out.access_key_metadata().to_vec())),
        Err(e) if is_no_such_entity(e.code()) => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "ListAccessKeys", e)),
    }
}

fn time_text(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| std::time::SystemTime::try_from(*t).ok()).map(format_time)
}

/// The default version of a managed policy, decoded.
async fn managed_policy_document(session: &Session, arn: &str) -> Result<Option<Value>> {
    let policy = match session.iam.get_policy().policy_arn(arn).send().await {
        Ok(p) => p,
        Err(e) if is_no_such_entity(e.code()) => return Ok(None),
        Err(e) => return Err(from_sdk(&session.ctx, "GetPolicy", e)),
    };
    let Some(version) = policy.policy().and_then(|p| p.default_version_id()) else { return Ok(None) };
    let out = session.iam.get_policy_version().policy_arn(arn).version_id(version).send().await.map_err(|e| from_sdk(&session.ctx, "GetPolicyVersion", e))?;
    match out.policy_version().and_then(|v| v.document()) {
        Some(text) => decode_document(text).map(Some).ok_or_else(|| Error::invalid("policy", format!("the policy {arn} is not a policy document this app can read"))),
        None => Ok(None),
    }
}

async fn inline_policy_document(session: &Session, user: &str, name: &str) -> Result<Option<Value>> {
    match session.iam.get_user_policy().user_name(user).policy_name(name).send().await {
        Ok(out) => Ok(decode_document(out.policy_document())),
        Err(e) if is_no_such_entity(e.code()) => Ok(None),
        Err(e) => Err(from_sdk(&session.ctx, "GetUserPolicy", e)),
    }
}

/// IAM returns policy documents URL-encoded.
pub(crate) fn decode_document(text: &str) -> Option<Value> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    serde_json::from_str(&decoded).ok()
}

/// Whether an IAM entity carries the app's `created-by` tag.
pub(crate) fn has_created_by_tag(tags: &[aws_sdk_iam::types::Tag]) -> bool {
    tags.iter().any(|t| t.key() == CREATED_BY_TAG.0 && t.value() == CREATED_BY_TAG.1)
}

/// Every entry of the record with its live state. Entries of another account or endpoint are listed as
/// unchecked; entries whose user or role was deleted elsewhere are listed as deleted, never hidden.
pub async fn status(session: &Session, keychain: &Keychain, record: &Record) -> Result<Vec<AccessStatus>> {
    let account = session.whoami().await?.account;
    let mut out = Vec::with_capacity(record.entries.len());
    for entry in &record.entries {
        let s = match out_of_reach(session, &account, entry) {
            Some(why) => unchecked(keychain, entry, why).await,
            None => match entry_status(session, keychain, entry).await {
                Ok(s) => s,
                Err(e) => unchecked(keychain, entry, format!("could not check: {e}")).await,
            },
        };
        out.push(s);
    }
    Ok(out)
}

async fn in_keychain(keychain: &Keychain, key: KeyRef) -> bool {
    let k = keychain.clone();
    run_blocking(move || Ok(k.contains(&key))).await.unwrap_or(false)
}

/// A recorded key as far as the record and the keychain know it (AWS not asked, or without it).
async fn recorded_only(keychain: &Keychain, entry: &RecordEntry, id: &str) -> KeyState {
    KeyState {
        access_key_id: id.to_string(),
        status: None,
        created: None,
        last_used: None,
        last_used_service: None,
        in_keychain: in_keychain(keychain, entry.key_ref(id)).await,
        recorded: true,
    }
}

async fn unchecked(keychain: &Keychain, entry: &RecordEntry, why: String) -> AccessStatus {
    let mut keys = Vec::new();
    for id in &entry.access_key_ids {
        keys.push(recorded_only(keychain, entry, id).await);
    }
    AccessStatus { entry: entry.clone(), principal: Live::Unchecked(why), keys, policy_document: None, policies: None }
}

async fn entry_status(session: &Session, keychain: &Keychain, entry: &RecordEntry) -> Result<AccessStatus> {
    let mut keys = Vec::new();
    let mut principal = Live::Exists;
    let mut policy_document = None;
    let mut held = None;
    if let Some(user) = &entry.user_name {
        match user_keys(session, user).await? {
            None => principal = Live::Deleted,
            Some(found) => {
                for k in found {
                    let id = k.access_key_id().unwrap_or_default().to_string();
                    let recorded = entry.access_key_ids.contains(&id);
                    // Keys of a reused user that the app did not make are not its business.
                    if !entry.created_user && !recorded {
                        continue;
                    }
                    let used = session.iam.get_access_key_last_used().access_key_id(&id).send().await.map_err(|e| from_sdk(&session.ctx, "GetAccessKeyLastUsed", e))?;
                    let used = used.access_key_last_used();
                    keys.push(KeyState {
                        access_key_id: id.clone(),
                        status: k.status().map(|s| s.as_str().to_string()),
                        created: time_text(k.create_date()),
                        last_used: time_text(used.and_then(|u| u.last_used_date())),
                        last_used_service: used.map(|u| u.service_name().to_string()).filter(|s| !s.is_empty() && s != "N/A"),
                        in_keychain: in_keychain(keychain, entry.key_ref(&id)).await,
                        recorded,
                    });
                }
            }
        }
        if principal == Live::Exists {
            policy_document = match (&entry.policy_arn, &entry.inline_policy_name) {
                (Some(arn), _) => managed_policy_document(session, arn).await?,
                (None, Some(name)) => inline_policy_document(session, user, name).await?,
                _ => None,
            };
            held = policies::of_user(session, user).await.map_err(|e| e.to_string()).transpose();
        }
    } else if let Some(role) = &entry.role_name {
        match session.iam.get_role().role_name(role).send().await {
            Ok(_) => {
                if let Some(arn) = &entry.policy_arn {
                    policy_document = managed_policy_document(session, arn).await?;
                }
                held = policies::of_role(session, role).await.map_err(|e| e.to_string()).transpose();
            }
            Err(e) if is_no_such_entity(e.code()) => principal = Live::Deleted,
            Err(e) => return Err(from_sdk(&session.ctx, "GetRole", e)),
        }
    }
    // Recorded keys AWS no longer has are shown as gone.
    for id in &entry.access_key_ids {
        if !keys.iter().any(|k| &k.access_key_id == id) {
            keys.push(recorded_only(keychain, entry, id).await);
        }
    }
    Ok(AccessStatus { entry: entry.clone(), principal, keys, policy_document, policies: held })
}

/// The user name in an IAM user ARN (`arn:aws:iam::123456789012:user/path/name` → `name`).
pub fn user_name_from_arn(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let rest = resource.strip_prefix("user/")?;
    rest.rsplit('/').next().filter(|s| !s.is_empty())
}

/// Add an existing access key to the keychain and the record. AWS is asked who the key belongs to (which
/// needs no permission), so a mistyped key is refused before anything is saved.
pub async fn import_key(session: &Session, keychain: &Keychain, key: AccessKey) -> Result<RecordEntry> {
    crate::validate::access_key_id(&key.access_key_id)?;
    let record = Record::load()?;
    if record.entries.iter().any(|e| e.access_key_ids.contains(&key.access_key_id)) {
        return Err(Error::invalid("access key", format!("{} is already in the list", key.access_key_id)));
    }
    let id = session.with_key(&key).whoami().await?;
    let user = user_name_from_arn(&id.arn)
        .ok_or_else(|| Error::invalid("access key", format!("this key belongs to {}, not an IAM user; only long-term IAM user keys can be imported", id.arn)))?
        .to_string();
    let now = crate::record::now_rfc3339();
    let entry = RecordEntry {
        id: format!("{user}-imported-{}", now.replace([':', '-'], "")),
        created_at: now,
        account: id.account,
        kind: "imported".into(),
        user_name: Some(user),
        role_name: None,
        policy_arn: None,
        inline_policy_name: None,
        created_user: false,
        created_policy: false,
        bucket: String::new(),
        prefix: None,
        level: String::new(),
        access_key_ids: vec![key.access_key_id.clone()],
        endpoint: session.endpoint_url().map(str::to_string),
        ..Default::default()
    };
    let k = keychain.clone();
    let key_ref = entry.key_ref(&key.access_key_id);
    let secret = key.secret_access_key.clone();
    run_blocking(move || k.store(&key_ref, &secret)).await?;
    if let Err(e) = Record::append(entry.clone()) {
        let k = keychain.clone();
        let key_ref = entry.key_ref(&key.access_key_id);
        let _ = run_blocking(move || k.delete(&key_ref)).await;
        return Err(e);
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_due_for_rotation_when_active_and_old() {
        let now = crate::record::parse_time("2026-12-07T12:00:00Z").unwrap();
        let key = |status: &str, created: &str| KeyState {
            access_key_id: "AKIAEXAMPLEEXAMPLE00".into(),
            status: Some(status.into()),
            created: Some(created.into()),
            last_used: None,
            last_used_service: None,
            in_keychain: true,
            recorded: true,
        };
        assert_eq!(key("Active", "2026-09-08T12:00:00Z").age_days(now), Some(90));
        assert!(key("Active", "2026-09-08T12:00:00Z").rotation_due(now, 90));
        assert!(!key("Active", "2026-09-09T12:00:00Z").rotation_due(now, 90), "89 days");
        assert!(!key("Inactive", "2020-01-01T00:00:00Z").rotation_due(now, 90), "an inactive key signs nothing");
        assert_eq!(KeyState { created: None, ..key("Active", "") }.age_days(now), None);
        assert_eq!(key("Active", "2027-01-01T00:00:00Z").age_days(now), Some(0), "a clock behind AWS's");
    }

    use super::*;

    #[test]
    fn user_names_come_from_arns() {
        assert_eq!(user_name_from_arn("arn:aws:iam::123456789012:user/vendor"), Some("vendor"));
        assert_eq!(user_name_from_arn("arn:aws:iam::123456789012:user/teams/a/vendor"), Some("vendor"));
        assert_eq!(user_name_from_arn("arn:aws:sts::123456789012:assumed-role/r/s"), None);
        assert_eq!(user_name_from_arn("arn:aws:iam::123456789012:root"), None);
    }

    #[test]
    fn policy_documents_are_url_decoded() {
        let v = decode_document("%7B%22Version%22%3A%222012-10-17%22%7D").unwrap();
        assert_eq!(v["Version"], "2012-10-17");
        assert!(decode_document("not json").is_none());
    }
}
