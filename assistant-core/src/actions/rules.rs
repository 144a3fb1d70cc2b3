//! The deterministic reading of a request: the common phrasings ("forward the 3 most recent emails
//! from Kenneth to Sara", "archive it", "remind me to call Tana tomorrow at 9am") become proposed
//! steps with no model at all. What the rules do not read goes to the model.

use super::{when, ActionKind, ProposedStep};

/// A word of the request: as written (for the spans that become fields) and lower-cased without
/// punctuation (for matching).
#[derive(Debug, Clone)]
struct Word {
    raw: String,
    low: String,
}

fn words(text: &str) -> Vec<Word> {
    text.split_whitespace()
        .map(|w| Word {
            raw: w.to_string(),
            low: w
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != ':')
                .trim_end_matches(':')
                .to_lowercase()
                .replace('’', "'"),
        })
        .filter(|w| !w.low.is_empty() || w.raw.chars().any(char::is_alphanumeric))
        .collect()
}

/// The words as the user wrote them, with quotes and end punctuation taken off.
fn span(ws: &[Word]) -> Option<String> {
    let s = ws
        .iter()
        .map(|w| w.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let s = s
        .trim()
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'))
        .trim_end_matches(['.', ',', '!', '?', ';', ':'])
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'))
        .trim();
    (!s.is_empty()).then(|| s.to_string())
}

const POLITE: &[&str] = &[
    "please",
    "can",
    "could",
    "would",
    "will",
    "you",
    "kindly",
    "hey",
    "assistant",
    "ok",
    "okay",
    "now",
];

/// Verbs of requests the assistant refuses (no such action), at the start of a clause.
const UNSUPPORTED: &[&str] = &[
    "delete",
    "remove",
    "trash",
    "erase",
    "purge",
    "empty",
    "destroy",
    "wipe",
    "book",
    "buy",
    "order",
    "pay",
    "call",
    "phone",
    "text",
    "unsubscribe",
    "block",
    "print",
    "translate",
    "change",
    "reset",
    "cancel",
    "schedule",
    "invite",
    "accept",
    "decline",
    "share",
    "upload",
    "download",
    "install",
    "what",
    "what's",
    "how",
    "who",
    "why",
    "when",
    "where",
    "play",
    "turn",
    "set",
    "tell",
    "sell",
    "transfer",
    "wire",
    "post",
    "tweet",
    "export",
];

/// Words that end a name, folder, label or text span.
const STOP: &[&str] = &[
    "to",
    "about",
    "regarding",
    "and",
    "as",
    "into",
    "in",
    "saying",
    "that",
    "with",
    "from",
    "titled",
    "called",
    "named",
    "then",
    "under",
    "onto",
    "on",
    "over",
    "along",
];

const MAIL_NOUNS: &[&str] = &[
    "email", "emails", "e-mail", "e-mails", "mail", "mails", "message", "messages", "note", "one",
    "ones", "thread",
];

fn is(w: &Word, options: &[&str]) -> bool {
    options.contains(&w.low.as_str())
}

fn is_any(w: &str, options: &[&str]) -> bool {
    options.contains(&w)
}

fn position(ws: &[Word], options: &[&str]) -> Option<usize> {
    ws.iter().position(|w| is(w, options))
}

fn rposition(ws: &[Word], options: &[&str]) -> Option<usize> {
    ws.iter().rposition(|w| is(w, options))
}

/// The span after index `i` up to the next stop word.
fn until_stop(ws: &[Word], i: usize) -> (Option<String>, usize) {
    let end = ws[i..]
        .iter()
        .position(|w| is(w, STOP))
        .map(|p| i + p)
        .unwrap_or(ws.len());
    (span(&ws[i..end]), end)
}

/// Proposed steps, or `None` when the rules do not read the request.
pub fn propose(instruction: &str) -> Option<Vec<ProposedStep>> {
    let mut ws = words(instruction);
    while ws.first().is_some_and(|w| is(w, POLITE)) {
        ws.remove(0);
    }
    while ws
        .last()
        .is_some_and(|w| is(w, &["please", "thanks", "thank"]))
    {
        ws.pop();
    }
    if ws.is_empty() {
        return None;
    }
    let mut steps: Vec<ProposedStep> = Vec::new();
    for (n, clause) in clauses(&ws).into_iter().enumerate() {
        let step = clause_step(clause, n > 0)?;
        let refused = step.kind.is_none();
        steps.push(step);
        if refused {
            return Some(vec![ProposedStep::default()]);
        }
    }
    Some(steps)
}

/// The request split at "and"/"then" where a new verb starts.
fn clauses(ws: &[Word]) -> Vec<&[Word]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < ws.len() {
        let joiner = is(&ws[i], &["and", "then"])
            || ws[i].raw.ends_with(',') && i + 1 < ws.len() && is(&ws[i + 1], &["then"]);
        if joiner && i > start {
            let mut next = i + 1;
            while next < ws.len() && is(&ws[next], &["then", "also", "and"]) {
                next += 1;
            }
            let starts_step = next < ws.len() && verb(&ws[next..]).is_some();
            let in_text = is(&ws[i], &["and"]) && inside_text(&ws[start..i]);
            if starts_step && (!in_text || acts_on_the_same(&ws[next..])) {
                out.push(&ws[start..i]);
                start = next;
                i = next;
                continue;
            }
        }
        i += 1;
    }
    out.push(&ws[start..]);
    out
}

