//! Where raw mail comes from on disk: maildir folders (also plain trees of message files, as in
//! the Enron corpus), mbox files and single `.eml` files, each entry with a stable location key.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// One message file found in a maildir or given on the command line.
#[derive(Debug, Clone)]
pub struct MailFile {
    pub path: PathBuf,
    /// Stable key within the source: the path relative to the source root without maildir's
    /// `cur/`/`new/` step and without its `:2,FLAGS` suffix, so a flag change or a move from `new`
    /// to `cur` is the same message.
    pub location: String,
    pub folder: String,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Maildir flags (`S` seen, `R` replied, `F` flagged, `T` trashed, `D` draft).
    pub flags: String,
}

/// File names that mail programs keep beside messages in a maildir.
fn is_housekeeping(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("dovecot")
        || name.starts_with("courier")
        || matches!(
            name,
            "maildirfolder" | "subscriptions" | "cur" | "new" | "tmp"
        )
}

/// Every message file under `root`, sorted by location. Directories that cannot be read are
/// returned as `(path, reason)` so the ingest report can name them.
pub fn scan_maildir(root: &Path) -> (Vec<MailFile>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    let walker = walkdir::WalkDir::new(root).follow_links(false).into_iter();
    for entry in walker.filter_entry(|e| {
        // Maildir's tmp/ holds half-delivered mail.
        !(e.file_type().is_dir() && e.depth() > 0 && e.file_name() == "tmp")
    }) {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| root.display().to_string());
                unreadable.push((path, err.to_string()));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if is_housekeeping(&name) {
            continue;
        }
        let rel = match entry.path().strip_prefix(root) {
            Ok(r) => r,
            Err(_) => continue,
        };
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(err) => {
                unreadable.push((entry.path().display().to_string(), err.to_string()));
                continue;
            }
        };
        let (location, folder, flags) = maildir_key(rel);
        files.push(MailFile {
            path: entry.path().to_path_buf(),
            location,
            folder,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            flags,
        });
    }
    files.sort_by(|a, b| a.location.cmp(&b.location));
    files.dedup_by(|a, b| a.location == b.location);
    (files, unreadable)
}

/// The file a stored message was read from, when it is still there: a maildir message by its
/// key (the file may have moved between `new/` and `cur/` or changed flags since), a single
/// message file by its path. Messages from an mbox or an IMAP account have no file of their own.
pub fn message_file(kind: &str, source_location: &str, location: &str) -> Option<PathBuf> {
    match kind {
        "eml" => Some(PathBuf::from(location)).filter(|p| p.is_file()),
        "maildir" => {
            let root = Path::new(source_location);
            let (dir, unique) = match location.rsplit_once('/') {
                Some((dir, unique)) => (dir, unique),
                None => ("", location),
            };
            // `Archive/2024/17.M1` is `.Archive.2024/cur/17.M1:2,S` in Maildir++, or a plain
            // folder tree `Archive/2024/17.M1`.
            let maildirpp = if dir.is_empty() {
                root.to_path_buf()
            } else {
                root.join(format!(".{}", dir.replace('/', ".")))
            };
            let plain = root.join(location);
            if plain.is_file() {
                return Some(plain);
            }
            for sub in ["cur", "new"] {
                let folder = maildirpp.join(sub);
                let Ok(entries) = std::fs::read_dir(&folder) else {
                    continue;
                };
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name == unique || name.starts_with(&format!("{unique}:2,")) {
                        return Some(e.path());
                    }
                }
            }
            None
        }
        _ => None,
    }
}

pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// `(location, folder, flags)` for a path relative to the maildir root.
fn maildir_key(rel: &Path) -> (String, String, String) {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap_or_default();
    if matches!(parts.last().map(String::as_str), Some("cur" | "new")) {
        parts.pop();
    }
    let (unique, flags) = match file.split_once(":2,") {
        Some((unique, flags)) => (unique.to_string(), flags.to_string()),
        None => (file, String::new()),
    };
    // Maildir++ subfolders are `.Sent`, `.Archive.2024`: shown as `Sent`, `Archive/2024`.
    let folder = parts
        .iter()
        .map(|p| {
            p.strip_prefix('.')
                .map(|s| s.replace('.', "/"))
                .unwrap_or_else(|| p.clone())
        })
        .collect::<Vec<_>>()
        .join("/");
    let location = if folder.is_empty() {
        unique
    } else {
        format!("{folder}/{unique}")
    };
    (location, folder, flags)
}

/// One message of an mbox file, `>From ` escaping undone.
#[derive(Debug, Clone)]
pub struct MboxEntry {
    /// A hash of the entry's bytes (plus a counter for identical copies): stable when other
    /// entries are added or removed around it.
    pub location: String,
    pub bytes: Vec<u8>,
}

/// Splits an mbox file at its `From ` separator lines (at the start, or after an empty line) and
/// undoes mboxrd/mboxo escaping (`>From ` → `From `, `>>From ` → `>From `).
pub fn split_mbox(data: &[u8]) -> Vec<MboxEntry> {
    let mut starts = Vec::new();
    let mut pos = 0;
    let mut previous_blank = true;
    while pos < data.len() {
        let end = memchr_newline(data, pos);
        let line = &data[pos..end];
        if previous_blank && line.starts_with(b"From ") {
            starts.push(pos);
        }
        previous_blank = line.iter().all(|&b| b == b'\r');
        pos = end + 1;
    }
    let mut entries: Vec<MboxEntry> = Vec::with_capacity(starts.len());
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(data.len());
        let chunk = &data[start..end];
        // Drop the separator line itself.
        let body_start = chunk
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| p + 1)
            .unwrap_or(chunk.len());
        let mut bytes = unescape_from_lines(&chunk[body_start..]);
        // The empty line before the next separator belongs to the format, not to the message.
        if bytes.ends_with(b"\n\n") {
            bytes.pop();
        } else if bytes.ends_with(b"\r\n\r\n") {
            bytes.truncate(bytes.len() - 2);
        }
        let hash = hex::encode(&Sha256::digest(&bytes)[..12]);
        let n = seen.entry(hash.clone()).or_default();
        *n += 1;
        let location = if *n == 1 { hash } else { format!("{hash}-{n}") };
        entries.push(MboxEntry { location, bytes });
    }
    entries
}

