//! Signing in from the Connect screen: "Sign in with your AWS account" (AWS Sign-In) and "Sign in with IAM
//! Identity Center", over `s3aw_core::signin`. One attempt at a time: starting another, or Cancel, ends the
//! one before (its loopback port closes). Tokens stay here and in the AWS caches; the webview gets the
//! identity, the account and times, never a token.

use crate::commands::connect_with;
use crate::ipc::*;
use crate::state::AppState;
use s3aw_core::connect::{list_profiles, ConnectOptions, ProfileKind};
use s3aw_core::signin::console::{ConsoleOptions, ConsoleSignIn};
use s3aw_core::signin::sso::{SsoOptions, SsoSession, SsoSignIn};
use std::time::{Duration, SystemTime};
use tauri::State;
use tokio::sync::oneshot;

/// A sign-in waiting for the browser.
pub enum Attempt {
    /// A console sign-in, saved under `profile` once done.
    Console { sign_in: ConsoleSignIn, profile: String },
    /// Identity Center; `again` names the existing profile being signed in to again.
    Sso { sign_in: SsoSignIn, again: Option<String> },
}

pub struct Pending {
    pub id: u32,
    pub attempt: Option<Attempt>,
    cancel: Option<oneshot::Sender<()>>,
    cancelled: Option<oneshot::Receiver<()>>,
}

fn cancelled_error() -> IpcError {
    IpcError { code: "sign_in_cancelled".into(), message: "Sign-in cancelled. Nothing was saved.".into() }
}

fn stale() -> IpcError {
    IpcError::new(ShellCode::StalePlan, "This sign-in was replaced by a newer one, or has ended. Start it again.")
}

fn time(t: SystemTime) -> String {
    s3aw_core::record::format_time(t)
}

async fn keep(state: &AppState, attempt: Attempt, authorize_url: String, remote: bool) -> SignInStartDto {
    let (tx, rx) = oneshot::channel();
    let id = state.next_signin_id();
    // The attempt before (if any) is dropped here: its loopback port closes, and its wait ends as cancelled.
    *state.signin.lock().await = Some(Pending { id, attempt: Some(attempt), cancel: Some(tx), cancelled: Some(rx) });
    if !remote {
        // Not fatal: the address is on screen too.
        let _ = s3aw_core::signin::open_in_browser(&authorize_url);
    }
    SignInStartDto { attempt_id: id, authorize_url: Some(authorize_url), remote, reused: None }
}

#[tauri::command]
pub async fn sign_in_start(state: State<'_, AppState>, args: SignInArgs) -> IpcResult<SignInStartDto> {
    match args {
        SignInArgs::Console { profile, region, remote } => {
            let profile = profile.trim().to_string();
            s3aw_core::signin::check_profile_is_free_for(&profile, "login_session").await?;
            let mut opts = ConsoleOptions::new(region.trim());
            opts.remote = remote;
            let sign_in = ConsoleSignIn::begin(opts).await?;
            let url = sign_in.authorize_url.clone();
            Ok(keep(&state, Attempt::Console { sign_in, profile }, url, remote).await)
        }
        SignInArgs::Sso { start_url, sso_region } => sso_start(&state, SsoOptions::new(&start_url, &sso_region), None).await,
        SignInArgs::Again { profile } => {
            let p = list_profiles().await.into_iter().find(|p| p.name == profile).ok_or_else(|| IpcError::new(ShellCode::NotFound, format!("There is no profile named \"{profile}\" any more.")))?;
            match p.kind {
                ProfileKind::Login => {
                    let region = p.region.clone().unwrap_or_else(|| s3aw_core::connect::DEFAULT_REGION.into());
                    let sign_in = ConsoleSignIn::begin(ConsoleOptions::new(&region)).await?;
                    let url = sign_in.authorize_url.clone();
                    Ok(keep(&state, Attempt::Console { sign_in, profile }, url, false).await)
                }
                ProfileKind::Sso => {
                    let url = p.sso_start_url.clone().ok_or_else(|| IpcError::new(ShellCode::InvalidInput, format!("The profile \"{profile}\" names no start URL.")))?;
                    let mut opts = SsoOptions::new(&url, p.sso_region.as_deref().unwrap_or(s3aw_core::connect::DEFAULT_REGION));
                    opts.session_name = p.sso_session.clone().unwrap_or(url);
                    sso_start(&state, opts, Some(profile)).await
                }
                _ => Err(IpcError::new(ShellCode::InvalidInput, format!("\"{profile}\" is not a sign-in profile; connect with it directly."))),
            }
        }
    }
}

async fn sso_start(state: &AppState, opts: SsoOptions, again: Option<String>) -> IpcResult<SignInStartDto> {
    // Still signed in from before (a token good for a while yet): no browser needed.
    if again.is_none() {
        if let Some(session) = SsoSession::from_cache(&opts)? {
            let accounts = session.accounts().await?;
            let until = time(session.expires_at);
            *state.sso.lock().await = Some(session);
            let id = state.next_signin_id();
            *state.signin.lock().await = Some(Pending { id, attempt: None, cancel: None, cancelled: None });
            return Ok(SignInStartDto { attempt_id: id, authorize_url: None, remote: false, reused: Some(SignInDoneDto::ChooseAccount { accounts: accounts.into_iter().map(account_dto).collect(), until }) });
        }
    }
    let sign_in = SsoSignIn::begin(opts).await?;
    let url = sign_in.authorize_url.clone();
    Ok(keep(state, Attempt::Sso { sign_in, again }, url, false).await)
}

fn account_dto(a: s3aw_core::signin::sso::SsoAccount) -> SsoAccountDto {
    SsoAccountDto { account_id: a.account_id, name: a.name, email: a.email }
}

