//! The local store and search through the real `assistant` binary: ingest of maildir, mbox,
//! .eml and notes; search with filters; show; idempotent re-ingest; edits, deletions and
//! duplicates; bad input; reindex; and an ingest killed at random points.

mod support;

use std::path::{Path, PathBuf};

use support::{assistant, json, stderr};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sample")
        .join(name)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn run_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = assistant(data, &all);
    assert!(
        out.status.success(),
        "assistant {args:?} failed: {}",
        stderr(&out)
    );
    json(&out)
}

fn ingest(data: &Path, kind: &str, path: &Path) -> serde_json::Value {
    run_json(data, &["ingest", kind, path.to_str().unwrap()])
}

fn search(data: &Path, query: &str) -> Vec<serde_json::Value> {
    run_json(data, &["search", "--limit", "50", query])
        .as_array()
        .unwrap()
        .clone()
}

fn titles(results: &[serde_json::Value]) -> Vec<String> {
    results
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

fn check_agrees(data: &Path) -> serde_json::Value {
    let status = run_json(data, &["status", "--check"]);
    let check = &status["index_check"];
    assert_eq!(check["missing"].as_array().unwrap().len(), 0, "{check}");
    assert_eq!(check["stale"].as_array().unwrap().len(), 0, "{check}");
    status
}

#[test]
fn sample_mail_and_notes_can_be_searched_and_shown() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    copy_tree(&sample("mail"), &work.path().join("mail"));
    copy_tree(&sample("notes"), &work.path().join("notes"));

    let r = ingest(data.path(), "maildir", &work.path().join("mail"));
    assert_eq!(r["added"], 9, "{r}");
    assert_eq!(r["skipped"].as_array().unwrap().len(), 0, "{r}");
    assert_eq!(r["indexed"], 9);
    let r = ingest(data.path(), "notes", &work.path().join("notes"));
    assert_eq!(r["added"], 6, "{r}");

    // Stemming ("budgets") and title boost: the budget thread and the budget note come first.
    let hits = search(data.path(), "budgets travel");
    let top: Vec<String> = titles(&hits).into_iter().take(4).collect();
    for expected in ["Q3 budget", "Q3 budget review", "Re: Q3 budget review"] {
        assert!(top.contains(&expected.to_string()), "{expected} in {top:?}");
    }
    let mail_hit = hits
        .iter()
        .find(|h| h["title"] == "Re: Q3 budget review")
        .unwrap();
    let snippet = &mail_hit["snippet"];
    let text = snippet["text"].as_str().unwrap();
    let (a, b) = (
        snippet["highlights"][0][0].as_u64().unwrap() as usize,
        snippet["highlights"][0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[a..b], "travel", "{snippet}");

    // Filters: sender, attachment, folder, kind, dates.
    let hits = search(data.path(), "from:kenneth has:attachment");
    assert_eq!(titles(&hits), vec!["Team offsite in Lisbon"]);
    let hits = search(data.path(), "invoice folder:archive");
    assert_eq!(titles(&hits), vec!["FW: Invoice 2023-0712 overdue"]);
    let hits = search(data.path(), "sara is:note");
    assert!(hits.iter().all(|h| h["kind"] == "note"), "{hits:?}");
    assert!(titles(&hits).contains(&"Sara Lindqvist".to_string()));
    let hits = search(data.path(), "is:mail before:2023-08-01");
    assert_eq!(hits.len(), 2, "{hits:?}");

    // The HTML-only message was rendered to text; the attachment is listed.
    let id = search(data.path(), "lisbon offsite is:mail")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = run_json(data.path(), &["show", &id]);
    assert!(
        m["body_text"]
            .as_str()
            .unwrap()
            .contains("offsite will be in Lisbon"),
        "{m}"
    );
    assert_eq!(m["attachments"][0]["filename"], "offsite-agenda.pdf");

    // Threads from References; the thread lists its three messages in order.
    let m = run_json(data.path(), &["show", "<q3-budget-3@northwind.example>"]);
    let thread = run_json(data.path(), &["show", &format!("t{}", m["thread_id"])]);
    let subjects: Vec<_> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        vec![
            "Q3 budget review",
            "Re: Q3 budget review",
            "Re: Q3 budget review"
        ]
    );

    // Notes: title from front matter, links resolved by path, by file name, or left dangling;
    // backlinks; links in code blocks ignored.
    let note = run_json(data.path(), &["show", "projects/lisbon-offsite.md"]);
    assert_eq!(note["title"], "Lisbon offsite");
    let links = note["links"].as_array().unwrap();
    assert_eq!(links[0]["note_path"], "people/sara-lindqvist.md");
    assert_eq!(links[1]["target"], "Roadmap 2024");
    assert!(links[1]["note_path"].is_null());
    let backlinks: Vec<_> = note["backlinks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap())
        .collect();
    assert_eq!(backlinks, vec!["index.md", "projects/q3-budget.md"]);
    let recipe = run_json(data.path(), &["show", "recipes.md"]);
    assert_eq!(recipe["links"].as_array().unwrap().len(), 0);

    check_agrees(data.path());
    let out = assistant(data.path(), &["--json", "show", "m999999"]);
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["kind"], "not_found");
}

