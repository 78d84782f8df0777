//! Admin keys the user chose to remember when connecting: the key id and account in a small file in the
//! config directory (no secret), the secret in the OS keychain under `ACCOUNT/connection/KEY_ID`.

use crate::error::{Error, Result};
use crate::keychain::{run_blocking, KeyRef, Keychain};
use crate::secret::{PastedCredentials, Secret};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

const OWNER: &str = "connection";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedConnection {
    pub access_key_id: String,
    pub account: String,
    pub arn: String,
    pub saved_at: String,
}

impl SavedConnection {
    fn key_ref(&self) -> KeyRef {
        KeyRef { account: self.account.clone(), owner: OWNER.into(), access_key_id: self.access_key_id.clone() }
    }
}

fn path() -> Result<PathBuf> {
    Ok(crate::paths::app_config_dir()?.join("connections.json"))
}

/// The remembered connections, newest first.
pub fn list() -> Result<Vec<SavedConnection>> {
    let p = path()?;
    match std::fs::read_to_string(&p) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| Error::DamagedFile { what: "list of saved connections", path: p.clone(), detail: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
        Err(source) => Err(Error::Io { action: "read", path: p, source }),
    }
}

fn save(list: &[SavedConnection]) -> Result<()> {
    let text = serde_json::to_string_pretty(list).map_err(|e| Error::Internal(e.to_string()))?;
    crate::export::write_private_file(&path()?, &text, true)
}

/// Remember a connection: the secret goes to the keychain first, so the list never names a key whose
/// secret is missing. Session tokens (temporary keys) are not remembered.
pub async fn remember(keychain: &Keychain, conn: SavedConnection, secret: &Secret) -> Result<()> {
    let (k, r, s) = (keychain.clone(), conn.key_ref(), secret.clone());
    run_blocking(move || k.store(&r, &s)).await?;
    let mut all = list()?;
    all.retain(|c| c.access_key_id != conn.access_key_id);
    all.insert(0, conn);
    save(&all)
}

/// The credentials of a remembered connection, from the keychain.
pub async fn load(keychain: &Keychain, access_key_id: &str) -> Result<PastedCredentials> {
    let conn = list()?
        .into_iter()
        .find(|c| c.access_key_id == access_key_id)
        .ok_or_else(|| Error::invalid("saved connection", format!("no saved connection uses key {access_key_id}")))?;
    let (k, r) = (keychain.clone(), conn.key_ref());
    let secret = run_blocking(move || k.load(&r)).await?;
    Ok(PastedCredentials { access_key_id: conn.access_key_id, secret_access_key: secret, session_token: None })
}

/// Forget a remembered connection: the keychain entry and the list entry.
pub async fn forget(keychain: &Keychain, access_key_id: &str) -> Result<()> {
    let mut all = list()?;
    if let Some(conn) = all.iter().find(|c| c.access_key_id == access_key_id) {
        let (k, r) = (keychain.clone(), conn.key_ref());
        run_blocking(move || k.delete(&r)).await?;
    }
    all.retain(|c| c.access_key_id != access_key_id);
    save(&all)
}
