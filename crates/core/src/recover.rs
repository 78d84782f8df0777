//! Finishing or undoing a change the intent journal shows was interrupted ([`crate::journal`]).
//!
//! The rule: the account ends with the finished access, its secret in this computer's keychain and the
//! access in the record, or with nothing of the change. A grant is finished only when every step was
//! answered and the new key's secret is in the keychain; otherwise every step begun is undone in reverse.
//! A key whose secret never reached us is always deleted (AWS never shows a secret again). A step begun
//! whose answer never came is undone only where what it would have made is found and is the app's own
//! (its `created-by` tag, made after the step began); else it is named for the user to check.
//!
//! Like every change, recovery is a plan: [`plan`] reads and describes, [`run`] does it.

use crate::access::{has_created_by_tag, user_keys};
use crate::apply::{undo_step, Progress, Replaced, StepOutput};
use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::journal::{self, Kind, Outcome, Read};
use crate::keychain::{run_blocking, KeyRef, Keychain};
use crate::plan::Action;
use crate::record::{Record, RecordEntry};
use std::time::{Duration, SystemTime};

/// How long before a step's intent a thing it made may seem to have been made (clocks differ).
const CLOCK_SLACK: Duration = Duration::from_secs(5);

/// One thing recovery does.
#[derive(Clone, Debug)]
pub enum Fix {
    /// Finish a grant: add it to the record (its secret is in the keychain).
    Remember { entry: Box<RecordEntry> },
    /// Finish a rotation: the new key, saved in the keychain, joins the record.
    AddKeyToRecord { record_id: String, access_key_id: String },
    /// Undo a step of an interrupted apply. `answered`: AWS's answer reached us (else it is assumed).
    Undo { step: usize, summary: String, action: Box<Action>, output: StepOutput, answered: bool, since: String },
    /// Finish a revoke: delete what is left of the access (what is gone is skipped).
    FinishRevoke { entry: Box<RecordEntry> },
    /// Delete a new key whose secret never reached this computer (its id when known; else every key
    /// of the user made since the step began that nothing here knows).
    DeleteNewKey { user: String, access_key_id: Option<String>, since: String, spare: Vec<String> },
}

impl Fix {
    pub fn summary(&self) -> String {
        match self {
            Fix::Remember { entry } => format!("Add {} to this computer's list of access (its secret is in the keychain)", entry.principal_label()),
            Fix::FinishRevoke { entry } => format!("Finish revoking {}: delete what is left of it", entry.principal_label()),
            Fix::AddKeyToRecord { access_key_id, .. } => format!("Add the new key {access_key_id} to this computer's list (its secret is in the keychain)"),
            Fix::Undo { summary, answered: true, .. } => format!("Undo: {summary}"),
            Fix::Undo { summary, .. } => format!("Undo, if it happened: {summary}"),
            Fix::DeleteNewKey { user, access_key_id: Some(id), .. } => format!("Delete the new key {id} of \"{user}\": its secret never reached this computer"),
            Fix::DeleteNewKey { user, .. } => format!("Delete any new key of \"{user}\" made by the interrupted change: its secret never reached this computer"),
        }
    }
}

/// What recovering one interrupted change does. Nothing has changed yet.
#[derive(Clone, Debug)]
pub struct RecoverPlan {
    pub entry: Read,
    /// "A change was interrupted on …", with each step begun.
    pub description: String,
    /// Whether it finishes the change (else it undoes it).
    pub finishes: bool,
    pub fixes: Vec<Fix>,
    pub notes: Vec<String>,
}

/// What recovery did.
#[derive(Debug, Default)]
pub struct Recovered {
    pub done: Vec<String>,
    /// What could not be done, with why: the entry stays open, and `recover` tries again.
    pub left: Vec<(String, Error)>,
}

fn damaged(read: &Read, detail: impl std::fmt::Display) -> Error {
    Error::DamagedFile { what: "journal of changes", path: read.path.clone(), detail: detail.to_string() }
}

