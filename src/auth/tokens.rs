use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::{Role, SessionId, Timestamp, UserId};

/// What an access token says. The role is informative only: every request re-reads
/// the user and session from the store, so a role change or revocation applies to
/// the very next request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub sub: UserId,
    pub sid: SessionId,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and verifies access tokens (HS256 JWT) and makes refresh tokens.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_secs: i64,
}

impl Tokens {
    pub fn new(secret: &[u8], access_ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_secs,
        }
    }

    pub fn issue_access(
        &self,
        user: UserId,
        session: SessionId,
        role: Role,
        now: Timestamp,
    ) -> anyhow::Result<String> {
        let iat = now.millis() / 1000;
        let claims = AccessClaims {
            sub: user,
            sid: session,
            role,
            iat,
            exp: iat + self.access_ttl_secs,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature and expiry. `None` for anything that is not a valid token.
    pub fn verify_access(&self, token: &str) -> Option<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
    }
}

/// A new opaque refresh token: 256 random bits, URL-safe.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Refresh tokens are stored only as their SHA-256 (hex). They carry 256 bits of
/// entropy, so a fast hash is enough: there is nothing to brute-force.
pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_round_trip_and_reject_tampering() {
        let t = Tokens::new(b"0123456789abcdef0123456789abcdef", 900);
        let (u, s) = (UserId::new(), SessionId::new());
        let tok = t
            .issue_access(u, s, Role::Doctor, Timestamp::now())
            .unwrap();
        let c = t.verify_access(&tok).unwrap();
        assert_eq!((c.sub, c.sid, c.role), (u, s, Role::Doctor));
        assert_eq!(c.exp - c.iat, 900);

        let other = Tokens::new(b"another secret of thirty-two byte", 900);
        assert!(
            other.verify_access(&tok).is_none(),
            "signed with another key"
        );
        assert!(t.verify_access("garbage").is_none());
    }

    #[test]
    fn expired_access_tokens_are_refused() {
        let t = Tokens::new(b"0123456789abcdef0123456789abcdef", 900);
        let long_ago = Timestamp::now().plus_secs(-3600);
        let tok = t
            .issue_access(UserId::new(), SessionId::new(), Role::Patient, long_ago)
            .unwrap();
        assert!(t.verify_access(&tok).is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_hash_stably() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_refresh_token(&a), hash_refresh_token(&a));
        assert_eq!(hash_refresh_token(&a).len(), 64);
    }
}
