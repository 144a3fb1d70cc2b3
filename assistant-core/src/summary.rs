//! Summaries of a message, a thread, a note or a day: a one-line gist and a few bullet points
//! written by the local model, in stages when the text is long, then checked fact by fact against
//! the source (see [`crate::factcheck`]).

use serde::Serialize;

use crate::assistant::Assistant;
use crate::engine::{ChatMessage, GenerationRequest, OutputConstraint, Priority, StreamEvent};
use crate::error::{CoreError, Result};
use crate::factcheck::{self, Fact};
use crate::index::DocKey;
use crate::library::{blocking, Library, Shown};
use crate::store::MessageRecord;

/// What to summarise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryTarget {
    /// `m12` or a Message-ID.
    Message(String),
    /// `t5`, or a message (`m12`, a Message-ID) whose thread is meant.
    Thread(String),
    /// `n3` or the note's path.
    Note(String),
    /// A day, `YYYY-MM-DD` (UTC); `None` is today.
    Day(Option<String>),
}

pub use crate::cloud::CloudPreview;

/// A summary as the CLI and the app show it. Always machine-written: shown with that label.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `m12`, `t5`, `n3` or the day `2001-10-30`.
    pub target: String,
    /// Subject, note title or the day.
    pub title: String,
    /// One line: the point of it.
    pub gist: String,
    pub gist_from: GistFrom,
    /// Who wants what, by when; amounts and dates.
    pub points: Vec<String>,
    /// The ids of the documents read, in the order read.
    pub sources: Vec<String>,
    pub model: String,
    pub machine_written: bool,
    pub check: CheckReport,
    /// Requests to the model: one, or one per part plus the ones combining them.
    pub stages: usize,
    /// Where it was written: `local` or `cloud`.
    pub route: &'static str,
    /// Said to the user beside the summary: why it stayed on the device, or fell back to it.
    pub notice: Option<String>,
    /// The text was longer than summaries read; only its beginning was summarised.
    pub truncated: bool,
    pub elapsed_ms: u64,
}

/// What the fact checker did to a summary.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CheckReport {
    /// Names, dates, amounts, numbers and addresses the summary stated.
    pub facts_checked: usize,
    /// The ones the source does not state.
    pub unsupported: Vec<Fact>,
    /// Points left out because they stated one of those.
    pub points_removed: Vec<String>,
    /// The model's gist stated something the source does not, or repeated itself: it was
    /// replaced by the author's own words (see [`Summary::gist_from`]).
    pub gist_flagged: bool,
}

/// Where the gist came from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GistFrom {
    Model,
    /// The subject line (the model's gist failed the check).
    Subject,
    /// The text's first sentence (the model's gist failed the check and there is no subject).
    LeadSentence,
    /// Counts of the day's items (nothing to ask the model about, or its gist failed the check).
    Counts,
}

impl CheckReport {
    /// Whether the checker changed or marked anything.
    pub fn fired(&self) -> bool {
        !self.unsupported.is_empty()
    }
}

/// About 800 tokens: one stage's text, with room for the instructions and the answer, and quick
/// to read on a phone's CPU.
const STAGE_CHARS: usize = 3_000;
/// Longer texts are summarised from their first this many characters.
const MAX_SOURCE_CHARS: usize = 12 * STAGE_CHARS;
/// A day summary reads at most this many messages and notes.
const MAX_DAY_ITEMS: usize = 200;
/// Of each message in a day summary: its first words.
const DAY_ITEM_CHARS: usize = 400;
const MAX_POINTS: usize = 4;

const SYSTEM_PROMPT: &str = "You summarise emails and notes for a busy reader. First line: 'Gist:' \
and the point in at most eight words, like a good subject line. Then one to three lines starting with \
'- ': who wants what, by when, with the exact names, dates and amounts from the text. Never add \
facts that are not in the text.";

const EXAMPLE_TEXT: &str = "Email from Dana Whitfield to Omar Haddad\nSubject: Lease\n\nOmar, \
the landlord signed the new lease for the Elm Street warehouse. Rent goes up to $3,150 a month \
from June 1. Could you sign your copy and return it to Priya by Friday?\nThanks, Dana";