/// Work out the recovery of an interrupted change (reads only).
pub async fn plan(session: &Session, keychain: &Keychain, read: &Read) -> Result<RecoverPlan> {
    let change = read.change().ok_or_else(|| damaged(read, "it names no change"))?.clone();
    let account = session.whoami().await?.account;
    if let Some(a) = change.account.as_deref().filter(|a| !a.is_empty() && *a != account) {
        return Err(Error::OutOfReach { why: format!("The interrupted change was made in AWS account {a}; connect to that account to recover it") });
    }
    if change.endpoint.as_deref() != session.endpoint_url() {
        return Err(Error::OutOfReach {
            why: match &change.endpoint {
                Some(e) => format!("The interrupted change was made against the endpoint {e}; connect to it to recover it"),
                None => "The interrupted change was made in AWS itself, not at this endpoint".to_string(),
            },
        });
    }
    let mut p = RecoverPlan { entry: read.clone(), description: read.describe(), finishes: false, fixes: vec![], notes: vec![] };
    match change.kind {
        Kind::Apply => plan_apply(keychain, read, &change, &account, &mut p).await?,
        Kind::Rotate => plan_rotate(keychain, read, &change, &account, &mut p).await?,
        Kind::Revoke => {
            // Finished by revoking again: the plan is made from what the account holds now.
            p.finishes = true;
            let id = change.detail.get("record_id").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            match Record::load()?.get(&id) {
                Some(entry) => p.fixes.push(Fix::FinishRevoke { entry: Box::new(entry.clone()) }),
                None => p.notes.push("It had finished: the access is no longer in this computer's list.".into()),
            }
        }
    }
    Ok(p)
}

async fn in_keychain(keychain: &Keychain, key: KeyRef) -> bool {
    let k = keychain.clone();
    run_blocking(move || Ok(k.contains(&key))).await.unwrap_or(false)
}

async fn plan_apply(keychain: &Keychain, read: &Read, change: &journal::Change, account: &str, p: &mut RecoverPlan) -> Result<()> {
    let draft: Option<RecordEntry> = serde_json::from_value(change.detail.get("record").cloned().unwrap_or_default()).ok();
    let mut begun: Vec<(usize, String, Action, Option<StepOutput>, String)> = Vec::new();
    for (step, summary, what, at) in read.intents() {
        let action: Action = serde_json::from_value(what.clone()).map_err(|e| damaged(read, format!("step {}: {e}", step + 1)))?;
        let output = read.result(step).map(|v| serde_json::from_value::<StepOutput>(v.clone())).transpose().map_err(|e| damaged(read, format!("step {}: {e}", step + 1)))?;
        if !read.was_undone(step) {
            begun.push((step, summary.to_string(), action, output, at.to_string()));
        }
    }
    let key_id = begun.iter().find_map(|(_, _, a, o, _)| matches!(a, Action::CreateAccessKey { .. }).then(|| o.as_ref().and_then(|o| o.access_key_id.clone())).flatten());
    let key_user = begun.iter().find_map(|(_, _, a, _, _)| if let Action::CreateAccessKey { user_name } = a { Some(user_name.clone()) } else { None });
    let makes_key = begun.iter().any(|(_, _, a, _, _)| matches!(a, Action::CreateAccessKey { .. }));
    let all_answered = read.intents().len() == change.steps && begun.len() == change.steps && begun.iter().all(|(_, _, _, o, _)| o.is_some());
    let secret_saved = match (&key_id, &key_user) {
        (Some(id), Some(user)) => {
            let saved_step = begun.iter().any(|(_, _, a, o, _)| matches!(a, Action::SaveSecretToKeychain { .. }) && o.is_some());
            saved_step && in_keychain(keychain, KeyRef { account: account.to_string(), owner: user.clone(), access_key_id: id.clone() }).await
        }
        _ => false,
    };
    if all_answered && (!makes_key || secret_saved) {
        p.finishes = true;
        if let Some(mut entry) = draft {
            entry.account = account.to_string();
            entry.access_key_ids = key_id.iter().cloned().collect();
            let record = Record::load()?;
            let known = record.entries.iter().any(|e| {
                (e.user_name.is_some() && e.user_name == entry.user_name || e.role_name.is_some() && e.role_name == entry.role_name)
                    && (entry.access_key_ids.is_empty() || entry.access_key_ids.iter().all(|k| e.access_key_ids.contains(k)))
                    && e.account == entry.account
            });
            if known {
                p.notes.push("It had finished: the access is already in this computer's list.".into());
            } else {
                p.fixes.push(Fix::Remember { entry: Box::new(entry) });
            }
        }
        return Ok(());
    }
    if makes_key && !secret_saved && all_answered {
        p.notes.push("The new key's secret is not in this computer's keychain, so the key is of no use: the whole change is undone.".into());
    }
    let created_user = begun.iter().any(|(_, _, a, o, _)| matches!(a, Action::CreateUser { .. }) && o.is_some());
    for (step, summary, action, output, at) in begun.into_iter().rev() {
        match (&action, output) {
            (Action::CreateAccessKey { user_name }, out) => {
                let id = out.and_then(|o| o.access_key_id);
                // With the user made by this change, every key it has is this change's.
                let since = if created_user { String::new() } else { at };
                p.fixes.push(Fix::DeleteNewKey { user: user_name.clone(), access_key_id: id, since, spare: vec![] });
            }
            (Action::CreateBucket { bucket, .. }, None) => {
                p.notes.push(format!("The bucket \"{bucket}\" may have been created by the interrupted change; check it (an empty bucket can be deleted in the S3 console)."));
            }
            (_, Some(mut out)) => {
                if matches!(action, Action::SaveSecretToKeychain { .. }) {
                    out.access_key_id.clone_from(&key_id);
                }
                p.fixes.push(Fix::Undo { step, summary, action: Box::new(action), output: out, answered: true, since: at })
            }
            (_, None) => {
                let mut output = assumed_output(&action, account);
                if matches!(action, Action::SaveSecretToKeychain { .. }) {
                    output.access_key_id.clone_from(&key_id);
                }
                p.fixes.push(Fix::Undo { step, summary, action: Box::new(action), output, answered: false, since: at });
            }
        }
    }
    Ok(())
}

