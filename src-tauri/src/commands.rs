//! Tauri commands of the connection and the wizard: each maps to engine operations and converts to and
//! from the IPC types. No AWS, policy or keychain logic lives here.

use crate::ipc::*;
use crate::state::AppState;
use s3aw_core::apply::{apply, Progress};
use s3aw_core::connect::{list_profiles as core_profiles, ConnectOptions, Session};
use s3aw_core::keychain::run_blocking;
use s3aw_core::plan::{build_plan, Plan, PlanOptions};
use s3aw_core::policy::{access_policy, Scope};
use s3aw_core::request::{AccessRequest, Hardening, IamUserOptions, Method, RoleOptions};
use s3aw_core::secret::PastedCredentials;
use tauri::ipc::Channel;
use tauri::State;

/// Credentials the sandbox emulator accepts (it checks none). Not secrets: the sandbox is not AWS.
const SANDBOX_KEY_ID: &str = "AKIASANDBOXEXAMPLE01";
const SANDBOX_SECRET: &str = "sandbox-secret-not-a-real-key";

/// What the window needs to know before it draws anything: given to the page by an initialisation script
/// (`app_info_script`), so the first screen does not wait for a call.
pub fn app_info(state: &AppState) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        sandbox_endpoint: state.sandbox_endpoint.clone(),
        keychain_service: state.keychain.service().into(),
        save_dialog_stand_in: crate::state::save_dialog_stand_in(),
    }
}

/// The window's global the UI reads its `AppInfo` from (ui/src/backend.ts).
pub const APP_INFO_GLOBAL: &str = "__S3AW_APP_INFO__";

/// A script that runs before the page's own: it sets `APP_INFO_GLOBAL` to the app info, frozen and
/// read-only. JSON is a JavaScript expression, so the serialised struct is the value as it stands.
pub fn app_info_script(info: &AppInfo) -> String {
    let json = serde_json::to_string(info).unwrap_or_else(|_| "null".into());
    format!("Object.defineProperty(window, \"{APP_INFO_GLOBAL}\", {{ value: Object.freeze({json}), writable: false, configurable: false }});")
}

/// The UI calls this once its first screen is drawn. With `S3AW_REPORT_READY=1` the app says so on stderr,
/// with the time since the process started: the package test and the start-up benchmark wait for it.
#[tauri::command]
pub fn ui_ready(screen: String) {
    if std::env::var_os("S3AW_REPORT_READY").is_some() {
        let ms = crate::STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or_default();
        eprintln!("s3aw-ready after {ms} ms: {screen}");
    }
}

#[tauri::command]
pub async fn list_profiles() -> Vec<ProfileDto> {
    core_profiles()
        .await
        .into_iter()
        .map(|p| {
            let status = s3aw_core::signin::session_status(&p);
            ProfileDto {
                signed_in: status.as_ref().map(|s| s.signed_in),
                identity: status.as_ref().map(|s| s.identity.clone()),
                expires_at: status.as_ref().and_then(|s| s.expires_at).map(s3aw_core::record::format_time),
                name: p.name,
                kind: p.kind.into(),
                region: p.region,
            }
        })
        .collect()
}

