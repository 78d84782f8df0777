//! Key rotation: create a new key, save it, wait until AWS accepts it, deactivate the old one, and (when
//! asked) delete it. The order keeps one promise whatever fails: the user still has a working key whose
//! secret is in the keychain. Before the new key works, a failure removes it again and the old key is
//! untouched; after, a failure leaves both usable and says which step to finish.

use super::{out_of_reach, user_keys};
use crate::apply::Progress;
use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::keychain::{run_blocking, KeyRef, Keychain};
use crate::probe::{wait_until_key_works, Backoff};
use crate::record::{Record, RecordEntry};
use crate::iam::{Principal, REVOKE_OLDER_SESSIONS};
use crate::journal::{self, Entry, Outcome};
use crate::secret::AccessKey;

/// One step of a rotation (written to the intent journal as it starts).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum RotateStep {
    /// Make room: a user may have two keys.
    DeleteInactiveKey { access_key_id: String },
    CreateKey,
    SaveKey,
    WaitUntilAccepted,
    DeactivateOld,
    DeleteOld,
    /// Refuse sessions made before now (sts:GetSessionToken with the old key lasts up to 36 hours).
    RevokeOlderSessions,
}

/// A rotation, worked out from the account's current keys. Nothing has changed yet.
#[derive(Clone, Debug, PartialEq)]
pub struct RotatePlan {
    pub entry: RecordEntry,
    pub user_name: String,
    pub old_key_id: String,
    pub steps: Vec<RotateStep>,
}

impl RotatePlan {
    /// The inactive key the plan deletes first to make room, if any.
    pub fn deletes_inactive_key(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            RotateStep::DeleteInactiveKey { access_key_id } => Some(access_key_id.as_str()),
            _ => None,
        })
    }

    pub fn summary(&self, step: &RotateStep) -> String {
        let old = &self.old_key_id;
        match step {
            RotateStep::DeleteInactiveKey { access_key_id } => format!("Delete the inactive key {access_key_id} (a user can have only two keys)"),
            RotateStep::CreateKey => format!("Create a new access key for \"{}\"", self.user_name),
            RotateStep::SaveKey => "Save the new secret in this computer's keychain".to_string(),
            RotateStep::WaitUntilAccepted => "Wait until AWS accepts the new key".to_string(),
            RotateStep::DeactivateOld => format!("Deactivate the old key {old}"),
            RotateStep::DeleteOld => format!("Delete the old key {old} and its saved secret"),
            RotateStep::RevokeOlderSessions => format!(
                "Cut off all temporary sessions of \"{}\" made before now, from any of its keys (one made with the old key would last up to 36 hours); its keys keep working. AWS applies this within minutes",
                self.user_name
            ),
        }
    }

    pub fn summaries(&self) -> Vec<String> {
        self.steps.iter().map(|s| self.summary(s)).collect()
    }
}

/// How to rotate.
#[derive(Clone, Debug, Default)]
pub struct RotateOptions {
    /// The key to replace; by default the one active key the app created for this user.
    pub old_key: Option<String>,
    /// Delete the old key at the end instead of only deactivating it.
    pub delete_old: bool,
    /// With `delete_old`: leave sessions made from the old key alone (by default they are cut off).
    pub keep_sessions: bool,
}

