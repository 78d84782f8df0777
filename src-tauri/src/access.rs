//! Commands of the "My access" screen: list, rotate, delete a key, revoke, import, and hand a saved key over
//! again. Each maps to `s3aw_core::access` and converts to the IPC types; secrets stay in Rust state.

use crate::commands::send_progress;
use crate::ipc::*;
use crate::state::{AppState, NewKey};
use s3aw_core::access::revoke::{plan_revoke as core_plan_revoke, revoke as core_revoke, RevokeOptions};
use s3aw_core::access::rotate::{delete_key, plan_rotation, revoke_user_sessions, rotate, RotateOptions};
use s3aw_core::access::{self, AccessStatus, Live};
use s3aw_core::probe::Backoff;
use s3aw_core::record::Record;
use s3aw_core::secret::AccessKey;
use tauri::ipc::Channel;
use tauri::State;

/// How soon before its end an access is called out.
const ENDS_SOON: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

fn access_dto(s: AccessStatus, partition: &str) -> AccessDto {
    let now = std::time::SystemTime::now();
    let max_age = s3aw_core::access::key_max_age_days();
    let limits = s.limits();
    let expired = s.expired(now);
    let ends_soon = !expired && s3aw_core::limits::Limits { ends_at: limits.ends_at.clone(), source_ips: vec![] }.ended(now + ENDS_SOON);
    let can = s3aw_core::explain::for_access(&s, partition, None, None).map(|lines| lines.into_iter().map(Into::into).collect()).unwrap_or_default();
    let e = s.entry;
    let (state, state_detail) = match s.principal {
        Live::Exists => (AccessState::Exists, None),
        Live::Deleted => (AccessState::Deleted, Some("Deleted outside this app".to_string())),
        Live::Unchecked(why) => (AccessState::Unchecked, Some(why)),
    };
    let kind = match e.kind.as_str() {
        "role" => AccessKind::Role,
        "imported" => AccessKind::Imported,
        s3aw_core::share::KIND => AccessKind::Share,
        _ => AccessKind::IamUser,
    };
    AccessDto {
        label: e.principal_label(),
        level: LevelDto::parse(&e.level),
        id: e.id,
        kind,
        account: e.account,
        created_at: e.created_at,
        user_name: e.user_name,
        role_name: e.role_name,
        bucket: e.bucket,
        prefix: e.prefix,
        state,
        state_detail,
        keys: s
            .keys
            .into_iter()
            .map(|k| KeyStateDto {
                age_days: k.age_days(now).map(|d| d.min(u32::MAX as u64) as u32),
                rotation_due: k.rotation_due(now, max_age),
                rotate_after_days: max_age.min(u32::MAX as u64) as u32,
                access_key_id: k.access_key_id,
                status: match k.status.as_deref() {
                    Some("Active") => Some(KeyStatus::Active),
                    Some(_) => Some(KeyStatus::Inactive),
                    None => None,
                },
                created: k.created,
                last_used: k.last_used,
                last_used_service: k.last_used_service,
                in_keychain: k.in_keychain,
                recorded: k.recorded,
            })
            .collect(),
        policy: s.policy_document.map(|p| serde_json::to_string_pretty(&p).unwrap_or_default()),
        ends_text: limits.ends_at.as_deref().map(s3aw_core::limits::describe_end),
        ends_at: limits.ends_at,
        expired,
        ends_soon,
        source_ips: limits.source_ips,
        can,
        share_files: e.share_files,
    }
}

/// Accesses that have ended or end within a week, from the local record alone: shown when the app opens,
/// before any connection.
#[tauri::command]
pub async fn access_reminders() -> IpcResult<Vec<ReminderDto>> {
    let now = std::time::SystemTime::now();
    let record = Record::load()?;
    Ok(record
        .entries
        .iter()
        .filter(|e| e.ended(now) || e.ends_within(now, ENDS_SOON))
        .filter_map(|e| {
            let end = e.ends_at.clone()?;
            Some(ReminderDto { id: e.id.clone(), label: e.principal_label(), ends_text: s3aw_core::limits::describe_end(&end), ends_at: end, expired: e.ended(now) })
        })
        .collect())
}

