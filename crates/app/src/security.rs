//! Secrets: random tokens, their stored hashes, and argon2id password hashing
//! off the async worker threads.

use std::sync::Arc;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::pool::{Priority, WorkPool};

/// 256 random bits, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time string comparison.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// argon2id hashing on a small pool of its own threads — half the cores,
/// at least one — running at a lower scheduling priority, so that logins
/// never stall request threads: under a burst of logins the pages keep
/// their latency and the logins queue.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    pool: WorkPool,
    dummy: Arc<String>,
}

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("argon2 params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hash")
        .to_string()
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    pub fn new() -> Self {
        Self {
            pool: WorkPool::new("argon2", 1024, Priority::Idle, false),
            // Verified against when an account does not exist, so that both
            // paths cost the same.
            dummy: Arc::new(hash_now("courtyard-dummy-password")),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        Ok(self.pool.run(f).await?)
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_owned();
        self.run(move || hash_now(&password)).await
    }

    /// Check `password` against `hash`; with no hash, spend the same time and fail.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> anyhow::Result<bool> {
        let password = password.to_owned();
        let (hash, real) = match hash {
            Some(h) => (h.to_owned(), true),
            None => ((*self.dummy).clone(), false),
        };
        let ok = self
            .run(move || {
                PasswordHash::new(&hash)
                    .map(|parsed| {
                        argon2()
                            .verify_password(password.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await?;
        Ok(ok && real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_256_bits_and_distinct_hashes() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = PasswordHasher::new();
        let hash = h.hash("tulip-harbour-quietly-9").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h
            .verify("tulip-harbour-quietly-9", Some(&hash))
            .await
            .unwrap());
        assert!(!h
            .verify("wrong-password-entirely", Some(&hash))
            .await
            .unwrap());
        assert!(!h.verify("courtyard-dummy-password", None).await.unwrap());
    }
}
