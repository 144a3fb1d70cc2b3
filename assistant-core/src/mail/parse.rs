//! Raw RFC 822 bytes to a [`ParsedMail`] (the only file that uses mail-parser; kept free of
//! the rest of the crate so the fuzz target in `fuzz/` can build it alone).
//!
//! Parsing never fails on a message that has any content: malformed MIME, non-UTF-8 header bytes
//! and quoted-printable debris are repaired as well as possible and each repair is recorded in
//! [`ParsedMail::problems`]. Only empty and binary files are refused, with a reason.

use std::borrow::Cow;

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// A person in an address header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mailbox {
    pub name: String,
    /// Lower-cased address; empty when the header named only a person.
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttachmentInfo {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

/// Everything the store keeps of one message.
#[derive(Debug, Clone)]
pub struct ParsedMail {
    pub message_id: Option<String>,
    pub subject: String,
    /// The subject without `Re:`/`Fw:` prefixes, whitespace collapsed, lower case (threading key).
    pub subject_key: String,
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    /// Seconds since the epoch (UTC).
    pub date: Option<i64>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Every header in order, unfolded, as text.
    pub headers: Vec<(String, String)>,
    pub body_text: String,
    pub has_html: bool,
    pub attachments: Vec<AttachmentInfo>,
    /// The subject carries a reply/forward prefix, or the body quotes an earlier message.
    pub is_reply: bool,
    pub size: u64,
    /// sha256 of the raw bytes.
    pub content_hash: String,
    /// Recognises one mail delivered to several mailboxes (whose Message-IDs may differ): a hash
    /// of sender, date, subject and body.
    pub dedup_key: String,
    /// Repairs made while parsing, in words (e.g. "header X-From: non-UTF-8 bytes read as Latin-1").
    pub problems: Vec<String>,
}

/// Why a file was not stored as a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotMail {
    #[error("empty file")]
    Empty,
    #[error("binary file, not a mail message")]
    Binary,
    #[error("no mail headers found")]
    NoHeaders,
}

/// Markers of quoted earlier messages in a body (Outlook, Lotus Notes, and common clients).
pub const QUOTE_MARKERS: &[&str] = &[
    "-----Original Message-----",
    "---- Forwarded by",
    "---------------------- Forwarded by",
    "-----Forwarded Message-----",
    "---------- Forwarded message ---------",
    "Begin forwarded message:",
];

/// An attachment's bytes, decoded, for forwarding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentPart {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The attachments of a raw message with their contents (what [`parse`] lists in
/// `attachments`, minus a text part it had to read as the body).
pub fn attachment_parts(raw: &[u8]) -> Vec<AttachmentPart> {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    let body_is_empty = message.body_text(0).is_none_or(|t| t.trim().is_empty());
    message
        .attachments()
        .filter(|p| !(body_is_empty && p.is_text() && p.attachment_name().is_none()))
        .map(|part| AttachmentPart {
            filename: part.attachment_name().unwrap_or("attachment").to_string(),
            content_type: part
                .content_type()
                .map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into()),
            bytes: part.contents().to_vec(),
        })
        .collect()
}