/// "Someone gets an error…": what the other side saw or tried, answered with the most likely cause (reads only).
#[tauri::command]
pub async fn why_denied(state: State<'_, AppState>, id: String, action: Option<TriedDto>, key: Option<String>, error_text: String) -> IpcResult<WhyDto> {
    let session = state.session().await?;
    let e = entry(&id)?;
    let mut error = s3aw_core::why::read_error_text(&error_text);
    error.sse_c |= action == Some(TriedDto::UploadSseC);
    let action = action.map(|a| a.action());
    let key = key.filter(|k| !k.trim().is_empty());
    let attempt = s3aw_core::why::attempt_of(&e, action, key.as_deref(), &error)?;
    let a = s3aw_core::why::why(&session, &state.keychain, &e, &attempt, &error).await?;
    Ok(WhyDto { cause: a.cause.into(), message: a.message, fix: a.fix, decided_by: a.decided_by })
}

fn entry(id: &str) -> IpcResult<s3aw_core::record::RecordEntry> {
    Record::load()?.get(id).cloned().ok_or_else(|| IpcError::new(ShellCode::NotFound, "This access is no longer in the list. Reload it."))
}

#[tauri::command]
pub async fn list_access(state: State<'_, AppState>) -> IpcResult<Vec<AccessDto>> {
    let session = state.session().await?;
    let list = access::status(&session, &state.keychain, &Record::load()?).await?;
    Ok(list.into_iter().map(|s| access_dto(s, session.partition())).collect())
}

#[tauri::command]
pub async fn plan_rotate(state: State<'_, AppState>, id: String) -> IpcResult<RotatePlanDto> {
    let session = state.session().await?;
    let plan = plan_rotation(&session, &entry(&id)?, &RotateOptions::default()).await?;
    let dto = RotatePlanDto { old_key_id: plan.old_key_id.clone(), steps: plan.summaries(), deletes_inactive_key: plan.deletes_inactive_key().map(str::to_string) };
    *state.rotate_plan.lock().await = Some(plan);
    Ok(dto)
}

/// Run the rotation the user reviewed. On success the new key becomes the one to hand over (reveal, copy,
/// CSV, profile), as after a grant.
#[tauri::command]
pub async fn rotate_key(state: State<'_, AppState>, on_event: Channel<ProgressDto>) -> IpcResult<RotateOutcomeDto> {
    let session = state.session().await?;
    let plan = state.rotate_plan.lock().await.take().ok_or_else(|| IpcError::new(ShellCode::StalePlan, "There is no reviewed rotation. Choose Rotate again."))?;
    let mut send = send_progress(&on_event);
    Ok(match rotate(&session, &state.keychain, &plan, &Backoff::default(), &mut send).await {
        Ok(done) => {
            let outcome = RotateOutcomeDto {
                ok: true,
                user_name: Some(plan.user_name.clone()),
                access_id: plan.entry.id.clone(),
                new_access_key_id: Some(done.new_key.access_key_id.clone()),
                keychain_entry: Some(done.keychain_entry.entry_name()),
                old_access_key_id: done.old_key_id,
                old_deleted: done.old_deleted,
                failure: None,
            };
            *state.last_key.lock().await = Some(NewKey { key: done.new_key, user_name: plan.user_name });
            outcome
        }
        Err(f) => RotateOutcomeDto {
            ok: false,
            user_name: Some(plan.user_name),
            access_id: plan.entry.id.clone(),
            new_access_key_id: None,
            keychain_entry: None,
            old_access_key_id: plan.old_key_id,
            old_deleted: false,
            failure: Some(RotateFailureDto { summary: f.failed_summary, message: f.error.to_string(), working: f.working, left: f.left, clean: f.clean }),
        },
    })
}

/// Delete one key, and (unless the user unticked it) cut off sessions made from the user's keys before now.
#[tauri::command]
pub async fn delete_access_key(state: State<'_, AppState>, id: String, access_key_id: String, cut_off_sessions: bool) -> IpcResult<()> {
    let session = state.session().await?;
    let e = entry(&id)?;
    delete_key(&session, &state.keychain, &e, &access_key_id).await?;
    if cut_off_sessions {
        revoke_user_sessions(&session, &e).await?;
    }
    Ok(())
}

