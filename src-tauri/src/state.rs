//! What the app keeps between commands: the connection, the reviewed plan, and the new key (whose secret
//! stays here, in Rust, until the user reveals, copies or exports it).

use crate::ipc::IpcError;
use s3aw_core::access::revoke::RevokePlan;
use s3aw_core::access::rotate::RotatePlan;
use s3aw_core::connect::Session;
use s3aw_core::handoff::Handoff;
use s3aw_core::keychain::Keychain;
use s3aw_core::plan::Plan;
use s3aw_core::secret::AccessKey;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};

pub struct NewKey {
    pub key: AccessKey,
    pub user_name: String,
}

pub struct AppState {
    session: RwLock<Option<Arc<Session>>>,
    pub plan: Mutex<Option<Plan>>,
    pub last_key: Mutex<Option<NewKey>>,
    /// The links made last, so "test this link" only ever fetches a link the app made.
    pub links: Mutex<Vec<s3aw_core::presign::Link>>,
    /// The handoff sheet of the role just created.
    pub last_handoff: Mutex<Option<Handoff>>,
    /// The rotation or revocation the user is looking at in "My access", applied as reviewed.
    pub rotate_plan: Mutex<Option<RotatePlan>>,
    pub revoke_plan: Mutex<Option<RevokePlan>>,
    pub keychain: Keychain,
    pub sandbox_endpoint: Option<String>,
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
            last_key: Mutex::new(None),
            last_handoff: Mutex::new(None),
            links: Mutex::new(Vec::new()),
            rotate_plan: Mutex::new(None),
            revoke_plan: Mutex::new(None),
            keychain: keychain(),
            sandbox_endpoint: std::env::var("S3AW_SANDBOX_ENDPOINT").ok().filter(|s| !s.is_empty()),
        }
    }

    pub async fn session(&self) -> Result<Arc<Session>, IpcError> {
        self.session.read().await.clone().ok_or_else(|| IpcError::new("not_connected", "Connect to an AWS account first."))
    }

    /// A new connection: whatever was planned or created for the old one is forgotten.
    pub async fn set_session(&self, session: Session) {
        *self.session.write().await = Some(Arc::new(session));
        *self.plan.lock().await = None;
        *self.last_key.lock().await = None;
        *self.last_handoff.lock().await = None;
        *self.rotate_plan.lock().await = None;
        *self.revoke_plan.lock().await = None;
    }
}

/// Whether this is a test build with `S3AW_TEST_SAVE_DIR` set (see [`save_path`]).
pub fn save_dialog_stand_in() -> bool {
    cfg!(feature = "test-build") && std::env::var_os("S3AW_TEST_SAVE_DIR").is_some()
}

/// Where a CSV goes. In test builds only, `S3AW_TEST_SAVE_DIR` stands in for the native save dialog, which
/// WebDriver cannot drive: the file keeps the name the dialog was given, in that folder.
pub fn save_path(chosen: String) -> PathBuf {
    let chosen = PathBuf::from(chosen);
    match std::env::var_os("S3AW_TEST_SAVE_DIR") {
        Some(dir) if save_dialog_stand_in() => PathBuf::from(dir).join(chosen.file_name().unwrap_or_default()),
        _ => chosen,
    }
}