pub fn parse(raw: &[u8]) -> Result<ParsedMail, NotMail> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(NotMail::Empty);
    }
    if looks_binary(raw) {
        return Err(NotMail::Binary);
    }
    let mut problems = Vec::new();
    let repaired = repair_header_bytes(raw, &mut problems);
    let message = MessageParser::default()
        .parse(repaired.as_deref().unwrap_or(raw))
        .ok_or(NotMail::NoHeaders)?;

    let headers = header_texts(&message, &mut problems);
    if !headers.iter().any(|(name, _)| is_mail_header(name)) {
        return Err(NotMail::NoHeaders);
    }

    let subject = message
        .subject()
        .map(collapse_whitespace)
        .unwrap_or_default();
    let from = message.from().and_then(|a| mailboxes(a).into_iter().next());
    let from = from.map(|mut m| {
        if m.name.is_empty() {
            m.name = header_value(&headers, "X-From")
                .map(x_from_name)
                .unwrap_or_default();
        }
        m
    });
    let message_id = message.message_id().map(|id| id.trim().to_string());
    let in_reply_to = ids(message.in_reply_to()).into_iter().next();
    let references = ids(message.references());
    let date = message.date().map(|d| d.to_timestamp());
    if date.is_none() && header_value(&headers, "Date").is_some() {
        problems.push("header Date: unreadable date".to_string());
    }

    let has_html = message.html_bodies().any(|p| p.is_text_html());
    let mut body_text = message
        .body_text(0)
        .map(Cow::into_owned)
        .unwrap_or_default();
    // Broken MIME (a boundary that never comes, a part that cannot be read): keep the text that
    // is there rather than nothing.
    let mut text_part_as_body = None;
    if body_text.trim().is_empty() {
        let unnamed_text = message
            .attachments()
            .enumerate()
            .find(|(_, p)| p.is_text() && p.attachment_name().is_none());
        if let Some((i, text)) = unnamed_text.and_then(|(i, p)| Some((i, p.text_contents()?))) {
            body_text = text.to_string();
            text_part_as_body = Some(i);
            problems.push("body: read from a MIME part that is not closed".to_string());
        } else if message.attachment_count() == 0 {
            if let Some(text) = fallback_body(raw) {
                body_text = text;
                problems.push("body: MIME structure unreadable; its text kept as is".to_string());
            }
        }
    }
    if let Some(repaired) = decode_quoted_printable_debris(&body_text) {
        body_text = repaired;
        problems.push("body: quoted-printable debris decoded".to_string());
    }
    let body_text = body_text.replace("\r\n", "\n");

    let attachments = message
        .attachments()
        .enumerate()
        .filter(|(i, _)| Some(*i) != text_part_as_body)
        .map(|(_, part)| AttachmentInfo {
            filename: part.attachment_name().unwrap_or_default().to_string(),
            content_type: part
                .content_type()
                .map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                })
                .unwrap_or_default(),
            size: part.len() as u64,
        })
        .collect::<Vec<_>>();

    let (is_prefixed, subject_key) = subject_key(&subject);
    let is_reply =
        is_prefixed || in_reply_to.is_some() || QUOTE_MARKERS.iter().any(|m| body_text.contains(m));

    let content_hash = hex::encode(Sha256::digest(raw));
    let dedup_key = {
        let mut h = Sha256::new();
        h.update(from.as_ref().map(|m| m.address.as_str()).unwrap_or(""));
        h.update([0]);
        h.update(date.unwrap_or(i64::MIN).to_le_bytes());
        h.update(subject_key.as_bytes());
        h.update([0]);
        for word in body_text.split_whitespace() {
            h.update(word.as_bytes());
            h.update([b' ']);
        }
        hex::encode(h.finalize())
    };

    Ok(ParsedMail {
        message_id,
        subject,
        subject_key,
        from,
        to: message.to().map(mailboxes).unwrap_or_default(),
        cc: message.cc().map(mailboxes).unwrap_or_default(),
        bcc: message.bcc().map(mailboxes).unwrap_or_default(),
        reply_to: message.reply_to().map(mailboxes).unwrap_or_default(),
        date,
        in_reply_to,
        references,
        headers,
        body_text,
        has_html,
        attachments,
        is_reply,
        size: raw.len() as u64,
        content_hash,
        dedup_key,
        problems,
    })
}

