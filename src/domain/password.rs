use std::{collections::HashSet, sync::OnceLock};

use super::{Invalid, Username};

/// The most common passwords of eight characters or more (lower-cased), from the
/// public "10,000 worst passwords" list. Shorter ones are refused by length anyway.
const COMMON: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// A new password that passed the rules. Deliberately not `Debug`/`Display`-printable
/// so it cannot end up in a log line.
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    /// Checks a password chosen by `username`: 8-128 characters, not the username,
    /// not one of the most common passwords (compared case-insensitively).
    pub fn parse(raw: &str, username: &Username) -> Result<Self, Invalid> {
        let len = raw.chars().count();
        if len < Self::MIN {
            return Err(Invalid::new(
                "password",
                "password_too_short",
                format!("password must be at least {} characters", Self::MIN),
            ));
        }
        if len > Self::MAX {
            return Err(Invalid::new(
                "password",
                "password_too_long",
                format!("password must be at most {} characters", Self::MAX),
            ));
        }
        let lower = raw.to_lowercase();
        if lower == username.lower() {
            return Err(Invalid::new(
                "password",
                "password_is_username",
                "password must not be the username",
            ));
        }
        if common().contains(lower.as_str()) {
            return Err(Invalid::new(
                "password",
                "password_too_common",
                "this password is among the most commonly used; choose another",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Username {
        Username::parse("alice").unwrap()
    }

    #[test]
    fn the_list_is_loaded() {
        assert!(common().len() > 2000);
        assert!(common().contains("password"));
    }

    #[test]
    fn refuses_short_long_username_and_common() {
        let code = |p: &str| Password::parse(p, &user()).err().map(|e| e.code);
        assert_eq!(code("short"), Some("password_too_short"));
        assert_eq!(code(&"x".repeat(129)), Some("password_too_long"));
        assert_eq!(code("alice"), Some("password_too_short"));
        let long_user = Username::parse("alicealice").unwrap();
        assert_eq!(
            Password::parse("AliceAlice", &long_user)
                .err()
                .map(|e| e.code),
            Some("password_is_username")
        );
        assert_eq!(code("Password"), Some("password_too_common"));
        assert_eq!(code("12345678"), Some("password_too_common"));
        assert_eq!(code("iloveyou"), Some("password_too_common"));
    }

    #[test]
    fn accepts_a_reasonable_password() {
        assert!(Password::parse("correct horse battery", &user()).is_ok());
        assert!(Password::parse(&"é".repeat(128), &user()).is_ok());
    }
}
