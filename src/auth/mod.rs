//! Credentials machinery used by the account use cases: password hashing, token
//! issuing and verification, and the login throttle. No HTTP, no SQL.

pub mod passwords;
pub mod throttle;
pub mod tokens;

pub use passwords::Passwords;
pub use throttle::LoginThrottle;
pub use tokens::{AccessClaims, Tokens};
