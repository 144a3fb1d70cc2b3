//! Checks machine-written text against its source: every name, date, amount, number and email
//! address it states must appear in the source, so a summary never invents a fact.
//!
//! Matching is literal and deliberately simple (whole words, case-insensitive; numbers by their
//! digits), so a paraphrase of a fact passes only when its facts are spelled as in the source.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// What kind of fact a piece of text states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    Email,
    Amount,
    Date,
    Number,
    Name,
}

/// One fact found in the checked text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub kind: FactKind,
    pub text: String,
    /// A single capitalised word opening a sentence: maybe a name, maybe an ordinary word.
    #[serde(skip)]
    pub opens_sentence: bool,
}

/// Month names, lower case (also read by the time phrases of actions).
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// Weekday names from Monday, lower case.
pub(crate) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Words that start sentences of summaries without naming anything.
const SENTENCE_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "an",
    "and",
    "any",
    "as",
    "at",
    "because",
    "before",
    "both",
    "but",
    "by",
    "each",
    "every",
    "everyone",
    "everybody",
    "for",
    "from",
    "he",
    "her",
    "here",
    "his",
    "how",
    "if",
    "in",
    "it",
    "its",
    "let",
    "many",
    "more",
    "most",
    "my",
    "new",
    "next",
    "no",
    "none",
    "not",
    "nothing",
    "now",
    "of",
    "on",
    "once",
    "one",
    "only",
    "or",
    "our",
    "please",
    "she",
    "since",
    "so",
    "some",
    "someone",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "three",
    "to",
    "today",
    "tomorrow",
    "two",
    "until",
    "we",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "yesterday",
    "you",
    "your",
    "thanks",
    "thank",
    "reminder",
    "request",
    "update",
    "asks",
    "wants",
    "needs",
];

/// Capitalised words that are not names even in the middle of a sentence.
const NOT_NAMES: &[&str] = &[
    "i", "i'm", "i'll", "i've", "i'd", "ok", "okay", "re", "fw", "fwd", "am", "pm", "gist", "tbd",
    "asap", "fyi", "eod", "n/a",
];

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").unwrap());
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|billion|thousand)\b)?|\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|dollars\b|usd\b|eur\b|euros?\b))",
    )
    .unwrap()
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s+\d{4})?|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\b|\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.))",
    )
    .unwrap()
});
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d[\d,.\-:]*\d|\d").unwrap());
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9][A-Za-z0-9'&.-]*[A-Za-z0-9]|[A-Za-z]").unwrap());

/// The facts `text` states, each once, in order of appearance.
pub fn facts(text: &str) -> Vec<Fact> {
    let mut found: Vec<(usize, Fact)> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let overlaps =
        |taken: &[(usize, usize)], s: usize, e: usize| taken.iter().any(|&(a, b)| s < b && a < e);
    for (re, kind) in [
        (&*EMAIL, FactKind::Email),
        (&*AMOUNT, FactKind::Amount),
        (&*DATE, FactKind::Date),
        (&*NUMBER, FactKind::Number),
    ] {
        for m in re.find_iter(text) {
            if overlaps(&taken, m.start(), m.end()) {
                continue;
            }
            let t = m.as_str().trim_end_matches(['.', ',', '-', ':']);
            // A weekday or month word alone is a date; a bare single digit is not worth checking.
            if kind == FactKind::Number && t.len() < 2 {
                continue;
            }
            taken.push((m.start(), m.end()));
            found.push((
                m.start(),
                Fact {
                    kind,
                    text: t.to_string(),
                    opens_sentence: false,
                },
            ));
        }
    }
    for (start, name, opens_sentence) in names(text) {
        if !overlaps(&taken, start, start + name.len()) {
            found.push((
                start,
                Fact {
                    kind: FactKind::Name,
                    text: name,
                    opens_sentence,
                },
            ));
        }
    }
    found.sort_by_key(|(start, _)| *start);
    let mut seen = HashSet::new();
    found
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| seen.insert(f.text.to_lowercase()))
        .collect()
}

