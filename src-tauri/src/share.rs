//! Commands for links you can stop (shares), drop-box upload pages, and exports for a team's engine. Each maps to `s3aw_core::share` or
//! `s3aw_core::presign`; the share is planned, reviewed and applied like any grant.

use crate::commands::{failure_dto, keep_for_review, send_progress};
use crate::ipc::*;
use crate::links::{link_dto, signing_session};
use crate::state::{choose_save_path, AppState};
use s3aw_core::apply::apply;
use s3aw_core::probe::{wait_until_key_works, Backoff};
use s3aw_core::record::Record;
use s3aw_core::share::{self, ShareRequest};
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::State;

/// Plan a share for review: the key made for it, its policy, and what the links will be able to do.
#[tauri::command]
pub async fn plan_share(state: State<'_, AppState>, args: ShareArgs) -> IpcResult<PlanDto> {
    let id = state.next_plan_id();
    let session = state.session().await?;
    let keychain = state.keychain.clone();
    if let Err(e) = s3aw_core::keychain::run_blocking(move || keychain.check_available()).await {
        return Err(IpcError::new(
            ShellCode::InvalidInput,
            format!("{e} A share keeps its key in the keychain to sign its links again later, so it needs a working keychain."),
        ));
    }
    let req = ShareRequest {
        bucket: args.bucket,
        prefix: args.prefix.as_deref().map(s3aw_core::validate::folder).transpose()?.flatten(),
        files: args.files,
        expires_in: Duration::from_secs(args.expires_seconds.into()),
    };
    let plan = share::plan_share(&session, &req, state.keychain.service()).await?;
    let can: Vec<CardLineDto> = s3aw_core::explain::for_share_plan(&plan, &req.files).unwrap_or_default().into_iter().map(Into::into).collect();
    *state.share_request.lock().await = Some(req);
    let mut dto = keep_for_review(&state, id, plan, None).await?;
    dto.can = can;
    Ok(dto)
}

/// Create the share the user reviewed (exactly that plan), then sign its links with its own key.
#[tauri::command]
pub async fn create_share(state: State<'_, AppState>, plan_id: u32, on_event: Channel<ProgressDto>) -> IpcResult<ShareOutcomeDto> {
    let session = state.session().await?;
    let plan = state.take_plan(plan_id).await?;
    let req = state.share_request.lock().await.take().ok_or_else(|| IpcError::new(ShellCode::StalePlan, "There is no reviewed share. Make it again."))?;
    let mut send = send_progress(&on_event);
    let applied = match apply(&session, &plan, Some(&state.keychain), &mut send).await {
        Ok(a) => a,
        Err(f) => return Ok(ShareOutcomeDto { ok: false, id: None, links: vec![], ends_text: None, failure: Some(failure_dto(&f)) }),
    };
    let entry = share::remember(&session, &plan, &applied, &req)?;
    if let Some(key) = &applied.access_key {
        wait_until_key_works(&session, key, &Backoff::default(), |_, _| {}).await?;
    }
    let links = share::sign(&session, &state.keychain, &entry, req.expires_in).await?;
    let dto = links.iter().map(link_dto).collect();
    *state.links.lock().await = links;
    Ok(ShareOutcomeDto { ok: true, id: Some(entry.id.clone()), links: dto, ends_text: entry.ends_at.as_deref().map(s3aw_core::limits::describe_end), failure: None })
}

/// Move a share's end and sign its links again.
#[tauri::command]
pub async fn extend_share(state: State<'_, AppState>, id: String, expires_seconds: u32) -> IpcResult<ShareOutcomeDto> {
    let session = state.session().await?;
    let entry = Record::load()?.get(&id).cloned().ok_or_else(|| IpcError::new(ShellCode::NotFound, "This share is no longer in the list. Reload it."))?;
    let (updated, links) = share::extend(&session, &state.keychain, &entry, Duration::from_secs(expires_seconds.into())).await?;
    let dto = links.iter().map(link_dto).collect();
    *state.links.lock().await = links;
    Ok(ShareOutcomeDto { ok: true, id: Some(updated.id.clone()), links: dto, ends_text: updated.ends_at.as_deref().map(s3aw_core::limits::describe_end), failure: None })
}