/// What a step would have answered, for one whose answer never came: a replaced document is put back
/// only while the bucket holds exactly what the plan would have written.
fn assumed_output(action: &Action, account: &str) -> StepOutput {
    let replaced = match action {
        Action::PutBucketPolicy { document, previous, .. } => Some(Replaced::Policy { before: previous.clone(), written: document.clone() }),
        Action::PutBucketCors { rules, previous, .. } => Some(Replaced::Cors { before: previous.clone().unwrap_or_default(), written: rules.clone() }),
        Action::DeleteBucketCors { previous, .. } => Some(Replaced::Cors { before: previous.clone(), written: vec![] }),
        _ => None,
    };
    StepOutput { replaced, account: Some(account.to_string()), ..Default::default() }
}

async fn plan_rotate(keychain: &Keychain, read: &Read, change: &journal::Change, account: &str, p: &mut RecoverPlan) -> Result<()> {
    use crate::access::rotate::RotateStep;
    let detail = &change.detail;
    let text = |k: &str| detail.get(k).and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| damaged(read, format!("the rotation names no {k}")));
    let (record_id, user, old) = (text("record_id")?, text("user_name")?, text("old_key_id")?);
    let steps: Vec<(usize, RotateStep, String)> = read
        .intents()
        .into_iter()
        .map(|(i, _, what, at)| serde_json::from_value::<RotateStep>(what.clone()).map(|s| (i, s, at.to_string())).map_err(|e| damaged(read, format!("step {}: {e}", i + 1))))
        .collect::<Result<_>>()?;
    let Some((create, _, since)) = steps.iter().find(|(_, s, _)| *s == RotateStep::CreateKey).cloned() else {
        p.finishes = true;
        p.notes.push(format!("No new key had been asked for: the old key {old} is as it was."));
        return Ok(());
    };
    let new_id = read.result(create).and_then(|r| r.get("access_key_id")).and_then(|v| v.as_str()).map(str::to_string);
    let saved = match &new_id {
        Some(id) => in_keychain(keychain, KeyRef { account: account.to_string(), owner: user.clone(), access_key_id: id.clone() }).await,
        None => false,
    };
    if let (true, Some(id)) = (saved, &new_id) {
        p.finishes = true;
        let recorded = Record::load()?.get(&record_id).is_some_and(|e| e.access_key_ids.contains(id));
        if !recorded {
            p.fixes.push(Fix::AddKeyToRecord { record_id: record_id.clone(), access_key_id: id.clone() });
        }
        let deactivated = steps.iter().any(|(i, s, _)| *s == RotateStep::DeactivateOld && read.result(*i).is_some());
        if !deactivated {
            p.notes.push(format!("The new key {id} is saved and kept. The old key {old} still works too: delete it with `s3aw access delete-key {old}` once everything uses the new one."));
        }
        return Ok(());
    }
    p.fixes.push(Fix::DeleteNewKey { user, access_key_id: new_id, since, spare: vec![old.clone()] });
    p.notes.push(format!("The old key {old} still works and is kept."));
    Ok(())
}