/// Capitalised words that name someone or something: inside a sentence; at its start when the
/// next word is capitalised too ("Sheri Righi will ..."). Runs of them form one name. A single
/// capitalised word starting a sentence is returned as a possible name ([`FactKind::Name`] with
/// the source deciding, see [`Source::supports_opening_word`]) unless it is a common opener.
fn names(text: &str) -> Vec<(usize, String, bool)> {
    let words: Vec<regex::Match> = WORD.find_iter(text).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if !is_capitalised(w.as_str()) || is_common(w.as_str()) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < words.len()
            && is_capitalised(words[j].as_str())
            && !is_common(words[j].as_str())
            && text[words[j - 1].end()..words[j].start()].trim().is_empty()
        {
            j += 1;
        }
        let sentence_start = sentence_starts_at(text, w.start());
        let opener = SENTENCE_WORDS.contains(&w.as_str().to_ascii_lowercase().as_str());
        if !sentence_start || j - i > 1 || !opener {
            let s = w.start();
            let e = words[j - 1].end();
            let name = text[s..e].trim_end_matches(['.', '\'']).to_string();
            out.push((s, name, sentence_start && j - i == 1));
        }
        i = j;
    }
    out
}

fn is_capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

fn is_common(w: &str) -> bool {
    let l = w.to_ascii_lowercase();
    let l = l.trim_end_matches("'s");
    NOT_NAMES.contains(&l) || MONTHS.contains(&l) || WEEKDAYS.contains(&l)
}

/// Whether the word at byte `at` begins a sentence, a line or a list item.
fn sentence_starts_at(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches([' ', '\t', '"', '(', '\'']);
    before.is_empty()
        || before.ends_with(['.', '!', '?', '\n', ':', ';'])
        || before.ends_with("- ")
        || before.ends_with('-')
        || before.ends_with('*')
}

/// The source text, prepared once for checking many facts against it.
pub struct Source {
    lower: String,
    words: HashSet<String>,
    digit_runs: HashSet<String>,
    digits_joined: String,
}

impl Source {
    pub fn new(text: &str) -> Self {
        let lower = text.to_lowercase();
        let words = lower
            .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '&')
            .filter(|w| !w.is_empty())
            .map(|w| w.to_string())
            .collect();
        Self {
            digit_runs: digit_runs(&lower).into_iter().collect(),
            digits_joined: grouped_digits(&lower),
            words,
            lower,
        }
    }

    /// Whether the source states `fact`.
    pub fn supports(&self, fact: &Fact) -> bool {
        match fact.kind {
            FactKind::Email => self.lower.contains(&fact.text.to_lowercase()),
            // One word opening a sentence may be an ordinary word ("Meeting moved"): it passes
            // when the source has a word sharing its first four letters.
            FactKind::Name if fact.opens_sentence && !self.has_word(&fact.text.to_lowercase()) => {
                let w = fact.text.to_lowercase();
                let stem: String = w.chars().take(4).collect();
                w.chars().count() > 4
                    && fact.text.chars().skip(1).all(|c| !c.is_ascii_uppercase())
                    && self.words.iter().any(|s| s.starts_with(&stem))
            }
            FactKind::Name => fact
                .text
                .split_whitespace()
                .map(|w| w.to_lowercase())
                .map(|w| {
                    w.trim_end_matches("'s")
                        .trim_matches(|c: char| !c.is_alphanumeric() && c != '&')
                        .to_string()
                })
                .filter(|w| !w.is_empty())
                .all(|w| self.has_word(&w)),
            FactKind::Amount | FactKind::Number => self.has_number(&fact.text),
            FactKind::Date => self.has_date(&fact.text),
        }
    }

    /// Whether the source has this word (lower case), or the phrase with inner punctuation.
    pub fn has_word(&self, w: &str) -> bool {
        if self.words.contains(w) {
            return true;
        }
        // "PG&E" and "e-mail": words with inner punctuation, found as written.
        (w.contains(['&', '-', '.', '\''])) && self.lower.contains(w)
    }

    /// Digits as written, ignoring thousands separators: "$1,200" is found in "1200 dollars".
    fn has_number(&self, text: &str) -> bool {
        let digits = grouped_digits(&text.to_lowercase());
        let digits = digits.trim();
        if digits.is_empty() {
            return true;
        }
        // Every run of digits must appear, and the whole in that order when it is one number.
        let runs = digit_runs(text);
        runs.iter().all(|r| self.digit_runs.contains(r))
            && (runs.len() < 2 || self.digits_joined.contains(digits))
    }

    fn has_date(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        let words_ok = lower
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 3)
            .all(|w| {
                let is_calendar = MONTHS
                    .iter()
                    .chain(WEEKDAYS.iter())
                    .find(|full| full.starts_with(&w[..3]));
                match is_calendar {
                    // "Tues" in the summary, "Tuesday" or "Tue" in the source.
                    Some(full) => self
                        .words
                        .iter()
                        .any(|s| s.len() >= 3 && full.starts_with(s.as_str())),
                    None => true,
                }
            });
        let runs = digit_runs(&lower);
        let digits_ok = runs.iter().all(|r| {
            self.digit_runs.contains(r)
                || self.digit_runs.contains(r.trim_start_matches('0'))
                || (r.len() == 4 && self.digit_runs.contains(&r[2..]))
        });
        words_ok && digits_ok
    }
}

