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
    /// The record, or an empty one when there is none yet. A file that cannot be read is an error that
    /// stops every change (nothing may be created that the record would then lose), and a copy of it is
    /// kept first as `created.json.damaged-DATE`, so nothing written later can lose what it held.
    pub fn load() -> Result<Record> {
        Record::load_from(record_path()?)
    }

    fn load_from(path: PathBuf) -> Result<Record> {
        match std::fs::read(&path) {
            Ok(bytes) => match std::str::from_utf8(&bytes).map_err(|e| e.to_string()).and_then(|t| serde_json::from_str(t).map_err(|e| e.to_string())) {
                Ok(r) => Ok(r),
                Err(detail) => Err(Error::DamagedRecord { kept: keep_damaged_copy(&path, &bytes)?, path, detail }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Record { version: 1, entries: vec![] }),
            Err(source) => Err(Error::Io { action: "read", path, source }),
        }
    }

    /// Written whole (a temporary file, flushed, renamed into place): a crash leaves the old record or the
    /// new one, never half of one. Callers change it through [`Record::modify`], under its lock.
    fn save_to(&self, path: &std::path::Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::Internal(e.to_string()))?;
        crate::export::write_private_file(path, &text, true)
    }

    /// Load, add one entry, save.
    pub fn append(entry: RecordEntry) -> Result<()> {
        Record::modify(|r| r.entries.push(entry))
    }

    /// Load, change, save: the one way entries are updated, so every change starts from the file's
    /// current content.
    /// Processes that change it at once (two grants, the app and the CLI) take turns: each holds the
    /// record's lock from reading to writing, so no change is lost.
    pub fn modify(change: impl FnOnce(&mut Record)) -> Result<()> {
        Record::modify_at(&record_path()?, change)
    }

    fn modify_at(path: &std::path::Path, change: impl FnOnce(&mut Record)) -> Result<()> {
        let _lock = crate::lock::exclusive(path)?;
        let mut r = Record::load_from(path.to_path_buf())?;
        r.version = 1;
        change(&mut r);
        r.save_to(path)
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

/// Keep a damaged record's bytes as `NAME.damaged-DATE` beside it (once: a copy with the same bytes is
/// reused). Returns the copy's path.
fn keep_damaged_copy(path: &std::path::Path, bytes: &[u8]) -> Result<PathBuf> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let prefix = format!("{name}.damaged-");
    if let Ok(dir) = std::fs::read_dir(path.parent().unwrap_or(std::path::Path::new("."))) {
        for f in dir.flatten() {
            if f.file_name().to_string_lossy().starts_with(&prefix) && std::fs::read(f.path()).is_ok_and(|b| b == bytes) {
                return Ok(f.path());
            }
        }
    }
    let stamp = now_rfc3339().replace([':', '-'], "");
    let copy = path.with_file_name(format!("{prefix}{stamp}"));
    crate::export::write_private_bytes(&copy, bytes, false).or_else(|e| match e {
        // Another process kept the same second's copy.
        Error::FileExists { .. } => Ok(()),
        e => Err(e),
    })?;
    Ok(copy)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Changes at once (threads here; processes in the e2e suite) all land: none is lost.
    #[test]
    fn changes_at_once_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("created.json");
        std::thread::scope(|s| {
            for i in 0..8 {
                let path = &path;
                s.spawn(move || Record::modify_at(path, |r| r.entries.push(RecordEntry { id: format!("e{i}"), ..Default::default() })).unwrap());
            }
        });
        let mut ids: Vec<String> = Record::load_from(path).unwrap().entries.into_iter().map(|e| e.id).collect();
        ids.sort();
        assert_eq!(ids, (0..8).map(|i| format!("e{i}")).collect::<Vec<_>>());
    }

    #[test]
    fn a_damaged_record_is_kept_once_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("created.json");
        std::fs::write(&path, "{\"version\": 1, \"entr").unwrap();
        for _ in 0..2 {
            let err = Record::load_from(path.clone()).unwrap_err();
            assert_eq!(err.code(), "damaged_file");
            let e = Record::modify_at(&path, |r| r.entries.clear()).unwrap_err();
            assert_eq!(e.code(), "damaged_file", "a change is refused too");
        }
        let copies: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().filter(|f| f.file_name().to_string_lossy().starts_with("created.json.damaged-")).collect();
        assert_eq!(copies.len(), 1, "one copy however often it is read");
        assert_eq!(std::fs::read(copies[0].path()).unwrap(), b"{\"version\": 1, \"entr");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"version\": 1, \"entr", "the file itself is left as it was");
    }
}