fn already_gone(e: &Error) -> bool {
    match e {
        Error::Aws { code, .. } => code.starts_with("NoSuch") || code == "ServerSideEncryptionConfigurationNotFoundError",
        Error::NoSuchBucket { .. } | Error::SecretNotInKeychain { .. } => true,
        _ => false,
    }
}

/// Whether `when` (an AWS creation time) is at or after `since` (a journal time), with slack.
fn made_since(when: Option<&aws_smithy_types::DateTime>, since: &str) -> bool {
    if since.is_empty() {
        return true;
    }
    let (Some(when), Ok(since)) = (when.and_then(|t| SystemTime::try_from(*t).ok()), crate::record::parse_time(since)) else { return false };
    when + CLOCK_SLACK >= since
}

/// For a create whose answer never came: whether what it names exists, is the app's own, and was made
/// after the step began. `None`: it does not exist.
async fn made_by_this_change(session: &Session, action: &Action, since: &str) -> Result<Option<bool>> {
    let iam = &session.iam;
    let ctx = &session.ctx;
    let (tags, created) = match action {
        Action::CreateUser { user_name } => match iam.get_user().user_name(user_name).send().await {
            Ok(o) => (o.user().map(|u| u.tags().to_vec()).unwrap_or_default(), o.user().map(|u| *u.create_date())),
            Err(e) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e) == Some("NoSuchEntity") => return Ok(None),
            Err(e) => return Err(from_sdk(ctx, "GetUser", e)),
        },
        Action::CreateRole { role_name, .. } => match iam.get_role().role_name(role_name).send().await {
            Ok(o) => (o.role().map(|r| r.tags().to_vec()).unwrap_or_default(), o.role().map(|r| *r.create_date())),
            Err(e) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e) == Some("NoSuchEntity") => return Ok(None),
            Err(e) => return Err(from_sdk(ctx, "GetRole", e)),
        },
        Action::CreatePolicy { policy_arn, .. } => match iam.get_policy().policy_arn(policy_arn).send().await {
            Ok(o) => (o.policy().map(|p| p.tags().to_vec()).unwrap_or_default(), o.policy().and_then(|p| p.create_date().copied())),
            Err(e) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e) == Some("NoSuchEntity") => return Ok(None),
            Err(e) => return Err(from_sdk(ctx, "GetPolicy", e)),
        },
        _ => return Ok(Some(true)),
    };
    Ok(Some(has_created_by_tag(&tags) && made_since(created.as_ref(), since)))
}

/// Delete the new keys of `user` whose secret never reached us.
async fn delete_new_keys(session: &Session, keychain: &Keychain, account: &str, user: &str, id: Option<&str>, since: &str, spare: &[String]) -> Result<Vec<String>> {
    let Some(keys) = user_keys(session, user).await? else { return Ok(vec![]) };
    let record = Record::load()?;
    let mut deleted = Vec::new();
    for k in keys {
        let kid = k.access_key_id().unwrap_or_default().to_string();
        let ours = match id {
            Some(id) => kid == id,
            None => {
                !spare.contains(&kid)
                    && !record.entries.iter().any(|e| e.access_key_ids.contains(&kid))
                    && made_since(k.create_date(), since)
                    && !in_keychain(keychain, KeyRef { account: account.to_string(), owner: user.to_string(), access_key_id: kid.clone() }).await
            }
        };
        if !ours {
            continue;
        }
        match session.iam.delete_access_key().user_name(user).access_key_id(&kid).send().await {
            Ok(_) => {}
            Err(e) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e) == Some("NoSuchEntity") => {}
            Err(e) => return Err(from_sdk(&session.ctx, "DeleteAccessKey", e)),
        }
        let (kc, r) = (keychain.clone(), KeyRef { account: account.to_string(), owner: user.to_string(), access_key_id: kid.clone() });
        run_blocking(move || kc.delete(&r)).await?;
        let forget = kid.clone();
        Record::modify(|r| r.entries.iter_mut().for_each(|e| e.access_key_ids.retain(|k| *k != forget)))?;
        deleted.push(kid);
    }
    Ok(deleted)
}