#[test]
fn reingest_is_idempotent_and_edits_and_deletions_propagate() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mail = work.path().join("mail");
    copy_tree(&sample("mail"), &mail);
    ingest(data.path(), "maildir", &mail);
    let again = ingest(data.path(), "maildir", &mail);
    assert_eq!(
        (
            again["added"].as_u64(),
            again["unchanged"].as_u64(),
            again["read"].as_u64()
        ),
        (Some(0), Some(9), Some(0)),
        "{again}"
    );

    // Edit: same file, new body. The message keeps its id.
    let file = mail.join("new/1700000007.M7P1.sample");
    let id = search(data.path(), "thai")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Thai place", "ramen bar");
    std::fs::write(&file, text).unwrap();
    let r = ingest(data.path(), "maildir", &mail);
    assert_eq!(r["updated"], 1, "{r}");
    assert!(search(data.path(), "thai").is_empty());
    assert_eq!(search(data.path(), "ramen")[0]["id"], id.as_str());

    // A flag change renames a maildir file (cur/NAME:2,S): the same message, not a new one.
    let renamed = mail.join("cur/1700000007.M7P1.sample:2,S");
    std::fs::rename(&file, &renamed).unwrap();
    let r = ingest(data.path(), "maildir", &mail);
    assert_eq!(
        (r["added"].as_u64(), r["removed"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
    let m = run_json(data.path(), &["show", &id]);
    assert_eq!(m["unread"], false, "{m}");

    // Deletion propagates to the store and the index.
    std::fs::remove_file(&renamed).unwrap();
    let r = ingest(data.path(), "maildir", &mail);
    assert_eq!(r["removed"], 1, "{r}");
    assert!(search(data.path(), "ramen").is_empty());
    let status = check_agrees(data.path());
    assert_eq!(status["status"]["counts"]["messages"], 8);

    // Notes: edit and delete.
    let notes = work.path().join("notes");
    copy_tree(&sample("notes"), &notes);
    ingest(data.path(), "notes", &notes);
    std::fs::write(
        notes.join("recipes.md"),
        "# Weeknight dal\n\nNow with [[index]] and spinach.\n",
    )
    .unwrap();
    std::fs::remove_file(notes.join("people/Kenneth Moreau.md")).unwrap();
    let r = ingest(data.path(), "notes", &notes);
    assert_eq!(
        (
            r["updated"].as_u64(),
            r["removed"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(4)),
        "{r}"
    );
    assert_eq!(
        titles(&search(data.path(), "spinach")),
        vec!["Weeknight dal"]
    );
    let home = run_json(data.path(), &["show", "index.md"]);
    let back: Vec<_> = home["backlinks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap())
        .collect();
    assert_eq!(back, vec!["recipes.md"]);
    let kenneth_link = home["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["target"] == "Kenneth Moreau")
        .unwrap();
    assert!(
        kenneth_link["note_id"].is_null(),
        "a deleted note's links no longer resolve: {kenneth_link}"
    );
    check_agrees(data.path());
}

#[test]
fn the_same_mail_delivered_to_two_mailboxes_is_stored_once() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let message = "Date: Mon, 8 Oct 2001 07:56:44 -0700 (PDT)\nFrom: kenneth.lay@enron.com\nTo: all@enron.com\nSubject: Offsite\n\nThe offsite is confirmed.\n";
    for (mailbox, id) in [("lay-k", "111"), ("jones-t", "222")] {
        let dir = work.path().join(mailbox).join("inbox");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("1"),
            format!("Message-ID: <{id}.JavaMail.evans@thyme>\n{message}"),
        )
        .unwrap();
    }
    let r = ingest(data.path(), "maildir", work.path());
    assert_eq!(
        (r["added"].as_u64(), r["duplicates"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let hits = search(data.path(), "offsite");
    assert_eq!(hits.len(), 1);
    let m = run_json(data.path(), &["show", hits[0]["id"].as_str().unwrap()]);
    let folders: Vec<_> = m["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["folder"].as_str().unwrap())
        .collect();
    assert_eq!(folders, vec!["jones-t/inbox", "lay-k/inbox"]);
    // Deleting one copy keeps the message; deleting both removes it.
    std::fs::remove_file(work.path().join("lay-k/inbox/1")).unwrap();
    let r = ingest(data.path(), "maildir", work.path());
    assert_eq!(r["removed"], 0, "{r}");
    assert_eq!(search(data.path(), "offsite").len(), 1);
    assert_eq!(search(data.path(), "offsite folder:lay").len(), 0);
    std::fs::remove_file(work.path().join("jones-t/inbox/1")).unwrap();
    let r = ingest(data.path(), "maildir", work.path());
    assert_eq!(r["removed"], 1, "{r}");
    check_agrees(data.path());
}

#[test]
fn subject_threads_for_mail_without_reference_headers() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let inbox = work.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let mails = [
        (
            "1",
            "Mon, 3 Dec 2001 09:00:00 -0800",
            "lance@enron.com",
            "steve@enron.com",
            "29th floor",
            "Who has the keys to the 29th floor?",
        ),
        (
            "2",
            "Mon, 3 Dec 2001 10:00:00 -0800",
            "steve@enron.com",
            "lance@enron.com",
            "RE: 29th floor",
            "Security has them.\n\n -----Original Message-----\nFrom: Lance",
        ),
        (
            "3",
            "Tue, 4 Dec 2001 10:00:00 -0800",
            "lance@enron.com",
            "steve@enron.com",
            "Re: 29th floor",
            "Thanks.",
        ),
        (
            "4",
            "Tue, 4 Dec 2001 11:00:00 -0800",
            "zed@enron.com",
            "amy@enron.com",
            "RE: 29th floor",
            "Unrelated people, same subject.",
        ),
    ];
    for (name, date, from, to, subject, body) in mails {
        std::fs::write(
            inbox.join(name),
            format!("Date: {date}\nFrom: {from}\nTo: {to}\nSubject: {subject}\n\n{body}\n"),
        )
        .unwrap();
    }
    ingest(data.path(), "maildir", work.path());
    let rows = run_json(data.path(), &["threads"]);
    let thread_of = |loc: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["location"] == loc)
            .unwrap()["thread"]
            .clone()
    };
    assert_eq!(thread_of("inbox/1"), thread_of("inbox/2"));
    assert_eq!(thread_of("inbox/1"), thread_of("inbox/3"));
    assert_ne!(thread_of("inbox/1"), thread_of("inbox/4"));
}

/// A message with a 50 MB attachment, in base64 as mail carries it.
fn big_attachment_message() -> Vec<u8> {
    let mut m = b"From: a@example.com\nTo: b@example.com\nSubject: Scans\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\nThe scans are attached.\n--x\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"scans.bin\"\nContent-Transfer-Encoding: base64\n\n".to_vec();
    let line = [b'Q'; 76];
    let lines = (50u64 << 20) * 4 / 3 / 76 + 1;
    for _ in 0..lines {
        m.extend_from_slice(&line);
        m.push(b'\n');
    }
    m.extend_from_slice(b"--x--\n");
    m
}

#[test]
fn bad_input_never_stops_an_ingest() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("inbox");
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("01-good", b"From: a@example.com\nSubject: good one\n\nplain words\n".to_vec()),
        ("02-empty", Vec::new()),
        ("03-binary", vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("04-latin1-header", b"From: a@example.com\nSubject: caf\xe9 menu\nX-From: Ren\xe9 \xc7elik\n\nlatin one\n".to_vec()),
        ("05-big5-header", b"From: b@example.com\nSubject: report\nX-From: \xa4\xa4\xa4\xe5\n\nbig five\n".to_vec()),
        ("06-qp-debris", b"From: c@example.com\nSubject: debris\nContent-Transfer-Encoding: 7bit\n\nThe meeting=20\nis at noon and the ratio=3D 2 and this line is soft=\nly broken here.\n".to_vec()),
        ("07-broken-mime", b"From: d@example.com\nSubject: broken mime\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"never\"\n\n--never\nContent-Type: text/plain\n\nthe part that never ends\n".to_vec()),
        ("08-no-headers", b"just a text file that someone dropped in the folder\n".to_vec()),
        ("09-folded", b"From: e@example.com\nTo: x@example.com,\n\ty@example.com\nSubject: a subject that is\n folded over two lines\n\nfolded\n".to_vec()),
        ("10-big-attachment", big_attachment_message()),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let r = ingest(data.path(), "maildir", work.path());
    assert_eq!(r["added"], 7, "{r}");
    let skipped: Vec<(String, String)> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["location"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("inbox/02-empty".to_string(), "empty file".to_string()),
            (
                "inbox/03-binary".to_string(),
                "binary file, not a mail message".to_string()
            ),
            (
                "inbox/08-no-headers".to_string(),
                "no mail headers found".to_string()
            ),
        ]
    );
    assert!(r["repaired"].as_u64().unwrap() >= 3, "{r}");

    assert_eq!(titles(&search(data.path(), "café")), vec!["café menu"]);
    let m = run_json(
        data.path(),
        &[
            "show",
            search(data.path(), "latin")[0]["id"].as_str().unwrap(),
        ],
    );
    assert_eq!(m["from"]["name"], "René Çelik", "{m}");
    assert!(m["problems"].as_str().unwrap().contains("X-From"), "{m}");
    let m = run_json(
        data.path(),
        &[
            "show",
            search(data.path(), "debris")[0]["id"].as_str().unwrap(),
        ],
    );
    assert!(
        m["body_text"]
            .as_str()
            .unwrap()
            .contains("ratio= 2 and this line is softly broken here"),
        "{m}"
    );
    assert_eq!(
        titles(&search(data.path(), "never ends")),
        vec!["broken mime"]
    );
    assert_eq!(
        titles(&search(data.path(), "folded")),
        vec!["a subject that is folded over two lines"]
    );
    let m = run_json(
        data.path(),
        &[
            "show",
            search(data.path(), "scans")[0]["id"].as_str().unwrap(),
        ],
    );
    assert!(
        m["attachments"][0]["size"].as_u64().unwrap() >= 50 << 20,
        "{}",
        m["attachments"]
    );
    assert_eq!(
        m["body_text"].as_str().unwrap().trim(),
        "The scans are attached."
    );
    check_agrees(data.path());
}

#[test]
fn mbox_and_eml_files() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mbox = work.path().join("archive.mbox");
    let entries = [
        "From alice@example.com Mon Jan  1 00:00:00 2024\nFrom: alice@example.com\nSubject: first\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nHello.\n>From the start, this line was escaped.\n\n",
        "From bob@example.com Tue Jan  2 00:00:00 2024\nFrom: bob@example.com\nSubject: second\nDate: Tue, 2 Jan 2024 00:00:00 +0000\n\nSecond body.\n\n",
    ];
    std::fs::write(&mbox, entries.concat()).unwrap();
    let r = ingest(data.path(), "mbox", &mbox);
    assert_eq!(r["added"], 2, "{r}");
    let m = run_json(
        data.path(),
        &[
            "show",
            search(data.path(), "escaped")[0]["id"].as_str().unwrap(),
        ],
    );
    assert!(
        m["body_text"]
            .as_str()
            .unwrap()
            .contains("\nFrom the start, this line was escaped."),
        "{m}"
    );
    assert_eq!(ingest(data.path(), "mbox", &mbox)["added"], 0);
    // Appending a message adds exactly it.
    let third = "From carol@example.com Wed Jan  3 00:00:00 2024\nFrom: carol@example.com\nSubject: third\nDate: Wed, 3 Jan 2024 00:00:00 +0000\n\nThird body.\n";
    std::fs::write(&mbox, [entries[0], entries[1], third].concat()).unwrap();
    let r = ingest(data.path(), "mbox", &mbox);
    assert_eq!(
        (r["added"].as_u64(), r["unchanged"].as_u64()),
        (Some(1), Some(2)),
        "{r}"
    );
    // Removing one removes it.
    std::fs::write(&mbox, [entries[1], third].concat()).unwrap();
    assert_eq!(ingest(data.path(), "mbox", &mbox)["removed"], 1);

    let eml = work.path().join("note.eml");
    std::fs::write(
        &eml,
        "From: dan@example.com\nSubject: single file\n\nAn eml body.\n",
    )
    .unwrap();
    let missing = work.path().join("missing.eml");
    let r = run_json(
        data.path(),
        &[
            "ingest",
            "eml",
            eml.to_str().unwrap(),
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(r["added"], 1, "{r}");
    assert!(
        r["skipped"][0]["location"]
            .as_str()
            .unwrap()
            .ends_with("missing.eml"),
        "{r}"
    );
    assert_eq!(titles(&search(data.path(), "eml")), vec!["single file"]);
    check_agrees(data.path());
}

#[test]
fn reindex_rebuilds_the_index_from_the_store() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path(), "maildir", &sample("mail"));
    // A lost or damaged index is rebuilt from the store on the next use.
    std::fs::remove_dir_all(data.path().join("index")).unwrap();
    std::fs::create_dir_all(data.path().join("index")).unwrap();
    std::fs::write(data.path().join("index/meta.json"), "{ damaged").unwrap();
    assert_eq!(
        titles(&search(data.path(), "invoice")),
        vec!["FW: Invoice 2023-0712 overdue"]
    );
    let r = run_json(data.path(), &["reindex"]);
    assert_eq!(r["documents"], 9);
    check_agrees(data.path());
}

#[test]
fn bad_search_input_is_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path(), "maildir", &sample("mail"));
    let out = assistant(
        data.path(),
        &["--json", "search", "budget", "after:2023-13-45"],
    );
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["kind"], "invalid_request");
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("after: `2023-13-45`"));
    // Odd query text is searched, not refused.
    run_json(data.path(), &["search", "\"unclosed (( budget:"]);
    let out = assistant(
        data.path(),
        &["--json", "ingest", "maildir", "/no/such/folder"],
    );
    assert!(!out.status.success());
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/no/such/folder"));
}

