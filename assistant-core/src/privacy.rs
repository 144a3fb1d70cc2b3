//! The privacy router: whether a request may go to the cloud model (off unless the user set one
//! and allowed the feature; never with text from a private source), and personal data (email
//! addresses, phone numbers, street addresses, account and card numbers) swapped for
//! placeholders before anything leaves, and swapped back in the answer.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::settings::CloudSettings;

/// Features a user can let use the cloud model.
pub const FEATURES: [&str; 5] = ["chat", "reply", "summarize", "ask", "actions"];

/// Where a request goes, and why (shown to the user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "to", rename_all = "lowercase")]
pub enum Route {
    Local { reason: String },
    Cloud { reason: String },
}

/// What the router weighs for one request.
#[derive(Debug, Clone, Default)]
pub struct RouteInput<'a> {
    pub feature: &'a str,
    /// The sources the request's text comes from: (name, privacy label).
    pub sources: &'a [(String, String)],
    /// The user asked for the cloud model for this request.
    pub user_asked: bool,
    /// The input does not fit the local model's context.
    pub too_long_for_local: bool,
    /// The local answer failed its check (facts not in the source, no citation).
    pub local_answer_failed: bool,
}

/// Decides where a request goes. Local unless a cloud model is set, the feature is allowed,
/// no source is private, and a reason to go exists (the user asked, the input is too long for
/// the local model, or the local answer failed its check).
pub fn decide(cloud: Option<&CloudSettings>, input: &RouteInput) -> Route {
    let local = |reason: String| Route::Local { reason };
    let Some(cloud) = cloud else {
        return local("no cloud model is set".into());
    };
    if !(input.feature == "chat" && input.user_asked)
        && !cloud.allows.iter().any(|f| f == input.feature)
    {
        return local(format!(
            "{} is not allowed to use the cloud model (`assistant cloud set --allow {}`)",
            input.feature, input.feature
        ));
    }
    if let Some((name, _)) = input.sources.iter().find(|(_, p)| p == "private") {
        return local(format!(
            "{name} is private: its text never leaves this device"
        ));
    }
    if input.user_asked {
        Route::Cloud {
            reason: "you asked for the cloud model".into(),
        }
    } else if input.too_long_for_local {
        Route::Cloud {
            reason: "too long for the local model".into(),
        }
    } else if input.local_answer_failed {
        Route::Cloud {
            reason: "the local answer failed its check".into(),
        }
    } else {
        local("the local model can do it".into())
    }
}

/// Text with personal data replaced, and how to put it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redacted {
    pub text: String,
    /// (placeholder, original), e.g. ("[EMAIL_1]", "sara@northwind.example").
    pub placeholders: Vec<(String, String)>,
}

static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).expect("pattern");
    vec![
        (
            "EMAIL",
            re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
        ),
        // IBAN: country, check digits, 11–30 letters and digits (spaces allowed in groups of 4).
        (
            "ACCOUNT",
            re(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"),
        ),
        // Card numbers: 4 groups of 4 digits.
        ("CARD", re(r"\b\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}\b")),
        (
            "PHONE",
            re(r"(?:\+\d{1,3}[ .-]?)?\(?\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{3,4}\b"),
        ),
        (
            "ADDRESS",
            re(
                r"\b\d{1,5} (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl)\b\.?",
            ),
        ),
        // Other long digit runs: account, policy and customer numbers.
        ("NUMBER", re(r"\b\d{8,19}\b")),
    ]
});

/// Replaces personal data with numbered placeholders; the same value gets the same one.
pub fn redact(text: &str) -> Redacted {
    let mut out = text.to_string();
    let mut placeholders: Vec<(String, String)> = Vec::new();
    for (kind, re) in PATTERNS.iter() {
        let mut n = placeholders
            .iter()
            .filter(|(p, _)| p.starts_with(&format!("[{kind}_")))
            .count();
        out = re
            .replace_all(&out, |c: &regex::Captures| {
                let value = c[0].to_string();
                if value.starts_with('[') {
                    return value;
                }
                if let Some((p, _)) = placeholders.iter().find(|(_, v)| *v == value) {
                    return p.clone();
                }
                n += 1;
                let p = format!("[{kind}_{n}]");
                placeholders.push((p.clone(), value));
                p
            })
            .into_owned();
    }
    Redacted {
        text: out,
        placeholders,
    }
}

/// Puts the originals back into an answer written over redacted text.
pub fn restore(answer: &str, placeholders: &[(String, String)]) -> String {
    let mut out = answer.to_string();
    for (p, v) in placeholders {
        out = out.replace(p.as_str(), v);
    }
    out
}

/// Puts the originals back into an answer that arrives in pieces: a piece ending inside what may
/// be a placeholder is held back until the placeholder is whole.
#[derive(Debug, Clone)]
pub struct StreamRestorer {
    placeholders: Vec<(String, String)>,
    held: String,
}

impl StreamRestorer {
    pub fn new(placeholders: Vec<(String, String)>) -> Self {
        StreamRestorer {
            placeholders,
            held: String::new(),
        }
    }