/// "archive it", "flag them too": a short step on the messages just named, which ends a text
/// ("reply saying I can meet on Monday and archive it").
fn acts_on_the_same(ws: &[Word]) -> bool {
    let Some((Some(kind), skip)) = verb(ws) else {
        return false;
    };
    kind.needs_messages() && ws.get(skip).is_some_and(|w| is(w, &["it", "them", "both"]))
}

/// Has the clause started free text ("saying ...") where "and" belongs to the text?
fn inside_text(ws: &[Word]) -> bool {
    position(ws, &["saying", "says", "that", "titled", "called", "named"]).is_some()
        || ws.first().is_some_and(|w| is(w, &["remind"]))
}

/// The kind a clause's first words ask for, and how many words the verb takes.
fn verb(ws: &[Word]) -> Option<(Option<ActionKind>, usize)> {
    let w = |i: usize| ws.get(i).map(|w| w.low.as_str()).unwrap_or("");
    let k = |kind: ActionKind, n: usize| Some((Some(kind), n));
    match (w(0), w(1), w(2)) {
        ("forward" | "fwd" | "fw", _, _) => k(ActionKind::Forward, 1),
        ("pass", "on" | "along", _) => k(ActionKind::Forward, 2),
        ("send", _, _) if !is_new_mail(&ws[1..]) => k(ActionKind::Forward, 1),
        ("draft" | "write" | "prepare", "a" | "an", "reply" | "response" | "answer") => {
            k(ActionKind::DraftReply, 3)
        }
        ("draft" | "write" | "prepare", "reply" | "replies" | "response", _) => {
            k(ActionKind::DraftReply, 2)
        }
        ("draft" | "write" | "compose" | "send" | "start", _, _) if is_new_mail(&ws[1..]) => {
            k(ActionKind::Compose, 1)
        }
        ("compose", _, _) => k(ActionKind::Compose, 1),
        // "write to X saying ...", "message X saying ..."
        ("write", "to", _) => k(ActionKind::Compose, 1),
        ("email" | "e-mail", _, _) => k(ActionKind::Compose, 1),
        ("reply" | "respond" | "answer", _, _) => k(ActionKind::Reply, 1),
        ("archive", _, _) => k(ActionKind::Archive, 1),
        ("file", "away", _) => k(ActionKind::Archive, 2),
        ("file" | "put", _, _) if position(ws, &["folder", "into", "in", "under"]).is_some() => {
            k(ActionKind::Move, 1)
        }
        ("file", _, _) => k(ActionKind::Archive, 1),
        ("move", _, _) => k(ActionKind::Move, 1),
        ("label" | "tag", _, _) => k(ActionKind::Label, 1),
        ("flag" | "star", _, _) => k(ActionKind::Flag, 1),
        ("mark", _, _)
            if rposition(ws, &["read"]).is_some() && position(ws, &["unread"]).is_none() =>
        {
            k(ActionKind::MarkRead, 1)
        }
        ("mark", _, _) if position(ws, &["important", "flagged", "urgent"]).is_some() => {
            k(ActionKind::Flag, 1)
        }
        ("summarize" | "summarise" | "summary" | "tldr" | "tl;dr" | "recap", _, _) => {
            k(ActionKind::Summarize, 1)
        }
        ("sum", "up", _) => k(ActionKind::Summarize, 2),
        ("catch", "me", "up") => k(ActionKind::Summarize, 3),
        ("fill", "me", "in") => k(ActionKind::Summarize, 3),
        ("brief", "me", _) => k(ActionKind::Summarize, 2),
        ("give", "me", "a" | "the") => {
            // "give me a (quick|short|brief) summary|recap|rundown|gist (of)"
            let mut n = 3;
            while is_any(w(n), &["quick", "short", "brief", "one-line", "fast"]) {
                n += 1;
            }
            if is_any(
                w(n),
                &["summary", "recap", "rundown", "gist", "tldr", "overview"],
            ) {
                n += 1;
                if w(n) == "of" {
                    n += 1;
                }
                k(ActionKind::Summarize, n)
            } else {
                None
            }
        }
        ("open" | "show" | "display" | "read", _, _) => {
            k(ActionKind::Open, if w(1) == "me" { 2 } else { 1 })
        }
        ("pull", "up", _) => k(ActionKind::Open, 2),
        ("search" | "find" | "look", _, _) => k(ActionKind::Search, 1),
        ("create" | "make" | "start" | "write" | "new", _, _)
            if position(&ws[..ws.len().min(4)], &["note"]).is_some() =>
        {
            k(ActionKind::CreateNote, 1)
        }
        ("note", "down", _) | ("jot", "down", _) => k(ActionKind::CreateNote, 2),
        ("add" | "append", _, _) if position(ws, &["note"]).is_some() => {
            k(ActionKind::AppendNote, 1)
        }
        ("remind", _, _) => k(ActionKind::Remind, 1),
        (v, _, _) if UNSUPPORTED.contains(&v) => Some((None, 1)),
        _ => None,
    }
}