/// SplitMix64: reproducible pseudo-random delays.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn ingest_killed_at_random_points_loses_and_duplicates_nothing() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let n = 3000;
    for i in 0..n {
        let dir = work.path().join(format!("box{}", i % 3)).join("inbox");
        std::fs::create_dir_all(&dir).unwrap();
        // Every 50th message is delivered to two mailboxes (a duplicate).
        let body = format!(
            "Message-ID: <{i}.{}@example.com>\nDate: Mon, 1 Jan 2024 00:{:02}:{:02} +0000\nFrom: sender{}@example.com\nTo: someone@example.com\nSubject: message number {i}\n\nBody of message {i} with the word token{i}.\n",
            i % 3,
            (i / 60) % 60,
            i % 60,
            i % 7
        );
        std::fs::write(dir.join(i.to_string()), &body).unwrap();
        if i % 50 == 0 {
            let twin = work.path().join("box9/inbox");
            std::fs::create_dir_all(&twin).unwrap();
            std::fs::write(
                twin.join(i.to_string()),
                body.replace(&format!("<{i}."), &format!("<twin{i}.")),
            )
            .unwrap();
        }
    }
    // How long an undisturbed ingest takes here, so the kills land all over it.
    let probe = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    ingest(probe.path(), "maildir", work.path());
    let full_ms = started.elapsed().as_millis() as u64;
    let mut seed = 0x5eed;
    let mut kills = 0;
    for _ in 0..25 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assistant"))
            .args([
                "--data-dir",
                data.path().to_str().unwrap(),
                "--json",
                "ingest",
                "maildir",
                work.path().to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(
            5 + next(&mut seed) % (full_ms / 3).max(10),
        ));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
    }
    eprintln!("{kills} kills over an ingest of {full_ms} ms");
    assert!(
        kills >= 5,
        "the ingest finished too fast to be interrupted ({kills} kills in {full_ms} ms)"
    );
    let r = ingest(data.path(), "maildir", work.path());
    assert_eq!(r["skipped"].as_array().unwrap().len(), 0, "{r}");
    let status = check_agrees(data.path());
    let counts = &status["status"]["counts"];
    assert_eq!(counts["messages"], n, "{counts}");
    assert_eq!(counts["message_locations"], n + n / 50, "{counts}");
    assert_eq!(counts["pending_index"], 0, "{counts}");
    // Every message is findable exactly once.
    for i in (0..n).step_by(97) {
        let hits = search(data.path(), &format!("token{i}"));
        assert_eq!(hits.len(), 1, "token{i}: {hits:?}");
    }
}