fn blank(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

#[tauri::command]
pub async fn connect(state: State<'_, AppState>, args: ConnectArgs) -> IpcResult<ConnectionDto> {
    let mut remember: Option<s3aw_core::secret::Secret> = None;
    let (opts, is_sandbox) = match args {
        ConnectArgs::Default { region, endpoint } => (ConnectOptions { region: blank(region), endpoint_url: blank(endpoint), ..Default::default() }, false),
        ConnectArgs::Profile { profile, region, endpoint } => {
            (ConnectOptions { profile: Some(profile), region: blank(region), endpoint_url: blank(endpoint), credentials: None }, false)
        }
        ConnectArgs::Saved { access_key_id, region, endpoint } => {
            let credentials = s3aw_core::connections::load(&state.keychain, &access_key_id).await?;
            (ConnectOptions { profile: None, region: blank(region), endpoint_url: blank(endpoint), credentials: Some(credentials) }, false)
        }
        ConnectArgs::Keys { access_key_id, secret_access_key, session_token, region, endpoint, remember: keep } => {
            if access_key_id.trim().is_empty() || secret_access_key.0.is_empty() {
                return Err(IpcError::new(ShellCode::InvalidInput, "Paste both the access key ID and the secret access key."));
            }
            let credentials = PastedCredentials {
                access_key_id: access_key_id.trim().to_string(),
                secret_access_key: secret_access_key.0,
                session_token: session_token.map(|t| t.0).filter(|t| !t.is_empty()),
            };
            if keep {
                if credentials.session_token.is_some() {
                    return Err(IpcError::new(
                        ShellCode::InvalidInput,
                        "Temporary keys (with a session token) expire, so they cannot be remembered. Untick \"Remember\" or paste long-term keys.",
                    ));
                }
                remember = Some(credentials.secret_access_key.clone());
            }
            (ConnectOptions { profile: None, region: blank(region), endpoint_url: blank(endpoint), credentials: Some(credentials) }, false)
        }
        ConnectArgs::Sandbox => {
            let endpoint = state.sandbox_endpoint.clone().ok_or_else(|| IpcError::new(ShellCode::NoSandbox, "No local sandbox is running. Start the app with `make run` to get one."))?;
            let credentials = PastedCredentials {
                access_key_id: SANDBOX_KEY_ID.into(),
                secret_access_key: s3aw_core::secret::Secret::new(SANDBOX_SECRET),
                session_token: None,
            };
            (ConnectOptions { profile: None, region: Some("us-east-1".into()), endpoint_url: Some(endpoint), credentials: Some(credentials) }, true)
        }
    };
    let key_id = opts.credentials.as_ref().map(|c| c.access_key_id.clone());
    let session = Session::connect(opts).await?;
    let id = session.whoami().await?;
    // Remembered only once AWS has accepted the keys.
    if let (Some(secret), Some(access_key_id)) = (remember, key_id) {
        let conn = s3aw_core::connections::SavedConnection { access_key_id, account: id.account.clone(), arn: id.arn.clone(), saved_at: s3aw_core::record::now_rfc3339() };
        s3aw_core::connections::remember(&state.keychain, conn, &secret).await?;
    }
    Ok(keep_session(&state, session, id, is_sandbox).await)
}

/// Connect with `opts` and make it the app's connection (a sign-in ends here too).
pub(crate) async fn connect_with(state: &AppState, opts: ConnectOptions, is_sandbox: bool) -> IpcResult<ConnectionDto> {
    let session = Session::connect(opts).await?;
    let id = session.whoami().await?;
    Ok(keep_session(state, session, id, is_sandbox).await)
}

async fn keep_session(state: &AppState, session: Session, id: s3aw_core::connect::Identity, is_sandbox: bool) -> ConnectionDto {
    let dto = ConnectionDto { account: id.account, arn: id.arn, region: session.region().into(), endpoint: session.endpoint_url().map(str::to_string), is_sandbox };
    state.set_session(session).await;
    dto
}

/// Async, as every command that reads a file: a plain `fn` command runs on the window's main thread.
#[tauri::command]
pub async fn list_saved_connections() -> IpcResult<Vec<SavedConnectionDto>> {
    Ok(s3aw_core::connections::list()?.into_iter().map(|c| SavedConnectionDto { access_key_id: c.access_key_id, account: c.account, arn: c.arn }).collect())
}

#[tauri::command]
pub async fn forget_connection(state: State<'_, AppState>, access_key_id: String) -> IpcResult<()> {
    Ok(s3aw_core::connections::forget(&state.keychain, &access_key_id).await?)
}

#[tauri::command]
pub async fn list_buckets(state: State<'_, AppState>) -> IpcResult<Vec<BucketDto>> {
    let session = state.session().await?;
    let buckets = s3aw_core::inventory::list_buckets(&session).await?;
    Ok(buckets.into_iter().map(|b| BucketDto { name: b.name, region: b.region }).collect())
}

#[tauri::command]
pub async fn list_folders(state: State<'_, AppState>, bucket: String, prefix: String) -> IpcResult<Vec<String>> {
    let session = state.session().await?;
    Ok(s3aw_core::inventory::list_folders(&session, &bucket, &prefix).await?)
}

pub(crate) fn scope(session: Option<&Session>, bucket: &str, prefix: Option<&str>, allow_list: bool) -> IpcResult<Scope> {
    let mut scope = Scope::new(bucket, prefix)?;
    scope.allow_list = allow_list;
    if let Some(s) = session {
        scope.partition = s.partition().to_string();
    }
    Ok(scope)
}

/// The exact policy for the current choices, for the live preview. Pure: no AWS call (a bucket's KMS key,
/// which the plan adds, is not known here).
#[tauri::command]
pub async fn policy_preview(state: State<'_, AppState>, bucket: String, prefix: Option<String>, level: LevelDto, allow_list: bool, limits: LimitsArgs) -> IpcResult<String> {
    let session = state.session().await.ok();
    let mut scope = scope(session.as_deref(), &bucket, prefix.as_deref(), allow_list)?;
    scope.limits = limits.to_limits()?;
    Ok(access_policy(&scope, level.into()).to_json_pretty())
}

#[tauri::command]
pub async fn bucket_cors(state: State<'_, AppState>, bucket: String) -> IpcResult<Vec<CorsRuleDto>> {
    let session = state.session().await?;
    let rules = s3aw_core::inventory::bucket_cors(&session, &bucket).await?;
    Ok(rules.into_iter().map(CorsRuleDto::from).collect())
}

#[tauri::command]
pub async fn plan_grant(state: State<'_, AppState>, args: GrantArgs) -> IpcResult<PlanDto> {
    let id = state.next_plan_id();
    let session = state.session().await?;
    let keychain = state.keychain.clone();
    let keychain_problem = run_blocking(move || keychain.check_available()).await.err().map(|e| e.to_string());
    let method = match args.kind {
        GrantKind::Role => Method::CrossAccountRole(RoleOptions {
            role_name: args.user_name.trim().to_string(),
            policy_name: args.policy_name.trim().to_string(),
            other_account: args.other_account.unwrap_or_default().trim().to_string(),
            external_id: args.external_id.unwrap_or_default().trim().to_string(),
            max_session_seconds: args.max_session_hours.map(|h| h.saturating_mul(3600)),
        }),
        GrantKind::IamUser => Method::IamUser(IamUserOptions {
            user_name: args.user_name.trim().to_string(),
            policy_name: args.policy_name.trim().to_string(),
            managed_policy: args.managed_policy,
            reuse_existing_user: false,
            accept_existing_access: false,
            create_access_key: true,
            save_to_keychain: keychain_problem.is_none(),
        }),
    };
    let mut scope = scope(Some(&session), &args.bucket, args.prefix.as_deref(), args.allow_list)?;
    scope.limits = args.limits.to_limits()?;
    let request = AccessRequest {
        method,
        scope,
        level: args.level.into(),
        cors: args.cors.map(Into::into),
        hardening: Hardening::default(),
        create_bucket_in: args.create_bucket_region,
    };
    let mut plan = build_plan(&session, &request, &PlanOptions { keychain_service: state.keychain.service().into(), unattended: false }).await?;
    if let Some(text) = args.pasted_policy.as_deref() {
        s3aw_core::guide::apply_pasted_text(&mut plan, text, &args.bucket)?;
    }
    keep_for_review(&state, id, plan, keychain_problem).await
}

/// Read a vendor's guide (pasted, or a file the user opened), before the bucket is chosen: no AWS call. The
/// reading is bounded (1 MB, linear) but off the async runtime all the same.
#[tauri::command]
pub async fn read_guide(text: String) -> IpcResult<GuideReadingDto> {
    let (r, pasted_policy) = tauri::async_runtime::spawn_blocking(move || s3aw_core::guide::read_before_bucket(&text))
        .await
        .map_err(|_| IpcError::new(ShellCode::Other, "Reading the instructions stopped unexpectedly; try again."))??;
    Ok(GuideReadingDto {
        asks: r.asks.clone(),
        findings: r.findings.iter().map(|f| GuideFindingDto { code: f.code.into(), message: f.message.clone(), line: f.line as u32, quote: f.quote.clone(), blocks_as_pasted: f.blocks_as_pasted }).collect(),
        proposal: (&r.proposal).into(),
        pasted_policy,
    })
}

/// Read a vendor's recipe file: no AWS call, nothing fetched.
#[tauri::command]
pub async fn read_recipe(text: String) -> IpcResult<RecipeDto> {
    let r = s3aw_core::guide::recipe::Recipe::parse(&text)?;
    let proposal = r.proposal()?;
    Ok(RecipeDto { vendor: r.vendor, purpose: r.purpose, proposal: (&proposal).into(), dashboard_asks_for: r.dashboard_asks_for })
}

/// Hold `plan` for `apply_plan` under `id` (unless a newer plan was asked for meanwhile) and describe it,
/// with IAM Access Analyzer's check of the policies it writes (a plan with errors is held but refused).
pub(crate) async fn keep_for_review(state: &AppState, id: u32, plan: Plan, keychain_problem: Option<String>) -> IpcResult<PlanDto> {
    let session = state.session().await?;
    let analysis = s3aw_core::analyzer::check_plan(&session, &plan).await;
    let dto = plan_dto(id, &plan, keychain_problem, &analysis);
    state.keep_plan(id, plan, analysis.blocks()).await;
    Ok(dto)
}

/// A failed apply as the UI shows it.
pub(crate) fn failure_dto(f: &s3aw_core::apply::ApplyFailure) -> FailureDto {
    FailureDto {
        step: f.failed_step as u32,
        summary: f.failed_summary.clone(),
        code: f.error.code().into(),
        message: f.error.to_string(),
        rolled_back: f.rolled_back.clone(),
        left_behind: f.left_behind.iter().map(|(s, e)| format!("{s}: {e}")).collect(),
    }
}

/// The user left the review screen: the plan it showed can no longer be applied.
#[tauri::command]
pub async fn discard_plan(state: State<'_, AppState>, plan_id: u32) -> IpcResult<()> {
    state.discard_plan(plan_id).await;
    Ok(())
}

/// Forward engine progress to the webview. A closed window only means nobody is watching.
pub(crate) fn send_progress(channel: &Channel<ProgressDto>) -> impl FnMut(Progress) + Send + '_ {
    move |p| {
        let _ = channel.send(progress_dto(p));
    }
}

