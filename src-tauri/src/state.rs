//! What the app keeps between commands: the connection, the reviewed plan (with the id the UI shows), and
//! the new key (whose secret stays here, in Rust, until the user reveals, copies or exports it).

use crate::ipc::{IpcError, ShellCode};
use s3aw_core::access::revoke::RevokePlan;
use s3aw_core::access::rotate::RotatePlan;
use s3aw_core::connect::Session;
use s3aw_core::handoff::Handoff;
use s3aw_core::keychain::Keychain;
use s3aw_core::plan::Plan;
use s3aw_core::secret::AccessKey;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};

pub struct NewKey {
    pub key: AccessKey,
    pub user_name: String,
}

/// The plan on the review screen (the wizard's or Bucket settings'), under the id the UI was given.
pub struct ReviewedPlan {
    pub id: u32,
    pub plan: Plan,
    /// IAM Access Analyzer found errors in a policy it writes: it may be exported, never applied.
    pub blocked: bool,
}

pub struct AppState {
    session: RwLock<Option<Arc<Session>>>,
    /// The plan the user may apply: only the latest one asked for, under its id.
    plan: Mutex<Option<ReviewedPlan>>,
    /// The id given to the latest plan request; a slower, older request's plan is never kept.
    latest_plan: AtomicU32,
    pub last_key: Mutex<Option<NewKey>>,
    /// The links made last, so "test this link" only ever fetches a link the app made.
    pub links: Mutex<Vec<s3aw_core::presign::Link>>,
    /// The share whose plan is on review (made by `plan_share`, created by `create_share`).
    pub share_request: Mutex<Option<s3aw_core::share::ShareRequest>>,
    /// The handoff sheet of the role just created.
    pub last_handoff: Mutex<Option<Handoff>>,
    /// The rotation or revocation the user is looking at in "My access", applied as reviewed.
    pub rotate_plan: Mutex<Option<RotatePlan>>,
    pub revoke_plan: Mutex<Option<RevokePlan>>,
    /// The recovery of an interrupted change the user is looking at, run as reviewed.
    pub recover_plan: Mutex<Option<s3aw_core::recover::RecoverPlan>>,
    pub keychain: Keychain,
    pub sandbox_endpoint: Option<String>,
    /// The sign-in waiting for the browser (one at a time), and the Identity Center session whose
    /// account and role the person is choosing.
    pub signin: Mutex<Option<crate::signin::Pending>>,
    signin_ids: AtomicU32,
    pub sso: Mutex<Option<s3aw_core::signin::sso::SsoSession>>,
}

/// Test builds keep their keychain entries apart from a user's real ones.
#[cfg(feature = "test-build")]
const DEFAULT_KEYCHAIN_SERVICE: &str = "s3-access-wizard-test";
#[cfg(not(feature = "test-build"))]
const DEFAULT_KEYCHAIN_SERVICE: &str = s3aw_core::keychain::DEFAULT_SERVICE;

/// The keychain this build uses: `S3AW_KEYCHAIN_SERVICE`, else the build's default.
pub fn keychain() -> Keychain {
    Keychain::new(std::env::var(s3aw_core::keychain::SERVICE_ENV).ok().filter(|s| !s.is_empty()).unwrap_or_else(|| DEFAULT_KEYCHAIN_SERVICE.into()))
}

impl AppState {
    pub fn from_env() -> Self {
        AppState {
            session: RwLock::new(None),
            plan: Mutex::new(None),
            latest_plan: AtomicU32::new(0),
            last_key: Mutex::new(None),
            last_handoff: Mutex::new(None),
            links: Mutex::new(Vec::new()),
            share_request: Mutex::new(None),
            rotate_plan: Mutex::new(None),
            revoke_plan: Mutex::new(None),
            recover_plan: Mutex::new(None),
            keychain: keychain(),
            sandbox_endpoint: std::env::var("S3AW_SANDBOX_ENDPOINT").ok().filter(|s| !s.is_empty()),
            signin: Mutex::new(None),
            signin_ids: AtomicU32::new(0),
            sso: Mutex::new(None),
        }
    }

    pub async fn session(&self) -> Result<Arc<Session>, IpcError> {
        self.session.read().await.clone().ok_or_else(|| IpcError::new(ShellCode::NotConnected, "Connect to an AWS account first."))
    }

    /// A new connection: whatever was planned or created for the old one is forgotten.
    pub async fn set_session(&self, session: Session) {
        *self.session.write().await = Some(Arc::new(session));
        self.latest_plan.fetch_add(1, Ordering::SeqCst);
        *self.plan.lock().await = None;
        *self.last_key.lock().await = None;
        *self.last_handoff.lock().await = None;
        *self.rotate_plan.lock().await = None;
        *self.revoke_plan.lock().await = None;
        *self.recover_plan.lock().await = None;
    }