/// "a new email to X", "an email to X", "a message to X" (not "the email from X").
fn is_new_mail(ws: &[Word]) -> bool {
    let w = |i: usize| ws.get(i).map(|w| w.low.as_str()).unwrap_or("");
    matches!(w(0), "a" | "an")
        && (matches!(w(1), "email" | "e-mail" | "mail" | "message" | "note") && w(1) != "note"
            || w(1) == "new" && matches!(w(2), "email" | "e-mail" | "mail" | "message"))
}

fn clause_step(ws: &[Word], later: bool) -> Option<ProposedStep> {
    let (kind, skip) = verb(ws)?;
    let Some(kind) = kind else {
        return Some(ProposedStep::default());
    };
    let rest = &ws[skip..];
    let mut step = ProposedStep {
        kind: Some(kind),
        ..Default::default()
    };
    match kind {
        ActionKind::Search => {
            let mut i = 0;
            while i < rest.len()
                && is(
                    &rest[i],
                    &[
                        "for",
                        "up",
                        "my",
                        "mail",
                        "inbox",
                        "emails",
                        "email",
                        "messages",
                        "mails",
                        "all",
                        "the",
                        "in",
                        "through",
                        "about",
                        "on",
                        "regarding",
                        "mentioning",
                    ],
                )
            {
                i += 1;
            }
            step.query = span(&rest[i..]);
            step.query.as_ref()?;
        }
        ActionKind::CreateNote => {
            let titled = position(rest, &["called", "titled", "named"]);
            let text_at = position(rest, &["saying", "with", "that", "says"])
                .filter(|&t| titled.is_none_or(|n| t > n));
            match titled {
                Some(n) => {
                    let end = text_at.unwrap_or(rest.len());
                    step.title = span(&rest[n + 1..end]);
                    if let Some(t) = text_at {
                        let mut s = t + 1;
                        if is(&rest[t], &["with"])
                            && rest.get(s).is_some_and(|w| is(w, &["the", "text"]))
                        {
                            while s < rest.len() && is(&rest[s], &["the", "text"]) {
                                s += 1;
                            }
                        }
                        step.text = span(&rest[s..]);
                    }
                }
                None => {
                    // "note down X", "make a note: X": the text is the title too.
                    let start = rest
                        .iter()
                        .position(|w| {
                            !is(w, &["a", "new", "note", "down", "that", "saying", "about"])
                        })
                        .unwrap_or(rest.len());
                    step.title = span(&rest[start..]);
                    step.text = step.title.clone();
                }
            }
            step.title.as_ref()?;
        }
        ActionKind::AppendNote => {
            // "add X to (my|the) note (called)? T", "append X to T", "add to the note T: X",
            // "add a line to the note T saying X".
            let to_note = (0..rest.len()).find(|&k| {
                is(&rest[k], &["to"]) && rest[k + 1..].iter().take(3).any(|w| is(w, &["note"]))
            });
            let (to, text_after) = match to_note {
                Some(k) => {
                    let (_, t) = text_start(rest, k + 1);
                    (k, t)
                }
                None => (rposition(rest, &["to"])?, None),
            };
            let mut t = to + 1;
            while t < rest.len()
                && is(
                    &rest[t],
                    &["my", "the", "note", "called", "titled", "named"],
                )
            {
                t += 1;
            }
            let mut end = match text_after {
                Some(at) => {
                    step.text = span(&rest[at..]);
                    let mut e = at;
                    while e > t && is(&rest[e - 1], &["saying", "says", "that"]) {
                        e -= 1;
                    }
                    e
                }
                None => {
                    step.text = span(&rest[..to]);
                    rest.len()
                }
            };
            if end > t && is(&rest[end - 1], &["note"]) {
                end -= 1;
            }
            step.note = span(&rest[t..end]);
            step.note.as_ref()?;
            step.text.as_ref()?;
        }
        ActionKind::Remind => {
            // "remind me to X WHEN" / "remind me about this email WHEN" / "remind me WHEN to X"
            let mut i = 0;
            while i < rest.len() && is(&rest[i], &["me", "us"]) {
                i += 1;
            }
            let lows: Vec<String> = rest.iter().map(|w| w.low.clone()).collect();
            let now = chrono::NaiveDate::from_ymd_opt(2001, 6, 1)?.and_hms_opt(8, 0, 0)?;
            let (ts, te, _) = when::find_time_phrase(&lows[i..], now)?;
            let (ts, te) = (ts + i, te + i);
            step.when = span(&rest[ts..te]);
            let mut body: Vec<Word> = rest[i..ts].to_vec();
            body.extend_from_slice(&rest[te..]);
            while body
                .first()
                .is_some_and(|w| is(w, &["to", "that", "about", "of"]))
            {
                body.remove(0);
            }
            // "about this email", "to answer it": the open message (or the step before's),
            // when there is one.
            if body.iter().any(|w| is(w, &["this", "it", "them"])) {
                step.this = !later;
                step.same = later;
            }
            step.text = span(&body);
            step.text.as_ref()?;
        }
        ActionKind::Compose => {
            // "write an email to X (about S) saying T" / "email X saying T"
            let mut i = 0;
            while i < rest.len()
                && is(
                    &rest[i],
                    &["a", "an", "new", "email", "e-mail", "mail", "message"],
                )
            {
                i += 1;
            }
            if rest.get(i).is_some_and(|w| is(w, &["to"])) {
                i += 1;
            }
            let (who_end, text_at) = text_start(rest, i);
            let mut names = &rest[i..who_end];
            if let Some(p) = position(names, &["subject"]) {
                step.subject = span(&names[p + 1..]);
                let mut end = p;
                while end > 0 && is(&names[end - 1], &["with", "the", "a"]) {
                    end -= 1;
                }
                names = &names[..end];
            }
            let about = position(names, &["about", "regarding", "re"]);
            if let Some(a) = about {
                step.subject = span(&names[a + 1..]);
                names = &names[..a];
            }
            step.to = people(names);
            if let Some(t) = text_at {
                step.text = span(&rest[t..]);
            }
            if step.to.is_empty() {
                return None;
            }
        }
        _ => {
            let used = select(rest, &mut step, later);
            let rest = &rest[used..];
            match kind {
                ActionKind::Forward => {
                    let to = position(rest, &["to"])?;
                    let (end, text_at) = text_start(rest, to + 1);
                    step.to = people(&rest[to + 1..end]);
                    if let Some(t) = text_at {
                        step.text = span(&rest[t..]);
                    }
                    if step.to.is_empty() {
                        return None;
                    }
                }
                ActionKind::Reply | ActionKind::DraftReply => {
                    let (_, text_at) = text_start(rest, 0);
                    if let Some(t) = text_at {
                        step.text = span(&rest[t..]);
                    }
                    if kind == ActionKind::Reply {
                        step.text.as_ref()?;
                    }
                }
                ActionKind::Move => {
                    let at = position(rest, &["to", "into", "in", "under"])?;
                    let mut s = at + 1;
                    // "to the folder X", "into a folder called X", "in my folder named X"
                    while s < rest.len()
                        && is(
                            &rest[s],
                            &[
                                "the", "my", "a", "new", "folder", "called", "named", "titled",
                            ],
                        )
                    {
                        s += 1;
                    }
                    let mut end = rest.len();
                    if end > s && is(&rest[end - 1], &["folder"]) {
                        end -= 1;
                    }
                    step.folder = span(&rest[s..end]);
                    step.folder.as_ref()?;
                }
                ActionKind::Label => {
                    let at = position(rest, &["as", "with", "to"])?;
                    let mut s = at + 1;
                    while s < rest.len() && is(&rest[s], &["the", "a", "label", "tag"]) {
                        s += 1;
                    }
                    let mut end = rest.len();
                    if end > s && is(&rest[end - 1], &["label", "tag"]) {
                        end -= 1;
                    }
                    step.label = span(&rest[s..end]);
                    step.label.as_ref()?;
                }
                ActionKind::Open | ActionKind::Summarize if step.note.is_some() => {}
                _ => {
                    // Anything left must be filler ("as read", "as important", "for me").
                    let filler = [
                        "as",
                        "read",
                        "important",
                        "flagged",
                        "urgent",
                        "for",
                        "me",
                        "please",
                        "now",
                        "away",
                    ];
                    if rest.iter().any(|w| !is(w, &filler)) {
                        return None;
                    }
                }
            }
        }
    }
    Some(step)
}

