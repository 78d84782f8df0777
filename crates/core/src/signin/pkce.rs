//! PKCE (RFC 7636) and the `state` of an OAuth authorization: made fresh for every sign-in.

use crate::error::{Error, Result};
use crate::secret::Secret;
use sha2::{Digest, Sha256};

/// The characters a code verifier may use (RFC 7636's unreserved set).
const VERIFIER_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// One authorization's proof key: the verifier stays here (a secret until the code is exchanged), the
/// challenge goes in the browser's URL; `state` ties the redirect back to this attempt.
pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
    pub state: String,
}

impl Pkce {
    pub fn new() -> Result<Pkce> {
        let mut raw = [0u8; 64];
        fill_random(&mut raw)?;
        // 64 draws from a 66-character alphabet; the slight bias of `% 66` over 256 values costs less than
        // a bit of the verifier's 390, far above RFC 7636's 256.
        let verifier: String = raw.iter().map(|b| VERIFIER_CHARS[*b as usize % VERIFIER_CHARS.len()] as char).collect();
        let challenge = challenge_for(&verifier);
        Ok(Pkce { verifier: Secret::new(verifier), challenge, state: uuid::Uuid::new_v4().to_string() })
    }
}

/// `BASE64URL(SHA256(verifier))` without padding: the S256 method.
pub fn challenge_for(verifier: &str) -> String {
    base64_simd::URL_SAFE_NO_PAD.encode_to_string(Sha256::digest(verifier.as_bytes()))
}

pub(crate) fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf).map_err(|e| Error::Internal(format!("the system's random number source failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        assert_eq!(challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let a = Pkce::new().unwrap();
        let b = Pkce::new().unwrap();
        assert_eq!(a.verifier.expose().len(), 64);
        assert!(a.verifier.expose().bytes().all(|c| VERIFIER_CHARS.contains(&c)));
        assert_eq!(a.challenge, challenge_for(a.verifier.expose()));
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        assert_ne!(a.state, b.state);
        assert!(!format!("{:?}", a.verifier).contains(a.verifier.expose()));
    }
}
