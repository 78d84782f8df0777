//! Commands of the links screen: browse a bucket's folders (streamed page by page), choose who signs, make
//! download or upload links, test one, and export links for a whole folder as CSV.

use crate::ipc::*;
use crate::state::AppState;
use s3aw_core::connect::Session;
use s3aw_core::presign::{self, LinkKind};
use s3aw_core::record::format_time;
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
pub async fn list_objects(state: State<'_, AppState>, bucket: String, prefix: String, on_page: Channel<ObjectPageDto>) -> IpcResult<ListedDto> {
    let session = state.session().await?;
    let (folders, objects) = s3aw_core::inventory::list_objects_paged(&session, &bucket, &prefix, |folders, objects| {
        let _ = on_page.send(ObjectPageDto {
            folders,
            objects: objects.into_iter().map(|o| ObjectDto { key: o.key, size: o.size, last_modified: o.last_modified }).collect(),
        });
    })
    .await?;
    Ok(ListedDto { folders: folders as u32, objects: objects as u32 })
}

/// Keys this app saved on this machine (their secrets are in the keychain), to sign with.
#[tauri::command]
pub async fn saved_signers(state: State<'_, AppState>) -> IpcResult<Vec<SignerDto>> {
    Ok(s3aw_core::credential_process::saved_keys(&state.keychain)
        .await?
        .into_iter()
        .map(|(e, id)| {
            let what = if e.bucket.is_empty() { "imported key".to_string() } else { format!("{} access to s3://{}/{}", e.level, e.bucket, e.prefix.as_deref().unwrap_or("")) };
            SignerDto { access_key_id: id, label: format!("{} — {what}", e.principal_label()) }
        })
        .collect())
}

pub(crate) async fn signing_session(state: &AppState, signer: Option<&str>) -> IpcResult<Arc<Session>> {
    let session = state.session().await?;
    Ok(match signer {
        None => session,
        Some(id) => Arc::new(session.with_key(&s3aw_core::credential_process::load_saved_key(&state.keychain, id).await?)),
    })
}

#[tauri::command]
pub async fn signer_info(state: State<'_, AppState>, signer: Option<String>) -> IpcResult<SignerInfoDto> {
    let session = signing_session(&state, signer.as_deref()).await?;
    let life = presign::credentials_lifetime(&session).await?;
    Ok(SignerInfoDto { temporary: life.temporary, expires_at: life.expires_at.map(format_time) })
}

pub(crate) fn link_dto(l: &presign::Link) -> LinkDto {
    LinkDto {
        key: l.key.clone(),
        method: if l.method == "PUT" { LinkMethod::Put } else { LinkMethod::Get },
        url: l.url.clone(),
        expires_at: format_time(l.expires_at),
        cut_short: l.cut_short_by_credentials,
        curl: l.curl(),
    }
}

#[tauri::command]
pub async fn presign_links(state: State<'_, AppState>, args: PresignArgs) -> IpcResult<Vec<LinkDto>> {
    if args.keys.is_empty() {
        return Err(IpcError::new(ShellCode::InvalidInput, "Choose at least one file, or type the name of a file to upload."));
    }
    let session = signing_session(&state, args.signer.as_deref()).await?;
    let expires = Duration::from_secs(args.expires_seconds.into());
    presign::check_expiry(expires)?;
    s3aw_core::validate::bucket_name(&args.bucket)?;
    let kind = if args.upload { LinkKind::Upload { content_type: args.content_type.filter(|c| !c.trim().is_empty()) } } else { LinkKind::Download };
    let signer = presign::Signer::new(&session, &args.bucket, expires).await?;
    let mut links = Vec::with_capacity(args.keys.len());
    for key in &args.keys {
        if key.is_empty() {
            return Err(IpcError::new(ShellCode::InvalidInput, "A file name (object key) is empty."));
        }
        links.push(signer.sign(key, &kind).await?);
    }
    let dto = links.iter().map(link_dto).collect();
    *state.links.lock().await = links;
    Ok(dto)
}

/// Fetch one of the links just made (by its position) and say whether it works.
#[tauri::command]
pub async fn test_link(state: State<'_, AppState>, index: u32) -> IpcResult<LinkTestDto> {
    let link = state.links.lock().await.get(index as usize).cloned().ok_or_else(|| IpcError::new(ShellCode::NoLink, "Make the links again; this one is gone."))?;
    let t = presign::test_link(&link).await?;
    Ok(LinkTestDto { works: t.works, status: t.status, message: t.message })
}

/// Download links for every file under a folder, written as CSV (key, url, expires_at), owner-only, where
/// the user chooses in the native save dialog (opened here). `None` when they cancel.
#[tauri::command]
pub async fn presign_folder_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    bucket: String,
    prefix: String,
    expires_seconds: u32,
    signer: Option<String>,
    on_progress: Channel<u32>,
) -> IpcResult<Option<String>> {
    let session = signing_session(&state, signer.as_deref()).await?;
    s3aw_core::validate::bucket_name(&bucket)?;
    let expires = Duration::from_secs(expires_seconds.into());
    presign::check_expiry(expires)?;
    let folder: String = prefix.trim_end_matches('/').chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
    let name = format!("{bucket}-{}-links.csv", if folder.is_empty() { "all" } else { folder.as_str() });
    let Some(path) = crate::state::choose_save_path(&app, &name, ("CSV", &["csv"])).await else { return Ok(None) };
    // The native dialog already asked about replacing an existing file.
    let count = presign::write_prefix_csv(&session, &bucket, &prefix, expires, &path, true, |n| {
        let _ = on_progress.send(n as u32);
    })
    .await?;
    Ok(Some(format!("{count} link(s) saved to {}", path.display())))
}
