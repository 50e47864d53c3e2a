use anyhow::anyhow;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

/// Argon2id hashing. Hashing is CPU-bound (tens of milliseconds by design), so it
/// runs on the blocking pool, never on the async workers that serve other requests.
#[derive(Clone)]
pub struct Passwords {
    argon: Argon2<'static>,
    /// A hash of a random password, verified against when the username is unknown so
    /// that a login for a missing user takes as long as one for a real user.
    dummy_hash: String,
}

impl Passwords {
    /// `memory_kib` is the Argon2 memory cost; OWASP's baseline is 19 MiB with 2
    /// passes. Tests pass a small value to stay fast.
    pub fn new(memory_kib: u32, passes: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib.max(Params::MIN_M_COST), passes.max(1), 1, None)
            .map_err(|e| anyhow!("invalid password hashing parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon
            .hash_password(uuid::Uuid::new_v4().as_bytes(), &salt)
            .map_err(|e| anyhow!("hashing: {e}"))?
            .to_string();
        Ok(Self { argon, dummy_hash })
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let argon = self.argon.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow!("hashing: {e}"))
        })
        .await?
    }

    /// Checks `password` against `hash`; with `None` it checks against a dummy hash
    /// and returns false, taking the same time as a real check.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> anyhow::Result<bool> {
        let argon = self.argon.clone();
        let password = password.to_owned();
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_owned();
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| anyhow!("stored hash: {e}"))?;
            Ok(argon.verify_password(password.as_bytes(), &parsed).is_ok() && known)
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_salted() {
        let p = Passwords::new(64, 1).unwrap();
        let a = p.hash("correct horse").await.unwrap();
        let b = p.hash("correct horse").await.unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(p.verify("correct horse", Some(&a)).await.unwrap());
        assert!(!p.verify("wrong horse", Some(&a)).await.unwrap());
        assert!(!p.verify("correct horse", None).await.unwrap());
    }
}