fn is_mail_header(name: &str) -> bool {
    [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "content-type",
        "cc",
        "sender",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

/// Binary content: NUL bytes, or mostly control bytes, in the first 8 KB.
fn looks_binary(raw: &[u8]) -> bool {
    let head = &raw[..raw.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 10 > head.len()
}

/// Header lines with bytes that are not UTF-8 (undeclared Latin-1, Big5 ...) rewritten with
/// each such line read as Latin-1, so every later step sees text; `None` when all is UTF-8.
/// The body is left as it is (its charset is the MIME parser's business).
fn repair_header_bytes(raw: &[u8], problems: &mut Vec<String>) -> Option<Vec<u8>> {
    let mut end = raw.len();
    let mut pos = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if line == b"\n" || line == b"\r\n" {
            end = pos;
            break;
        }
        pos += line.len();
    }
    let head = &raw[..end];
    if std::str::from_utf8(head).is_ok() {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len() + 64);
    let mut name = String::new();
    for line in head.split_inclusive(|&b| b == b'\n') {
        if !matches!(line.first(), Some(b' ' | b'\t')) {
            name = line
                .split(|&b| b == b':')
                .next()
                .map(|n| String::from_utf8_lossy(n).trim().to_string())
                .unwrap_or_default();
        }
        match std::str::from_utf8(line) {
            Ok(_) => out.extend_from_slice(line),
            Err(_) => {
                let problem = format!("header {name}: non-UTF-8 bytes read as Latin-1");
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
                let text: String = line.iter().map(|&b| b as char).collect();
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    out.extend_from_slice(&raw[end..]);
    Some(out)
}

/// Each header unfolded, decoded where mail-parser decoded it (encoded words), else its text.
fn header_texts(
    message: &mail_parser::Message<'_>,
    problems: &mut Vec<String>,
) -> Vec<(String, String)> {
    let raw = message.raw_message();
    message
        .headers()
        .iter()
        .map(|h| {
            let name = h.name().to_string();
            let bytes = raw
                .get(h.offset_start() as usize..h.offset_end() as usize)
                .unwrap_or_default();
            let text = match std::str::from_utf8(bytes) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => {
                    problems.push(format!("header {name}: unreadable bytes replaced"));
                    String::from_utf8_lossy(bytes)
                }
            };
            let value = match h.value() {
                HeaderValue::Text(t) if text.contains("=?") => t.to_string(),
                _ => collapse_whitespace(&text),
            };
            (name, value)
        })
        .collect()
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The person's name in an Enron-style `X-From: Kenneth Lay </O=ENRON/OU=NA/CN=...>` header.
fn x_from_name(value: &str) -> String {
    let name = value.split('<').next().unwrap_or("").trim();
    let name = name.trim_matches('"').trim();
    if name.contains('@') {
        String::new()
    } else {
        name.to_string()
    }
}

fn mailboxes(address: &Address<'_>) -> Vec<Mailbox> {
    address
        .iter()
        .filter_map(|a| {
            let name = a.name().map(collapse_whitespace).unwrap_or_default();
            let address = a
                .address()
                .map(|s| s.trim().to_lowercase())
                .unwrap_or_default();
            (!name.is_empty() || !address.is_empty()).then_some(Mailbox { name, address })
        })
        .collect()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.trim().to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.trim().to_string()).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .map(|id| id.trim_matches(|c| c == '<' || c == '>').to_string())
    .filter(|id| !id.is_empty())
    .collect()
}

pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `(had a reply/forward prefix, normalised subject)`: `Re: FW: Budget  Q3` → `(true, "budget q3")`.
pub fn subject_key(subject: &str) -> (bool, String) {
    let mut rest = subject.trim();
    let mut prefixed = false;
    loop {
        let lower = rest.to_ascii_lowercase();
        let stripped = ["re", "fw", "fwd", "aw", "sv", "wg", "antw", "tr"]
            .iter()
            .find_map(|p| {
                let after = lower.strip_prefix(p)?;
                // Optional counter, as in "Re[2]:" or "RE(2):".
                let after = after
                    .strip_prefix('[')
                    .or_else(|| after.strip_prefix('('))
                    .map(|a| a.trim_start_matches(|c: char| c.is_ascii_digit()))
                    .and_then(|a| a.strip_prefix(']').or_else(|| a.strip_prefix(')')))
                    .unwrap_or(after);
                let after = after.trim_start();
                after.strip_prefix(':').map(|a| rest.len() - a.len())
            });
        match stripped {
            Some(offset) => {
                rest = rest[offset..].trim_start();
                prefixed = true;
            }
            None => break,
        }
    }
    (prefixed, collapse_whitespace(rest).to_lowercase())
}

/// The raw text after the header block, without MIME boundary lines and part headers.
fn fallback_body(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let body = text
        .split_once("\n\n")
        .or_else(|| text.split_once("\r\n\r\n"))
        .map(|(_, b)| b)?;
    let mut out = String::new();
    let mut in_part_headers = false;
    for line in body.lines() {
        let t = line.trim_end();
        if t.starts_with("--") && !t.contains(' ') && t.len() > 2 {
            in_part_headers = true;
            continue;
        }
        if in_part_headers {
            if t.is_empty() {
                in_part_headers = false;
            }
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    (!out.trim().is_empty()).then_some(out)
}

/// Quoted-printable left undecoded in a body that claims 7bit (soft line breaks `=\n`, `=20`,
/// `=3D`): decoded when there are several such sequences and nothing that contradicts them.
fn decode_quoted_printable_debris(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    let mut soft_breaks = 0;
    let mut escapes = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            match bytes.get(i + 1..i + 3) {
                Some([b'\n', _]) | Some([b'\n']) => soft_breaks += 1,
                Some([b'\r', b'\n']) => soft_breaks += 1,
                Some([a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {
                    if matches!(
                        &bytes[i + 1..i + 3],
                        b"20" | b"3D" | b"09" | b"92" | b"93" | b"94" | b"96" | b"A0"
                    ) {
                        escapes += 1;
                    }
                }
                None if i + 1 == bytes.len() => {}
                _ => {}
            }
        }
        i += 1;
    }
    if soft_breaks + escapes < 3 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'=' {
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if bytes.get(i + 1..i + 3) == Some(&b"\r\n"[..]) {
                i += 3;
                continue;
            }
            if let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .filter(|h| {
                    h.bytes()
                        .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c))
                })
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    // Bytes above 0x7F are Windows-1252 in this kind of mail (smart quotes, dashes).
    Some(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| windows_1252(b)).collect(),
    })
}

fn windows_1252(b: u8) -> char {
    match b {
        0x91 | 0x92 => '\'',
        0x93 | 0x94 => '"',
        0x96 | 0x97 => '-',
        0x85 => '…',
        0x80 => '€',
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_folded_headers_and_enron_names() {
        let raw = b"Message-ID: <1.2.JavaMail.evans@thyme>\nDate: Mon, 8 Oct 2001 07:56:44 -0700 (PDT)\nFrom: joannie.williamson@enron.com\nTo: a@enron.com, \n\tb@enron.com\nSubject: Confirmation of Offsite - Wednesday, October\n 24\nX-From: Williamson, Joannie </O=ENRON/OU=NA/CN=RECIPIENTS/CN=JWILLIA>\n\nHello there.\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.message_id.as_deref(), Some("1.2.JavaMail.evans@thyme"));
        assert_eq!(m.subject, "Confirmation of Offsite - Wednesday, October 24");
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.to[1].address, "b@enron.com");
        let from = m.from.unwrap();
        assert_eq!(from.address, "joannie.williamson@enron.com");
        assert_eq!(from.name, "Williamson, Joannie");
        assert_eq!(m.date, Some(1_002_553_004)); // 2001-10-08 14:56:44 UTC
        assert_eq!(m.body_text.trim(), "Hello there.");
        assert!(m.problems.is_empty());
    }

    #[test]
    fn non_utf8_header_bytes_are_kept_as_latin1_and_reported() {
        let raw = b"From: a@example.com\nSubject: hi\nX-From: Ren\xe9 M\xfcller <x@y>\n\nbody\n";
        let m = parse(raw).unwrap();
        let x_from = header_value(&m.headers, "X-From").unwrap();
        assert_eq!(x_from, "René Müller <x@y>");
        assert_eq!(
            m.problems,
            vec!["header X-From: non-UTF-8 bytes read as Latin-1"]
        );
    }

    #[test]
    fn quoted_printable_debris_in_a_7bit_body_is_decoded() {
        let raw = b"From: a@example.com\nSubject: hi\nContent-Transfer-Encoding: 7bit\n\nThe deal is=20\ndone and the price=3D 12 and it=\n continues here.\n";
        let m = parse(raw).unwrap();
        assert!(
            m.body_text.contains("price= 12 and it continues"),
            "{}",
            m.body_text
        );
        assert!(m.problems.iter().any(|p| p.contains("quoted-printable")));
    }

    #[test]
    fn plain_equals_signs_are_not_mistaken_for_debris() {
        let raw = b"From: a@example.com\nSubject: maths\n\nx=1 and y=2, so x+y=3.\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.body_text.trim(), "x=1 and y=2, so x+y=3.");
    }

    #[test]
    fn empty_and_binary_files_are_refused_with_a_reason() {
        assert_eq!(parse(b"").unwrap_err(), NotMail::Empty);
        assert_eq!(parse(b"  \n\n").unwrap_err(), NotMail::Empty);
        assert_eq!(
            parse(b"\x7fELF\x02\x01\x01\x00\x00\x00").unwrap_err(),
            NotMail::Binary
        );
        assert_eq!(
            parse(b"just some words\nwithout headers\n").unwrap_err(),
            NotMail::NoHeaders
        );
    }

    #[test]
    fn attachment_contents_are_decoded_for_forwarding() {
        let raw = b"From: a@example.com\nSubject: report\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nFigures attached.\n--b\nContent-Type: application/pdf; name=\"q3.pdf\"\nContent-Disposition: attachment; filename=\"q3.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n";
        let parts = attachment_parts(raw);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].filename, "q3.pdf");
        assert_eq!(parts[0].content_type, "application/pdf");
        assert_eq!(parts[0].bytes, b"%PDF-1.4\n");
        assert!(attachment_parts(b"From: a@b.c\nSubject: x\n\nplain").is_empty());
    }

    #[test]
    fn html_only_mail_is_rendered_to_text_and_attachments_listed() {
        let raw = b"From: a@example.com\nSubject: report\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/html\n\n<p>Hello <b>team</b></p><p>Figures attached.</p>\n--b\nContent-Type: application/pdf; name=\"q3.pdf\"\nContent-Disposition: attachment; filename=\"q3.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n";
        let m = parse(raw).unwrap();
        assert!(m.has_html);
        assert!(m.body_text.contains("Hello team"), "{}", m.body_text);
        assert!(!m.body_text.contains("<p>"));
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].filename, "q3.pdf");
        assert_eq!(m.attachments[0].content_type, "application/pdf");
        assert_eq!(m.attachments[0].size, 9);
    }

    #[test]
    fn subject_keys_strip_reply_and_forward_prefixes() {
        assert_eq!(
            subject_key("RE: FW: Budget   Q3"),
            (true, "budget q3".to_string())
        );
        assert_eq!(subject_key("Re[2]: Lunch"), (true, "lunch".to_string()));
        assert_eq!(subject_key("Fwd : Lunch"), (true, "lunch".to_string()));
        assert_eq!(
            subject_key("Regarding lunch"),
            (false, "regarding lunch".to_string())
        );
        assert_eq!(subject_key(""), (false, String::new()));
    }

    #[test]
    fn same_mail_in_two_mailboxes_shares_a_dedup_key_despite_different_message_ids() {
        let a = parse(b"Message-ID: <1@x>\nFrom: a@example.com\nDate: Mon, 8 Oct 2001 07:56:44 -0700\nSubject: hi\n\nsame body\n").unwrap();
        let b = parse(b"Message-ID: <2@x>\nFrom: a@example.com\nDate: Mon, 8 Oct 2001 07:56:44 -0700\nSubject: hi\nX-Folder: other\n\nsame  body\n").unwrap();
        let c = parse(b"Message-ID: <3@x>\nFrom: a@example.com\nDate: Mon, 8 Oct 2001 07:56:44 -0700\nSubject: hi\n\nother body\n").unwrap();
        assert_eq!(a.dedup_key, b.dedup_key);
        assert_ne!(a.dedup_key, c.dedup_key);
        assert_ne!(a.content_hash, b.content_hash);
    }

    #[test]
    fn quoted_originals_mark_a_reply() {
        let m = parse(b"From: a@example.com\nSubject: numbers\n\nSee below.\n\n -----Original Message-----\nFrom: b\n").unwrap();
        assert!(m.is_reply);
        assert_eq!(m.subject_key, "numbers");
    }

    /// A small mutation fuzzer that runs with the tests (the libFuzzer target in `fuzz/` goes
    /// further): damaged versions of real-looking mail never panic, and what parses has a
    /// dedup key and a hash.
    #[test]
    fn mutated_mail_never_panics() {
        let seeds: Vec<&[u8]> = vec![
            b"From: a@example.com\nTo: b@example.com, \n\tc@example.com\nSubject: =?utf-8?B?w6l0w6k=?= report\nDate: Mon, 8 Oct 2001 07:56:44 -0700 (PDT)\n\nbody=20\nline=\nsoft\n",
            b"From: a@example.com\nSubject: r\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<p>caf=E9</p>\n--b\nContent-Type: message/rfc822\n\nFrom: x@y\nSubject: inner\n\ninner body\n--b\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n",
            b"Message-ID: <1@x>\nIn-Reply-To: <0@x>\nReferences: <a@x> <b@x>\nFrom: \"Lay, Kenneth\" <kenneth.lay@enron.com>\nX-From: Ren\xe9 </O=ENRON/CN=X>\nSubject: RE: FW: deal\n\n-----Original Message-----\nFrom: b\n",
        ];
        let pieces: [&[u8]; 8] = [
            b"\n",
            b"\r\n",
            b"--b",
            b"=?",
            b"?=",
            b":",
            b"\xff\xfe",
            b"\n\n",
        ];
        let mut state = 0x9e37_79b9_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..20_000 {
            let mut m = seeds[round % seeds.len()].to_vec();
            for _ in 0..(1 + next() % 6) {
                let at = (next() as usize) % (m.len() + 1);
                match next() % 5 {
                    0 if !m.is_empty() => {
                        let end = (at + (next() as usize % 16)).min(m.len());
                        m.drain(at.min(end)..end);
                    }
                    1 => m.insert(at, next() as u8),
                    2 => {
                        let piece = pieces[(next() as usize) % pieces.len()];
                        m.splice(at..at, piece.iter().copied());
                    }
                    3 if !m.is_empty() => {
                        let i = at.min(m.len() - 1);
                        m[i] ^= 1 << (next() % 8);
                    }
                    _ => m.truncate(at),
                }
            }
            if let Ok(parsed) = parse(&m) {
                assert_eq!(parsed.dedup_key.len(), 64);
                assert_eq!(parsed.size, m.len() as u64);
            }
        }
    }
}