/// The embedding model's folder, put in place by `scripts/fetch-embedding-model.sh` (the test
/// script runs it and names the folder in ASSISTANT_TEST_EMBEDDING_MODEL).
fn embedding_model() -> PathBuf {
    let dir = std::env::var_os("ASSISTANT_TEST_EMBEDDING_MODEL")
        .map(PathBuf::from)
        .expect("ASSISTANT_TEST_EMBEDDING_MODEL is not set: run scripts/test.sh (it fetches the embedding model)");
    assert!(
        dir.join("model.safetensors").is_file(),
        "no embedding model in {}",
        dir.display()
    );
    dir
}

#[test]
fn embedding_on_every_core_gives_the_vectors_of_one_call_per_text() {
    let embedder = assistant_core::embed::Embedder::load(&embedding_model()).unwrap();
    let texts = [
        "Can we move the budget review to Thursday?",
        "The garden needs watering twice a week in July.",
        "Re: pipeline contracts. Kenneth wants the numbers by Friday, with the Q3 forecast attached.",
        "ok",
        "Lunch at noon?",
    ];
    let together = embedder.embed_many(&texts, 2).unwrap();
    assert_eq!(together.len(), texts.len());
    for (text, v) in texts.iter().zip(&together) {
        let alone = embedder.embed(&[text]).unwrap().remove(0);
        let cosine: f32 = alone.iter().zip(v).map(|(a, b)| a * b).sum();
        assert!(cosine > 0.9999, "{text}: cosine {cosine}");
    }
    // Not all the same vector: the texts differ in meaning.
    let cross: f32 = together[0]
        .iter()
        .zip(&together[1])
        .map(|(a, b)| a * b)
        .sum();
    assert!(cross < 0.5, "unrelated texts: cosine {cross}");
}