fn plan_dto(id: u32, plan: &Plan, keychain_problem: Option<String>, analysis: &s3aw_core::analyzer::Analysis) -> PlanDto {
    PlanDto {
        id,
        headline: plan.headline.clone(),
        steps: plan
            .steps
            .iter()
            .map(|s| StepDto {
                call: s.api_call().into(),
                summary: s.summary(),
                undo: s.undo_call().into(),
                document: s.document().map(|d| serde_json::to_string_pretty(&d).unwrap_or_default()),
            })
            .collect(),
        notes: plan.notes.clone(),
        policy: plan.policy.as_ref().map(|p| p.to_json_pretty()),
        saves_to_keychain: keychain_problem.is_none(),
        keychain_problem,
        can: s3aw_core::explain::for_plan(plan).unwrap_or_default().into_iter().map(Into::into).collect(),
        checks: analysis.into(),
    }
}

fn progress_dto(p: Progress) -> ProgressDto {
    let n = |i: usize| i as u32;
    match p {
        Progress::StepStarted { index, total, summary } => ProgressDto::Started { index: n(index), total: n(total), summary },
        Progress::StepSucceeded { index, detail } => ProgressDto::Succeeded { index: n(index), detail },
        Progress::StepFailed { index, message } => ProgressDto::Failed { index: n(index), message },
        Progress::RollbackStarted { steps } => ProgressDto::RollbackStarted { steps: n(steps) },
        Progress::StepUndone { index, summary } => ProgressDto::Undone { index: n(index), summary },
        Progress::UndoFailed { index, summary, message } => ProgressDto::UndoFailed { index: n(index), summary, message },
    }
}

