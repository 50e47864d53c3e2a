//! Set-up and verdict of the `chaos` scenario: the people and groups, the stored
//! history read back over REST, and the comparison of both with what each member
//! sent, was acknowledged and applied.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::{chaos::ChaosReport, chaos_member::Member};

/// Registers `groups * members` people and puts each `members` of them in a group.
pub async fn groups(url: &str, groups: usize, members: usize) -> anyhow::Result<Vec<Member>> {
    let http = reqwest::Client::new();
    let run = &uuid::Uuid::new_v4().simple().to_string()[..6];
    let mut out = Vec::new();
    for g in 0..groups {
        let mut people = Vec::new();
        for i in 0..members.max(2) {
            let name = format!("c{run}g{g}m{i}");
            let r: Value = http
                .post(format!("{url}/api/v1/auth/register"))
                .json(&json!({"username": name, "password": "chaos password 1234", "full_name": name}))
                .send()
                .await?
                .json()
                .await?;
            let token = r["access_token"]
                .as_str()
                .with_context(|| format!("registering {name}: {r}"))?
                .to_owned();
            let id = r["user"]["id"].as_str().context("register")?.to_owned();
            people.push((name, token, id));
        }
        let ids: Vec<&str> = people[1..].iter().map(|p| p.2.as_str()).collect();
        let c: Value = http
            .post(format!("{url}/api/v1/conversations"))
            .bearer_auth(&people[0].1)
            .json(&json!({"name": format!("chaos {g}"), "member_ids": ids}))
            .send()
            .await?
            .json()
            .await?;
        let conversation = c["id"].as_str().context("group")?.to_owned();
        out.extend(
            people
                .into_iter()
                .map(|(name, token, _)| Member::new(name, token, conversation.clone())),
        );
    }
    Ok(out)
}

