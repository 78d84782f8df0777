//! A small local record of what the app created, so later screens can list, rotate and revoke it.
//! It never holds a secret. Stored as JSON in the platform's config directory (or `S3AW_CONFIG_DIR`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub const CONFIG_DIR_ENV: &str = "S3AW_CONFIG_DIR";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordEntry {
    pub id: String,
    pub created_at: String,
    pub account: String,
    /// `iam-user` or `role`.
    pub kind: String,
    pub user_name: Option<String>,
    pub role_name: Option<String>,
    /// The managed policy's ARN, or `None` for an inline policy.
    pub policy_arn: Option<String>,
    pub inline_policy_name: Option<String>,
    /// Whether the app created the user (false when it reused an existing one, or for an imported key).
    pub created_user: bool,
    /// Whether the app created the managed policy (false when it reused one; older records lack it).
    #[serde(default)]
    pub created_policy: bool,
    pub bucket: String,
    pub prefix: Option<String>,
    pub level: String,
    pub access_key_ids: Vec<String>,
    /// A custom endpoint (emulator) this was created against; `None` for AWS itself.
    pub endpoint: Option<String>,
    /// When the access ends (RFC 3339 UTC), when it was granted with an end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    /// The networks it may be used from, when limited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ips: Vec<String>,
    /// For a share of files (kind `share`): their keys. Empty for a share of a folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_files: Vec<String>,
}

impl RecordEntry {
    /// Whether the access has ended (its end date has passed).
    pub fn ended(&self, now: std::time::SystemTime) -> bool {
        crate::limits::Limits { ends_at: self.ends_at.clone(), source_ips: vec![] }.ended(now)
    }

    /// Whether the access ends within `within` of `now` (and has not ended yet).
    pub fn ends_within(&self, now: std::time::SystemTime, within: std::time::Duration) -> bool {
        !self.ended(now) && self.ended(now + within)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    pub entries: Vec<RecordEntry>,
}

pub fn record_path() -> Result<PathBuf> {
    Ok(crate::paths::app_config_dir()?.join("created.json"))
}

impl Record {
    pub fn load() -> Result<Record> {
        let path = record_path()?;
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| Error::DamagedFile { what: "record of created access", path: path.clone(), detail: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Record { version: 1, entries: vec![] }),
            Err(source) => Err(Error::Io { action: "read", path, source }),
        }
    }

    pub fn save(&self) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::Internal(e.to_string()))?;
        crate::export::write_private_file(&record_path()?, &text, true)
    }

    /// Load, add one entry, save.
    pub fn append(entry: RecordEntry) -> Result<()> {
        Record::modify(|r| r.entries.push(entry))
    }

    /// Load, change, save: the one way entries are updated, so every change starts from the file's
    /// current content.
    pub fn modify(change: impl FnOnce(&mut Record)) -> Result<()> {
        let mut r = Record::load()?;
        r.version = 1;
        change(&mut r);
        r.save()
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&RecordEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Find an entry by its id, its user or role name, or one of its access key ids.
    pub fn find(&self, query: &str) -> Result<&RecordEntry> {
        if let Some(e) = self.get(query) {
            return Ok(e);
        }
        let matches: Vec<&RecordEntry> = self
            .entries
            .iter()
            .filter(|e| e.user_name.as_deref() == Some(query) || e.role_name.as_deref() == Some(query) || e.access_key_ids.iter().any(|k| k == query))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::Invalid { field: "access", message: format!("nothing this app created or imported matches \"{query}\"; `s3aw access list` shows what there is") }),
            many => Err(Error::Invalid {
                field: "access",
                message: format!("\"{query}\" matches {} entries; use one of their ids: {}", many.len(), many.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(", ")),
            }),
        }
    }
}

/// Now, as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    format_time(std::time::SystemTime::now())
}

/// An RFC 3339 time (as the AWS CLI writes them in its caches: `Z` or an offset).
pub fn parse_time(text: &str) -> std::result::Result<std::time::SystemTime, time::error::Parse> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).map(std::time::SystemTime::from)
}

/// A time as RFC 3339 UTC, to the second.
pub fn format_time(t: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(t).replace_nanosecond(0).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