const EXAMPLE_SUMMARY: &str = "Gist: Lease signed, please sign too\n- The \
landlord signed the Elm Street warehouse lease; rent is $3,150 a month from June 1.\n- Dana asks \
Omar to sign his copy and return it to Priya by Friday.\n";

/// The model's answer: a gist of two to eight plain words, then up to four points.
const OUTPUT_REGEX: &str = r"Gist: [A-Za-z0-9$%&/'().-]{1,18},?( [A-Za-z0-9$%&/'().-]{1,18},?){1,7}\n(- [^\n]{3,200}\n){1,4}";

/// One piece of what is summarised: a message, a note, or a day's item.
#[derive(Debug, Clone)]
struct Section {
    /// A heading the model reads ("Email from Sara Lee, 30 Oct 2001").
    heading: String,
    text: String,
}

/// What a summary is made from.
#[derive(Debug, Clone)]
struct Material {
    target: String,
    title: String,
    kind: &'static str,
    sections: Vec<Section>,
    sources: Vec<String>,
}

impl Material {
    /// Everything the facts may come from: headings (senders, dates, subjects) and texts.
    fn full_text(&self) -> String {
        let mut s = self.title.clone();
        for section in &self.sections {
            s.push('\n');
            s.push_str(&section.heading);
            s.push('\n');
            s.push_str(&section.text);
        }
        s
    }
}

/// The request for one stage: instructions, the worked example, then the text.
pub fn build_request(kind: &str, text: &str) -> GenerationRequest {
    let mut request = GenerationRequest::new(vec![
        ChatMessage::system(SYSTEM_PROMPT),
        ChatMessage::user(EXAMPLE_TEXT),
        ChatMessage::assistant(EXAMPLE_SUMMARY),
        ChatMessage::user(format!("Summarise this {kind}.\n\n{text}")),
    ]);
    request.max_tokens = Some(200);
    request.constraint = OutputConstraint::Regex(OUTPUT_REGEX.into());
    request
}

/// A line's words: runs of letters and digits.
fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A point's distinct words, lower-cased, and among them those that carry facts (a capital
/// letter or a digit: names, dates, amounts).
struct PointWords {
    all: std::collections::HashSet<String>,
    facts: std::collections::HashSet<String>,
}

impl PointWords {
    fn of(line: &str) -> Self {
        let mut point = PointWords {
            all: Default::default(),
            facts: Default::default(),
        };
        for w in words(line) {
            let lower = w.to_lowercase();
            if w.chars().any(|c| c.is_uppercase() || c.is_ascii_digit()) {
                point.facts.insert(lower.clone());
            }
            point.all.insert(lower);
        }
        point
    }

    /// Whether this point says nothing that `other` does not: every name, date and amount of it
    /// is in `other`, and so are at least four in five of its words.
    fn restated_by(&self, other: &PointWords) -> bool {
        !self.all.is_empty()
            && self.facts.is_subset(&other.all)
            && self.all.intersection(&other.all).count() * 5 >= self.all.len() * 4
    }
}

/// The gist and the points of the model's answer.
pub fn parse_summary(output: &str) -> (String, Vec<String>) {
    let mut gist = String::new();
    let mut points: Vec<String> = Vec::new();
    for line in output.lines() {
        let line = line.trim();
        if let Some(g) = line.strip_prefix("Gist:") {
            gist = g.trim().to_string();
        } else if let Some(p) = line.strip_prefix("- ") {
            let p = p.trim();
            if p.is_empty() || p.eq_ignore_ascii_case(&gist) {
                continue;
            }
            // A small model restates a point with a date or a name in front: keep one of them,
            // the one that says more.
            let words = PointWords::of(p);
            if points.iter().any(|q| words.restated_by(&PointWords::of(q))) {
                continue;
            }
            if let Some(q) = points
                .iter_mut()
                .find(|q| PointWords::of(q).restated_by(&words))
            {
                *q = p.to_string();
                continue;
            }
            points.push(p.to_string());
        }
    }
    points.truncate(MAX_POINTS);
    if gist.is_empty() {
        if let Some(first) = points.first() {
            gist = first.clone();
        }
    }
    (gist, points)
}

