//! Credentials machinery used by the account use cases: password hashing, token
//! issuing and verification, the login throttle and request rates. No HTTP, no SQL.

pub mod passwords;
pub mod rate;
pub mod signed_urls;
pub mod throttle;
pub mod tokens;

pub use passwords::Passwords;
pub use rate::{Action, RateLimits};
pub use throttle::LoginThrottle;
pub use tokens::{AccessClaims, Tokens};
