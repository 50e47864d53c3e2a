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
    let stray_joiner = !joiners_between_non_ascii(s);
    if let Some(c) = s
        .chars()
        .find(|&c| invisible(c) || (stray_joiner && c == '\u{200D}'))
    {
        return Err(Invalid::new(
            field,
            "invalid_characters",
            format!(
                "{field} must not contain invisible formatting characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    Ok(s.to_owned())
}

/// Characters that change how the text around them is shown without showing
/// themselves: bidirectional overrides, embeddings and isolates (a name that
/// reads backwards, or pulls a message's text along with it) and zero-width
/// spaces and joiners used to make two names look the same. The zero-width
/// joiner stays allowed between two non-ASCII characters, where emoji sequences
/// and some scripts need it.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{200C}')
}

fn joiners_between_non_ascii(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().all(|(i, &c)| {
        c != '\u{200D}'
            || (i > 0
                && i + 1 < chars.len()
                && !chars[i - 1].is_ascii()
                && !chars[i + 1].is_ascii()
                && chars[i - 1] != '\u{200D}'
                && chars[i + 1] != '\u{200D}')
    })
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
    fn invisible_formatting_is_refused_but_emoji_sequences_are_not() {
        for bad in [
            "Ann\u{202E}rehcrA",
            "A\u{200B}nn",
            "\u{2066}Ann\u{2069}",
            "Ann\u{200D}",
            "A\u{200D}nn",
        ] {
            assert_eq!(
                FullName::parse(bad).unwrap_err().code,
                "invalid_characters",
                "{bad:?}"
            );
        }
        assert!(FullName::parse("Family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}").is_ok());
        assert!(FullName::parse("Zoë Ünal").is_ok());
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
