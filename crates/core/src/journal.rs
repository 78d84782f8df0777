//! The intent journal: what a change is about to do in the account, written down before it is done, so a
//! change cut short (a closed lid, a killed terminal, a crash) is found and finished or undone later
//! instead of leaving access nobody knows about.
//!
//! One file per change in the app's folder, `journal/ID.jsonl`, one JSON object a line, appended and
//! flushed to disk (`sync_data`) line by line, never rewritten. No secret is ever written to it (the steps
//! are `Action`s and rotation steps, which hold names, ids and documents, never a key's secret).
//!
//! - `open`: the change (what, in which account and endpoint, and what the record will get).
//! - `intent`: before each call that creates or changes something: the step, as the plan has it.
//! - `done`: after AWS answered: what it answered that undoing needs (a new key's id, the document a
//!   bucket held before).
//! - `undone`: a rollback undid that step.
//! - `close`: the change finished, was rolled back, or was recovered.
//!
//! The process running a change holds an exclusive lock on its file (`File::lock`) from `open` to the
//! end; the operating system drops it when the process ends, however it ends. An entry with no `close`
//! whose lock nobody holds is an interrupted change; one whose lock is held is another window's or
//! command's change in progress, and is left alone.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What kind of change an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A plan's apply: a grant, a share, bucket settings.
    Apply,
    Rotate,
    Revoke,
}

/// How an entry ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Finished,
    RolledBack,
    /// Stopped with the user told what is left (a rotation whose new key works, say).
    Stopped,
    /// Finished or undone later by `recover`.
    Recovered,
}

/// The change an entry is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: Kind,
    /// In plain words ("Grant read access to data/in: IAM user vendor").
    pub summary: String,
    pub account: Option<String>,
    pub endpoint: Option<String>,
    /// How many steps the change has.
    pub steps: usize,
    /// What recovery needs besides the steps (the record entry a grant will get; a rotation's access).
    #[serde(default)]
    pub detail: Value,
}

/// One line of an entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Open { at: String, change: Change },
    Intent { at: String, step: usize, summary: String, what: Value },
    Done { at: String, step: usize, result: Value },
    Undone { at: String, step: usize },
    Close { at: String, outcome: Outcome },
}

/// The journal's folder.
pub fn dir() -> Result<PathBuf> {
    Ok(crate::paths::app_config_dir()?.join("journal"))
}

/// A change being made: its entry, locked while this value lives.
#[derive(Debug)]
pub struct Entry {
    pub id: String,
    path: PathBuf,
    file: std::fs::File,
}

/// Entries kept after they close (the newest; older closed ones are removed when a change begins).
const KEEP_CLOSED: usize = 50;

impl Entry {
    /// Open an entry for `change`. Nothing may be changed in the account when this fails.
    pub fn begin(change: Change) -> Result<Entry> {
        let dir = dir()?;
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io { action: "create the folder for", path: dir.clone(), source })?;
        prune(&dir);
        let stamp = crate::record::now_rfc3339().replace([':', '-'], "");
        let id = format!("{stamp}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let path = dir.join(format!("{id}.jsonl"));
        let mut opts = std::fs::OpenOptions::new();
        opts.append(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(&path).map_err(|source| Error::Io { action: "create", path: path.clone(), source })?;
        file.lock().map_err(|source| Error::Io { action: "lock", path: path.clone(), source })?;
        let entry = Entry { id, path, file };
        entry.write(&Event::Open { at: crate::record::now_rfc3339(), change })?;
        // The new file's name must survive a power cut too.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(entry)
    }

    fn write(&self, event: &Event) -> Result<()> {
        let mut line = serde_json::to_string(event).map_err(|e| Error::Internal(format!("a journal line could not be written: {e}")))?;
        line.push('\n');
        let io = |source| Error::Io { action: "write", path: self.path.clone(), source };
        (&self.file).write_all(line.as_bytes()).map_err(io)?;
        self.file.sync_data().map_err(io)
    }

    /// Before step `step`: what it is about to do. An error means the step must not run.
    pub fn intent(&self, step: usize, summary: &str, what: &impl Serialize) -> Result<()> {
        let what = serde_json::to_value(what).map_err(|e| Error::Internal(format!("a journal line could not be written: {e}")))?;
        self.write(&Event::Intent { at: crate::record::now_rfc3339(), step, summary: summary.to_string(), what })
    }

    /// After step `step`: what AWS answered. Best effort: the intent is already on disk, and recovery
    /// finds out what happened when the answer is missing.
    pub fn done(&self, step: usize, result: &impl Serialize) {
        if let Ok(result) = serde_json::to_value(result) {
            let _ = self.write(&Event::Done { at: crate::record::now_rfc3339(), step, result });
        }
    }

    /// A rollback undid step `step` (best effort, as [`Entry::done`]).
    pub fn undone(&self, step: usize) {
        let _ = self.write(&Event::Undone { at: crate::record::now_rfc3339(), step });
    }

    /// The change ended: its entry is closed.
    pub fn close(&self, outcome: Outcome) -> Result<()> {
        self.write(&Event::Close { at: crate::record::now_rfc3339(), outcome })
    }
}

/// An entry read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Read {
    pub id: String,
    pub path: PathBuf,
    pub events: Vec<Event>,
}