#[tauri::command]
pub async fn plan_revoke(state: State<'_, AppState>, id: String, adopt: bool, keep_sessions: bool) -> IpcResult<RevokePlanDto> {
    let session = state.session().await?;
    let e = entry(&id)?;
    let plan = core_plan_revoke(&session, &e, RevokeOptions { adopt, keep_sessions }).await?;
    let dto = RevokePlanDto {
        label: e.principal_label(),
        steps: plan.steps.iter().map(|s| StepLineDto { call: s.api_call().into(), summary: s.summary() }).collect(),
        kept: plan.kept.clone(),
    };
    *state.revoke_plan.lock().await = Some(plan);
    Ok(dto)
}

#[tauri::command]
pub async fn revoke(state: State<'_, AppState>, on_event: Channel<ProgressDto>) -> IpcResult<RevokeOutcomeDto> {
    let session = state.session().await?;
    let plan = state.revoke_plan.lock().await.take().ok_or_else(|| IpcError::new(ShellCode::StalePlan, "There is no reviewed revocation. Choose Revoke again."))?;
    let mut send = send_progress(&on_event);
    Ok(match core_revoke(&session, &state.keychain, &plan, &mut send).await {
        Ok(()) => RevokeOutcomeDto { ok: true, failed_summary: None, message: None, done: vec![], remaining: vec![] },
        Err(f) => RevokeOutcomeDto { ok: false, failed_summary: Some(f.failed_summary), message: Some(f.error.to_string()), done: f.done, remaining: f.remaining },
    })
}

/// Import a pasted key, or the text of a console CSV.
#[tauri::command]
pub async fn import_key(state: State<'_, AppState>, access_key_id: Option<String>, secret_access_key: Option<SecretInput>, csv: Option<SecretInput>) -> IpcResult<String> {
    let session = state.session().await?;
    let key = match (csv, access_key_id, secret_access_key) {
        (Some(text), _, _) => s3aw_core::export::parse_credentials_csv(text.0.expose())?.0,
        (None, Some(id), Some(secret)) if !secret.0.is_empty() => AccessKey { access_key_id: id.trim().to_string(), secret_access_key: secret.0 },
        _ => return Err(IpcError::new(ShellCode::InvalidInput, "Paste both the access key ID and the secret access key, or choose the CSV file the AWS console gave you.")),
    };
    let e = access::import_key(&session, &state.keychain, key).await?;
    Ok(e.id)
}

/// Make a saved key the one to hand over (reveal, copy, CSV, profile). Its secret stays in Rust.
#[tauri::command]
pub async fn select_saved_key(state: State<'_, AppState>, id: String, access_key_id: String) -> IpcResult<HandoverDto> {
    let e = entry(&id)?;
    let key = s3aw_core::credential_process::load_saved_key(&state.keychain, &access_key_id).await?;
    let user_name = e.user_name.clone().unwrap_or_default();
    let dto = HandoverDto { access_id: e.id.clone(), user_name: user_name.clone(), access_key_id: access_key_id.clone(), keychain_entry: e.key_ref(&access_key_id).entry_name() };
    *state.last_key.lock().await = Some(NewKey { key, user_name });
    Ok(dto)
}

/// Add a profile to ~/.aws/config whose `credential_process` is this app, so AWS tools read the key from
/// the keychain and no secret is written to a file. The profile names the access, so it keeps working
/// after a rotation.
#[tauri::command]
pub async fn use_from_aws(id: String, profile: String) -> IpcResult<String> {
    let exe = std::env::current_exe().map_err(|e| IpcError::new(ShellCode::Other, format!("Cannot find this program's path: {e}")))?;
    let added = s3aw_core::credential_process::use_from_aws(&exe, &id, &profile, None, false)?;
    Ok(added.path.display().to_string())
}

/// `s3-access-wizard credential-process --access ID`: print the saved key for AWS tools and exit, without
/// opening a window. Returns `None` when the arguments are not that.
pub fn credential_process_main(args: &[String]) -> Option<i32> {
    let [cmd, flag, id] = args else { return None };
    if cmd != "credential-process" || flag != "--access" {
        return None;
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    let keychain = crate::state::keychain();
    match rt.block_on(s3aw_core::credential_process::serve(&keychain, id)) {
        Ok(out) => {
            println!("{out}");
            Some(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Some(1)
        }
    }
}