/// Where a recipient list ends and free text starts: "saying", "that says", "with the note",
/// "and say", a colon or a quote.
fn text_start(ws: &[Word], from: usize) -> (usize, Option<usize>) {
    for i in from..ws.len() {
        let w = &ws[i];
        if is(w, &["saying", "says"]) {
            return (i, Some(i + 1));
        }
        if is(w, &["that"]) && ws.get(i + 1).is_some_and(|n| is(n, &["says", "say"])) {
            return (i, Some(i + 2));
        }
        if is(w, &["with"])
            && ws.get(i + 1).is_some_and(|n| is(n, &["the", "a"]))
            && ws
                .get(i + 2)
                .is_some_and(|n| is(n, &["note", "message", "comment", "text"]))
        {
            let mut t = i + 3;
            if ws.get(t).is_some_and(|n| is(n, &["saying"])) {
                t += 1;
            }
            return (i, Some(t));
        }
        if is(w, &["and"])
            && ws
                .get(i + 1)
                .is_some_and(|n| is(n, &["say", "tell", "write"]))
        {
            let mut t = i + 2;
            if ws.get(t).is_some_and(|n| is(n, &["them", "him", "her"])) {
                t += 1;
            }
            return (i, Some(t));
        }
        if w.raw.ends_with(':') && i + 1 < ws.len() {
            return (i + 1, Some(i + 1));
        }
        if i > from && w.raw.starts_with(['"', '“', '\'']) {
            return (i, Some(i));
        }
    }
    (ws.len(), None)
}