/// Work out the rotation of `entry`'s key from the user's current keys.
pub async fn plan_rotation(session: &Session, entry: &RecordEntry, opts: &RotateOptions) -> Result<RotatePlan> {
    let user = entry.user_name.clone().ok_or_else(|| Error::invalid("access", format!("{} has no access keys to rotate: the other account signs in through the role", entry.principal_label())))?;
    let account = session.whoami().await?.account;
    if let Some(why) = out_of_reach(session, &account, entry) {
        return Err(Error::OutOfReach { why: format!("This access was {why}") });
    }
    let keys = user_keys(session, &user).await?.ok_or_else(|| Error::invalid("access", format!("IAM user \"{user}\" no longer exists in this account; remove it from the list with revoke")))?;
    let active = |id: &str| keys.iter().any(|k| k.access_key_id() == Some(id) && k.status().map(|s| s.as_str()) == Some("Active"));
    let exists = |id: &str| keys.iter().any(|k| k.access_key_id() == Some(id));
    let old = match &opts.old_key {
        Some(id) => {
            if !entry.access_key_ids.contains(id) {
                return Err(Error::invalid("access key", format!("{id} is not a key this app created or imported for \"{user}\"")));
            }
            if !exists(id) {
                return Err(Error::invalid("access key", format!("{id} no longer exists in AWS; there is nothing to rotate")));
            }
            id.clone()
        }
        None => {
            let candidates: Vec<&String> = entry.access_key_ids.iter().filter(|id| active(id)).collect();
            match candidates.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    return Err(Error::invalid(
                        "access key",
                        format!("\"{user}\" has no active key that this app created or imported; nothing to rotate"),
                    ))
                }
                many => {
                    return Err(Error::invalid(
                        "access key",
                        format!("\"{user}\" has {} active keys from this app ({}); say which one to replace", many.len(), many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
                    ))
                }
            }
        }
    };
    let mut steps = Vec::new();
    if keys.len() >= 2 {
        let other = keys.iter().filter_map(|k| k.access_key_id()).find(|id| *id != old).unwrap_or_default().to_string();
        let ours = entry.created_user || entry.access_key_ids.contains(&other);
        if active(&other) {
            return Err(Error::invalid(
                "access key",
                format!("\"{user}\" already has two active keys ({old} and {other}), the most AWS allows; delete or deactivate one of them first"),
            ));
        }
        if !ours {
            return Err(Error::invalid("access key", format!("\"{user}\" already has two keys, the most AWS allows; the inactive key {other} was not made by this app, so delete it yourself first")));
        }
        // The plan says so first; callers ask before going ahead.
        steps.push(RotateStep::DeleteInactiveKey { access_key_id: other });
    }
    steps.extend([RotateStep::CreateKey, RotateStep::SaveKey, RotateStep::WaitUntilAccepted]);
    if active(&old) {
        steps.push(RotateStep::DeactivateOld);
    }
    if opts.delete_old {
        steps.push(RotateStep::DeleteOld);
        if !opts.keep_sessions {
            steps.push(RotateStep::RevokeOlderSessions);
        }
    }
    Ok(RotatePlan { entry: entry.clone(), user_name: user, old_key_id: old, steps })
}

/// The journal entry of a rotation: the access, its user and the key being replaced.
fn journal_change(session: &Session, plan: &RotatePlan) -> journal::Change {
    journal::Change {
        kind: journal::Kind::Rotate,
        summary: format!("Replace the key {} of IAM user \"{}\"", plan.old_key_id, plan.user_name),
        account: Some(plan.entry.account.clone()),
        endpoint: session.endpoint_url().map(str::to_string),
        steps: plan.steps.len(),
        detail: serde_json::json!({ "record_id": plan.entry.id, "user_name": plan.user_name, "old_key_id": plan.old_key_id }),
    }
}

/// A finished rotation.
#[derive(Debug)]
pub struct Rotated {
    pub new_key: AccessKey,
    pub keychain_entry: KeyRef,
    pub old_key_id: String,
    pub old_deleted: bool,
}

/// A rotation that stopped. `working` says which key works now; its secret is in the keychain.
#[derive(Debug)]
pub struct RotateFailure {
    pub failed_summary: String,
    pub error: Error,
    /// Whether the account and keychain are as they were before the rotation.
    pub clean: bool,
    pub working: String,
    /// What could not be undone or finished, for the user to do by hand.
    pub left: Vec<String>,
}

