//! The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) through the
//! `keyring` crate with the native stores named in Cargo.toml. One service name for the app; one entry per
//! key, named `ACCOUNT/USER/ACCESS_KEY_ID`. Calls are blocking: async callers use `spawn_blocking`.
//! Writes are serialised behind one lock. A missing or locked keychain is reported as such, never papered
//! over by writing the secret somewhere else.

use crate::error::{Error, Result};
use crate::secret::Secret;
use std::sync::Mutex;

/// The service name real users' entries live under.
pub const DEFAULT_SERVICE: &str = "s3-access-wizard";

/// Test builds and suites set this so they never touch a user's real entries.
pub const SERVICE_ENV: &str = "S3AW_KEYCHAIN_SERVICE";

static WRITE_LOCK: Mutex<()> = Mutex::new(());

/// Where a key's secret lives in the keychain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRef {
    pub account: String,
    /// IAM user name (or another owner label, for imported keys).
    pub owner: String,
    pub access_key_id: String,
}

impl KeyRef {
    pub fn entry_name(&self) -> String {
        format!("{}/{}/{}", self.account, self.owner, self.access_key_id)
    }
}

#[derive(Clone, Debug)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain::from_env()
    }
}

impl Keychain {
    pub fn new(service: impl Into<String>) -> Self {
        Keychain { service: service.into() }
    }

    /// The app's service name, or the one in `S3AW_KEYCHAIN_SERVICE`.
    pub fn from_env() -> Self {
        Keychain::new(std::env::var(SERVICE_ENV).ok().filter(|s| !s.is_empty()).unwrap_or_else(|| DEFAULT_SERVICE.to_string()))
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(map_err)
    }

    /// Check that the keychain can store a secret now (reachable and unlocked), by writing and removing a
    /// probe. Each check has a probe of its own: with one shared name, two processes checking at once
    /// removed each other's probe, and the second removal failed as "no such entry".
    pub fn check_available(&self) -> Result<()> {
        let _guard = WRITE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let probe = self.entry(&probe_name())?;
        probe.set_password("probe").map_err(map_err)?;
        match probe.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    pub fn store(&self, key: &KeyRef, secret: &Secret) -> Result<()> {
        let _guard = WRITE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        self.entry(&key.entry_name())?.set_password(secret.expose()).map_err(map_err)
    }

    pub fn load(&self, key: &KeyRef) -> Result<Secret> {
        match self.entry(&key.entry_name())?.get_password() {
            Ok(s) => Ok(Secret::new(s)),
            Err(keyring::Error::NoEntry) => Err(Error::SecretNotInKeychain { access_key_id: key.access_key_id.clone() }),
            Err(e) => Err(map_err(e)),
        }
    }

    /// Whether the secret for `key` is in the keychain (errors count as "no").
    pub fn contains(&self, key: &KeyRef) -> bool {
        self.load(key).is_ok()
    }

    /// Remove an entry. Removing one that is not there is not an error.
    pub fn delete(&self, key: &KeyRef) -> Result<()> {
        let _guard = WRITE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        match self.entry(&key.entry_name())?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

/// A probe entry's name, unique to this check.
fn probe_name() -> String {
    format!("availability-check/{}/{}", std::process::id(), uuid::Uuid::new_v4().simple())
}

/// Run a keychain call off the async runtime: keyring calls block (D-Bus, Security framework).
pub async fn run_blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(format!("the keychain task failed: {e}")))?
}

fn map_err(e: keyring::Error) -> Error {
    // The platform error text (D-Bus, Security framework) is kept as detail: it says why, and holds no secret.
    match e {
        keyring::Error::NoStorageAccess(inner) => Error::KeychainLocked { detail: inner.to_string() },
        keyring::Error::PlatformFailure(inner) => {
            let detail = inner.to_string();
            if detail.to_lowercase().contains("locked") {
                Error::KeychainLocked { detail }
            } else {
                Error::KeychainUnavailable { detail: simplify_platform(&detail) }
            }
        }
        other => Error::KeychainUnavailable { detail: other.to_string() },
    }
}

fn simplify_platform(detail: &str) -> String {
    let lower = detail.to_lowercase();
    if lower.contains("dbus") || lower.contains("d-bus") || lower.contains("org.freedesktop") {
        format!("no Secret Service (such as GNOME Keyring or KWallet) is running in this desktop session ({detail})")
    } else {
        detail.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_are_account_user_key() {
        let k = KeyRef { account: "123456789012".into(), owner: "vendor".into(), access_key_id: "AKIA1".into() };
        assert_eq!(k.entry_name(), "123456789012/vendor/AKIA1");
    }

    #[test]
    fn each_availability_check_has_its_own_probe() {
        assert_ne!(probe_name(), probe_name());
        assert!(probe_name().starts_with(&format!("availability-check/{}/", std::process::id())));
    }

    #[test]
    fn platform_errors_become_plain_messages() {
        let e = map_err(keyring::Error::PlatformFailure("D-Bus error: Unable to autolaunch a dbus-daemon".into()));
        assert_eq!(e.code(), "keychain_unavailable");
        assert!(e.to_string().contains("no Secret Service"), "{e}");
        let e = map_err(keyring::Error::NoStorageAccess("Cannot create an item in a locked collection".into()));
        assert_eq!(e.code(), "keychain_locked");
    }
}
