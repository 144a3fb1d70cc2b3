//! Time phrases in a request ("tomorrow at 9am", "on Monday at 10am", "in 2 hours", "on June 12
//! at 3pm", "tonight") read into a local date and time, deterministically, relative to a given now.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::factcheck::{MONTHS, WEEKDAYS};

/// Morning hour a day without a time means.
const DEFAULT_HOUR: u32 = 9;

/// Where a time phrase starts in `words` (lower-case, punctuation stripped) and what it means.
/// The phrase must run to the end of `words`, or up to a word in `until`.
pub fn find_time_phrase(
    words: &[String],
    now: NaiveDateTime,
) -> Option<(usize, usize, NaiveDateTime)> {
    // The longest phrase that parses, earliest start first.
    for start in 0..words.len() {
        for end in (start + 1..=words.len()).rev() {
            if let Some(t) = parse(&words[start..end], now) {
                return Some((start, end, t));
            }
        }
    }
    None
}

/// The whole of `words` as one time phrase.
pub fn parse(words: &[String], now: NaiveDateTime) -> Option<NaiveDateTime> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let today = now.date();
    // "in N minutes/hours/days"
    if let ["in", n, unit] = w.as_slice() {
        let n: i64 = number(n)? as i64;
        let d = match unit.trim_end_matches('s') {
            "minute" | "min" => Duration::minutes(n),
            "hour" | "hr" => Duration::hours(n),
            "day" => Duration::days(n),
            "week" => Duration::weeks(n),
            _ => return None,
        };
        return Some(now + d);
    }
    if let ["in", "an", "hour"] | ["in", "one", "hour"] = w.as_slice() {
        return Some(now + Duration::hours(1));
    }
    let (day, rest): (Option<NaiveDate>, &[&str]) = match w.as_slice() {
        ["tonight", rest @ ..] => {
            if rest.is_empty() {
                return Some(today.and_hms_opt(20, 0, 0)?);
            }
            (Some(today), rest)
        }
        ["this", "evening", rest @ ..] if rest.is_empty() => {
            return Some(today.and_hms_opt(18, 0, 0)?)
        }
        ["tomorrow", "morning"] => return Some((today + Duration::days(1)).and_hms_opt(9, 0, 0)?),
        ["tomorrow", "evening"] => return Some((today + Duration::days(1)).and_hms_opt(18, 0, 0)?),
        ["today", rest @ ..] => (Some(today), rest),
        ["tomorrow", rest @ ..] => (Some(today + Duration::days(1)), rest),
        ["on", "next", d, rest @ ..] | ["next", d, rest @ ..] | ["on", d, rest @ ..]
            if weekday(d).is_some() =>
        {
            (Some(next_weekday(today, weekday(d)?)), rest)
        }
        [d, rest @ ..] if weekday(d).is_some() => (Some(next_weekday(today, weekday(d)?)), rest),
        ["on", m, d, rest @ ..] | [m, d, rest @ ..] if month(m).is_some() => {
            let day: u32 = d
                .trim_end_matches(|c: char| c.is_alphabetic())
                .parse()
                .ok()?;
            let mut date = NaiveDate::from_ymd_opt(today.year(), month(m)?, day)?;
            if date < today {
                date = NaiveDate::from_ymd_opt(today.year() + 1, month(m)?, day)?;
            }
            (Some(date), rest)
        }
        rest => (None, rest),
    };
    let time = match rest {
        [] => None,
        ["at", t @ ..] => Some(clock(t)?),
        ["morning"] | ["in", "the", "morning"] => Some(NaiveTime::from_hms_opt(9, 0, 0)?),
        ["afternoon"] | ["in", "the", "afternoon"] => Some(NaiveTime::from_hms_opt(14, 0, 0)?),
        ["evening"] | ["in", "the", "evening"] => Some(NaiveTime::from_hms_opt(18, 0, 0)?),
        _ => return None,
    };
    match (day, time) {
        (Some(d), Some(t)) => Some(d.and_time(t)),
        (Some(d), None) => Some(d.and_hms_opt(DEFAULT_HOUR, 0, 0)?),
        (None, Some(t)) => {
            // "at 5pm": today, or tomorrow when that time has passed.
            let at = today.and_time(t);
            Some(if at <= now {
                at + Duration::days(1)
            } else {
                at
            })
        }
        (None, None) => None,
    }
}

