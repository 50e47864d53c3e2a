//! Free-text profile fields. Each is trimmed and bounded in characters (not bytes),
//! and control characters are refused so a name cannot break a layout or a log line.

use super::Invalid;

fn bounded(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
    allow_newlines: bool,
) -> Result<String, Invalid> {
    let s = raw.trim();
    let len = s.chars().count();
    if len < min || len > max {
        let msg = if min > 0 {
            format!("{field} must be {min} to {max} characters long")
        } else {
            format!("{field} must be at most {max} characters long")
        };
        return Err(Invalid::new(field, "invalid_length", msg));
    }
    if s.chars()
        .any(|c| c.is_control() && !(allow_newlines && c == '\n'))
    {
        return Err(Invalid::new(
            field,
            "invalid_characters",
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(s.to_owned())
}

macro_rules! text_field {
    ($name:ident, $field:literal, $min:literal, $max:literal, $newlines:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                bounded($field, raw, $min, $max, $newlines).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

text_field!(FullName, "full_name", 1, 100, false);
text_field!(Bio, "bio", 0, 500, true);
text_field!(StatusText, "status_text", 0, 100, false);

/// An email address, checked only for shape: the real check is a message that
/// arrives. Compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let bad = || Invalid::new("email", "invalid_email", "email address is not valid");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty() || domain.contains('@') || !domain.contains('.') {
            return Err(bad());
        }
        if domain.starts_with('.') || domain.ends_with('.') {
            return Err(bad());
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn lower(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_name_is_trimmed_and_bounded() {
        assert_eq!(
            FullName::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert_eq!(FullName::parse("   ").unwrap_err().code, "invalid_length");
        assert!(FullName::parse(&"é".repeat(100)).is_ok());
        assert!(FullName::parse(&"é".repeat(101)).is_err());
        assert_eq!(
            FullName::parse("a\u{7}b").unwrap_err().code,
            "invalid_characters"
        );
    }

    #[test]
    fn bio_allows_newlines_and_empty() {
        assert!(Bio::parse("").is_ok());
        assert!(Bio::parse("line one\nline two").is_ok());
        assert!(StatusText::parse("a\nb").is_err());
    }

    #[test]
    fn email_shape() {
        assert!(Email::parse("ada@example.org").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.org",
            "a b@x.org",
            "a@b",
            "a@b@c.org",
            "a@.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(
            Email::parse("Ada@Example.ORG").unwrap().lower(),
            "ada@example.org"
        );
    }
}