/// Splits the sections into stage-sized texts, each section under its heading; a long section
/// is cut at paragraph and sentence boundaries. Returns the texts and whether anything was left
/// out for length.
fn stage_texts(sections: &[Section]) -> (Vec<String>, bool) {
    let mut texts = Vec::new();
    let mut current = String::new();
    let mut total = 0;
    let mut truncated = false;
    'outer: for section in sections {
        let pieces = crate::chunk::chunk_text(&section.text, STAGE_CHARS - 200, usize::MAX);
        for (i, piece) in pieces.iter().enumerate() {
            if total + piece.text.len() > MAX_SOURCE_CHARS {
                truncated = true;
                break 'outer;
            }
            let heading = if i == 0 {
                section.heading.clone()
            } else {
                format!("{} (continued)", section.heading)
            };
            let block = format!("{heading}\n{}\n\n", piece.text);
            if !current.is_empty() && current.len() + block.len() > STAGE_CHARS {
                texts.push(std::mem::take(&mut current));
            }
            current.push_str(&block);
            total += piece.text.len();
        }
    }
    if !current.trim().is_empty() {
        texts.push(current);
    }
    (
        texts
            .into_iter()
            .map(|t| t.trim_end().to_string())
            .collect(),
        truncated,
    )
}

/// Lines about the message instead of its content ("The email is from someone to the reader").
fn says_nothing(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    [
        "email from",
        "email to",
        "the email is from",
        "the email to",
        "the email from",
        "the sender sent",
        "the message is from",
    ]
    .iter()
    .any(|p| l.starts_with(p))
}

/// Words of the worked example that a summary may only use when its source does too: a small
/// model copies the example when it is unsure.
fn borrowed_from_example(line: &str, source: &factcheck::Source) -> Vec<Fact> {
    let example = factcheck::Source::new(EXAMPLE_SUMMARY);
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4)
        .map(|w| w.to_lowercase())
        .filter(|w| example.has_word(w) && !source.has_word(w) && !COMMON.contains(&w.as_str()))
        .map(|w| Fact {
            kind: factcheck::FactKind::Name,
            text: w,
            opens_sentence: false,
        })
        .collect()
}

/// Words of the worked example common enough to appear in any summary.
const COMMON: &[&str] = &[
    "asks", "copy", "from", "month", "needed", "please", "return", "sign", "signed", "your", "with",
];

/// Keeps the points whose facts the source states; marks the gist if it states one it does not.
pub fn check_summary(gist: &str, points: Vec<String>, source: &str) -> (Vec<String>, CheckReport) {
    let source = factcheck::Source::new(source);
    let mut report = CheckReport {
        facts_checked: factcheck::facts(gist).len(),
        ..CheckReport::default()
    };
    let mut gist_bad = factcheck::unsupported(gist, &source);
    gist_bad.extend(borrowed_from_example(gist, &source));
    report.gist_flagged = !gist_bad.is_empty() || says_nothing(gist);
    report.unsupported.extend(gist_bad);
    let mut kept = Vec::new();
    for point in points {
        report.facts_checked += factcheck::facts(&point).len();
        let mut bad = factcheck::unsupported(&point, &source);
        bad.extend(borrowed_from_example(&point, &source));
        if says_nothing(&point) {
            continue;
        }
        if bad.is_empty() {
            kept.push(point);
        } else {
            report.unsupported.extend(bad);
            report.points_removed.push(point);
        }
    }
    (kept, report)
}

/// `Tue 30 Oct 2001` for a time in seconds since the epoch (UTC).
pub fn format_day(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let (y, m, d) = crate::search::civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {d} {} {y}",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize]
    )
}

fn message_heading(m: &MessageRecord) -> String {
    let from = if m.from.name.is_empty() {
        m.from.address.clone()
    } else {
        format!("{} <{}>", m.from.name, m.from.address)
    };
    let to: Vec<&str> =
        m.to.iter()
            .map(|a| {
                if a.name.is_empty() {
                    a.address.as_str()
                } else {
                    a.name.as_str()
                }
            })
            .take(4)
            .collect();
    let mut h = format!("Email from {from}");
    if !to.is_empty() {
        h.push_str(&format!(" to {}", to.join(", ")));
    }
    if let Some(date) = m.date {
        h.push_str(&format!(", {}", format_day(date)));
    }
    h.push_str(&format!("\nSubject: {}", m.subject));
    h
}

