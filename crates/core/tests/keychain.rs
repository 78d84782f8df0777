//! The keychain against a real Secret Service (GNOME Keyring in a private D-Bus session).
//! Run through `make test`; `cargo test` alone skips these (they are `#[ignore]`d).

#![allow(clippy::unwrap_used)]

use s3aw_core::keychain::{KeyRef, Keychain};
use s3aw_core::secret::Secret;
use std::process::Command;

fn service() -> String {
    format!("s3aw-core-test-{}", std::process::id())
}

fn secret_tool(service: &str, user: &str) -> Option<String> {
    let out = Command::new("secret-tool").args(["lookup", "service", service, "username", user]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
#[ignore = "needs a Secret Service: run through make test"]
fn store_read_delete_in_the_real_secret_service() {
    let kc = Keychain::new(service());
    kc.check_available().expect("the harness's keyring is unlocked");
    let key = KeyRef { account: "123456789012".into(), owner: "vendor".into(), access_key_id: "AKIATESTKEYCHAIN0001".into() };
    kc.store(&key, &Secret::new("s3cr3t/with+chars")).unwrap();
    // Another program sees it in the Secret Service: the store is real, not the crate's mock.
    assert_eq!(secret_tool(kc.service(), &key.entry_name()).as_deref(), Some("s3cr3t/with+chars"));
    assert_eq!(kc.load(&key).unwrap().expose(), "s3cr3t/with+chars");
    assert!(kc.contains(&key));
    kc.delete(&key).unwrap();
    assert_eq!(secret_tool(kc.service(), &key.entry_name()), None);
    let err = kc.load(&key).unwrap_err();
    assert_eq!(err.code(), "secret_not_in_keychain");
    assert!(err.to_string().contains("AKIATESTKEYCHAIN0001"));
    kc.delete(&key).expect("deleting a missing entry is not an error");
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through make test"]
async fn remembered_connections_keep_the_secret_in_the_keychain_only() {
    use s3aw_core::connections::{forget, list, load, remember, SavedConnection};
    let dir = tempfile::tempdir().unwrap();
    // This test binary's only user of the config directory.
    std::env::set_var(s3aw_core::record::CONFIG_DIR_ENV, dir.path());
    let kc = Keychain::new(format!("{}-connections", service()));
    let conn = SavedConnection { access_key_id: "AKIAADMINREMEMBERED1".into(), account: "123456789012".into(), arn: "arn:aws:iam::123456789012:user/admin".into(), saved_at: "t".into() };
    remember(&kc, conn.clone(), &Secret::new("admin-secret/value")).await.unwrap();
    assert_eq!(list().unwrap(), vec![conn.clone()]);
    let file = std::fs::read_to_string(dir.path().join("connections.json")).unwrap();
    assert!(file.contains("AKIAADMINREMEMBERED1") && !file.contains("admin-secret/value"), "{file}");
    assert_eq!(secret_tool(kc.service(), "123456789012/connection/AKIAADMINREMEMBERED1").as_deref(), Some("admin-secret/value"));
    let creds = load(&kc, "AKIAADMINREMEMBERED1").await.unwrap();
    assert_eq!(creds.secret_access_key.expose(), "admin-secret/value");
    assert!(load(&kc, "AKIAUNKNOWN000000000").await.unwrap_err().to_string().contains("no saved connection"));
    forget(&kc, "AKIAADMINREMEMBERED1").await.unwrap();
    assert!(list().unwrap().is_empty());
    assert_eq!(secret_tool(kc.service(), "123456789012/connection/AKIAADMINREMEMBERED1"), None);
}