/// Take the attempt with this id, with its cancel signal.
async fn take(state: &AppState, id: u32) -> IpcResult<(Attempt, oneshot::Receiver<()>)> {
    let mut slot = state.signin.lock().await;
    match slot.as_mut() {
        Some(p) if p.id == id => match (p.attempt.take(), p.cancelled.take()) {
            (Some(a), Some(rx)) => Ok((a, rx)),
            _ => Err(stale()),
        },
        _ => Err(stale()),
    }
}

/// Same device: wait for the browser to come back (or Cancel, or the timeout), then finish.
#[tauri::command]
pub async fn sign_in_wait(state: State<'_, AppState>, attempt_id: u32) -> IpcResult<SignInDoneDto> {
    let (attempt, cancelled) = take(&state, attempt_id).await?;
    let outcome = async {
        match attempt {
            Attempt::Console { sign_in, profile } => Ok::<_, IpcError>(Finished::Console(sign_in.wait().await?, profile)),
            Attempt::Sso { sign_in, again } => Ok(Finished::Sso(sign_in.wait().await?, again)),
        }
    };
    let finished = tokio::select! {
        r = outcome => r?,
        _ = cancelled => return Err(cancelled_error()),
    };
    finish(&state, finished).await
}

/// Another device: the code the browser there showed.
#[tauri::command]
pub async fn sign_in_finish(state: State<'_, AppState>, attempt_id: u32, code: SecretInput) -> IpcResult<SignInDoneDto> {
    let (attempt, _) = take(&state, attempt_id).await?;
    match attempt {
        Attempt::Console { sign_in, profile } => {
            let session = sign_in.finish_with_code(code.0.expose()).await?;
            finish(&state, Finished::Console(session, profile)).await
        }
        Attempt::Sso { .. } => Err(IpcError::new(ShellCode::InvalidInput, "Identity Center sign-ins come back to this computer; there is no code to paste.")),
    }
}

#[tauri::command]
pub async fn sign_in_cancel(state: State<'_, AppState>, attempt_id: u32) -> IpcResult<()> {
    let mut slot = state.signin.lock().await;
    if let Some(p) = slot.as_mut().filter(|p| p.id == attempt_id) {
        if let Some(tx) = p.cancel.take() {
            let _ = tx.send(());
        }
        // Not waited on yet: dropping it closes its port.
        p.attempt = None;
    }
    Ok(())
}

enum Finished {
    Console(s3aw_core::signin::console::ConsoleSession, String),
    Sso(SsoSession, Option<String>),
}

async fn finish(state: &AppState, finished: Finished) -> IpcResult<SignInDoneDto> {
    match finished {
        Finished::Console(session, profile) => {
            let (profile, _) = session.save(&profile).await?;
            let connection = connect_with(state, ConnectOptions { profile: Some(profile.clone()), ..Default::default() }, false).await?;
            Ok(SignInDoneDto::Connected {
                connection,
                profile,
                identity: session.session_arn.clone(),
                account: session.account.clone(),
                until: time(SystemTime::now() + Duration::from_secs(12 * 3600)),
                until_is_latest: true,
            })
        }
        Finished::Sso(session, Some(profile)) => {
            let p = list_profiles().await.into_iter().find(|p| p.name == profile);
            let connection = connect_with(state, ConnectOptions { profile: Some(profile.clone()), ..Default::default() }, false).await?;
            let identity = p.and_then(|p| Some(format!("role {}", p.sso_role_name?))).unwrap_or_default();
            Ok(SignInDoneDto::Connected { account: connection.account.clone(), connection, profile, identity, until: time(session.expires_at), until_is_latest: false })
        }
        Finished::Sso(session, None) => {
            let accounts = session.accounts().await?;
            let until = time(session.expires_at);
            *state.sso.lock().await = Some(session);
            Ok(SignInDoneDto::ChooseAccount { accounts: accounts.into_iter().map(account_dto).collect(), until })
        }
    }
}

/// The roles the signed-in person may use in an account.
#[tauri::command]
pub async fn sso_roles(state: State<'_, AppState>, account_id: String) -> IpcResult<Vec<String>> {
    let slot = state.sso.lock().await;
    let session = slot.as_ref().ok_or_else(|| IpcError::new(ShellCode::NotConnected, "Sign in with IAM Identity Center first."))?;
    Ok(session.roles(&account_id).await?)
}

/// Use a role: write the `sso-session` and profile (as `aws configure sso` does), then connect with it.
#[tauri::command]
pub async fn sso_use_role(state: State<'_, AppState>, args: SsoUseRoleArgs) -> IpcResult<SignInDoneDto> {
    let (profile, until) = {
        let slot = state.sso.lock().await;
        let session = slot.as_ref().ok_or_else(|| IpcError::new(ShellCode::NotConnected, "Sign in with IAM Identity Center first."))?;
        let region = args.region.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or(&session.opts.sso_region).to_string();
        (session.save_profile(&args.profile, &args.account_id, &args.role_name, &region).await?, time(session.expires_at))
    };
    let connection = connect_with(&state, ConnectOptions { profile: Some(profile.clone()), ..Default::default() }, false).await?;
    Ok(SignInDoneDto::Connected {
        account: connection.account.clone(),
        connection,
        identity: format!("role {}", args.role_name.trim()),
        profile,
        until,
        until_is_latest: false,
    })
}

/// Sign out of a console sign-in profile (its session and profile are deleted), or an Identity Center
/// one (its cached token is deleted).
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>, profile: String) -> IpcResult<SignedOutDto> {
    let out = s3aw_core::signin::sign_out(&profile).await?;
    state.clear_session_for_profile(&profile).await;
    Ok(out.into())
}
