//! "A change was interrupted": the banner's commands. The app finds interrupted changes in the intent
//! journal at start (no AWS call), works out how to finish or undo one once connected, and runs exactly
//! the recovery the user reviewed.

use crate::commands::send_progress;
use crate::ipc::*;
use crate::state::AppState;
use s3aw_core::{journal, recover};
use tauri::ipc::Channel;
use tauri::State;

/// Interrupted changes (the intent journal's open entries whose process is gone), oldest first. A damaged
/// record or journal is an error that names the file.
#[tauri::command]
pub async fn interrupted_changes() -> IpcResult<Vec<InterruptedDto>> {
    Ok(journal::interrupted()?.iter().map(|r| InterruptedDto { id: r.id.clone(), description: r.describe() }).collect())
}

/// How the interrupted change `id` would be finished or undone, from the account's live state (reads
/// only). The plan is held for [`run_recovery`], which runs it and nothing else.
#[tauri::command]
pub async fn plan_recovery(state: State<'_, AppState>, id: String) -> IpcResult<RecoveryPlanDto> {
    let session = state.session().await?;
    let read = journal::interrupted()?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| IpcError::new(ShellCode::NotFound, "This interrupted change is no longer open: another window or the command line may have recovered it."))?;
    let plan = recover::plan(&session, &state.keychain, &read).await?;
    let dto = RecoveryPlanDto {
        id,
        description: plan.description.clone(),
        finishes: plan.finishes,
        steps: plan.fixes.iter().map(recover::Fix::summary).collect(),
        notes: plan.notes.clone(),
    };
    *state.recover_plan.lock().await = Some(plan);
    Ok(dto)
}

/// Run the recovery of `id` the user reviewed.
#[tauri::command]
pub async fn run_recovery(state: State<'_, AppState>, id: String, on_event: Channel<ProgressDto>) -> IpcResult<RecoveredDto> {
    let session = state.session().await?;
    let plan = state
        .recover_plan
        .lock()
        .await
        .take()
        .filter(|p| p.entry.id == id)
        .ok_or_else(|| IpcError::new(ShellCode::StalePlan, "There is no reviewed recovery for this change. Choose \"Review how to finish or undo it\" again."))?;
    let mut send = send_progress(&on_event);
    let out = recover::run(&session, &state.keychain, &plan, &mut send).await?;
    Ok(RecoveredDto { finished: plan.finishes, done: out.done, left: out.left.iter().map(|(s, e)| format!("{s}: {e}")).collect() })
}