/// "9", "9am", "9:30", "9:30pm", "9 am", "noon", "midnight", "17:00".
fn clock(w: &[&str]) -> Option<NaiveTime> {
    let joined = w.join("");
    match joined.as_str() {
        "noon" | "midday" => return NaiveTime::from_hms_opt(12, 0, 0),
        "midnight" => return NaiveTime::from_hms_opt(0, 0, 0),
        _ => {}
    }
    let (digits, suffix) = if let Some(d) = joined.strip_suffix("am") {
        (d, Some(false))
    } else if let Some(d) = joined.strip_suffix("pm") {
        (d, Some(true))
    } else {
        (joined.as_str(), None)
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => (digits.parse::<u32>().ok()?, 0),
    };
    let h = match suffix {
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        Some(_) if h > 12 => return None,
        // A bare "at 5" in a reminder means working hours: 1–7 are afternoon.
        None if (1..=7).contains(&h) && !digits.contains(':') => h + 12,
        _ => h,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

fn weekday(w: &str) -> Option<Weekday> {
    WEEKDAYS
        .iter()
        .position(|name| w.len() >= 3 && name.starts_with(w))
        .and_then(|i| Weekday::try_from(i as u8).ok())
}

/// The next such weekday strictly after today.
fn next_weekday(today: NaiveDate, day: Weekday) -> NaiveDate {
    let mut d = today + Duration::days(1);
    while d.weekday() != day {
        d += Duration::days(1);
    }
    d
}

fn month(w: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() >= 3 && m.starts_with(w)))
        .map(|i| i as u32 + 1)
}

/// "3" or "three" (up to twenty).
pub fn number(w: &str) -> Option<usize> {
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    w.parse()
        .ok()
        .or_else(|| WORDS.iter().position(|x| *x == w))
}

/// The plan's form of a time: local, to the minute.
pub fn format(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn when(phrase: &str) -> Option<String> {
        let words: Vec<String> = phrase.split_whitespace().map(String::from).collect();
        // 2001-06-01 is a Friday.
        parse(&words, at("2001-06-01T08:00")).map(format)
    }

    #[test]
    fn common_phrases_read_relative_to_now() {
        assert_eq!(when("tomorrow at 9am").as_deref(), Some("2001-06-02T09:00"));
        assert_eq!(when("tomorrow").as_deref(), Some("2001-06-02T09:00"));
        assert_eq!(when("at 5pm").as_deref(), Some("2001-06-01T17:00"));
        assert_eq!(
            when("at 7am").as_deref(),
            Some("2001-06-02T07:00"),
            "passed today: tomorrow"
        );
        assert_eq!(
            when("on monday at 10am").as_deref(),
            Some("2001-06-04T10:00")
        );
        assert_eq!(
            when("friday").as_deref(),
            Some("2001-06-08T09:00"),
            "the next Friday, not today"
        );
        assert_eq!(when("in 2 hours").as_deref(), Some("2001-06-01T10:00"));
        assert_eq!(when("in three days").as_deref(), Some("2001-06-04T08:00"));
        assert_eq!(
            when("on june 12 at 3pm").as_deref(),
            Some("2001-06-12T15:00")
        );
        assert_eq!(
            when("may 3").as_deref(),
            Some("2002-05-03T09:00"),
            "a past date: next year"
        );
        assert_eq!(when("tonight").as_deref(), Some("2001-06-01T20:00"));
        assert_eq!(when("at 12:30").as_deref(), Some("2001-06-01T12:30"));
        assert_eq!(when("at noon").as_deref(), Some("2001-06-01T12:00"));
    }

    #[test]
    fn words_that_are_not_times_are_not_read_as_times() {
        assert_eq!(when("the budget"), None);
        assert_eq!(when("at the office"), None);
        assert_eq!(when("in 2 boxes"), None);
        assert_eq!(when("on the deal"), None);
        let words: Vec<String> = "call tana tomorrow at 9am"
            .split_whitespace()
            .map(String::from)
            .collect();
        let (start, end, t) = find_time_phrase(&words, at("2001-06-01T08:00")).unwrap();
        assert_eq!((start, end, format(t).as_str()), (2, 5, "2001-06-02T09:00"));
    }
}