impl Library {
    /// Reads what `target` names into sections: new text of each message (quoted history once,
    /// in the message that wrote it), a note's text, or the first words of each of a day's items.
    async fn summary_material(&self, target: SummaryTarget) -> Result<Material> {
        match target {
            SummaryTarget::Message(id) => match self.show(&id).await? {
                Shown::Message(m) => Ok(Material {
                    target: format!("m{}", m.id),
                    title: m.subject.clone(),
                    kind: "email",
                    sections: vec![Section {
                        heading: message_heading(&m),
                        text: crate::chunk::mail_new_text(&m.body_text).trim().to_string(),
                    }],
                    sources: vec![format!("m{}", m.id)],
                }),
                _ => Err(CoreError::InvalidRequest(format!(
                    "`{id}` is not a message (use --note for notes, --thread for threads)"
                ))),
            },
            SummaryTarget::Note(id) => match self.show(&id).await? {
                Shown::Note(n) => Ok(Material {
                    target: format!("n{}", n.id),
                    title: n.title.clone(),
                    kind: "note",
                    sections: vec![Section {
                        heading: format!("Note: {}", n.title),
                        text: n.body.trim().to_string(),
                    }],
                    sources: vec![format!("n{}", n.id)],
                }),
                _ => Err(CoreError::InvalidRequest(format!("`{id}` is not a note"))),
            },
            SummaryTarget::Thread(id) => {
                let thread = match self.show(&id).await? {
                    Shown::Thread(t) => t,
                    Shown::Message(m) => match m.thread_id {
                        Some(t) => match self.show(&format!("t{t}")).await? {
                            Shown::Thread(t) => t,
                            _ => unreachable!("t<number> shows a thread"),
                        },
                        None => {
                            return Err(CoreError::InvalidRequest(format!(
                                "m{} is in no thread yet (run `assistant status`)",
                                m.id
                            )))
                        }
                    },
                    Shown::Note(_) => {
                        return Err(CoreError::InvalidRequest(format!(
                            "`{id}` is a note, not a thread"
                        )))
                    }
                };
                let this = self.clone();
                let ids: Vec<i64> = thread.messages.iter().map(|m| m.id).collect();
                let messages = blocking(move || {
                    let store = this.open_store()?;
                    let mut out = Vec::new();
                    for id in ids {
                        out.extend(store.message(id)?);
                    }
                    Ok(out)
                })
                .await?;
                let mut seen = std::collections::HashSet::new();
                let mut sections = Vec::new();
                let mut sources = Vec::new();
                for m in &messages {
                    let text = crate::chunk::mail_new_text(&m.body_text).trim().to_string();
                    // The same text twice (a message filed in two folders, a bare re-send).
                    if !seen.insert(crate::mail::collapse_whitespace(&text)) {
                        continue;
                    }
                    sections.push(Section {
                        heading: message_heading(m),
                        text,
                    });
                    sources.push(format!("m{}", m.id));
                }
                Ok(Material {
                    target: format!("t{}", thread.id),
                    title: thread.subject.clone(),
                    kind: "email thread",
                    sections,
                    sources,
                })
            }
            SummaryTarget::Day(day) => {
                let (start, end, label) = match day {
                    Some(d) => {
                        let (start, end) = crate::search::parse_date(&d)
                            .filter(|(s, e)| e - s == 86_400)
                            .ok_or_else(|| {
                                CoreError::InvalidRequest(format!(
                                    "day: `{d}` is not a date (use YYYY-MM-DD)"
                                ))
                            })?;
                        (start, end, d)
                    }
                    None => {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_secs() as i64)
                            .unwrap_or(0);
                        let start = now - now.rem_euclid(86_400);
                        let (y, m, d) = crate::search::civil_from_days(start / 86_400);
                        (start, start + 86_400, format!("{y:04}-{m:02}-{d:02}"))
                    }
                };
                let this = self.clone();
                let (messages, notes) = blocking(move || {
                    let store = this.open_store()?;
                    let mut messages = Vec::new();
                    for id in store.messages_between(start, end, MAX_DAY_ITEMS)? {
                        messages.extend(store.message(id)?);
                    }
                    let mut notes = Vec::new();
                    for id in store.notes_changed_between(start, end, MAX_DAY_ITEMS)? {
                        notes.extend(store.note(id)?);
                    }
                    Ok((messages, notes))
                })
                .await?;
                let mut sections = Vec::new();
                let mut sources = Vec::new();
                for m in &messages {
                    let text = crate::chunk::mail_new_text(&m.body_text);
                    sections.push(Section {
                        heading: message_heading(m),
                        text: first_chars(text.trim(), DAY_ITEM_CHARS),
                    });
                    sources.push(format!("m{}", m.id));
                }
                for n in &notes {
                    sections.push(Section {
                        heading: format!("Note changed: {}", n.title),
                        text: first_chars(n.body.trim(), DAY_ITEM_CHARS),
                    });
                    sources.push(format!("n{}", n.id));
                }
                Ok(Material {
                    target: label.clone(),
                    title: format!("{} (UTC)", format_day(start)),
                    kind: "day of mail and notes",
                    sections,
                    sources,
                })
            }
        }
    }
}