    /// The next piece of the answer; returns what can be shown now.
    pub fn push(&mut self, piece: &str) -> String {
        self.held.push_str(piece);
        // An open bracket that could still become a placeholder (`[EMAIL_1]`) waits.
        let cut = match self.held.rfind('[') {
            Some(i)
                if !self.held[i..].contains(']')
                    && self.held.len() - i <= 24
                    && self.held[i + 1..]
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
            {
                i
            }
            _ => self.held.len(),
        };
        let rest = self.held.split_off(cut);
        let ready = std::mem::replace(&mut self.held, rest);
        restore(&ready, &self.placeholders)
    }

    /// What is still held at the end of the answer.
    pub fn finish(&mut self) -> String {
        restore(&std::mem::take(&mut self.held), &self.placeholders)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud(allows: &[&str]) -> CloudSettings {
        CloudSettings {
            base_url: "http://127.0.0.1:9/v1".into(),
            model: "big".into(),
            allows: allows.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_router_keeps_requests_local_unless_every_condition_allows_the_cloud() {
        let mail = vec![("Work mail".to_string(), "local".to_string())];
        let private = vec![
            ("Work mail".to_string(), "local".to_string()),
            ("Diary".to_string(), "private".to_string()),
        ];
        let asked = RouteInput {
            feature: "summarize",
            sources: &mail,
            user_asked: true,
            ..Default::default()
        };
        assert!(
            matches!(decide(None, &asked), Route::Local { .. }),
            "off by default"
        );
        assert!(
            matches!(decide(Some(&cloud(&[])), &asked), Route::Local { .. }),
            "feature not allowed"
        );
        assert!(matches!(
            decide(Some(&cloud(&["summarize"])), &asked),
            Route::Cloud { .. }
        ));
        let with_private = RouteInput {
            sources: &private,
            ..asked.clone()
        };
        match decide(Some(&cloud(&["summarize"])), &with_private) {
            Route::Local { reason } => assert!(reason.contains("Diary is private"), "{reason}"),
            r => panic!("{r:?}"),
        }
        let long = RouteInput {
            feature: "summarize",
            sources: &mail,
            too_long_for_local: true,
            ..Default::default()
        };
        assert!(matches!(
            decide(Some(&cloud(&["summarize"])), &long),
            Route::Cloud { .. }
        ));
        let failed = RouteInput {
            feature: "ask",
            sources: &mail,
            local_answer_failed: true,
            ..Default::default()
        };
        assert!(matches!(
            decide(Some(&cloud(&["ask"])), &failed),
            Route::Cloud { .. }
        ));
        let nothing = RouteInput {
            feature: "ask",
            sources: &mail,
            ..Default::default()
        };
        assert!(matches!(
            decide(Some(&cloud(&["ask"])), &nothing),
            Route::Local { .. }
        ));
        let chat = RouteInput {
            feature: "chat",
            user_asked: true,
            ..Default::default()
        };
        assert!(
            matches!(decide(Some(&cloud(&[])), &chat), Route::Cloud { .. }),
            "chat --cloud is the user's own text"
        );
    }

    #[test]
    fn a_placeholder_split_across_streamed_pieces_is_restored_whole() {
        let placeholders = vec![(
            "[EMAIL_1]".to_string(),
            "sara@northwind.example".to_string(),
        )];
        let mut r = StreamRestorer::new(placeholders);
        let mut shown = String::new();
        for piece in ["Write to [", "EMA", "IL_", "1]", " today [2]", "; see [3"] {
            let out = r.push(piece);
            assert!(
                !out.contains('[') || out.contains(']'),
                "half a bracket shown: {out:?}"
            );
            shown.push_str(&out);
        }
        shown.push_str(&r.finish());
        assert_eq!(shown, "Write to sara@northwind.example today [2]; see [3");
    }

    #[test]
    fn personal_data_becomes_placeholders_and_comes_back() {
        let text = "Mail sara@northwind.example or call +46 70 123 4567. Pay to DE44 5001 0517 5407 3249 31, card 4111 1111 1111 1111, account 123456789; we are at 12 Harbour Street. Again: sara@northwind.example.";
        let r = redact(text);
        for secret in [
            "sara@northwind.example",
            "123 4567",
            "5407",
            "4111",
            "123456789",
            "Harbour Street",
        ] {
            assert!(!r.text.contains(secret), "{secret} left in: {}", r.text);
        }
        assert_eq!(
            r.text.matches("[EMAIL_1]").count(),
            2,
            "the same value, the same placeholder: {}",
            r.text
        );
        assert_eq!(restore(&r.text, &r.placeholders), text);
        let answer = "Write to [EMAIL_1] about the payment to [ACCOUNT_1].";
        let back = restore(answer, &r.placeholders);
        assert!(
            back.contains("sara@northwind.example") && back.contains("DE44 5001"),
            "{back}"
        );
        assert_eq!(
            redact("Meet on 2023-11-06 at 10:30 in room 4.").placeholders,
            vec![]
        );
    }
}
