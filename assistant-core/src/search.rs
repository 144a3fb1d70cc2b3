//! Search as a user types it: `budget from:kenneth after:2001-10-01 has:attachment` split into
//! words and filters, run on the index, and turned into result lines with snippets.

use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::index::{DocKey, DocKind, Filters, FullTextIndex, Hit, Snippet};
use crate::store::Store;

/// One result line.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    /// `m12` for a message, `n3` for a note: what `assistant show` takes.
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    /// Sender for mail, path for notes.
    pub byline: String,
    pub date: Option<i64>,
    pub source: String,
    pub folder: String,
    pub snippet: Snippet,
    pub score: f32,
}

/// Splits the words of a query from its `name:value` filters. Values may be quoted
/// (`from:"kenneth lay"`). Unknown `name:` prefixes stay part of the words.
pub fn parse_query(input: &str) -> Result<(String, Filters)> {
    let mut words = Vec::new();
    let mut filters = Filters::default();
    for token in tokens(input) {
        let Some((name, value)) = token.split_once(':') else {
            words.push(token);
            continue;
        };
        let value = value.trim_matches('"').to_string();
        let date = |field: &str| {
            parse_date(&value).ok_or_else(|| {
                CoreError::InvalidRequest(format!(
                    "{field}: `{value}` is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"
                ))
            })
        };
        match name.to_ascii_lowercase().as_str() {
            "from" => filters.from = Some(value),
            "to" => filters.to = Some(value),
            "source" => filters.source = Some(value),
            "folder" | "in" => filters.folder = Some(value),
            "after" | "since" => filters.after = Some(date("after")?.0),
            "before" | "until" => filters.before = Some(date("before")?.0),
            "on" => {
                let (start, end) = date("on")?;
                filters.after = Some(start);
                filters.before = Some(end);
            }
            "has"
                if value.eq_ignore_ascii_case("attachment")
                    || value.eq_ignore_ascii_case("attachments") =>
            {
                filters.has_attachment = true
            }
            "kind" | "is"
                if value.eq_ignore_ascii_case("mail") || value.eq_ignore_ascii_case("email") =>
            {
                filters.kind = Some(DocKind::Mail)
            }
            "kind" | "is"
                if value.eq_ignore_ascii_case("note") || value.eq_ignore_ascii_case("notes") =>
            {
                filters.kind = Some(DocKind::Note)
            }
            _ => words.push(token),
        }
    }
    Ok((words.join(" "), filters))
}

/// Whitespace-separated tokens; a double-quoted stretch stays in one token.
fn tokens(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in input.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `(start, end)` in seconds since the epoch (UTC) of a day, month or year.
pub fn parse_date(s: &str) -> Option<(i64, i64)> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<i64>().ok())
            .flatten()
    };
    let (y, m, d) = match parts.as_slice() {
        [y] => (num(y, 4)?, None, None),
        [y, m] => (num(y, 4)?, Some(num(m, 2)?), None),
        [y, m, d] => (num(y, 4)?, Some(num(m, 2)?), Some(num(d, 2)?)),
        _ => return None,
    };
    if let Some(m) = m {
        if !(1..=12).contains(&m) {
            return None;
        }
        if let Some(d) = d {
            if d < 1 || d > days_in_month(y, m) {
                return None;
            }
        }
    }
    let day = |y, m, d| days_from_civil(y, m, d) * 86_400;
    Some(match (m, d) {
        (None, _) => (day(y, 1, 1), day(y + 1, 1, 1)),
        (Some(m), None) => (
            day(y, m, 1),
            if m == 12 {
                day(y + 1, 1, 1)
            } else {
                day(y, m + 1, 1)
            },
        ),
        (Some(m), Some(d)) => (day(y, m, d), day(y, m, d) + 86_400),
    })
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// How results are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Hybrid when passages have vectors and the embedding model is installed, else BM25.
    Auto,
    Bm25,
    Dense,
    Hybrid,
}

/// Reciprocal rank fusion: each list adds weight / (k + rank) to a document's score. k and the
/// weights were tuned on SciFact's train queries (docs/QUALITY.md): with the title searched inside
/// the body, k = 5 and equal weights gave nDCG@10 0.728 (k = 10: 0.724, k = 60: 0.716; the
/// meaning-based list weighted 1.5: 0.722).
pub const RRF_K: f32 = 5.0;
pub const LEXICAL_WEIGHT: f32 = 1.0;
pub const SEMANTIC_WEIGHT: f32 = 1.0;