/// Whether a line says the same word three times or more in a row of words ("Sender: Sender:
/// Sender:"), the loop a small model falls into.
fn repeats(line: &str) -> bool {
    let words: Vec<String> = words(line).map(str::to_lowercase).collect();
    words.windows(3).any(|w| w[0] == w[1] && w[1] == w[2])
        || (2..=4).any(|n| words.windows(2 * n).any(|w| w[..n] == w[n..]))
}

/// A gist in the author's own words, for when the model's cannot be trusted.
fn fallback_gist(material: &Material) -> (String, GistFrom) {
    if material.kind.starts_with("day") {
        let mails = material
            .sources
            .iter()
            .filter(|s| s.starts_with('m'))
            .count();
        let notes = material.sources.len() - mails;
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        return (
            format!(
                "{} and {}",
                plural(mails, "message", "messages"),
                plural(notes, "changed note", "changed notes")
            ),
            GistFrom::Counts,
        );
    }
    let subject = material.title.trim();
    if !subject.is_empty() {
        return (subject.to_string(), GistFrom::Subject);
    }
    let text = material
        .sections
        .first()
        .map(|s| s.text.as_str())
        .unwrap_or("");
    (lead_sentence(text), GistFrom::LeadSentence)
}

/// The first sentence of a text after its greeting, at most 20 words.
pub fn lead_sentence(text: &str) -> String {
    let mut t = text.trim_start();
    let first_line_end = t.find('\n').unwrap_or(t.len());
    let first_line = &t[..first_line_end];
    // "Hi Phillip," / "Dear all:" / "Jeff/Brenda:" on its own or opening the text.
    let lower = first_line.to_ascii_lowercase();
    let greets = [
        "hi",
        "hello",
        "dear",
        "hey",
        "good morning",
        "good afternoon",
        "all",
    ]
    .iter()
    .any(|g| lower.starts_with(g));
    if let Some(i) = first_line.find([',', ':']) {
        if greets || first_line[..i].split_whitespace().count() <= 3 {
            t = t[i + 1..].trim_start();
        }
    }
    let end = t
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '\n')
                && t[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(t.len());
    let sentence = t[..end].trim();
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() > 20 {
        format!("{} …", words[..20].join(" "))
    } else {
        words.join(" ")
    }
}

fn first_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{} …", &text[..i]),
        None => text.to_string(),
    }
}

/// A model's gist and points checked against the source (points stating what it does not are
/// left out; a flagged, empty or repeating gist is replaced by the author's words), as a
/// one-stage local summary.
fn checked(material: Material, gist: String, points: Vec<String>, model: String) -> Summary {
    let (points, check) = check_summary(&gist, points, &material.full_text());
    let (gist, gist_from) = if check.gist_flagged || gist.trim().is_empty() || repeats(&gist) {
        fallback_gist(&material)
    } else {
        (gist, GistFrom::Model)
    };
    Summary {
        target: material.target,
        title: material.title,
        gist,
        gist_from,
        points,
        sources: material.sources,
        model,
        machine_written: true,
        check,
        stages: 1,
        route: "local",
        notice: None,
        truncated: false,
        elapsed_ms: 0,
    }
}