impl RotateFailure {
    pub fn explain(&self) -> String {
        let mut out = format!("Rotation stopped at: {}\n{}\n{}\n", self.failed_summary, self.error, self.working);
        for l in &self.left {
            out.push_str(&format!("Left to do: {l}\n"));
        }
        out
    }
}

struct Rotation<'a> {
    session: &'a Session,
    keychain: &'a Keychain,
    plan: &'a RotatePlan,
    new_key: Option<AccessKey>,
    saved: Option<KeyRef>,
}

/// Carry out `plan`, reporting progress.
pub async fn rotate(
    session: &Session,
    keychain: &Keychain,
    plan: &RotatePlan,
    backoff: &Backoff,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> std::result::Result<Rotated, RotateFailure> {
    let mut run = Rotation { session, keychain, plan, new_key: None, saved: None };
    let total = plan.steps.len();
    let mut old_deleted = false;
    let journal = Entry::begin(journal_change(session, plan)).map_err(|error| RotateFailure {
        failed_summary: plan.steps.first().map(|s| plan.summary(s)).unwrap_or_default(),
        error,
        clean: true,
        working: format!("The old key {} still works; nothing was changed.", plan.old_key_id),
        left: vec![],
    })?;
    for (index, step) in plan.steps.iter().enumerate() {
        let summary = plan.summary(step);
        progress(Progress::StepStarted { index, total, summary: summary.clone() });
        let result = match journal.intent(index, &summary, step) {
            Ok(()) => run.execute(step, backoff).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(detail) => {
                old_deleted |= *step == RotateStep::DeleteOld;
                journal.done(index, &serde_json::json!({ "access_key_id": run.new_key.as_ref().map(|k| k.access_key_id.clone()) }));
                progress(Progress::StepSucceeded { index, detail });
            }
            Err(error) => {
                progress(Progress::StepFailed { index, message: error.to_string() });
                let failure = run.recover(step, summary, error, progress).await;
                // Undone, or stopped with the new key working and the user told what is left: closed. A new
                // key that could not be taken away again stays open for `recover`.
                let key_works = matches!(step, RotateStep::DeactivateOld | RotateStep::DeleteOld | RotateStep::RevokeOlderSessions);
                if failure.clean || key_works {
                    let _ = journal.close(if failure.clean { Outcome::RolledBack } else { Outcome::Stopped });
                }
                return Err(failure);
            }
        }
    }
    let _ = journal.close(Outcome::Finished);
    match (run.new_key, run.saved) {
        (Some(new_key), Some(keychain_entry)) => Ok(Rotated { new_key, keychain_entry, old_key_id: plan.old_key_id.clone(), old_deleted }),
        _ => Err(RotateFailure {
            failed_summary: "the plan".into(),
            error: Error::Internal("the rotation plan created no key".into()),
            clean: true,
            working: String::new(),
            left: vec![],
        }),
    }
}

impl Rotation<'_> {
    async fn execute(&mut self, step: &RotateStep, backoff: &Backoff) -> Result<Option<String>> {
        let iam = &self.session.iam;
        let ctx = &self.session.ctx;
        let user = &self.plan.user_name;
        let entry = &self.plan.entry;
        match step {
            RotateStep::DeleteInactiveKey { access_key_id } => {
                delete_key(self.session, self.keychain, entry, access_key_id).await?;
                Ok(None)
            }
            RotateStep::CreateKey => {
                let key = crate::iam::create_access_key(self.session, user).await?;
                let detail = format!("access key {}", key.access_key_id);
                self.new_key = Some(key);
                Ok(Some(detail))
            }
            RotateStep::SaveKey => {
                let key = self.new_key.clone().ok_or_else(|| Error::Internal("there is no new key to save".into()))?;
                let key_ref = entry.key_ref(&key.access_key_id);
                let (k, r) = (self.keychain.clone(), key_ref.clone());
                run_blocking(move || k.store(&r, &key.secret_access_key)).await?;
                self.saved = Some(key_ref.clone());
                let (id, new_id) = (entry.id.clone(), key_ref.access_key_id.clone());
                Record::modify(|r| {
                    if let Some(e) = r.entries.iter_mut().find(|e| e.id == id) {
                        e.access_key_ids.push(new_id);
                    }
                })?;
                Ok(Some("saved in the keychain".into()))
            }
            RotateStep::WaitUntilAccepted => {
                let key = self.new_key.clone().ok_or_else(|| Error::Internal("there is no new key to try".into()))?;
                let w = wait_until_key_works(self.session, &key, backoff, |_, _| {}).await?;
                Ok(Some(format!("accepted after {} try/tries", w.attempts)))
            }
            RotateStep::DeactivateOld => {
                iam.update_access_key()
                    .user_name(user)
                    .access_key_id(&self.plan.old_key_id)
                    .status(aws_sdk_iam::types::StatusType::Inactive)
                    .send()
                    .await
                    .map_err(|e| from_sdk(ctx, "UpdateAccessKey", e))?;
                Ok(None)
            }
            RotateStep::DeleteOld => {
                delete_key(self.session, self.keychain, entry, &self.plan.old_key_id).await?;
                Ok(None)
            }
            RotateStep::RevokeOlderSessions => {
                crate::iam::revoke_older_sessions(self.session, &Principal::User(user.clone()), &crate::iam::session_cut_off(self.session).await).await?;
                Ok(Some(format!("policy \"{REVOKE_OLDER_SESSIONS}\" on the user")))
            }
        }
    }

    /// After `step` failed: undo what must be undone, and say which key works.
    async fn recover(&mut self, step: &RotateStep, failed_summary: String, error: Error, progress: &mut (dyn FnMut(Progress) + Send)) -> RotateFailure {
        let old = &self.plan.old_key_id;
        let old_works = format!("The old key {old} still works and its secret is where it was; nothing else changed.");
        match step {
            RotateStep::DeleteInactiveKey { .. } | RotateStep::CreateKey => RotateFailure { failed_summary, error, clean: true, working: old_works, left: vec![] },
            RotateStep::SaveKey | RotateStep::WaitUntilAccepted => {
                // The new key is not usable (not saved, or not accepted): take it away again.
                let mut left = Vec::new();
                if let Some(key) = self.new_key.take() {
                    let id = key.access_key_id.clone();
                    progress(Progress::RollbackStarted { steps: 1 });
                    if let Some(r) = self.saved.take() {
                        let k = self.keychain.clone();
                        if let Err(e) = run_blocking(move || k.delete(&r)).await {
                            left.push(format!("remove the keychain entry of the new key {id}: {e}"));
                        }
                    }
                    let entry_id = self.plan.entry.id.clone();
                    let rid = id.clone();
                    if let Err(e) = Record::modify(|r| {
                        if let Some(e) = r.entries.iter_mut().find(|e| e.id == entry_id) {
                            e.access_key_ids.retain(|k| *k != rid);
                        }
                    }) {
                        left.push(format!("remove {id} from the local record: {e}"));
                    }
                    match self.session.iam.delete_access_key().user_name(&self.plan.user_name).access_key_id(&id).send().await {
                        Ok(_) => progress(Progress::StepUndone { index: 0, summary: format!("Deleted the new key {id}") }),
                        Err(e) => {
                            let e = from_sdk(&self.session.ctx, "DeleteAccessKey", e);
                            progress(Progress::UndoFailed { index: 0, summary: format!("Delete the new key {id}"), message: e.to_string() });
                            left.push(format!("delete the unused new key {id} of \"{}\": {e}", self.plan.user_name));
                        }
                    }
                }
                RotateFailure { failed_summary, error, clean: left.is_empty(), working: old_works, left }
            }
            RotateStep::DeactivateOld => {
                let new = self.new_key.as_ref().map(|k| k.access_key_id.clone()).unwrap_or_default();
                RotateFailure {
                    failed_summary,
                    error,
                    clean: false,
                    working: format!("The new key {new} works and is saved in the keychain. The old key {old} also still works."),
                    left: vec![format!("deactivate or delete the old key {old} (rotate again, or delete it from \"My access\")")],
                }
            }
            RotateStep::DeleteOld => {
                let new = self.new_key.as_ref().map(|k| k.access_key_id.clone()).unwrap_or_default();
                RotateFailure {
                    failed_summary,
                    error,
                    clean: false,
                    working: format!("The new key {new} works and is saved in the keychain. The old key {old} is deactivated."),
                    left: vec![format!("delete the deactivated key {old}")],
                }
            }
            RotateStep::RevokeOlderSessions => {
                let new = self.new_key.as_ref().map(|k| k.access_key_id.clone()).unwrap_or_default();
                RotateFailure {
                    failed_summary,
                    error,
                    clean: false,
                    working: format!("The new key {new} works and is saved in the keychain. The old key {old} is deleted."),
                    left: vec![format!("cut off sessions made with the old key (the console's \"Revoke active sessions\"), or wait until they expire (at most 36 hours)")],
                }
            }
        }
    }
}

