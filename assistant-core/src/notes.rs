//! Markdown notes as in an Obsidian-style vault: YAML front matter, title, tags and `[[wikilinks]]`.

use std::path::Path;

/// One parsed note.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedNote {
    pub title: String,
    /// The front matter as JSON, when the note has one that parses.
    pub front_matter: Option<serde_json::Value>,
    pub tags: Vec<String>,
    /// The Markdown after the front matter.
    pub body: String,
    pub links: Vec<WikiLink>,
    /// Repairs made while parsing (e.g. front matter that is not valid YAML).
    pub problems: Vec<String>,
}

/// `[[target#heading|alias]]`
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WikiLink {
    pub target: String,
    pub heading: Option<String>,
    pub alias: Option<String>,
}

/// Is this file a note? Markdown files, outside hidden folders (`.obsidian`, `.git`, `.trash`).
pub fn is_note_path(rel: &Path) -> bool {
    let hidden = rel.components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        s.starts_with('.') || s == "node_modules"
    });
    let markdown = rel
        .extension()
        .map(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
        .unwrap_or(false);
    markdown && !hidden
}

/// Parses a note; `rel_path` (relative to the vault) gives the fallback title.
pub fn parse_note(rel_path: &Path, text: &str) -> ParsedNote {
    let mut problems = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (front_raw, body) = split_front_matter(text);
    let front_matter =
        front_raw.and_then(|raw| match serde_yaml::from_str::<serde_yaml::Value>(raw) {
            Ok(serde_yaml::Value::Null) => None,
            Ok(value) => serde_json::to_value(value).ok(),
            Err(err) => {
                problems.push(format!(
                    "front matter is not valid YAML ({err}); kept as text"
                ));
                Some(serde_json::Value::String(raw.to_string()))
            }
        });
    let title = front_matter
        .as_ref()
        .and_then(|fm| fm.get("title"))
        .and_then(|t| t.as_str())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .or_else(|| first_heading(body))
        .unwrap_or_else(|| {
            rel_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let mut tags: Vec<String> = match front_matter.as_ref().and_then(|fm| fm.get("tags")) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    for t in tags.iter_mut() {
        *t = t.trim_start_matches('#').to_string();
    }
    tags.dedup();
    ParsedNote {
        title,
        front_matter,
        tags,
        body: body.to_string(),
        links: wikilinks(body),
        problems,
    }
}

/// `(front matter, rest)`: front matter is a `---` line at the very start up to the next `---`
/// (or `...`) line.
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return (Some(&rest[..offset]), &rest[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, text)
}

fn first_heading(body: &str) -> Option<String> {
    let mut in_code = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if let Some(h) = line.strip_prefix("# ") {
            let h = h.trim().trim_end_matches('#').trim();
            if !h.is_empty() {
                return Some(h.to_string());
            }
        }
    }
    None
}

/// Every `[[...]]` and `![[...]]` outside code blocks and inline code, in order.
pub fn wikilinks(body: &str) -> Vec<WikiLink> {
    let mut links = Vec::new();
    let mut in_fence = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // Inline code spans are cut out before looking for links.
        let mut visible = String::with_capacity(line.len());
        for (i, piece) in line.split('`').enumerate() {
            if i % 2 == 0 {
                visible.push_str(piece);
            }
            visible.push(' ');
        }
        let mut rest = visible.as_str();
        while let Some(start) = rest.find("[[") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("]]") else { break };
            let inner = &after[..end];
            rest = &after[end + 2..];
            if inner.contains('[') || inner.trim().is_empty() {
                continue;
            }
            let (target, alias) = match inner.split_once('|') {
                Some((t, a)) => (t, Some(a.trim().to_string())),
                None => (inner, None),
            };
            let (target, heading) = match target.split_once('#') {
                Some((t, h)) => (t, Some(h.trim().to_string())),
                None => (target, None),
            };
            let target = target.trim();
            if target.is_empty() && heading.is_none() {
                continue;
            }
            links.push(WikiLink {
                target: target.to_string(),
                heading,
                alias,
            });
        }
    }
    links
}

/// The key a wikilink target is matched on: lower case, without `.md`, `/` separators.
pub fn link_key(target: &str) -> String {
    let t = target.trim().replace('\\', "/");
    let t = t
        .strip_suffix(".md")
        .or_else(|| t.strip_suffix(".markdown"))
        .unwrap_or(&t);
    t.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_title_and_tags() {
        let note = parse_note(
            Path::new("projects/plan.md"),
            "---\ntitle: Launch plan\ntags: [work, q3]\ndate: 2024-05-01\n---\n# Heading\nSee [[Budget]] and [[people/Sara|Sara]].\n",
        );
        assert_eq!(note.title, "Launch plan");
        assert_eq!(note.tags, vec!["work", "q3"]);
        assert_eq!(note.front_matter.as_ref().unwrap()["date"], "2024-05-01");
        assert!(note.body.starts_with("# Heading"));
        assert_eq!(
            note.links,
            vec![
                WikiLink {
                    target: "Budget".into(),
                    heading: None,
                    alias: None
                },
                WikiLink {
                    target: "people/Sara".into(),
                    heading: None,
                    alias: Some("Sara".into())
                },
            ]
        );
    }

    #[test]
    fn title_falls_back_to_heading_then_file_name() {
        assert_eq!(
            parse_note(Path::new("a/b.md"), "intro\n# The Title #\n").title,
            "The Title"
        );
        assert_eq!(
            parse_note(Path::new("a/b.md"), "```\n# not a title\n```\ntext").title,
            "b"
        );
    }

    #[test]
    fn links_in_code_are_ignored_and_headings_kept() {
        let links = wikilinks(
            "`[[not a link]]` and [[Real#Section]]\n```\n[[also not]]\n```\n![[embed.png]] [[]]",
        );
        assert_eq!(
            links,
            vec![
                WikiLink {
                    target: "Real".into(),
                    heading: Some("Section".into()),
                    alias: None
                },
                WikiLink {
                    target: "embed.png".into(),
                    heading: None,
                    alias: None
                },
            ]
        );
    }

    #[test]
    fn broken_front_matter_is_kept_and_reported() {
        let note = parse_note(Path::new("x.md"), "---\ntitle: [unclosed\n---\nbody");
        assert_eq!(note.body, "body");
        assert_eq!(note.title, "x");
        assert_eq!(note.problems.len(), 1);
        // A lone `---` rule with no closing line is not front matter.
        let note = parse_note(Path::new("y.md"), "---\njust a rule\n");
        assert!(note.front_matter.is_none());
        assert_eq!(note.body, "---\njust a rule\n");
    }

    #[test]
    fn note_paths() {
        assert!(is_note_path(Path::new("a/b.md")));
        assert!(is_note_path(Path::new("c.MARKDOWN")));
        assert!(!is_note_path(Path::new(".obsidian/x.md")));
        assert!(!is_note_path(Path::new("img.png")));
        assert_eq!(link_key("People/Sara.md"), "people/sara");
    }
}