/// Apply the plan the user reviewed: the one with `plan_id`, and no other, streaming progress.
#[tauri::command]
pub async fn apply_plan(state: State<'_, AppState>, plan_id: u32, on_event: Channel<ProgressDto>) -> IpcResult<ApplyOutcomeDto> {
    let session = state.session().await?;
    let plan = state.take_plan(plan_id).await?;
    let mut send = send_progress(&on_event);
    let outcome = match apply(&session, &plan, Some(&state.keychain), &mut send).await {
        Ok(applied) => {
            let access_id = match s3aw_core::grant::remember(&session, &plan, &applied) {
                Ok(id) => id,
                Err(e) => {
                    eprintln!("warning: could not update the record of created access: {e}");
                    None
                }
            };
            let handoff = s3aw_core::handoff::Handoff::for_applied_plan(&session, &plan).await;
            let user_name = plan.creates_key_for().map(str::to_string);
            let outcome = ApplyOutcomeDto {
                ok: true,
                user_name: user_name.clone(),
                access_id,
                access_key_id: applied.access_key.as_ref().map(|k| k.access_key_id.clone()),
                keychain_entry: applied.keychain_entry.as_ref().map(|e| e.entry_name()),
                handoff: handoff.as_ref().map(handoff_dto),
                remerged: applied.remerged.clone(),
                failure: None,
            };
            *state.last_handoff.lock().await = handoff;
            *state.last_key.lock().await = applied.access_key.map(|k| crate::state::NewKey { key: k, user_name: user_name.unwrap_or_default() });
            outcome
        }
        Err(f) => ApplyOutcomeDto {
            ok: false,
            user_name: None,
            access_id: None,
            access_key_id: None,
            keychain_entry: None,
            handoff: None,
            remerged: vec![],
            failure: Some(failure_dto(&f)),
        },
    };
    Ok(outcome)
}

