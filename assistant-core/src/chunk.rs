//! Passages of messages and notes for dense retrieval and citations: paragraphs packed up to a
//! size the embedding model reads whole, quoted history left out of mail.

/// About 200 words: all-MiniLM-L6-v2 reads 256 word pieces.
pub const MAX_CHUNK_CHARS: usize = 1000;
/// Long documents are represented by their first passages.
pub const MAX_CHUNKS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Byte offsets into the body.
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A mail body without the quoted history below the new text (kept whole when there is no new
/// text above it, as in a bare forward).
pub fn mail_new_text(body: &str) -> &str {
    let mut cut = body.len();
    for marker in crate::mail::QUOTE_MARKERS {
        if let Some(i) = body.find(marker) {
            cut = cut.min(i);
        }
    }
    // "On Mon, 6 Nov 2023 Kenneth wrote:" followed by "> " lines.
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if offset >= cut {
            break;
        }
        let t = line.trim();
        if t.starts_with('>') || (t.starts_with("On ") && t.ends_with("wrote:")) {
            cut = offset;
            break;
        }
        offset += line.len();
    }
    let new = &body[..cut];
    if new.trim().is_empty() {
        body
    } else {
        new
    }
}

/// Splits `body` into passages of at most about `max_chars`, at paragraph, then line, then word
/// boundaries. Always at least one chunk (possibly empty) so every document is represented.
pub fn chunk_text(body: &str, max_chars: usize, max_chunks: usize) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let push = |chunks: &mut Vec<Chunk>, s: usize, e: usize| {
        let text = crate::mail::collapse_whitespace(&body[s..e]);
        if !text.is_empty() {
            chunks.push(Chunk {
                start: s,
                end: e,
                text,
            });
        }
    };
    for (offset, piece) in pieces(body, max_chars) {
        let piece_end = offset + piece.len();
        match start {
            Some(s) if piece_end - s > max_chars => {
                push(&mut chunks, s, end);
                start = Some(offset);
            }
            None => start = Some(offset),
            _ => {}
        }
        end = piece_end;
        if chunks.len() >= max_chunks {
            break;
        }
    }
    if let Some(s) = start {
        if chunks.len() < max_chunks {
            push(&mut chunks, s, end);
        }
    }
    if chunks.is_empty() {
        chunks.push(Chunk {
            start: 0,
            end: 0,
            text: String::new(),
        });
    }
    chunks
}

/// Paragraphs (split further at lines and words when longer than `max`), with their offsets.
fn pieces(body: &str, max: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for para in body.split_inclusive("\n\n") {
        if para.len() <= max {
            out.push((offset, para));
        } else {
            let mut o = offset;
            for line in para.split_inclusive('\n') {
                if line.len() <= max {
                    out.push((o, line));
                } else {
                    let mut wo = o;
                    for word in line.split_inclusive(' ') {
                        out.push((wo, word));
                        wo += word.len();
                    }
                }
                o += line.len();
            }
        }
        offset += para.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_chunk_and_empty_text_still_has_one() {
        let c = chunk_text("Hello\n\nworld", 1000, 16);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, "Hello world");
        assert_eq!(
            chunk_text("", 1000, 16),
            vec![Chunk {
                start: 0,
                end: 0,
                text: String::new()
            }]
        );
    }

    #[test]
    fn long_text_splits_at_paragraphs_within_the_limit() {
        let para = "word ".repeat(30); // 150 chars
        let body = [para.as_str(); 10].join("\n\n");
        let chunks = chunk_text(&body, 400, 16);
        assert!(chunks.len() >= 4, "{}", chunks.len());
        for c in &chunks {
            assert!(c.end - c.start <= 400 + 2, "{c:?}");
            assert_eq!(
                crate::mail::collapse_whitespace(&body[c.start..c.end]),
                c.text
            );
        }
        // Chunks cover the text in order without overlap.
        for w in chunks.windows(2) {
            assert!(w[0].end <= w[1].start);
        }
        assert_eq!(chunk_text(&body, 400, 2).len(), 2);
    }

    #[test]
    fn a_paragraph_without_breaks_is_split_at_words() {
        let body = "abcdefghi ".repeat(300);
        let chunks = chunk_text(&body, 500, 16);
        assert!(chunks.len() >= 6);
        assert!(chunks.iter().all(|c| c.text.len() <= 500));
    }

    #[test]
    fn quoted_history_is_left_out_of_mail() {
        assert_eq!(
            mail_new_text("Yes, 3pm works.\n\n-----Original Message-----\nFrom: a\nold text"),
            "Yes, 3pm works.\n\n"
        );
        assert_eq!(
            mail_new_text("Sure.\n\nOn Mon, 6 Nov 2023 Kenneth wrote:\n> old\n"),
            "Sure.\n\n"
        );
        assert_eq!(mail_new_text("> only quoted\n"), "> only quoted\n");
        let fwd = "---------------------- Forwarded by a/HOU\nthe forwarded text";
        assert_eq!(mail_new_text(fwd), fwd);
    }
}