impl Assistant {
    /// A machine-written summary of a message, a thread, a note or a day.
    pub async fn summarize(&self, target: SummaryTarget) -> Result<Summary> {
        let model = self.engine_config()?.model_id;
        let material = self.library().summary_material(target).await?;
        let started = std::time::Instant::now();
        if material.sections.iter().all(|s| s.text.trim().is_empty()) {
            let gist = if material.kind.starts_with("day") {
                format!("No mail or notes on {}.", material.title)
            } else {
                "There is no text to summarise.".to_string()
            };
            return Ok(Summary {
                target: material.target,
                title: material.title,
                gist,
                gist_from: GistFrom::Counts,
                points: Vec::new(),
                sources: material.sources,
                model,
                machine_written: true,
                check: CheckReport::default(),
                stages: 0,
                route: "local",
                notice: None,
                truncated: false,
                elapsed_ms: started.elapsed().as_millis() as u64,
            });
        }
        let (mut texts, truncated) = stage_texts(&material.sections);
        let mut stages = 0;
        let mut kind = material.kind.to_string();
        let (gist, points) = loop {
            let mut partial = Vec::new();
            for text in &texts {
                partial.push(self.summarize_once(&kind, text).await?);
                stages += 1;
            }
            if partial.len() == 1 {
                break partial.pop().expect("one part");
            }
            // Stage two: the parts' points, summarised together.
            let sections: Vec<Section> = partial
                .iter()
                .enumerate()
                .map(|(i, (gist, points))| Section {
                    heading: format!("Part {} of {}: {gist}", i + 1, partial.len()),
                    text: points
                        .iter()
                        .map(|p| format!("- {p}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                })
                .collect();
            texts = stage_texts(&sections).0;
            kind = format!("list of summaries of the parts of one {}", material.kind);
        };
        let mut summary = checked(material, gist, points, model);
        summary.stages = stages;
        summary.truncated = truncated;
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(summary)
    }

    /// What summarizing `target` with the cloud model would send, without sending anything:
    /// where it would go (or why it stays), the text with personal data as placeholders.
    pub async fn summary_cloud_preview(&self, target: SummaryTarget) -> Result<CloudPreview> {
        let material = self.library().summary_material(target).await?;
        self.cloud_preview(&material, crate::cloud::Reasons::USER_ASKED)
            .await
    }

    async fn cloud_preview(
        &self,
        material: &Material,
        reasons: crate::cloud::Reasons,
    ) -> Result<CloudPreview> {
        let keys: Vec<DocKey> = material
            .sources
            .iter()
            .filter_map(|s| DocKey::parse(s))
            .collect();
        // The cloud model reads as much as the local one does in all its stages.
        let text = first_chars(&material.full_text(), MAX_SOURCE_CHARS);
        self.cloud_preview_of("summarize", &keys, reasons, &text)
            .await
    }

    /// A summary the user asked the cloud model for: see [`Assistant::summarize_routed`].
    pub async fn summarize_via_cloud(&self, target: SummaryTarget) -> Result<Summary> {
        self.summarize_routed(target, true).await
    }

    /// A summary, written by the cloud model when the privacy router sends it there (a cloud
    /// model is set, summaries are allowed, no source is private, and the user asked for it or
    /// the text is longer than the local model reads at once): personal data goes out as
    /// placeholders and comes back in the summary, and the call is logged. Otherwise, or when
    /// the server cannot be reached, the local model writes it and `notice` says why.
    pub async fn summarize_routed(
        &self,
        target: SummaryTarget,
        user_asked: bool,
    ) -> Result<Summary> {
        let material = self.library().summary_material(target.clone()).await?;
        let (parts, truncated) = stage_texts(&material.sections);
        let reasons = crate::cloud::Reasons {
            user_asked,
            too_long_for_local: parts.len() > 1 || truncated,
            local_answer_failed: false,
        };
        if reasons == crate::cloud::Reasons::default()
            || (!user_asked && self.settings()?.cloud.is_none())
        {
            return self.summarize(target).await;
        }
        let preview = self.cloud_preview(&material, reasons).await?;
        if !preview.goes_to_cloud() {
            let mut summary = self.summarize(target).await?;
            summary.notice = crate::cloud::stayed_notice(&preview.route, reasons);
            return Ok(summary);
        }
        let started = std::time::Instant::now();
        let mut request = build_request(material.kind, &preview.text);
        request.constraint = crate::engine::OutputConstraint::None;
        request.max_tokens = Some(400);
        let answer = self
            .cloud_answer(
                "summarize",
                request,
                &preview.sources,
                preview.placeholders.len(),
            )
            .await;
        let out = match answer {
            Ok(out) => out,
            Err(e) => {
                let mut summary = self.summarize(target).await?;
                summary.notice = Some(crate::cloud::fallback_notice(&e));
                return Ok(summary);
            }
        };
        let restored = crate::privacy::restore(&out, &preview.placeholders);
        let (gist, points) = parse_summary(&restored);
        let cloud_truncated = material.full_text().chars().count() > MAX_SOURCE_CHARS;
        let mut summary = checked(material, gist, points, preview.model.clone());
        summary.route = "cloud";
        summary.truncated = cloud_truncated;
        summary.notice = Some(preview.sent_notice());
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(summary)
    }

    async fn summarize_once(&self, kind: &str, text: &str) -> Result<(String, Vec<String>)> {
        let mut request = build_request(kind, text);
        request.priority = Priority::Interactive;
        let mut stream = self.generate(request).await?;
        let mut out = String::new();
        while let Some(event) = stream.next().await {
            if let StreamEvent::Token(t) = event? {
                out.push_str(&t);
            }
        }
        Ok(parse_summary(&out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_puts_fixed_instructions_first_and_constrains_the_shape() {
        let r = build_request(
            "email",
            "Email from Sara\nSubject: Lunch\n\nLunch on Friday?",
        );
        assert_eq!(r.messages[0].content, SYSTEM_PROMPT);
        assert_eq!(r.messages[2].content, EXAMPLE_SUMMARY);
        assert!(r.messages[3]
            .content
            .starts_with("Summarise this email.\n\nEmail from Sara"));
        assert_eq!(r.constraint, OutputConstraint::Regex(OUTPUT_REGEX.into()));
        // The worked example is itself a valid answer and passes its own fact check.
        let (gist, points) = parse_summary(EXAMPLE_SUMMARY);
        assert_eq!(gist, "Lease signed, please sign too");
        assert_eq!(points.len(), 2);
        let (kept, report) = check_summary(&gist, points.clone(), EXAMPLE_TEXT);
        assert_eq!(kept.len(), 2, "{report:?}");
        assert!(!report.fired());
        // Copied into the summary of another text, it is caught.
        let (kept, report) = check_summary(&gist, points, "Can we meet at the warehouse?");
        assert!(kept.is_empty());
        assert!(report.gist_flagged);
        assert!(
            report.unsupported.iter().any(|f| f.text == "lease"),
            "{report:?}"
        );
    }

    #[test]
    fn answers_are_parsed_with_repeats_dropped() {
        let (gist, points) = parse_summary(
            "Gist: Lunch moved\n- Sara moved lunch to Friday.\n- sara moved lunch to friday.\n- \n- Bring the slides.\n",
        );
        assert_eq!(gist, "Lunch moved");
        assert_eq!(points, ["Sara moved lunch to Friday.", "Bring the slides."]);
        let (gist, points) = parse_summary("- Only a point.\n");
        assert_eq!((gist.as_str(), points.len()), ("Only a point.", 1));
    }

    /// Regression: the sample's budget mail got the same point three times, twice with a date in
    /// front.
    #[test]
    fn a_point_restated_with_a_date_in_front_appears_once_in_its_fuller_form() {
        let (_, points) = parse_summary(
            "Gist: Q3 budget review\n\
             - Sara confirms the Q3 budget review, and requests a call at 14:00.\n\
             - Mon 6 Nov 2023, Sara confirms the Q3 budget review, and requests a call at 14:00.\n\
             - Mon 14:00, Sara confirms the Q3 budget review, and requests a call at 14:00.\n\
             - Bring the travel numbers.\n",
        );
        assert_eq!(
            points,
            [
                "Mon 6 Nov 2023, Sara confirms the Q3 budget review, and requests a call at 14:00.",
                "Bring the travel numbers."
            ]
        );
        // Same words, another person: both stay.
        let (_, points) = parse_summary(
            "- Dana pays the deposit by Friday.\n- Omar pays the deposit by Friday.\n",
        );
        assert_eq!(points.len(), 2);
    }

    #[test]
    fn the_checker_removes_points_with_invented_facts_and_flags_the_gist() {
        let source = "Email from Sara Lee\nSubject: Lunch\n\nCan we meet Friday at 1 pm? I booked Nando's for $40.";
        let points = vec![
            "Sara wants lunch on Friday at 1 pm.".to_string(),
            "Kenneth booked a table for $45.".to_string(),
        ];
        let (kept, report) = check_summary("Lunch with Sara on Monday", points, source);
        assert_eq!(kept, ["Sara wants lunch on Friday at 1 pm."]);
        assert_eq!(report.points_removed, ["Kenneth booked a table for $45."]);
        assert!(report.gist_flagged);
        let bad: Vec<&str> = report.unsupported.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(bad, ["Monday", "Kenneth", "$45"]);
        assert!(report.facts_checked >= 6, "{report:?}");
    }

    #[test]
    fn long_text_is_split_into_stages_under_headings_and_capped() {
        let para = "A sentence about the budget and the plan for next week. ".repeat(20);
        let sections = vec![
            Section {
                heading: "Email from A".into(),
                text: vec![para.clone(); 4].join("\n\n"),
            },
            Section {
                heading: "Email from B".into(),
                text: "Short reply.".into(),
            },
        ];
        let (texts, truncated) = stage_texts(&sections);
        assert!(!truncated);
        assert!(texts.len() >= 2, "{}", texts.len());
        assert!(texts.iter().all(|t| t.len() <= STAGE_CHARS + 100));
        assert!(texts[0].starts_with("Email from A\n"));
        assert!(texts[1].starts_with("Email from A (continued)\n"));
        assert!(texts
            .last()
            .unwrap()
            .ends_with("Email from B\nShort reply."));
        let huge = vec![Section {
            heading: "Note".into(),
            text: vec![para; 60].join("\n\n"),
        }];
        let (texts, truncated) = stage_texts(&huge);
        assert!(truncated);
        assert!(texts.iter().map(|t| t.len()).sum::<usize>() <= MAX_SOURCE_CHARS + 12 * 300);
    }

    #[test]
    fn a_failed_gist_is_replaced_by_the_authors_words() {
        assert!(repeats("Sender: Sender: Sender: S"));
        assert!(repeats("Email to the team, email to the team, more"));
        assert!(!repeats("Lunch moved to Friday"));
        assert_eq!(
            lead_sentence("Hi Phillip,  This message is to confirm our meeting. Thanks"),
            "This message is to confirm our meeting."
        );
        assert_eq!(
            lead_sentence("Jeff/Brenda:  Please authorize the products.\nMore."),
            "Please authorize the products."
        );
        assert_eq!(
            lead_sentence("Version 2.1 ships today"),
            "Version 2.1 ships today"
        );
        let material = |title: &str, kind| Material {
            target: "m1".into(),
            title: title.into(),
            kind,
            sections: vec![Section {
                heading: "Email from A".into(),
                text: "Dear all, the office closes at noon. Enjoy.".into(),
            }],
            sources: vec!["m1".into(), "n2".into(), "m3".into()],
        };
        assert_eq!(
            fallback_gist(&material("Office hours", "email")),
            ("Office hours".to_string(), GistFrom::Subject)
        );
        assert_eq!(
            fallback_gist(&material("", "email")),
            (
                "the office closes at noon.".to_string(),
                GistFrom::LeadSentence
            )
        );
        assert_eq!(
            fallback_gist(&material("Tue 30 Oct 2001", "day of mail and notes")),
            (
                "2 messages and 1 changed note".to_string(),
                GistFrom::Counts
            )
        );
    }

    #[test]
    fn days_are_formatted_with_their_weekday() {
        assert_eq!(format_day(0), "Thu 1 Jan 1970");
        assert_eq!(format_day(1_004_400_000), "Tue 30 Oct 2001");
    }
}
