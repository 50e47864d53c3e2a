//! Message search: words (each a prefix, all must match) across every conversation
//! the caller is or was in, or inside one, optionally from one person and within a
//! date range; newest first, in pages. What a former member finds ends where they
//! left; deleted messages and group notices are never found.

use chrono::DateTime;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    conversation_views::MessageView,
    views::{encode_cursor, time_id_cursor, Page},
    Chat, Principal,
};
use crate::{
    auth::Action,
    domain::{ConversationId, Timestamp, UserId},
    error::{AppError, AppResult},
    store::search::MessageSearch,
};

/// Most words a search takes; more would only slow the index down.
const MAX_WORDS: usize = 8;
/// Shorter words are skipped: MariaDB's full-text index does not hold them, and
/// every backend answers the same.
const MIN_WORD: usize = 3;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MessageSearchQuery {
    /// Words to find (letters and digits; each matches the start of a word, all
    /// must be there). Words under 3 characters are skipped.
    pub q: String,
    /// Only in this conversation.
    pub conversation_id: Option<ConversationId>,
    /// Only messages from this user.
    pub from: Option<UserId>,
    /// Sent at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Sent before this time (RFC 3339).
    pub until: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1-50, default 20.
    pub limit: Option<u32>,
}

/// The words of a query: letters and digits, lowercase, long enough, at most
/// `MAX_WORDS`, each once.
pub fn search_words(q: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in q.split(|c: char| !c.is_alphanumeric()) {
        let w = w.to_lowercase();
        if w.chars().count() >= MIN_WORD && !words.contains(&w) && words.len() < MAX_WORDS {
            words.push(w.chars().take(64).collect());
        }
    }
    words
}

fn time(field: &'static str, v: Option<&str>) -> AppResult<Option<Timestamp>> {
    v.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| Timestamp(t.timestamp_millis()))
            .map_err(|_| {
                AppError::invalid(
                    field,
                    "invalid_time",
                    format!("{field} is not an RFC 3339 time"),
                )
            })
    })
    .transpose()
}

impl Chat {
    pub async fn search_messages(
        &self,
        who: &Principal,
        q: MessageSearchQuery,
    ) -> AppResult<Page<MessageView>> {
        self.rate(Action::Search, &who.user_id)?;
        let words = search_words(&q.q);
        if words.is_empty() {
            return Err(AppError::invalid(
                "q",
                "no_search_words",
                format!("search for at least one word of {MIN_WORD} or more letters or digits"),
            ));
        }
        let limit = super::views::page_limit(q.limit, 20, 50)?;
        let (since, until) = (
            time("since", q.since.as_deref())?,
            time("until", q.until.as_deref())?,
        );
        if let Some(c) = q.conversation_id {
            // One of the caller's (former ones too): otherwise as if it did not exist.
            self.store
                .member(c, who.user_id)
                .await?
                .ok_or_else(|| AppError::not_found("conversation"))?;
        }
        let after = time_id_cursor(q.cursor.as_deref())?;
        let mut found = self
            .store
            .search_messages(&MessageSearch {
                user: who.user_id,
                words: &words,
                conversation: q.conversation_id,
                sender: q.from,
                since,
                until,
                after,
                limit: limit + 1,
            })
            .await?;
        let more = found.len() > limit as usize;
        found.truncate(limit as usize);
        let next_cursor = more
            .then(|| {
                found
                    .last()
                    .map(|m| encode_cursor(&format!("{}:{}", m.created_at.millis(), m.id)))
            })
            .flatten();
        Ok(Page {
            items: found.iter().map(MessageView::from).collect(),
            next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_long_enough_once_each() {
        assert_eq!(
            search_words("Quarterly REPORT, report! ok a1 é"),
            ["quarterly", "report"]
        );
        assert_eq!(search_words("\"x\" OR 1=1; DROP -- *"), ["drop"]);
        assert_eq!(search_words("café naïve 2026"), ["café", "naïve", "2026"]);
        assert!(search_words("a b ok").is_empty());
        assert_eq!(search_words(&"word ".repeat(3)).len(), 1);
        assert_eq!(
            search_words("one1 two2 thr3 fou4 fiv5 six6 sev7 eig8 nin9").len(),
            MAX_WORDS
        );
    }
}