fn handoff_dto(h: &s3aw_core::handoff::Handoff) -> HandoffSheetDto {
    HandoffSheetDto {
        role_arn: h.role_arn.clone(),
        external_id: h.external_id.clone(),
        bucket: h.bucket.clone(),
        prefix: h.prefix.clone(),
        level: h.level.clone(),
        region: h.region.clone(),
        trusted: h.trusted.clone(),
        their_policy: h.their_policy().to_json_pretty(),
    }
}

/// A fresh random external ID for a role (not a secret: it is shared with the other party).
#[tauri::command]
pub fn generate_external_id() -> IpcResult<String> {
    Ok(s3aw_core::handoff::generate_external_id()?)
}

/// Copy text that is not secret (a role ARN, an external ID) to the clipboard.
#[tauri::command]
pub fn copy_text(text: String) -> IpcResult<()> {
    crate::clipboard::write(&text)
}

/// What the connected identity lacks for every job, as far as IAM's policy simulator tells.
#[tauri::command]
pub async fn check_permissions(state: State<'_, AppState>) -> IpcResult<PermissionCheckDto> {
    use s3aw_core::permissions::{check, Check, Job};
    let session = state.session().await?;
    Ok(match check(&session, &Job::ALL).await {
        Check::AllAllowed => PermissionCheckDto { checked: true, reason: None, missing: vec![] },
        Check::Missing(m) => PermissionCheckDto {
            checked: true,
            reason: None,
            missing: m.into_iter().map(|(job, actions)| MissingDto { job: job.into(), description: job.describe().into(), actions }).collect(),
        },
        Check::Unknown(reason) => PermissionCheckDto { checked: false, reason: Some(reason), missing: vec![] },
    })
}

/// The least-privilege policy for `jobs` (JSON), for "Permissions this app needs". Scoped to the connected
/// account when there is one.
#[tauri::command]
pub async fn permissions_policy(state: State<'_, AppState>, jobs: Vec<JobDto>) -> IpcResult<String> {
    let jobs: Vec<s3aw_core::permissions::Job> = jobs.into_iter().map(Into::into).collect();
    let (account, region) = match state.session().await {
        Ok(s) => (s.whoami().await.ok().map(|id| id.account), s.region().to_string()),
        Err(_) => (None, s3aw_core::connect::DEFAULT_REGION.to_string()),
    };
    let limits = s3aw_core::permissions::Limits { account, buckets: vec![], partition: s3aw_core::policy::partition_for_region(&region).into() };
    let doc = s3aw_core::permissions::policy(&jobs, &limits)?;
    Ok(serde_json::to_string_pretty(&doc).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page reads the app info from one global, set before its scripts run, in the shape the UI's
    /// bindings describe; a value with quotes or a closing script tag stays inside its string.
    #[test]
    fn the_app_info_script_sets_one_frozen_global() {
        let info = AppInfo { version: "1.2.3".into(), sandbox_endpoint: Some("http://127.0.0.1:5000/\"</script>".into()), keychain_service: "s3aw".into(), save_dialog_stand_in: false };
        let script = app_info_script(&info);
        let prefix = format!("Object.defineProperty(window, \"{APP_INFO_GLOBAL}\", {{ value: Object.freeze(");
        let json = script.strip_prefix(&prefix).and_then(|s| s.strip_suffix("), writable: false, configurable: false });")).expect(&script);
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(value, serde_json::json!({ "version": "1.2.3", "sandboxEndpoint": "http://127.0.0.1:5000/\"</script>", "keychainService": "s3aw", "saveDialogStandIn": false }));
        assert!(include_str!("../../ui/src/backend.ts").contains(APP_INFO_GLOBAL), "ui/src/backend.ts reads the app info from {APP_INFO_GLOBAL}");
    }
}