/// Runs of digits: "10:00 am, 1,608.05" → ["10", "00", "1608", "05"]: a comma between digits
/// groups thousands and is skipped.
fn digit_runs(text: &str) -> Vec<String> {
    let joined = grouped_digits(text);
    joined
        .split(' ')
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect()
}

/// Digits with thousands separators removed and every other character turned into one space.
fn grouped_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if c == ','
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
            && chars.get(i + 4).is_none_or(|d| !d.is_ascii_digit())
        {
            // 1,608 → 1608
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out
}

/// The facts of `text` the source does not state.
pub fn unsupported(text: &str, source: &Source) -> Vec<Fact> {
    facts(text)
        .into_iter()
        .filter(|f| !source.supports(f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str =
        "Hi Phillip,  This message is to confirm our meeting with you on, Tuesday, \
October 30th from 9:00 am - 10:00 am, the location will be EB 3267.\nAttendees will be Monica \
Brown and Sheri Righi. Cost so far: $1,608,683.05 (12%).\nI can be reached at 713-345-6687 or \
sheri.righi@example.com.\nThanks,";

    fn kinds(text: &str) -> Vec<(FactKind, String)> {
        facts(text).into_iter().map(|f| (f.kind, f.text)).collect()
    }

    #[test]
    fn facts_are_found_by_kind() {
        let found = kinds(
            "- Sheri Righi meets Phillip on Tuesday, October 30th at 9:00 am in EB 3267; \
             budget $1,608,683.05 (12%), call 713-345-6687 or mail sheri.righi@example.com.",
        );
        let expect = [
            (FactKind::Name, "Sheri Righi"),
            (FactKind::Name, "Phillip"),
            (FactKind::Date, "Tuesday"),
            (FactKind::Date, "October 30th"),
            (FactKind::Date, "9:00 am"),
            (FactKind::Name, "EB"),
            (FactKind::Number, "3267"),
            (FactKind::Amount, "$1,608,683.05"),
            (FactKind::Amount, "12%"),
            (FactKind::Number, "713-345-6687"),
            (FactKind::Email, "sheri.righi@example.com"),
        ];
        assert_eq!(
            found,
            expect
                .iter()
                .map(|(k, t)| (*k, t.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_capitalised_word_starting_a_sentence_is_not_a_name() {
        assert!(kinds("Everyone should reply. Please call.").is_empty());
        assert_eq!(
            kinds("Please ask Monica."),
            vec![(FactKind::Name, "Monica".to_string())]
        );
        // An opening word that is not a common opener is checked, leniently: "Meeting" passes
        // when the source says "meet", "Kenneth" fails when the source never names him.
        let source = Source::new("Can we meet on Friday?");
        let opening = |w: &str| facts(&format!("{w} moved to Friday.")).remove(0);
        assert!(opening("Meeting").opens_sentence);
        assert!(source.supports(&opening("Meeting")));
        assert!(!source.supports(&opening("Kenneth")));
    }

    #[test]
    fn stated_facts_pass_and_invented_ones_do_not() {
        let source = Source::new(EMAIL);
        let ok = "- Meeting with Phillip on Tue, Oct 30 from 9:00 am to 10:00 am in EB 3267 \
                  with Monica Brown; costs $1608683.05, 12 percent; call 713-345-6687.";
        assert_eq!(unsupported(ok, &source), vec![]);
        let bad = "- Meeting with Kenneth on Friday, Nov 2 at 3 pm; budget $2,000; \
                   mail kenneth@example.com.";
        let texts: Vec<String> = unsupported(bad, &source)
            .into_iter()
            .map(|f| f.text)
            .collect();
        assert_eq!(
            texts,
            [
                "Kenneth",
                "Friday",
                "Nov 2",
                "3 pm",
                "$2,000",
                "kenneth@example.com"
            ]
        );
    }

    #[test]
    fn numbers_match_by_their_digits_not_by_substrings() {
        let source = Source::new("Invoice 4471 for 1,200 dollars, due 5/6.");
        let fact = |kind, text: &str| Fact {
            kind,
            text: text.into(),
            opens_sentence: false,
        };
        assert!(source.supports(&fact(FactKind::Amount, "$1,200")));
        assert!(!source.supports(&fact(FactKind::Number, "447")));
        assert!(source.supports(&fact(FactKind::Date, "5/6")));
        assert!(!source.supports(&fact(FactKind::Date, "6/5/2001")));
    }
}
