//! DPoP (RFC 9449) for AWS Sign-In: a P-256 key made for one sign-in session, whose proofs bind its refresh
//! token to this machine. The key is a secret like any other: it lives in the session's cache file (as the
//! AWS CLI keeps it, owner-only) and in `Secret`s, never in logs or the webview.

use crate::error::{Error, Result};
use crate::secret::Secret;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::auth::{AuthScheme, AuthSchemeEndpointConfig, AuthSchemeId, AuthSchemeOption, AuthSchemeOptionsFuture, Sign};
use aws_smithy_runtime_api::client::identity::{Identity, IdentityCacheLocation, IdentityFuture, ResolveIdentity, SharedIdentityResolver};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::{GetIdentityResolver, RuntimeComponents};
use aws_smithy_types::config_bag::ConfigBag;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::SecretKey;
use std::sync::Arc;
use std::time::SystemTime;

/// A DPoP key. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct DpopKey(Arc<SecretKey>);

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopKey(<redacted>)")
    }
}

impl DpopKey {
    /// A new random key.
    pub fn generate() -> Result<DpopKey> {
        loop {
            let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
            super::pkce::fill_random(bytes.as_mut())?;
            // A scalar of zero or past the curve order is refused: draw again (about 2^-32 likely).
            if let Ok(key) = SecretKey::from_slice(bytes.as_ref()) {
                return Ok(DpopKey(Arc::new(key)));
            }
        }
    }

    /// The key as the AWS CLI stores it: SEC1 PEM (`-----BEGIN EC PRIVATE KEY-----`) naming its curve, as
    /// OpenSSL writes it. (The `p256` crate's own SEC1 leaves the curve out, and the AWS CRT, which botocore
    /// and the AWS CLI load the key with, then refuses it.)
    pub fn to_pem(&self) -> Result<Secret> {
        // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING (32), [0] OID prime256v1,
        //                             [1] BIT STRING (the uncompressed public point, 65 bytes) }
        let point = self.0.public_key().to_encoded_point(false);
        let mut der = zeroize::Zeroizing::new(Vec::with_capacity(121));
        der.extend_from_slice(&[0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20]);
        der.extend_from_slice(&self.0.to_bytes());
        der.extend_from_slice(&[0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42, 0x00]);
        der.extend_from_slice(point.as_bytes());
        if der.len() != 121 {
            return Err(Error::Internal("the sign-in key could not be written".into()));
        }
        let b64 = zeroize::Zeroizing::new(base64_simd::STANDARD.encode_to_string(der.as_slice()));
        let mut pem = String::from("-----BEGIN EC PRIVATE KEY-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END EC PRIVATE KEY-----\n");
        Ok(Secret::new(pem))
    }

    pub fn from_pem(pem: &str) -> Result<DpopKey> {
        SecretKey::from_sec1_pem(pem).map(|k| DpopKey(Arc::new(k))).map_err(|_| Error::Internal("the saved sign-in key is not a P-256 key".into()))
    }

    /// The public key as a JWK's `x` and `y` (base64url, no padding).
    pub fn public_coordinates(&self) -> (String, String) {
        let point = self.0.public_key().to_encoded_point(false);
        let b64 = |c: Option<&p256::FieldBytes>| c.map(|c| base64_simd::URL_SAFE_NO_PAD.encode_to_string(c)).unwrap_or_default();
        (b64(point.x()), b64(point.y()))
    }

    /// A DPoP proof for a POST to `url` at `now`: a JWT (ES256) whose header carries the public key.
    pub fn proof(&self, url: &str, now: SystemTime) -> Result<String> {
        let (x, y) = self.public_coordinates();
        let header = serde_json::json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": { "kty": "EC", "x": x, "y": y, "crv": "P-256" } });
        let iat = now.duration_since(SystemTime::UNIX_EPOCH).map_err(|_| Error::Internal("the system clock is before 1970".into()))?.as_secs();
        let payload = serde_json::json!({ "jti": uuid::Uuid::new_v4().to_string(), "htm": "POST", "htu": url, "iat": iat });
        let b64 = |v: &serde_json::Value| base64_simd::URL_SAFE_NO_PAD.encode_to_string(v.to_string().as_bytes());
        let message = format!("{}.{}", b64(&header), b64(&payload));
        let signature: Signature = SigningKey::from(self.0.as_ref()).sign(message.as_bytes());
        Ok(format!("{message}.{}", base64_simd::URL_SAFE_NO_PAD.encode_to_string(signature.to_bytes())))
    }
}

const SCHEME_ID: AuthSchemeId = AuthSchemeId::new("dpop");