pub fn reciprocal_rank_fusion(lists: &[(Vec<DocKey>, f32)], limit: usize) -> Vec<Hit> {
    let mut scores: std::collections::HashMap<DocKey, f32> = std::collections::HashMap::new();
    for (list, weight) in lists {
        for (rank, key) in list.iter().enumerate() {
            *scores.entry(*key).or_default() += weight / (RRF_K + rank as f32 + 1.0);
        }
    }
    let mut hits: Vec<Hit> = scores
        .into_iter()
        .map(|(key, score)| Hit { key, score })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
    hits.truncate(limit);
    hits
}

/// Runs a parsed query on the full-text index and builds result lines from the store.
pub fn search(
    store: &Store,
    index: &FullTextIndex,
    text: &str,
    filters: &Filters,
    limit: usize,
) -> Result<Vec<SearchResult>> {
    let hits = index.search(text, filters, limit)?;
    results(store, index, text, &hits)
}

/// Result lines for ranked hits: titles and dates from the store, snippets for `text`.
pub fn results(
    store: &Store,
    index: &FullTextIndex,
    text: &str,
    hits: &[Hit],
) -> Result<Vec<SearchResult>> {
    let keys: Vec<_> = hits.iter().map(|h| h.key).collect();
    let summaries = store.summaries(&keys)?;
    let snippeter = index.snippets(text, 180)?;
    Ok(hits
        .iter()
        .zip(summaries)
        // A document removed from the store but not yet from the index is left out.
        .filter_map(|(hit, summary)| {
            let s = summary?;
            Some(SearchResult {
                id: hit.key.to_string(),
                kind: match hit.key {
                    DocKey::Message(_) => DocKind::Mail,
                    DocKey::Note(_) => DocKind::Note,
                },
                snippet: snippeter.snippet(&s.body),
                title: s.title,
                byline: s.byline,
                date: s.date,
                source: s.source,
                folder: s.folder,
                score: hit.score,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_split_from_words() {
        let (text, f) = parse_query(
            r#"budget from:"kenneth lay" in:inbox after:2001-10-01 has:attachment q3 is:mail"#,
        )
        .unwrap();
        assert_eq!(text, "budget q3");
        assert_eq!(f.from.as_deref(), Some("kenneth lay"));
        assert_eq!(f.folder.as_deref(), Some("inbox"));
        assert_eq!(f.after, Some(1_001_894_400));
        assert!(f.has_attachment);
        assert_eq!(f.kind, Some(DocKind::Mail));
    }

    #[test]
    fn unknown_prefixes_stay_words_and_bad_dates_name_the_field() {
        let (text, f) = parse_query("http://example.com ratio:3").unwrap();
        assert_eq!(text, "http://example.com ratio:3");
        assert_eq!(f, Filters::default());
        let err = parse_query("before:2001-13-01").unwrap_err();
        assert!(
            err.to_string()
                .contains("before: `2001-13-01` is not a date"),
            "{err}"
        );
        assert!(parse_query("after:2001-02-29").is_err());
    }

    #[test]
    fn fusion_rewards_documents_both_lists_rank_well() {
        let (a, b, c, d) = (
            DocKey::Message(1),
            DocKey::Message(2),
            DocKey::Note(3),
            DocKey::Note(4),
        );
        let order = |hits: Vec<Hit>| hits.iter().map(|h| h.key).collect::<Vec<_>>();
        // Equal weights: c (first and third: 1/11 + 1/13) edges out b (second twice: 2/12).
        let hits = reciprocal_rank_fusion(&[(vec![a, b, c], 1.0), (vec![c, b, d], 1.0)], 10);
        assert_eq!(order(hits), vec![c, b, a, d]);
        // Weighting the first list 3× puts its second place, also second in the other, first.
        let hits = reciprocal_rank_fusion(&[(vec![a, b, c], 3.0), (vec![c, b, d], 1.0)], 10);
        assert_eq!(order(hits), vec![b, c, a, d]);
        assert_eq!(reciprocal_rank_fusion(&[(vec![a, b], 1.0)], 1).len(), 1);
    }

    #[test]
    fn dates_cover_days_months_and_years() {
        assert_eq!(parse_date("1970-01-01"), Some((0, 86_400)));
        assert_eq!(parse_date("2000-02"), Some((949_363_200, 951_868_800)));
        assert_eq!(parse_date("2001"), Some((978_307_200, 1_009_843_200)));
        assert_eq!(parse_date("2024-02-29").map(|d| d.1 - d.0), Some(86_400));
        assert_eq!(parse_date("01-02-2003"), None);
    }
}