/// Carry out a recovery plan: each fix in order, progress reported. The entry is closed when all were
/// done; what could not be done is reported and the entry stays open.
pub async fn run(session: &Session, keychain: &Keychain, plan: &RecoverPlan, progress: &mut (dyn FnMut(Progress) + Send)) -> Result<Recovered> {
    let claimed = journal::claim(&plan.entry)?;
    let account = match plan.entry.change().and_then(|c| c.account.clone()).filter(|a| !a.is_empty()) {
        Some(a) => a,
        None => session.whoami().await?.account,
    };
    let mut out = Recovered::default();
    let total = plan.fixes.len();
    for (index, fix) in plan.fixes.iter().enumerate() {
        let summary = fix.summary();
        progress(Progress::StepStarted { index, total, summary: summary.clone() });
        let result = run_fix(session, keychain, &account, fix).await;
        match result {
            Ok(detail) => {
                if let Fix::Undo { step, .. } = fix {
                    claimed.undone(*step);
                }
                progress(Progress::StepSucceeded { index, detail });
                out.done.push(summary);
            }
            Err(e) if already_gone(&e) => {
                if let Fix::Undo { step, .. } = fix {
                    claimed.undone(*step);
                }
                progress(Progress::StepSucceeded { index, detail: Some("already gone".into()) });
                out.done.push(summary);
            }
            Err(e) => {
                progress(Progress::StepFailed { index, message: e.to_string() });
                out.left.push((summary, e));
            }
        }
    }
    if out.left.is_empty() {
        claimed.close(Outcome::Recovered)?;
    }
    Ok(out)
}

async fn run_fix(session: &Session, keychain: &Keychain, account: &str, fix: &Fix) -> Result<Option<String>> {
    match fix {
        Fix::Remember { entry } => {
            Record::append((**entry).clone())?;
            Ok(None)
        }
        Fix::FinishRevoke { entry } => {
            // Sessions were cut off first by the revoke that was interrupted (or it was asked not to).
            let opts = crate::access::revoke::RevokeOptions { adopt: false, keep_sessions: true };
            let plan = crate::access::revoke::plan_revoke(session, entry, opts).await?;
            crate::access::revoke::revoke(session, keychain, &plan, &mut |_| {}).await.map_err(|f| f.error)?;
            Ok(Some(format!("{} step(s)", plan.steps.len())))
        }
        Fix::AddKeyToRecord { record_id, access_key_id } => {
            Record::modify(|r| {
                if let Some(e) = r.entries.iter_mut().find(|e| &e.id == record_id) {
                    if !e.access_key_ids.contains(access_key_id) {
                        e.access_key_ids.push(access_key_id.clone());
                    }
                }
            })?;
            Ok(None)
        }
        Fix::DeleteNewKey { user, access_key_id, since, spare } => {
            let deleted = delete_new_keys(session, keychain, account, user, access_key_id.as_deref(), since, spare).await?;
            Ok(Some(if deleted.is_empty() { "there was none".to_string() } else { format!("deleted {}", deleted.join(", ")) }))
        }
        Fix::Undo { action, output, answered, since, .. } => {
            if !answered {
                match made_by_this_change(session, action, since).await? {
                    None => return Ok(Some("it had not happened".into())),
                    Some(false) => return Err(Error::invalid("recovery", "what it names exists but was not made by this change (no created-by tag, or older), so it is left alone")),
                    Some(true) => {}
                }
            }
            let owner = match &**action {
                Action::SaveSecretToKeychain { user_name, .. } => Some(user_name.clone()),
                _ => None,
            };
            // The keychain entry of a saved secret: known from the key's id in the same change.
            let key_ref = owner.and_then(|owner| output.access_key_id.clone().map(|id| KeyRef { account: account.to_string(), owner, access_key_id: id }));
            undo_step(session, Some(keychain), Some(account.to_string()), key_ref, action, output).await?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_times_compare_with_slack() {
        let t = aws_smithy_types::DateTime::from_secs(1_800_000_000);
        let at = |s: u64| crate::record::format_time(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert!(made_since(Some(&t), &at(1_800_000_000)));
        assert!(made_since(Some(&t), &at(1_800_000_004)), "a clock a few seconds ahead");
        assert!(!made_since(Some(&t), &at(1_800_000_060)), "made a minute before the step began: not ours");
        assert!(made_since(None, ""), "no time needed when the whole user is this change's");
        assert!(!made_since(None, &at(1)));
    }
}
