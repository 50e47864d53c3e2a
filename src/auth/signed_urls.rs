//! Signed file URLs: what lets a browser's `<img src>` fetch a private file without
//! an Authorization header. A URL names the file, the reader and an expiry, and
//! carries an HMAC of the three; the server still checks on every download that
//! the reader may see the file, so a URL is never more than a short-lived
//! "this user asked for it".

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::{UploadId, UserId};

type HmacSha256 = Hmac<Sha256>;

/// URLs are valid for at least this long after they are made...
pub const MIN_LIFETIME_SECS: i64 = 3600;
/// ...and at most this long. The expiry is rounded up to a whole hour, so the
/// URLs made for one file and reader within an hour are the same string and the
/// browser's cache serves the repeats.
pub const MAX_LIFETIME_SECS: i64 = 2 * MIN_LIFETIME_SECS;

#[derive(Clone)]
pub struct UrlSigner {
    key: [u8; 32],
}

/// Why a signed URL was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Expired,
    BadSignature,
}

impl UrlSigner {
    /// The key is derived from the server secret with a label of its own, so a
    /// URL signature can never be mistaken for a token signature or vice versa.
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"confab media urls v1");
        Self {
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// The expiry a URL made at `now` (unix seconds) gets.
    pub fn expiry(now: i64) -> i64 {
        (now + MIN_LIFETIME_SECS).div_euclid(3600) * 3600 + 3600
    }

    pub fn sign(&self, file: UploadId, variant: &str, reader: UserId, exp: i64) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{file}/{variant}/{reader}/{exp}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks a URL's signature (in constant time) and expiry.
    pub fn verify(
        &self,
        file: UploadId,
        variant: &str,
        reader: UserId,
        exp: i64,
        sig: &str,
        now: i64,
    ) -> Result<(), Refused> {
        let Ok(given) = URL_SAFE_NO_PAD.decode(sig) else {
            return Err(Refused::BadSignature);
        };
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{file}/{variant}/{reader}/{exp}").as_bytes());
        mac.verify_slice(&given)
            .map_err(|_| Refused::BadSignature)?;
        if exp <= now {
            return Err(Refused::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_bound_to_file_variant_reader_and_expiry() {
        let s = UrlSigner::new(b"0123456789abcdef0123456789abcdef");
        let (f, u) = (UploadId::new(), UserId::new());
        let now = 1_800_000_000;
        let exp = UrlSigner::expiry(now);
        assert!(exp - now >= MIN_LIFETIME_SECS && exp - now <= MAX_LIFETIME_SECS);
        let sig = s.sign(f, "original", u, exp);
        assert_eq!(s.verify(f, "original", u, exp, &sig, now), Ok(()));
        let bad = Err(Refused::BadSignature);
        assert_eq!(
            s.verify(UploadId::new(), "original", u, exp, &sig, now),
            bad
        );
        assert_eq!(s.verify(f, "thumb", u, exp, &sig, now), bad);
        assert_eq!(s.verify(f, "original", UserId::new(), exp, &sig, now), bad);
        assert_eq!(s.verify(f, "original", u, exp + 3600, &sig, now), bad);
        assert_eq!(s.verify(f, "original", u, exp, "not base64!", now), bad);
        assert_eq!(
            s.verify(f, "original", u, exp, &sig, exp),
            Err(Refused::Expired)
        );
        let other = UrlSigner::new(b"another secret of thirty-two byte");
        assert_eq!(other.verify(f, "original", u, exp, &sig, now), bad);
    }

    #[test]
    fn urls_made_within_an_hour_are_the_same() {
        let base = 1_800_000_000 / 3600 * 3600;
        assert_eq!(UrlSigner::expiry(base), UrlSigner::expiry(base + 3599));
        assert_ne!(UrlSigner::expiry(base), UrlSigner::expiry(base + 3600));
    }
}
