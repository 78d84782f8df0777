//! Secret values (secret access keys, session tokens).
//!
//! A [`Secret`] is created the moment a secret arrives (from the SDK, the keychain or the user) and is the
//! only way the rest of the code holds one. It has a redacted `Debug`, no `Display`, no `Serialize`, and
//! its memory is zeroed on drop. Reading it takes an explicit call to [`Secret::expose`], so every place
//! that lets a secret out is easy to find with grep.

use std::fmt;
use zeroize::Zeroizing;

/// A secret string: redacted in `Debug`, never serialised, zeroed on drop.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret itself. Call only where the secret must leave the process on purpose:
    /// the keychain, an export the user asked for, an explicit reveal, or a request signer.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // Not constant-time: secrets are only compared in tests and on import de-duplication.
        self.0.as_str() == other.0.as_str()
    }
}

/// Show an access key id the way aws-vault does: enough to recognise it, not to use it.
pub fn mask_key_id(id: &str) -> String {
    let tail: String = id.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("****************{tail}")
}

/// A long-term access key pair. The id is not secret; the secret half is a [`Secret`].
#[derive(Clone, Debug)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// Credentials typed or pasted by a user to connect (possibly temporary, with a session token).
#[derive(Clone, Debug)]
pub struct PastedCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /// Formats every type that holds a secret with `{:?}` and `{:#?}` and checks the secret is absent.
    #[test]
    fn debug_output_never_contains_the_secret() {
        let key = AccessKey { access_key_id: "AKIAEXAMPLE".into(), secret_access_key: Secret::new(SECRET) };
        let pasted = PastedCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new(SECRET),
            session_token: Some(Secret::new(format!("token-{SECRET}"))),
        };
        let outputs = [
            format!("{:?}", Secret::new(SECRET)),
            format!("{key:?}"),
            format!("{key:#?}"),
            format!("{pasted:?}"),
            format!("{pasted:#?}"),
            format!("{:?}", Some(key.clone())),
        ];
        for out in outputs {
            assert!(!out.contains(SECRET), "secret leaked in {out}");
            assert!(!out.contains("EXAMPLEKEY"), "part of the secret leaked in {out}");
        }
        assert!(format!("{key:?}").contains("AKIAEXAMPLE"), "the key id is not secret and helps debugging");
        assert_eq!(key.secret_access_key.expose(), SECRET);
    }

    #[test]
    fn masks_key_ids() {
        assert_eq!(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "****************MPLE");
        assert_eq!(mask_key_id("AB"), "****************AB");
    }
}