/// "Sara", "Sara Lindqvist and Tom", "sara@x.com, tom@y.com".
fn people(ws: &[Word]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<Word> = Vec::new();
    for w in ws {
        if is(w, &["and", "&"]) || w.raw == "," {
            if let Some(s) = span(&cur) {
                out.push(s);
            }
            cur.clear();
            continue;
        }
        if is(w, &["me"]) {
            continue;
        }
        let ends = w.raw.ends_with(',');
        cur.push(Word {
            raw: w.raw.trim_end_matches(',').to_string(),
            low: w.low.clone(),
        });
        if ends {
            if let Some(s) = span(&cur) {
                out.push(s);
            }
            cur.clear();
        }
    }
    if let Some(s) = span(&cur) {
        out.push(s);
    }
    out.into_iter()
        .map(|s| s.trim_end_matches("'s").to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn possessive(w: &Word) -> bool {
    w.raw.ends_with("'s") || w.raw.ends_with("’s")
}

/// Reads the messages a clause names from its start: "the 3 most recent emails from Kenneth
/// (about X)", "this email", "it", "the latest from Tana", "the note Budget". Returns how many
/// words it used.
fn select(ws: &[Word], step: &mut ProposedStep, later: bool) -> usize {
    let mut i = 0;
    let mut newest = false;
    while i < ws.len() {
        let w = &ws[i];
        if is(
            w,
            &[
                "the", "my", "of", "a", "an", "me", "all", "up", "most", "to", "on",
            ],
        ) && !(is(w, &["to"]) && i > 0)
        {
            if is(w, &["to"])
                && step.kind != Some(ActionKind::Reply)
                && step.kind != Some(ActionKind::DraftReply)
            {
                break;
            }
            i += 1;
            continue;
        }
        if is(w, &["recent", "latest", "last", "newest", "new"]) {
            newest = true;
            i += 1;
            continue;
        }
        if let Some(n) = when::number(&w.low).filter(|n| (1..=50).contains(n)) {
            step.count = Some(n);
            i += 1;
            continue;
        }
        if is(w, MAIL_NOUNS) && !is(w, &["note"]) {
            i += 1;
            continue;
        }
        if is(w, &["note"]) && matches!(step.kind, Some(ActionKind::Open | ActionKind::Summarize)) {
            let mut s = i + 1;
            while s < ws.len() && is(&ws[s], &["called", "titled", "named"]) {
                s += 1;
            }
            step.note = span(&ws[s..]);
            return ws.len();
        }
        if is(w, &["this", "that"]) {
            step.this = true;
            i += 1;
            continue;
        }
        if is(w, &["it", "them", "these", "those", "both", "both"]) {
            if later {
                step.same = true;
            } else {
                step.this = true;
            }
            i += 1;
            continue;
        }
        if is(w, &["from"]) {
            let (who, end) = until_stop(ws, i + 1);
            step.from = who.map(|s| s.trim_end_matches("'s").to_string());
            i = end;
            continue;
        }
        if is(w, &["about", "regarding", "re"]) && i + 1 < ws.len() {
            let (what, end) = until_stop(ws, i + 1);
            step.about = what;
            i = end;
            continue;
        }
        // "Kenneth's latest email", "Kenneth Lay's 2 newest emails": a name of up to four
        // words ending in a possessive.
        if let Some(k) = (i..ws.len().min(i + 4)).find(|&k| possessive(&ws[k])) {
            if ws[i..k].iter().all(|w| !is(w, STOP) && !is(w, MAIL_NOUNS)) {
                step.from = span(&ws[i..=k])
                    .map(|s| s.trim_end_matches("'s").trim_end_matches("’s").to_string());
                i = k + 1;
                continue;
            }
        }
        break;
    }
    if newest && step.count.is_none() && (step.from.is_some() || step.about.is_some()) {
        step.count = Some(1);
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> ProposedStep {
        let steps = propose(text).unwrap_or_else(|| panic!("the rules should read: {text}"));
        assert_eq!(steps.len(), 1, "{text}: {steps:?}");
        steps.into_iter().next().unwrap()
    }

    #[test]
    fn the_seed_request_reads_without_a_model() {
        let s = one("forward the 3 most recent emails from Kenneth to Sara");
        assert_eq!(s.kind, Some(ActionKind::Forward));
        assert_eq!(s.from.as_deref(), Some("Kenneth"));
        assert_eq!(s.count, Some(3));
        assert_eq!(s.to, vec!["Sara".to_string()]);
        let s = one("Please forward the latest email from Kenneth Lay to Sara Lindqvist and Tom, saying FYI");
        assert_eq!((s.from.as_deref(), s.count), (Some("Kenneth Lay"), Some(1)));
        assert_eq!(s.to, vec!["Sara Lindqvist".to_string(), "Tom".to_string()]);
        assert_eq!(s.text.as_deref(), Some("FYI"));
    }

    #[test]
    fn possessive_names_synonyms_and_folder_phrases_read_without_a_model() {
        let s = one("Send Kenneth Lay's 2 newest emails to Sara");
        assert_eq!(s.kind, Some(ActionKind::Forward));
        assert_eq!((s.from.as_deref(), s.count), (Some("Kenneth Lay"), Some(2)));
        assert_eq!(s.to, vec!["Sara".to_string()]);
        let s = one("Reply to Tana Jones's latest email saying see you then");
        assert_eq!(
            (s.kind, s.from.as_deref()),
            (Some(ActionKind::Reply), Some("Tana Jones"))
        );
        assert_eq!(s.text.as_deref(), Some("see you then"));
        let s = one("Catch me up on the 2 latest emails from Priya");
        assert_eq!((s.kind, s.count), (Some(ActionKind::Summarize), Some(2)));
        let s = one("Give me a quick summary of this email");
        assert_eq!((s.kind, s.this), (Some(ActionKind::Summarize), true));
        let s = one("Write to sara@northwind.example saying the files are in");
        assert_eq!(s.kind, Some(ActionKind::Compose));
        assert_eq!(s.to, vec!["sara@northwind.example".to_string()]);
        let s = one("Put the latest email from Priya in a folder called Supplier contracts");
        assert_eq!(s.kind, Some(ActionKind::Move));
        assert_eq!(s.folder.as_deref(), Some("Supplier contracts"));
        // A possessive that is not a sender stays out: the name must come before the mail noun.
        assert!(propose("Forward the email to Sara's assistant")
            .is_none_or(|steps| steps[0].from.is_none()));
    }

    #[test]
    fn two_steps_share_their_messages() {
        let steps = propose("summarize the 2 latest emails from Tana and flag them").unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].kind, Some(ActionKind::Summarize));
        assert_eq!(steps[1].kind, Some(ActionKind::Flag));
        assert!(steps[1].same);
    }

    #[test]
    fn fields_are_the_users_words() {
        let s = one("move the latest email from Gerald to the Legal folder");
        assert_eq!(s.folder.as_deref(), Some("Legal"));
        let s = one("label this email as Urgent");
        assert_eq!((s.this, s.label.as_deref()), (true, Some("Urgent")));
        let s = one("create a note called Gas contracts saying call Gerald on Monday and Tuesday");
        assert_eq!(s.title.as_deref(), Some("Gas contracts"));
        assert_eq!(s.text.as_deref(), Some("call Gerald on Monday and Tuesday"));
        let s = one("remind me to call Tana tomorrow at 9am");
        assert_eq!(
            (s.text.as_deref(), s.when.as_deref()),
            (Some("call Tana"), Some("tomorrow at 9am"))
        );
        let s = one("add pick up the contract to my note Weekly plan");
        assert_eq!(
            (s.text.as_deref(), s.note.as_deref()),
            (Some("pick up the contract"), Some("Weekly plan"))
        );
        let s = one("reply to this saying Thanks, I'll be there.");
        assert_eq!(
            (s.this, s.text.as_deref()),
            (true, Some("Thanks, I'll be there"))
        );
        let s = one("search for gas storage contracts");
        assert_eq!(s.query.as_deref(), Some("gas storage contracts"));
        let s = one("write an email to Sara about the budget saying can we meet on Friday?");
        assert_eq!(s.kind, Some(ActionKind::Compose));
        assert_eq!(
            (s.to.clone(), s.subject.as_deref()),
            (vec!["Sara".to_string()], Some("the budget"))
        );
        assert_eq!(s.text.as_deref(), Some("can we meet on Friday"));
    }

    #[test]
    fn phrasings_found_in_the_dev_suite() {
        let s = one("Send the newest mail from Ana Ruiz on to bo@example.com");
        assert_eq!(
            (s.from.as_deref(), s.to.clone()),
            (Some("Ana Ruiz"), vec!["bo@example.com".to_string()])
        );
        let s = one("Email bo@example.com with subject Q3 plan saying please send the numbers");
        assert_eq!(s.to, vec!["bo@example.com".to_string()]);
        assert_eq!(
            (s.subject.as_deref(), s.text.as_deref()),
            (Some("Q3 plan"), Some("please send the numbers"))
        );
        let s = one("Add to the note Inbox: call Ana about the audit");
        assert_eq!(
            (s.note.as_deref(), s.text.as_deref()),
            (Some("Inbox"), Some("call Ana about the audit"))
        );
        let s = one("Add a line to the note Daily Notes saying ask Bo about the model");
        assert_eq!(
            (s.note.as_deref(), s.text.as_deref()),
            (Some("Daily Notes"), Some("ask Bo about the model"))
        );
        let s = one("Remind me to follow up on this tonight");
        assert!(s.this, "the open message, when there is one");
        assert_eq!(s.text.as_deref(), Some("follow up on this"));
        // "and" inside a reply's text stays text, unless a short step on the same message follows.
        let steps = propose("Reply to this saying I can meet on Monday and archive it").unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].text.as_deref(), Some("I can meet on Monday"));
        assert!(steps[1].same);
        let s = one("Reply to this saying Tom and I will come");
        assert_eq!(s.text.as_deref(), Some("Tom and I will come"));
    }

    #[test]
    fn requests_with_no_such_action_are_refused_and_unread_ones_go_to_the_model() {
        assert_eq!(
            propose("delete all my email"),
            Some(vec![ProposedStep::default()])
        );
        assert_eq!(
            propose("book a flight to Houston"),
            Some(vec![ProposedStep::default()])
        );
        assert_eq!(propose("the quarterly numbers look odd"), None);
        assert_eq!(propose("forward it"), None, "forward to whom?");
    }
}