/// The AWS Sign-In client's auth: a DPoP proof in the `DPoP` header of each request, as aws-config's own
/// login provider sends it when it refreshes the session.
#[derive(Debug)]
pub(crate) struct DpopAuth;

impl aws_sdk_signin::config::auth::ResolveAuthScheme for DpopAuth {
    fn resolve_auth_scheme<'a>(&'a self, _params: &'a aws_sdk_signin::config::auth::Params, _cfg: &'a ConfigBag, _rc: &'a RuntimeComponents) -> AuthSchemeOptionsFuture<'a> {
        AuthSchemeOptionsFuture::ready(Ok(vec![AuthSchemeOption::from(SCHEME_ID)]))
    }
}

#[derive(Debug)]
pub(crate) struct DpopScheme(pub(crate) DpopKey);

impl AuthScheme for DpopScheme {
    fn scheme_id(&self) -> AuthSchemeId {
        SCHEME_ID
    }

    fn identity_resolver(&self, _resolvers: &dyn GetIdentityResolver) -> Option<SharedIdentityResolver> {
        Some(SharedIdentityResolver::new(KeyIdentity(self.0.clone())))
    }

    fn signer(&self) -> &dyn Sign {
        self
    }
}

#[derive(Debug)]
struct KeyIdentity(DpopKey);

impl ResolveIdentity for KeyIdentity {
    fn resolve_identity<'a>(&'a self, _rc: &'a RuntimeComponents, _cfg: &'a ConfigBag) -> IdentityFuture<'a> {
        IdentityFuture::ready(Ok(Identity::new(self.0.clone(), None)))
    }

    fn cache_location(&self) -> IdentityCacheLocation {
        IdentityCacheLocation::IdentityResolver
    }
}

impl Sign for DpopScheme {
    fn sign_http_request(&self, request: &mut HttpRequest, identity: &Identity, _endpoint: AuthSchemeEndpointConfig<'_>, rc: &RuntimeComponents, _cfg: &ConfigBag) -> std::result::Result<(), BoxError> {
        let key = identity.data::<DpopKey>().ok_or("the DPoP identity is not a key")?;
        let now = rc.time_source().map(|t| t.now()).unwrap_or_else(SystemTime::now);
        let proof = key.proof(request.uri(), now).map_err(|e| e.to_string())?;
        request.headers_mut().insert("DPoP", proof);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    /// A proof is a JWT whose signature checks against the public key in its own header, over exactly what
    /// RFC 9449 asks for; the key survives a trip through the AWS CLI's PEM format.
    #[test]
    fn proofs_verify_with_the_key_they_carry() {
        let key = DpopKey::generate().unwrap();
        let again = DpopKey::from_pem(key.to_pem().unwrap().expose()).unwrap();
        assert_eq!(key.public_coordinates(), again.public_coordinates());
        assert!(key.to_pem().unwrap().expose().starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(!format!("{key:?}").contains("BEGIN"));
        // The curve is named (OID 1.2.840.10045.3.1.7), as OpenSSL and the AWS CRT expect.
        let der = base64_simd::STANDARD.decode_to_vec(key.to_pem().unwrap().expose().lines().filter(|l| !l.starts_with("-----")).collect::<String>()).unwrap();
        assert_eq!((der.len(), &der[39..51]), (121, &[0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07][..]));

        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let proof = again.proof("https://us-east-1.signin.aws.amazon.com/v1/token", now).unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |s: &str| base64_simd::URL_SAFE_NO_PAD.decode_to_vec(s).unwrap();
        let header: serde_json::Value = serde_json::from_slice(&decode(parts[0])).unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&decode(parts[1])).unwrap();
        assert_eq!((header["typ"].as_str(), header["alg"].as_str(), header["jwk"]["crv"].as_str()), (Some("dpop+jwt"), Some("ES256"), Some("P-256")));
        assert_eq!(payload["htm"], "POST");
        assert_eq!(payload["htu"], "https://us-east-1.signin.aws.amazon.com/v1/token");
        assert_eq!(payload["iat"], 1_800_000_000u64);
        assert!(uuid::Uuid::parse_str(payload["jti"].as_str().unwrap()).is_ok());
        // Verify with the JWK from the header, as the server does.
        let mut sec1 = vec![4u8];
        sec1.extend(decode(header["jwk"]["x"].as_str().unwrap()));
        sec1.extend(decode(header["jwk"]["y"].as_str().unwrap()));
        let verifying = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let signature = Signature::from_slice(&decode(parts[2])).unwrap();
        verifying.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).unwrap();
        assert!(verifying.verify(b"something else", &signature).is_err());
        assert_ne!(proof, again.proof("https://us-east-1.signin.aws.amazon.com/v1/token", now).unwrap(), "a fresh jti each time");
    }
}