    pub fn next_signin_id(&self) -> u32 {
        self.signin_ids.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Signed out of `profile`: a connection made with it ends too.
    pub async fn clear_session_for_profile(&self, profile: &str) {
        let mut slot = self.session.write().await;
        if slot.as_ref().and_then(|s| s.profile()) == Some(profile) {
            *slot = None;
        }
    }

    /// An id for a plan about to be made. Asking for a new plan makes every earlier one stale, even one
    /// still being prepared.
    pub fn next_plan_id(&self) -> u32 {
        self.latest_plan.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Keep `plan` for applying, if no newer plan was asked for meanwhile. Returns whether it was kept.
    pub async fn keep_plan(&self, id: u32, plan: Plan, blocked: bool) -> bool {
        let mut slot = self.plan.lock().await;
        if self.latest_plan.load(Ordering::SeqCst) != id {
            return false;
        }
        *slot = Some(ReviewedPlan { id, plan, blocked });
        true
    }

    /// The plan with this id, taken for applying; any other id is refused (the UI is showing a plan the
    /// app no longer holds).
    pub async fn take_plan(&self, id: u32) -> Result<Plan, IpcError> {
        let mut slot = self.plan.lock().await;
        let latest = self.latest_plan.load(Ordering::SeqCst);
        match slot.take() {
            Some(p) if p.id == id && id == latest && p.blocked => {
                *slot = Some(p);
                Err(IpcError::new(ShellCode::InvalidInput, "IAM Access Analyzer found errors in a policy this plan would write. Fix them (go back and change your choices); the plan cannot be applied as it is."))
            }
            Some(p) if p.id == id && id == latest => Ok(p.plan),
            other => {
                *slot = other;
                Err(IpcError::new(ShellCode::StalePlan, "This is not the plan the app holds now (another was prepared since, or it was applied already). Review the changes again."))
            }
        }
    }

    /// A copy of the plan with this id, left in place (to export it instead of applying it).
    pub async fn plan_copy(&self, id: u32) -> Result<Plan, IpcError> {
        let slot = self.plan.lock().await;
        match slot.as_ref() {
            Some(p) if p.id == id => Ok(p.plan.clone()),
            _ => Err(IpcError::new(ShellCode::StalePlan, "This is not the plan the app holds now. Review the changes again.")),
        }
    }

    /// Forget the plan with this id (the user left the review screen).
    pub async fn discard_plan(&self, id: u32) {
        let mut slot = self.plan.lock().await;
        if slot.as_ref().map(|p| p.id) == Some(id) {
            *slot = None;
        }
    }
}

/// Whether this is a test build with `S3AW_TEST_SAVE_DIR` set (see [`choose_save_path`]).
pub fn save_dialog_stand_in() -> bool {
    cfg!(feature = "test-build") && std::env::var_os("S3AW_TEST_SAVE_DIR").is_some()
}

/// Ask where to save a file, with the native dialog opened from Rust: no path ever comes from the webview,
/// so a script there cannot make the app write anywhere it chooses. `None` when the user cancels. In test
/// builds only, `S3AW_TEST_SAVE_DIR` stands in for the dialog (WebDriver cannot drive native dialogs): the
/// file gets the suggested name, in that folder.
pub async fn choose_save_path<R: tauri::Runtime>(app: &tauri::AppHandle<R>, suggested: &str, filter: (&str, &[&str])) -> Option<PathBuf> {
    if save_dialog_stand_in() {
        return std::env::var_os("S3AW_TEST_SAVE_DIR").map(|dir| PathBuf::from(dir).join(suggested));
    }
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_file_name(suggested).add_filter(filter.0, filter.1).save_file(move |p| {
        let _ = tx.send(p.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use s3aw_core::policy::{AccessLevel, Scope};
    use s3aw_core::request::{AccessRequest, Hardening, Method};

    fn plan(headline: &str) -> Plan {
        Plan {
            account: None,
            request: AccessRequest { method: Method::BucketSettings, scope: Scope::new("bucket-one", None).unwrap(), level: AccessLevel::Read, cors: None, hardening: Hardening::default(), create_bucket_in: None },
            headline: headline.into(),
            steps: vec![],
            notes: vec![],
            policy: None,
            region: None,
        }
    }

    /// Apply takes the plan the UI shows, by its id, and nothing else: not a plan asked for earlier that
    /// arrives late, not a plan from another screen, not the same plan twice.
    #[tokio::test]
    async fn only_the_newest_plan_can_be_applied_and_only_once() {
        let state = AppState::from_env();
        let a = state.next_plan_id();
        let b = state.next_plan_id();
        assert!(state.keep_plan(b, plan("B"), false).await);
        assert!(!state.keep_plan(a, plan("A, late"), false).await, "an older request's plan is never kept");
        assert_eq!(state.take_plan(a).await.unwrap_err().code, "stale_plan");
        // Bucket settings plans meanwhile: the wizard's plan B can no longer be applied.
        let c = state.next_plan_id();
        assert_eq!(state.take_plan(b).await.unwrap_err().code, "stale_plan");
        assert!(state.keep_plan(c, plan("C"), false).await);
        assert_eq!(state.take_plan(c).await.unwrap().headline, "C");
        assert_eq!(state.take_plan(c).await.unwrap_err().code, "stale_plan", "applied once");
        // Leaving the review discards it.
        let d = state.next_plan_id();
        state.keep_plan(d, plan("D"), false).await;
        state.discard_plan(d).await;
        assert_eq!(state.take_plan(d).await.unwrap_err().code, "stale_plan");
    }

    /// A plan in which IAM Access Analyzer found errors is held (to export it) but never applied.
    #[tokio::test]
    async fn a_plan_access_analyzer_blocks_is_never_applied() {
        let state = AppState::from_env();
        let e = state.next_plan_id();
        assert!(state.keep_plan(e, plan("E"), true).await);
        let refused = state.take_plan(e).await.unwrap_err();
        assert!(refused.message.contains("IAM Access Analyzer found errors"), "{}", refused.message);
        assert_eq!(state.plan_copy(e).await.unwrap().headline, "E", "still there to export");
        assert!(state.take_plan(e).await.is_err(), "and still refused");
    }
}