impl Read {
    pub fn change(&self) -> Option<&Change> {
        self.events.iter().find_map(|e| match e {
            Event::Open { change, .. } => Some(change),
            _ => None,
        })
    }

    pub fn opened_at(&self) -> &str {
        self.events.iter().find_map(|e| if let Event::Open { at, .. } = e { Some(at.as_str()) } else { None }).unwrap_or_default()
    }

    pub fn is_closed(&self) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Close { .. }))
    }

    /// The steps that were begun, in order: (index, summary, what, when the intent was written).
    pub fn intents(&self) -> Vec<(usize, &str, &Value, &str)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Intent { step, summary, what, at } => Some((*step, summary.as_str(), what, at.as_str())),
                _ => None,
            })
            .collect()
    }

    /// What AWS answered for `step`, when the answer reached us.
    pub fn result(&self, step: usize) -> Option<&Value> {
        self.events.iter().find_map(|e| match e {
            Event::Done { step: s, result, .. } if *s == step => Some(result),
            _ => None,
        })
    }

    pub fn was_undone(&self, step: usize) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Undone { step: s, .. } if *s == step))
    }

    /// The entry in plain words, for the warning and the app's banner: when, what, and what is known
    /// of each step begun.
    pub fn describe(&self) -> String {
        let when = crate::record::parse_time(self.opened_at()).map(describe_time).unwrap_or_else(|_| self.opened_at().to_string());
        let summary = self.change().map(|c| c.summary.as_str()).unwrap_or("a change");
        let mut out = format!("A change was interrupted on {when}: {summary}.");
        let intents = self.intents();
        if intents.is_empty() {
            out.push_str(" Nothing had been changed yet.");
        }
        for (step, s, _, _) in intents {
            let state = if self.was_undone(step) {
                "undone"
            } else if self.result(step).is_some() {
                "done"
            } else {
                "may have happened (no answer came back)"
            };
            out.push_str(&format!("\n  - {s}: {state}"));
        }
        out
    }
}

/// "7 Dec at 14:02 UTC".
fn describe_time(t: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][usize::from(u8::from(t.month())) - 1];
    format!("{} {month} at {:02}:{:02} UTC", t.day(), t.hour(), t.minute())
}

/// Parse an entry's text. A last line cut short (the process died while writing it) is left out; any
/// other line that does not read is damage.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(e) => events.push(e),
            Err(_) if i + 1 == lines.len() && !complete => {}
            Err(e) => return Err(Error::DamagedFile { what: "journal of changes", path: path.to_path_buf(), detail: format!("line {}: {e}", i + 1) }),
        }
    }
    if !matches!(events.first(), Some(Event::Open { .. })) && !events.is_empty() {
        return Err(Error::DamagedFile { what: "journal of changes", path: path.to_path_buf(), detail: "it does not start with the change it is about".into() });
    }
    Ok(events)
}

/// Every entry with no `close` whose process is gone: the interrupted changes, oldest first. An entry
/// another process is still making is not one of them.
pub fn interrupted() -> Result<Vec<Read>> {
    let dir = dir()?;
    let mut out = Vec::new();
    for path in entry_files(&dir) {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(Error::Io { action: "read", path, source }),
        };
        let events = parse(&path, &text)?;
        let read = Read { id: entry_id(&path), path: path.clone(), events };
        if read.events.is_empty() || read.is_closed() {
            continue;
        }
        // Held: a change in progress elsewhere (or in this process). Free: its process is gone.
        if crate::lock::try_exclusive_at(&path)?.is_some() {
            out.push(read);
        }
    }
    Ok(out)
}