#[test]
fn embeddings_find_mail_and_notes_by_meaning_and_follow_edits() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let notes = work.path().join("notes");
    copy_tree(&sample("notes"), &notes);
    ingest(data.path(), "maildir", &sample("mail"));
    ingest(data.path(), "notes", &notes);

    // Before any vectors, search is BM25 (and dense search says what is missing).
    assert!(search(data.path(), "wireless internet access").is_empty());
    let out = assistant(
        data.path(),
        &["--json", "search", "--mode", "dense", "anything"],
    );
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["kind"], "model_not_installed");

    let model = embedding_model();
    let r = run_json(data.path(), &["embed", "--model", model.to_str().unwrap()]);
    assert_eq!(r["progress"]["documents_chunked"], 15, "{r}");
    assert_eq!(r["progress"]["embedded"], r["progress"]["chunks"], "{r}");
    assert_eq!(r["paused"], false);

    // No word in common with the Wi-Fi mail, but the same meaning.
    let hits = run_json(
        data.path(),
        &[
            "search",
            "--mode",
            "dense",
            "--limit",
            "3",
            "wireless internet access",
        ],
    );
    assert_eq!(hits[0]["title"], "New office Wi-Fi password", "{hits}");
    // Hybrid is the default once vectors exist; filters still hold.
    let hits = search(data.path(), "wireless internet access");
    assert_eq!(hits[0]["title"], "New office Wi-Fi password", "{hits:?}");
    let hits = search(data.path(), "something to cook for dinner is:note");
    assert_eq!(hits[0]["title"], "Weeknight dal", "{hits:?}");
    assert!(hits.iter().all(|h| h["kind"] == "note"));

    // Nothing new: nothing embedded again. An edited note gets new passages and vectors.
    let r = run_json(data.path(), &["embed"]);
    assert_eq!(
        (r["chunks_created"].as_u64(), r["embedded"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
    std::fs::write(
        notes.join("recipes.md"),
        "# Garden log\n\nPlanted tomatoes and basil in the raised bed.\n",
    )
    .unwrap();
    ingest(data.path(), "notes", &notes);
    let r = run_json(data.path(), &["embed"]);
    assert_eq!(
        (r["chunks_created"].as_u64(), r["embedded"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let hits = run_json(
        data.path(),
        &[
            "search",
            "--mode",
            "dense",
            "--limit",
            "1",
            "vegetables growing outside",
            "is:note",
        ],
    );
    assert_eq!(hits[0]["title"], "Garden log", "{hits}");

    // A passage with the same title and text as one that has a vector gets a copy of it, not a
    // second model run: a copy of the garden note (embedded above), and two new identical notes
    // (one embedded, the other copied in the same round).
    std::fs::copy(notes.join("recipes.md"), notes.join("garden-copy.md")).unwrap();
    let tide = "# Tide table\n\nLow tide at 6:40, high tide at 12:55.\n";
    std::fs::write(notes.join("tide.md"), tide).unwrap();
    std::fs::write(notes.join("tide-again.md"), tide).unwrap();
    ingest(data.path(), "notes", &notes);
    let r = run_json(data.path(), &["embed"]);
    assert_eq!(
        (r["embedded"].as_u64(), r["reused"].as_u64()),
        (Some(3), Some(2)),
        "{r}"
    );
    let hits = run_json(
        data.path(),
        &[
            "search",
            "--mode",
            "dense",
            "--limit",
            "3",
            "ocean water levels",
            "is:note",
        ],
    );
    let titles: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert_eq!(&titles[..2], ["Tide table", "Tide table"], "{hits}");
    assert!(
        (hits[0]["score"].as_f64().unwrap() - hits[1]["score"].as_f64().unwrap()).abs() < 1e-6,
        "{hits}"
    );
}

/// Starts a long-running `assistant --json ARGS...` (a watcher) and sends each JSON line it
/// prints to the returned channel. With `no_model`, the background embedding may only report that
/// there is no embedding model, and those lines are checked and left out.
fn watch_json_lines(
    data: &Path,
    args: &[&str],
    no_model: bool,
) -> (
    std::process::Child,
    std::sync::mpsc::Receiver<serde_json::Value>,
) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assistant"))
        .arg("--data-dir")
        .arg(data)
        .arg("--json")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let line = serde_json::from_str::<serde_json::Value>(&line.unwrap()).unwrap();
            if no_model {
                if let Some(e) = line.get("embedding") {
                    assert_eq!(e["state"], "no_model", "{line}");
                    continue;
                }
            }
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

#[test]
fn a_watched_notes_folder_stays_in_sync() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let notes = work.path().join("notes");
    copy_tree(&sample("notes"), &notes);
    let (mut child, rx) = watch_json_lines(
        data.path(),
        &["ingest", "notes", notes.to_str().unwrap(), "--watch"],
        true,
    );
    let wait = std::time::Duration::from_secs(30);
    let first = rx.recv_timeout(wait).expect("first sync");
    assert_eq!(first["added"], 6, "{first}");
    // The watcher is up once the first sync is reported; give the OS watch a moment to attach.
    std::thread::sleep(std::time::Duration::from_millis(300));

    std::fs::write(
        notes.join("projects/new-idea.md"),
        "# Solar roof\n\nQuotes from three installers.\n",
    )
    .unwrap();
    let sync = rx.recv_timeout(wait).expect("a sync after adding a note");
    assert_eq!(sync["added"], 1, "{sync}");
    assert_eq!(
        titles(&search(data.path(), "installers")),
        vec!["Solar roof"]
    );

    std::fs::remove_file(notes.join("recipes.md")).unwrap();
    let sync = rx.recv_timeout(wait).expect("a sync after deleting a note");
    assert_eq!(sync["removed"], 1, "{sync}");
    assert!(search(data.path(), "lentils").is_empty());

    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn sync_reads_every_local_source_again() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (mail, notes) = (work.path().join("mail"), work.path().join("notes"));
    copy_tree(&sample("mail"), &mail);
    copy_tree(&sample("notes"), &notes);
    ingest(data.path(), "maildir", &mail);
    ingest(data.path(), "notes", &notes);
    std::fs::write(
        mail.join("new/1700000099.M99P1.sample"),
        "From: a@example.com\nSubject: Parking\n\nThe garage closes at 8.\n",
    )
    .unwrap();
    std::fs::write(
        notes.join("parking.md"),
        "# Parking\n\nLevel -2, spot 41.\n",
    )
    .unwrap();
    let rows = run_json(data.path(), &["sync"]);
    let added: Vec<(String, u64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["report"]["added"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        added,
        vec![("mail".to_string(), 1), ("notes".to_string(), 1)]
    );
    assert_eq!(search(data.path(), "parking").len(), 2);
    // A source that is gone is reported by name; the others are still synced.
    std::fs::remove_dir_all(&notes).unwrap();
    let out = assistant(data.path(), &["--json", "sync"]);
    assert!(!out.status.success());
    assert!(
        json(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("notes"),
        "{}",
        support::stdout(&out)
    );
}

#[test]
fn a_watched_notes_folder_gets_vectors_in_the_background() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let notes = work.path().join("notes");
    copy_tree(&sample("notes"), &notes);
    let model = embedding_model();
    run_json(data.path(), &["embed", "--model", model.to_str().unwrap()]);
    let (mut child, rx) = watch_json_lines(
        data.path(),
        &["ingest", "notes", notes.to_str().unwrap(), "--watch"],
        false,
    );
    let wait = std::time::Duration::from_secs(60);
    // Lines until the background embedding is idle again; returns (syncs seen, the idle line).
    let until_idle = || {
        let mut syncs = Vec::new();
        loop {
            let line = rx.recv_timeout(wait).expect("a line from the watcher");
            match line.get("embedding") {
                Some(e) if e["state"] == "idle" => return (syncs, e.clone()),
                Some(e) => assert_eq!(e["state"], "running", "{line}"),
                None => syncs.push(line),
            }
        }
    };
    let (syncs, idle) = until_idle();
    assert_eq!(syncs[0]["added"], 6, "{syncs:?}");
    let before = idle["chunks"].as_u64().unwrap();
    assert!(before >= 6, "{idle}");
    assert_eq!(idle["embedded"], idle["chunks"], "{idle}");
    std::thread::sleep(std::time::Duration::from_millis(300));

    std::fs::write(
        notes.join("projects/new-idea.md"),
        "# Solar roof\n\nQuotes from three installers for panels on the garage.\n",
    )
    .unwrap();
    let (syncs, idle) = until_idle();
    assert_eq!(syncs.len(), 1, "{syncs:?}");
    assert_eq!(syncs[0]["added"], 1, "{syncs:?}");
    assert_eq!(idle["chunks"].as_u64().unwrap(), before + 1, "{idle}");
    assert_eq!(idle["embedded"], idle["chunks"], "{idle}");
    // Found by meaning, with no word in common, while the watcher still runs.
    let hits = run_json(
        data.path(),
        &[
            "search",
            "--mode",
            "dense",
            "--limit",
            "1",
            "photovoltaic electricity for the house",
        ],
    );
    assert_eq!(hits[0]["title"], "Solar roof", "{hits}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Enough distinct notes for several embedding rounds.
fn many_notes(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let topics = [
        "sailing", "taxes", "bread", "chess", "garden", "piano", "running", "coffee",
    ];
    for i in 0..n {
        let t = topics[i % topics.len()];
        std::fs::write(
            dir.join(format!("note-{i}.md")),
            format!(
                "# {t} {i}\n\nThoughts number {i} about {t}, written on day {}.\n",
                i * 7
            ),
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_embedding_pauses_resumes_and_search_works_meanwhile() {
    use assistant_core::embed_worker::EmbeddingState;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    many_notes(&work.path().join("notes"), 120);
    let dir = assistant_core::data_dir::DataDir::at(data.path()).unwrap();
    let library = assistant_core::library::Library::new(&dir);
    library
        .install_embedding_model(embedding_model())
        .await
        .unwrap();
    library
        .ingest(
            assistant_core::ingest::IngestSpec::Notes(work.path().join("notes")),
            |_| {},
            Arc::new(AtomicBool::new(false)),
        )
        .await
        .unwrap();
    let worker = library.start_background_embedding();
    let mut activity = worker.subscribe();
    // Paused as soon as it has stored its first round.
    activity
        .wait_for(|a| a.state == EmbeddingState::Running && a.embedded > 0)
        .await
        .unwrap();
    worker.pause();
    let paused = activity
        .wait_for(|a| a.state == EmbeddingState::Paused)
        .await
        .unwrap()
        .clone();
    assert!(
        paused.embedded > 0 && paused.embedded < paused.chunks,
        "{paused:?}"
    );
    let status = library.status().await.unwrap();
    let stored = status.embeddings.embedded;
    assert_eq!(stored as u64, paused.embedded);
    // Nothing moves while paused, and search works (BM25 and the vectors stored so far).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(library.status().await.unwrap().embeddings.embedded, stored);
    let hits = library.search("sailing 16", 3).await.unwrap();
    assert_eq!(hits[0].title, "sailing 16", "{hits:?}");
    worker.resume();
    let done = activity
        .wait_for(|a| a.state == EmbeddingState::Idle)
        .await
        .unwrap()
        .clone();
    assert_eq!(done.embedded, done.chunks, "{done:?}");
    assert_eq!(done.chunks, 120, "{done:?}");
    assert_eq!(
        library.status().await.unwrap().background_embedding,
        Some(done)
    );
}

#[test]
fn sync_watch_reads_every_source_then_follows_the_notes_folders() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let notes = work.path().join("notes");
    copy_tree(&sample("notes"), &notes);
    ingest(data.path(), "maildir", &sample("mail"));
    ingest(data.path(), "notes", &notes);
    let (mut child, rx) = watch_json_lines(data.path(), &["sync", "--watch"], true);
    let wait = std::time::Duration::from_secs(30);
    // Both sources read again at start; nothing changed.
    let mut first: Vec<serde_json::Value> = (0..2)
        .map(|_| rx.recv_timeout(wait).expect("a sync at start"))
        .collect();
    first.sort_by_key(|l| l["source"].as_str().unwrap().to_string());
    assert_eq!(first[0]["source"], "mail", "{first:?}");
    assert_eq!(first[1]["source"], "notes", "{first:?}");
    for l in &first {
        assert_eq!(l["report"]["added"], 0, "{l}");
        assert_eq!(l["report"]["read"], 0, "{l}");
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::write(
        notes.join("boat.md"),
        "# Boat repairs\n\nThe hull needs sanding before the spring launch.\n",
    )
    .unwrap();
    let sync = rx.recv_timeout(wait).expect("a sync after adding a note");
    assert_eq!(sync["source"], "notes", "{sync}");
    assert_eq!(sync["report"]["added"], 1, "{sync}");
    assert_eq!(
        titles(&search(data.path(), "hull sanding")),
        vec!["Boat repairs"]
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