/// Each conversation's stored messages, (seq, client_msg_id) in seq order, read by
/// one of its members; the conversation's counter must agree with its rows.
pub async fn histories(
    http: &reqwest::Client,
    url: &str,
    readers: &HashMap<String, String>,
) -> anyhow::Result<HashMap<String, Vec<(i64, String)>>> {
    let mut out = HashMap::new();
    for (c, token) in readers {
        let mut items = Vec::new();
        let mut after = 0;
        loop {
            let page: Value = http
                .get(format!(
                    "{url}/api/v1/conversations/{c}/messages?after_seq={after}&limit=100"
                ))
                .bearer_auth(token)
                .send()
                .await?
                .json()
                .await?;
            for m in page["items"].as_array().context("history page")? {
                let seq = m["seq"].as_i64().unwrap_or(0);
                items.push((seq, m["client_msg_id"].as_str().unwrap_or("").to_owned()));
                after = seq;
            }
            if page["has_more"] != true {
                break;
            }
        }
        let conv: Value = http
            .get(format!("{url}/api/v1/conversations/{c}"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        if conv["last_seq"].as_i64() != Some(items.len() as i64) {
            bail!(
                "conversation {c}: counter says {} messages, {} rows stored",
                conv["last_seq"],
                items.len()
            );
        }
        out.insert(c.clone(), items);
    }
    Ok(out)
}

/// The verdict: every count that must be zero, and what it was.
pub fn verify(history: &HashMap<String, Vec<(i64, String)>>, members: &[Member]) -> ChaosReport {
    let mut r = ChaosReport {
        members: members.len(),
        ..ChaosReport::default()
    };
    for (c, items) in history {
        r.stored += items.len() as u64;
        if items
            .iter()
            .enumerate()
            .any(|(i, (seq, _))| *seq != i as i64 + 1)
        {
            r.problems
                .push(format!("conversation {c}: seqs are not 1..{}", items.len()));
        }
        let seq_of: HashMap<&str, i64> = items.iter().map(|(s, m)| (m.as_str(), *s)).collect();
        let mine: Vec<&Member> = members.iter().filter(|m| &m.conversation == c).collect();
        let sent: HashSet<&str> = mine
            .iter()
            .flat_map(|m| m.sent.iter().map(String::as_str))
            .collect();
        r.sent += sent.len() as u64;
        r.lost += sent.iter().filter(|s| !seq_of.contains_key(*s)).count() as u64;
        r.phantom += seq_of.keys().filter(|s| !sent.contains(*s)).count() as u64;
        for m in &mine {
            r.cuts += m.cuts;
            r.reconnects += m.reconnects;
            r.bad_acks += m
                .acked
                .iter()
                .filter(|(c, s)| seq_of.get(c.as_str()) != Some(s))
                .count() as u64;
            r.duplicated += m.duplicate_frames;
            r.delivered += m.applied.len() as u64;
            let mut seen = HashSet::new();
            for (i, (seq, cmid)) in m.applied.iter().enumerate() {
                if !seen.insert(*seq) {
                    r.duplicated += 1;
                }
                if i > 0 && *seq <= m.applied[i - 1].0 {
                    r.out_of_order += 1;
                }
                if seq_of.get(cmid.as_str()) != Some(seq) {
                    r.problems
                        .push(format!("{}: applied seq {seq} as {cmid}", m.name));
                }
            }
            r.lost += items.iter().filter(|(s, _)| !seen.contains(s)).count() as u64;
            if let Some(e) = m.errors.first() {
                r.problems.push(format!("{}: error frame {e}", m.name));
            }
        }
    }
    for (what, n) in [
        ("lost", r.lost),
        ("duplicated", r.duplicated),
        ("out of order", r.out_of_order),
        ("acked with a wrong seq", r.bad_acks),
        ("stored but never sent", r.phantom),
    ] {
        if n > 0 {
            r.problems.push(format!("{n} {what}"));
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, sent: &[&str], applied: &[(i64, &str)]) -> Member {
        let mut m = Member::new(name.into(), String::new(), "c".into());
        m.sent = sent.iter().map(|s| s.to_string()).collect();
        m.applied = applied.iter().map(|(s, c)| (*s, c.to_string())).collect();
        for (s, c) in applied {
            if sent.contains(c) {
                m.acked.insert(c.to_string(), *s);
            }
        }
        m
    }

    fn history(items: &[(i64, &str)]) -> HashMap<String, Vec<(i64, String)>> {
        HashMap::from([(
            "c".to_owned(),
            items.iter().map(|(s, c)| (*s, c.to_string())).collect(),
        )])
    }

    #[test]
    fn a_clean_run_passes_and_each_fault_is_counted() {
        let h = history(&[(1, "a-1"), (2, "b-1")]);
        let ok = [
            member("a", &["a-1"], &[(1, "a-1"), (2, "b-1")]),
            member("b", &["b-1"], &[(1, "a-1"), (2, "b-1")]),
        ];
        assert!(verify(&h, &ok).problems.is_empty());

        let twice = [
            member("a", &["a-1"], &[(1, "a-1"), (2, "b-1"), (2, "b-1")]),
            member("b", &["b-1"], &[(1, "a-1"), (2, "b-1")]),
        ];
        assert_eq!(verify(&h, &twice).duplicated, 1);
        let missing = [
            member("a", &["a-1"], &[(1, "a-1")]),
            member("b", &["b-1"], &[(1, "a-1"), (2, "b-1")]),
        ];
        assert_eq!(verify(&h, &missing).lost, 1);
        let swapped = [
            member("a", &["a-1"], &[(2, "b-1"), (1, "a-1")]),
            member("b", &["b-1"], &[(1, "a-1"), (2, "b-1")]),
        ];
        assert_eq!(verify(&h, &swapped).out_of_order, 1);
        let unsent = history(&[(1, "a-1"), (2, "b-1"), (3, "x-9")]);
        let r = verify(&unsent, &ok);
        assert_eq!((r.phantom, r.problems.is_empty()), (1, false));
        let gap = history(&[(1, "a-1"), (3, "b-1")]);
        assert!(!verify(&gap, &ok).problems.is_empty(), "a gap in seqs");
    }
}