fn memchr_newline(data: &[u8], from: usize) -> usize {
    data[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| from + p)
        .unwrap_or(data.len())
}

fn unescape_from_lines(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut pos = 0;
    while pos < data.len() {
        let end = (memchr_newline(data, pos) + 1).min(data.len());
        let line = &data[pos..end];
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
        pos = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maildir_message_is_found_again_by_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (rel, body) in [
            ("cur/17.M1:2,S", "a"),
            (".Archive.2024/new/18.M2", "b"),
            ("lay-k/inbox/472", "c"),
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, body).unwrap();
        }
        let loc = root.to_str().unwrap();
        let read = |key: &str| {
            message_file("maildir", loc, key).map(|p| std::fs::read_to_string(p).unwrap())
        };
        assert_eq!(read("17.M1").as_deref(), Some("a"));
        assert_eq!(read("Archive/2024/18.M2").as_deref(), Some("b"));
        assert_eq!(read("lay-k/inbox/472").as_deref(), Some("c"));
        assert_eq!(read("19.M3"), None);
        assert_eq!(message_file("imap", "imap://x", "INBOX/5"), None);
    }

    #[test]
    fn maildir_keys_ignore_cur_new_and_flags() {
        let (loc, folder, flags) = maildir_key(Path::new("cur/1700000000.M1P2.host:2,RS"));
        assert_eq!(
            (loc.as_str(), folder.as_str(), flags.as_str()),
            ("1700000000.M1P2.host", "", "RS")
        );
        let (loc2, _, flags2) = maildir_key(Path::new("new/1700000000.M1P2.host"));
        assert_eq!(loc2, loc);
        assert_eq!(flags2, "");
        let (loc, folder, _) = maildir_key(Path::new(".Archive.2024/cur/17.M1:2,S"));
        assert_eq!(
            (loc.as_str(), folder.as_str()),
            ("Archive/2024/17.M1", "Archive/2024")
        );
        let (loc, folder, _) = maildir_key(Path::new("lay-k/inbox/472"));
        assert_eq!(
            (loc.as_str(), folder.as_str()),
            ("lay-k/inbox/472", "lay-k/inbox")
        );
    }

    #[test]
    fn scan_skips_tmp_and_housekeeping_files() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["cur", "new", "tmp", ".Sent/cur"] {
            std::fs::create_dir_all(dir.path().join(p)).unwrap();
        }
        std::fs::write(dir.path().join("cur/1.a:2,S"), "Subject: a\n\na").unwrap();
        std::fs::write(dir.path().join("new/2.b"), "Subject: b\n\nb").unwrap();
        std::fs::write(dir.path().join("tmp/3.c"), "half written").unwrap();
        std::fs::write(dir.path().join(".Sent/cur/4.d:2,S"), "Subject: d\n\nd").unwrap();
        std::fs::write(dir.path().join("dovecot-uidlist"), "3 V1 N5").unwrap();
        let (files, unreadable) = scan_maildir(dir.path());
        assert!(unreadable.is_empty());
        let locs: Vec<_> = files
            .iter()
            .map(|f| (f.location.as_str(), f.folder.as_str(), f.flags.as_str()))
            .collect();
        assert_eq!(
            locs,
            vec![("1.a", "", "S"), ("2.b", "", ""), ("Sent/4.d", "Sent", "S")]
        );
    }

    #[test]
    fn mbox_splits_on_from_lines_and_unescapes() {
        let data = b"From alice@example.com Mon Jan  1 00:00:00 2024\nSubject: one\n\nHello\n>From the start it was fine.\n>>From here too\n\nFrom bob@example.com Tue Jan  2 00:00:00 2024\nSubject: two\n\nText\nFrom within a paragraph is not a separator (no empty line before it).\n";
        let entries = split_mbox(data);
        assert_eq!(entries.len(), 2);
        assert_eq!(
            String::from_utf8_lossy(&entries[0].bytes),
            "Subject: one\n\nHello\nFrom the start it was fine.\n>From here too\n"
        );
        assert!(String::from_utf8_lossy(&entries[1].bytes)
            .starts_with("Subject: two\n\nText\nFrom within"));
        assert_ne!(entries[0].location, entries[1].location);
        // Stable keys: the same entry has the same key when another is prepended.
        let mut more = b"From x Mon Jan  1 00:00:00 2024\nSubject: zero\n\nz\n\n".to_vec();
        more.extend_from_slice(data);
        let again = split_mbox(&more);
        assert_eq!(again[1].location, entries[0].location);
        assert_eq!(again[2].location, entries[1].location);
    }

    #[test]
    fn identical_mbox_entries_get_distinct_keys() {
        let data = b"From a Mon Jan  1 00:00:00 2024\nSubject: s\n\nx\n\nFrom a Mon Jan  1 00:00:00 2024\nSubject: s\n\nx\n";
        let entries = split_mbox(data);
        assert_eq!(entries.len(), 2);
        assert_ne!(entries[0].location, entries[1].location);
    }
}
