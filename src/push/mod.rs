//! Web push transport: VAPID (RFC 8292) and `aes128gcm` payload encryption
//! (RFC 8291) with `web-push-native` (pure Rust), sent with reqwest. No SQL and
//! no use-case logic: `chat/push.rs` decides who gets what, from the queue.

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use web_push_native::{
    jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair},
    p256, Auth, WebPushBuilder,
};

/// What a push service answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// 404/410: the subscription is gone for good.
    Gone,
    /// 429 (or 5xx with Retry-After): try again after this many seconds.
    RetryAfter(Option<u64>),
    /// Anything else: `permanent` when retrying cannot help (400, 413, bad keys).
    Failed {
        permanent: bool,
        reason: String,
    },
}

/// The server's VAPID identity and an HTTP client.
pub struct WebPush {
    key: ES256KeyPair,
    /// The public key as browsers want it (`applicationServerKey`): base64url of
    /// the uncompressed point.
    pub public_key: String,
    /// `sub` of the VAPID claims: a mailto: or https: contact.
    subject: String,
    client: reqwest::Client,
    /// Origins pushes may go to (`scheme://host[:port]`, `*.` for subdomains): an
    /// endpoint is a URL the client chose, and the server must not POST anywhere
    /// it is told.
    allowed: Vec<String>,
    /// How long a push service keeps an undelivered push (TTL header).
    ttl: Duration,
}

impl WebPush {
    /// From the raw 32-byte private scalar.
    pub fn new(
        private: &[u8],
        subject: String,
        allowed: Vec<String>,
        ttl: Duration,
    ) -> anyhow::Result<Self> {
        let key =
            ES256KeyPair::from_bytes(private).map_err(|e| anyhow::anyhow!("VAPID key: {e}"))?;
        let public_key =
            URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            key,
            public_key,
            subject,
            client,
            allowed,
            ttl,
        })
    }

    /// A new random private key (32 bytes), for the first start.
    pub fn generate_key() -> Vec<u8> {
        ES256KeyPair::generate().to_bytes()
    }

    /// Whether pushes may go to `endpoint`.
    pub fn allows(&self, endpoint: &str) -> bool {
        let Ok(url) = endpoint.parse::<http::Uri>() else {
            return false;
        };
        let (Some(scheme), Some(host)) = (url.scheme_str(), url.host()) else {
            return false;
        };
        let origin = match url.port_u16() {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        };
        self.allowed.iter().any(|a| match a.split_once("://*.") {
            Some((s, suffix)) => {
                scheme == s && url.port_u16().is_none() && host.ends_with(&format!(".{suffix}"))
            }
            None => a == &origin,
        })
    }

    /// Encrypts `payload` for the subscription and posts it.
    pub async fn send(&self, endpoint: &str, p256dh: &str, auth: &str, payload: &[u8]) -> Outcome {
        let request = match self.request(endpoint, p256dh, auth, payload) {
            Ok(r) => r,
            Err(reason) => {
                return Outcome::Failed {
                    permanent: true,
                    reason,
                }
            }
        };
        let (parts, body) = request.into_parts();
        let mut req = self.client.post(parts.uri.to_string()).body(body);
        for (name, value) in &parts.headers {
            req = req.header(name.as_str(), value.as_bytes());
        }
        let res = match req.header("Urgency", "high").send().await {
            Ok(r) => r,
            Err(e) => {
                // Not reached (network, timeout): try again later.
                tracing::debug!(error = %e, "push service not reached");
                return Outcome::RetryAfter(None);
            }
        };
        let status = res.status().as_u16();
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match status {
            200..=299 => Outcome::Delivered,
            404 | 410 => Outcome::Gone,
            429 => Outcome::RetryAfter(retry_after),
            500..=599 => Outcome::RetryAfter(retry_after),
            _ => Outcome::Failed {
                permanent: true,
                reason: format!("push service answered {status}"),
            },
        }
    }

    fn request(
        &self,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        payload: &[u8],
    ) -> Result<http::Request<Vec<u8>>, String> {
        let uri: http::Uri = endpoint.parse().map_err(|e| format!("endpoint: {e}"))?;
        let public = URL_SAFE_NO_PAD
            .decode(p256dh.trim_end_matches('='))
            .ok()
            .and_then(|b| p256::PublicKey::from_sec1_bytes(&b).ok())
            .ok_or("p256dh is not a P-256 public key")?;
        let auth = URL_SAFE_NO_PAD
            .decode(auth.trim_end_matches('='))
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or("auth is not 16 bytes")?;
        WebPushBuilder::new(uri, public, Auth::clone_from_slice(&auth))
            .with_valid_duration(self.ttl)
            .with_vapid(&self.key, &self.subject)
            .build(payload.to_vec())
            .map_err(|e| e.to_string())
    }
}

/// Checks a subscription's keys as a browser gives them, before storing.
pub fn valid_keys(p256dh: &str, auth: &str) -> bool {
    let key = URL_SAFE_NO_PAD
        .decode(p256dh.trim_end_matches('='))
        .ok()
        .is_some_and(|b| p256::PublicKey::from_sec1_bytes(&b).is_ok());
    let auth = URL_SAFE_NO_PAD
        .decode(auth.trim_end_matches('='))
        .is_ok_and(|a| a.len() == 16);
    key && auth
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(allowed: &[&str]) -> WebPush {
        let key = WebPush::generate_key();
        let allowed = allowed.iter().map(|s| s.to_string()).collect();
        WebPush::new(
            &key,
            "mailto:ops@example.org".into(),
            allowed,
            Duration::from_secs(60),
        )
        .unwrap()
    }

    #[test]
    fn only_allowed_origins_receive_pushes() {
        let p = push(&[
            "https://fcm.googleapis.com",
            "https://*.notify.windows.com",
            "http://127.0.0.1:9000",
        ]);
        assert!(p.allows("https://fcm.googleapis.com/fcm/send/abc"));
        assert!(p.allows("https://wns2-db5p.notify.windows.com/w/?token=x"));
        assert!(p.allows("http://127.0.0.1:9000/push/a"));
        for bad in [
            "http://fcm.googleapis.com/fcm/send/abc",
            "https://fcm.googleapis.com.evil.example/x",
            "https://notify.windows.com/x",
            "http://127.0.0.1:9001/push/a",
            "http://169.254.169.254/latest/meta-data",
            "not a url",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
    }

    #[test]
    fn the_public_key_is_an_uncompressed_p256_point() {
        let p = push(&[]);
        let raw = URL_SAFE_NO_PAD.decode(&p.public_key).unwrap();
        assert_eq!((raw.len(), raw[0]), (65, 4));
    }

    #[test]
    fn subscription_keys_are_checked() {
        let p = push(&[]);
        assert!(valid_keys(&p.public_key, "AAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!valid_keys("AAAA", "AAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!valid_keys(&p.public_key, "AAAA"));
    }
}