/// Take over an interrupted entry to recover it: its lock, held until the returned entry is dropped (a
/// second `recover` at once is refused), and its file, to append to.
pub fn claim(read: &Read) -> Result<Entry> {
    let file = std::fs::OpenOptions::new().append(true).open(&read.path).map_err(|source| Error::Io { action: "open", path: read.path.clone(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(Entry { id: read.id.clone(), path: read.path.clone(), file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::invalid("change", "another window or command is working on this change now; try again when it is done")),
        Err(std::fs::TryLockError::Error(source)) => Err(Error::Io { action: "lock", path: read.path.clone(), source }),
    }
}

fn entry_id(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
}

/// The entry files, oldest first (their names start with the time they were opened).
fn entry_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|f| f.path()).filter(|p| p.extension().is_some_and(|e| e == "jsonl")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Remove closed entries beyond the newest [`KEEP_CLOSED`]. Open ones are never removed.
fn prune(dir: &Path) {
    let closed: Vec<PathBuf> = entry_files(dir)
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).ok().and_then(|t| parse(p, &t).ok()).is_some_and(|ev| ev.iter().any(|e| matches!(e, Event::Close { .. }))))
        .collect();
    for p in closed.iter().take(closed.len().saturating_sub(KEEP_CLOSED)) {
        let _ = std::fs::remove_file(p);
    }
}

/// Before any command that changes the account: the record must be readable (a damaged one stops the
/// change, its copy kept) and so must the journal. Returns the interrupted changes to warn about.
pub fn before_change() -> Result<Vec<Read>> {
    crate::record::Record::load()?;
    interrupted()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change() -> Change {
        Change { kind: Kind::Apply, summary: "Grant read access".into(), account: Some("123456789012".into()), endpoint: None, steps: 2, detail: Value::Null }
    }

    #[test]
    fn lines_read_back_and_a_torn_last_line_is_left_out() {
        let p = Path::new("j.jsonl");
        let open = serde_json::to_string(&Event::Open { at: "2026-12-07T14:02:00Z".into(), change: change() }).unwrap();
        let intent = serde_json::to_string(&Event::Intent { at: "2026-12-07T14:02:01Z".into(), step: 0, summary: "Create the IAM user \"v\"".into(), what: serde_json::json!({"step": "create-user", "user_name": "v"}) }).unwrap();
        let events = parse(p, &format!("{open}\n{intent}\n{{\"event\":\"do")).unwrap();
        assert_eq!(events.len(), 2);
        let r = Read { id: "x".into(), path: p.into(), events };
        assert!(!r.is_closed());
        assert_eq!(r.describe(), "A change was interrupted on 7 Dec at 14:02 UTC: Grant read access.\n  - Create the IAM user \"v\": may have happened (no answer came back)");
        // A damaged line in the middle is damage, not a torn write.
        let err = parse(p, &format!("{open}\nnot json\n{intent}\n")).unwrap_err();
        assert_eq!(err.code(), "damaged_file");
    }

    #[test]
    fn an_entry_in_progress_is_not_interrupted_and_one_whose_process_is_gone_is() {
        // The one test of this process that uses the app's folder.
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var(crate::record::CONFIG_DIR_ENV, dir.path());
        let e = Entry::begin(change()).unwrap();
        e.intent(0, "Create the IAM user \"v\"", &serde_json::json!({"step": "create-user"})).unwrap();
        assert!(interrupted().unwrap().is_empty(), "its lock is held: a change in progress");
        drop(e);
        let found = interrupted().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].intents().len(), 1);
        let claimed = claim(&found[0]).unwrap();
        assert!(claim(&found[0]).is_err(), "one recovery at a time");
        claimed.close(Outcome::Recovered).unwrap();
        drop(claimed);
        assert!(interrupted().unwrap().is_empty());
        let e = Entry::begin(change()).unwrap();
        e.close(Outcome::Finished).unwrap();
        drop(e);
        assert!(interrupted().unwrap().is_empty(), "a closed entry is not interrupted");
    }
}