/// Delete one key the app created or imported: in AWS, in the keychain, and from the record. The session
/// must reach the entry's account and endpoint: connected elsewhere, AWS would answer "no such key" for a
/// key that still exists, and removing our copy would lose the only saved secret of a working key. A key
/// AWS says is gone is checked to be absent from the user's keys before our copy goes.
pub async fn delete_key(session: &Session, keychain: &Keychain, entry: &RecordEntry, access_key_id: &str) -> Result<()> {
    let user = entry.user_name.as_deref().ok_or_else(|| Error::invalid("access", "roles have no access keys"))?;
    if !entry.created_user && !entry.access_key_ids.iter().any(|k| k == access_key_id) {
        return Err(Error::invalid("access key", format!("{access_key_id} was not made by this app, so it is left alone")));
    }
    let account = session.whoami().await?.account;
    if let Some(why) = out_of_reach(session, &account, entry) {
        return Err(Error::OutOfReach { why: format!("The key {access_key_id} was not deleted: the access was {why}") });
    }
    match session.iam.delete_access_key().user_name(user).access_key_id(access_key_id).send().await {
        Ok(_) => {}
        Err(e) if super::is_no_such_entity(aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e)) => {
            if let Some(keys) = user_keys(session, user).await? {
                if keys.iter().any(|k| k.access_key_id() == Some(access_key_id)) {
                    return Err(Error::Internal(format!("AWS said {access_key_id} does not exist, but lists it for \"{user}\"; nothing was removed")));
                }
            }
        }
        Err(e) => return Err(from_sdk(&session.ctx, "DeleteAccessKey", e)),
    }
    let (k, r) = (keychain.clone(), entry.key_ref(access_key_id));
    run_blocking(move || k.delete(&r)).await?;
    let (id, key) = (entry.id.clone(), access_key_id.to_string());
    Record::modify(|r| {
        if let Some(e) = r.entries.iter_mut().find(|e| e.id == id) {
            e.access_key_ids.retain(|k| *k != key);
        }
    })
}

/// Cut off sessions made before now from the user's keys (after deleting a key, a session made with it
/// lives on for up to 36 hours). The same reach check as [`delete_key`].
pub async fn revoke_user_sessions(session: &Session, entry: &RecordEntry) -> Result<()> {
    let user = entry.user_name.clone().ok_or_else(|| Error::invalid("access", "only an IAM user's sessions are cut off here"))?;
    let account = session.whoami().await?.account;
    if let Some(why) = out_of_reach(session, &account, entry) {
        return Err(Error::OutOfReach { why: format!("Sessions were not cut off: the access was {why}") });
    }
    crate::iam::revoke_older_sessions(session, &Principal::User(user), &crate::iam::session_cut_off(session).await).await
}
