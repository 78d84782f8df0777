//! Commands that hand a key (or a role's handoff sheet) over: reveal, copy, CSV, AWS profile, the check
//! that AWS accepts the key. The secret stays in Rust state; files are written where the native save
//! dialog, opened here, says.

use crate::ipc::*;
use crate::state::{choose_save_path, AppState};
use s3aw_core::export::{self, CsvFormat};
use s3aw_core::probe::{wait_until_key_works, Backoff};
use tauri::ipc::Channel;
use tauri::State;

/// The secret, on an explicit Reveal click. The only command that sends a secret to the webview.
#[tauri::command]
pub async fn reveal_secret(state: State<'_, AppState>) -> IpcResult<String> {
    let guard = state.last_key.lock().await;
    let k = guard.as_ref().ok_or_else(|| IpcError::new(ShellCode::NoKey, "There is no new key to show."))?;
    Ok(k.key.secret_access_key.expose().to_string())
}

/// Copy the secret from the Rust side; the clipboard is cleared after 30 s if it still holds it.
#[tauri::command]
pub async fn copy_secret(state: State<'_, AppState>) -> IpcResult<()> {
    let secret = {
        let guard = state.last_key.lock().await;
        guard.as_ref().ok_or_else(|| IpcError::new(ShellCode::NoKey, "There is no new key to copy."))?.key.secret_access_key.clone()
    };
    crate::clipboard::write(secret.expose())?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        if crate::clipboard::read().map(|t| t == secret.expose()).unwrap_or(false) {
            let _ = crate::clipboard::write("");
        }
    });
    Ok(())
}

/// Save the key as a CSV where the user chooses in the native dialog. `None` when they cancel.
#[tauri::command]
pub async fn save_csv(app: tauri::AppHandle, state: State<'_, AppState>, importable: bool) -> IpcResult<Option<String>> {
    let user_name = state.last_key.lock().await.as_ref().map(|k| k.user_name.clone()).ok_or_else(|| IpcError::new(ShellCode::NoKey, "There is no new key to export."))?;
    let Some(path) = choose_save_path(&app, &format!("{user_name}_accessKeys.csv"), ("CSV", &["csv"])).await else { return Ok(None) };
    let guard = state.last_key.lock().await;
    let k = guard.as_ref().ok_or_else(|| IpcError::new(ShellCode::NoKey, "There is no new key to export."))?;
    let format = if importable { CsvFormat::Importable } else { CsvFormat::Console };
    // The native dialog already asked about replacing an existing file.
    export::write_csv(&path, &k.key, &k.user_name, format, true)?;
    Ok(Some(path.display().to_string()))
}

#[tauri::command]
pub async fn add_aws_profile(state: State<'_, AppState>, name: String) -> IpcResult<String> {
    let guard = state.last_key.lock().await;
    let k = guard.as_ref().ok_or_else(|| IpcError::new(ShellCode::NoKey, "There is no new key to add."))?;
    let path = export::write_credentials_profile(name.trim(), &k.key, false)?;
    Ok(path.display().to_string())
}

/// Save the connect kit for the recipient of the key on screen: an rclone remote or a Cyberduck bookmark
/// that opens its bucket and folder, where the user chooses.
#[tauri::command]
pub async fn save_kit(app: tauri::AppHandle, state: State<'_, AppState>, kind: KitKind) -> IpcResult<Option<String>> {
    let key = state.last_key.lock().await.as_ref().map(|k| k.key.clone()).ok_or_else(|| IpcError::new(ShellCode::NoKey, "There is no key to hand over."))?;
    let entry = s3aw_core::record::Record::load()?.find(&key.access_key_id)?.clone();
    let session = state.session().await?;
    let target = s3aw_core::kit::KitTarget::for_entry(&session, &entry).await?;
    let name = s3aw_core::kit::default_remote_name(&target);
    let (suggested, filter) = match kind {
        KitKind::Rclone => (format!("{name}-rclone.conf"), ("rclone config", &["conf"][..])),
        KitKind::Cyberduck => (format!("{name}.duck"), ("Cyberduck bookmark", &["duck"][..])),
    };
    let Some(path) = choose_save_path(&app, &suggested, filter).await else { return Ok(None) };
    // The native dialog already asked about replacing an existing file.
    match kind {
        KitKind::Rclone => target.write_rclone(&path, &name, &key, true)?,
        KitKind::Cyberduck => target.write_cyberduck(&path, &format!("{name} (S3 Access Wizard)"), &key.access_key_id, true)?,
    }
    Ok(Some(path.display().to_string()))
}

/// Save the handoff sheet of the role just created, as Markdown or JSON, where the user chooses.
#[tauri::command]
pub async fn save_handoff(app: tauri::AppHandle, state: State<'_, AppState>, format: HandoffFormat) -> IpcResult<Option<String>> {
    let name = state.last_handoff.lock().await.as_ref().map(|h| h.role_arn.rsplit('/').next().unwrap_or("role").to_string());
    let name = name.ok_or_else(|| IpcError::new(ShellCode::NoHandoff, "There is no new role to describe."))?;
    let (ext, filter) = match format {
        HandoffFormat::Markdown => ("md", ("Markdown", &["md"][..])),
        HandoffFormat::Json => ("json", ("JSON", &["json"][..])),
    };
    let Some(path) = choose_save_path(&app, &format!("{name}-handoff.{ext}"), filter).await else { return Ok(None) };
    // The sheet's format follows the file's extension; a name typed without one gets it.
    let path = if path.extension().is_none() { path.with_extension(ext) } else { path };
    let guard = state.last_handoff.lock().await;
    let sheet = guard.as_ref().ok_or_else(|| IpcError::new(ShellCode::NoHandoff, "There is no new role to describe."))?;
    sheet.write(&path, true)?;
    Ok(Some(path.display().to_string()))
}

/// Wait until AWS accepts the new key, reporting each wait for a visible countdown.
#[tauri::command]
pub async fn wait_for_key(state: State<'_, AppState>, on_event: Channel<WaitDto>) -> IpcResult<WaitResultDto> {
    let session = state.session().await?;
    let key = state.last_key.lock().await.as_ref().map(|k| k.key.clone()).ok_or_else(|| IpcError::new(ShellCode::NoKey, "There is no new key to check."))?;
    let backoff = Backoff::default();
    let budget = backoff.budget.as_secs() as u32;
    let result = wait_until_key_works(&session, &key, &backoff, |attempt, waited| {
        let _ = on_event.send(WaitDto::NotYet { attempt, waited_seconds: waited.as_secs() as u32, budget_seconds: budget });
    })
    .await;
    Ok(match result {
        Ok(w) => WaitResultDto { works: true, attempts: w.attempts, message: "AWS accepts the new key: it is ready to use.".into() },
        Err(e) => WaitResultDto { works: false, attempts: 0, message: e.to_string() },
    })
}
