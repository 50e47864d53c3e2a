//! Mail text from the templates in `templates/mail/` (compiled into the binary):
//! `<kind>.txt` is the subject on its first line, then the plain text;
//! `<kind>.html` the HTML part (auto-escaped, extends `layout.html`).

use minijinja::Environment;
use serde::Serialize;

/// A mail's subject and both bodies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Every kind of mail the server sends; each has a `.txt` and an `.html`.
pub const KINDS: &[&str] = &[
    "password_reset",
    "password_changed",
    "verify_email",
    "email_changed",
    "missed",
];

const FILES: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../templates/mail/layout.html"),
    ),
    (
        "button.html",
        include_str!("../../templates/mail/button.html"),
    ),
    (
        "password_reset.txt",
        include_str!("../../templates/mail/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("../../templates/mail/password_reset.html"),
    ),
    (
        "password_changed.txt",
        include_str!("../../templates/mail/password_changed.txt"),
    ),
    (
        "password_changed.html",
        include_str!("../../templates/mail/password_changed.html"),
    ),
    (
        "verify_email.txt",
        include_str!("../../templates/mail/verify_email.txt"),
    ),
    (
        "verify_email.html",
        include_str!("../../templates/mail/verify_email.html"),
    ),
    (
        "email_changed.txt",
        include_str!("../../templates/mail/email_changed.txt"),
    ),
    (
        "email_changed.html",
        include_str!("../../templates/mail/email_changed.html"),
    ),
    (
        "missed.txt",
        include_str!("../../templates/mail/missed.txt"),
    ),
    (
        "missed.html",
        include_str!("../../templates/mail/missed.html"),
    ),
];

/// The compiled templates. Built once at start; a template that does not
/// parse fails the start, not a send.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn load() -> anyhow::Result<Self> {
        let mut env = Environment::new();
        // Missing values are errors, so a template and its caller cannot drift
        // apart silently.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in FILES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    /// Renders `kind` with `params` (a JSON object).
    pub fn render(&self, kind: &str, params: &impl Serialize) -> anyhow::Result<Rendered> {
        let text = self
            .env
            .get_template(&format!("{kind}.txt"))?
            .render(params)?;
        let html = self
            .env
            .get_template(&format!("{kind}.html"))?
            .render(params)?;
        let (subject, text) = text
            .split_once('\n')
            .ok_or_else(|| anyhow::anyhow!("{kind}.txt has no subject line"))?;
        Ok(Rendered {
            subject: subject.trim().to_owned(),
            text: format!("{}\n", text.trim()),
            html,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_renders_and_html_is_escaped() {
        let t = Templates::load().unwrap();
        let params = serde_json::json!({
            "username": "<b>ann</b>", "link": "https://chat.example/reset#t=abc",
            "minutes": 30, "hours": 24, "reset": true, "new_email": "n@example.org",
            "site_url": "https://chat.example", "total": 3,
            "items": [{"who": "<b>ann</b>", "group": "", "count": 3, "excerpt": null}],
        });
        for kind in KINDS {
            let r = t.render(kind, &params).unwrap();
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{kind}");
            assert!(r.text.contains("<b>ann</b>"), "{kind}: text is not escaped");
            assert!(r.html.contains("&lt;b&gt;ann"), "{kind}: html escapes");
            assert!(!r.html.contains("<b>ann"), "{kind}");
        }
    }

    #[test]
    fn a_missing_value_is_an_error_not_an_empty_string() {
        let t = Templates::load().unwrap();
        assert!(t
            .render("password_reset", &serde_json::json!({"username": "a"}))
            .is_err());
    }
}
