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
