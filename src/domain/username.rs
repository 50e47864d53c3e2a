use std::fmt;

use serde::Serialize;

use super::Invalid;

/// 3-32 characters of ASCII letters, digits, `_`, `.` and `-`, starting and
/// ending with a letter or digit (`.alice` looks like a hidden file, `alice.` like
/// a typo of `alice`). Uniqueness is
/// case-insensitive, so the store keys on [`Username::lower`]; the spelling the user
/// chose is kept for display.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub const MIN: usize = 3;
    pub const MAX: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let len = s.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&len) {
            return Err(Invalid::new(
                "username",
                "invalid_username",
                format!(
                    "username must be {} to {} characters long",
                    Self::MIN,
                    Self::MAX
                ),
            ));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        {
            return Err(Invalid::new(
                "username",
                "invalid_username",
                format!(
                    "username may only contain letters, digits, '_', '.' and '-' (found {bad:?})"
                ),
            ));
        }
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !edge_ok(s.chars().next()) || !edge_ok(s.chars().last()) {
            return Err(Invalid::new(
                "username",
                "invalid_username",
                "username must start and end with a letter or digit",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form that uniqueness and lookups use.
    pub fn lower(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// Wraps a value read back from the store, which only ever holds parsed names.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet() {
        for ok in ["bob", "Alice_01", "a.b-c", &"x".repeat(32)] {
            assert!(Username::parse(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn refuses_bad_lengths_and_characters() {
        for bad in [
            "",
            "ab",
            &"x".repeat(33),
            "bob smith",
            "bob@home",
            "émile",
            "a/b",
            ".alice",
            "alice.",
            "...",
            "_bob",
            "bob-",
        ] {
            let err = Username::parse(bad).unwrap_err();
            assert_eq!(err.field, "username");
            assert_eq!(err.code, "invalid_username");
        }
    }

    #[test]
    fn lower_folds_case_and_display_keeps_it() {
        let u = Username::parse("  MixedCase ").unwrap();
        assert_eq!(u.as_str(), "MixedCase");
        assert_eq!(u.lower(), "mixedcase");
    }
}