/// Sign a drop-box form for a folder and save its upload page where the user chooses.
#[tauri::command]
pub async fn save_drop_box(app: tauri::AppHandle, state: State<'_, AppState>, args: DropBoxArgs) -> IpcResult<Option<DropBoxSavedDto>> {
    let rules = s3aw_core::presign::PostRules::new(&args.folder, s3aw_core::presign::parse_size(&args.max_size)?, args.content_type.as_deref())?;
    let expires = Duration::from_secs(args.expires_seconds.into());
    s3aw_core::presign::check_expiry(expires)?;
    let session = signing_session(&state, args.signer.as_deref()).await?;
    let form = s3aw_core::presign::presign_post(&session, &args.bucket, &rules, expires).await?;
    let name = format!("upload-to-{}-{}.html", args.bucket, rules.folder.trim_end_matches('/').replace('/', "-"));
    let Some(path) = choose_save_path(&app, &name, ("Web page", &["html"])).await else { return Ok(None) };
    // The page carries a signature that lets anyone upload: private until the user sends it.
    s3aw_core::export::write_private_file(&path, &form.html(), true)?;
    Ok(Some(DropBoxSavedDto {
        path: path.display().to_string(),
        ends_text: s3aw_core::limits::describe_end(&s3aw_core::record::format_time(form.expires_at)),
        note: form.lifetime_note(),
    }))
}

fn iac_file(format: IacFormatDto, stem: &str) -> (String, (&'static str, &'static [&'static str])) {
    match format {
        IacFormatDto::CloudformationYaml => (format!("{stem}.cfn.yaml"), ("CloudFormation template", &["yaml", "yml"])),
        IacFormatDto::CloudformationJson => (format!("{stem}.cfn.json"), ("CloudFormation template", &["json"])),
        IacFormatDto::Terraform => (format!("{stem}.tf"), ("Terraform", &["tf"])),
    }
}

/// "Export for your team" on Review: the plan on screen (left in place, still appliable) as CloudFormation
/// or Terraform, where the user chooses. Changes nothing in the account. Returns the files written (a
/// CloudFormation export of something that exists already has three: its two steps and the import list).
#[tauri::command]
pub async fn export_plan_iac(app: tauri::AppHandle, state: State<'_, AppState>, plan_id: u32, format: IacFormatDto) -> IpcResult<Option<Vec<String>>> {
    let plan = state.plan_copy(plan_id).await?;
    let model = s3aw_core::iac::IacModel::from_plan(&plan)?;
    let stem = plan.creates_key_for().map(str::to_string).unwrap_or_else(|| format!("s3-access-{}", plan.request.scope.bucket));
    let (name, filter) = iac_file(format, &stem);
    let Some(path) = choose_save_path(&app, &name, filter).await else { return Ok(None) };
    let files = model.write(format.into(), &path, true)?;
    Ok(Some(files.iter().map(|f| f.display().to_string()).collect()))
}

/// "Export for your team" in My access: the access as it is in the account now, marked for import.
#[tauri::command]
pub async fn export_access_iac(app: tauri::AppHandle, state: State<'_, AppState>, id: String, format: IacFormatDto) -> IpcResult<Option<Vec<String>>> {
    let session = state.session().await?;
    let entry = Record::load()?.get(&id).cloned().ok_or_else(|| IpcError::new(ShellCode::NotFound, "This access is no longer in the list. Reload it."))?;
    let one = Record { version: 1, entries: vec![entry.clone()] };
    let status = s3aw_core::access::status(&session, &state.keychain, &one).await?.pop().ok_or_else(|| IpcError::new(ShellCode::NotFound, "This access is no longer in the list."))?;
    let model = s3aw_core::iac::IacModel::from_access(&session, &status).await?;
    let stem = entry.user_name.clone().or(entry.role_name.clone()).unwrap_or_else(|| "access".into());
    let (name, filter) = iac_file(format, &stem);
    let Some(path) = choose_save_path(&app, &name, filter).await else { return Ok(None) };
    let files = model.write(format.into(), &path, true)?;
    Ok(Some(files.iter().map(|f| f.display().to_string()).collect()))
}
