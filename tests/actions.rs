//! Actions from the command line, as a user runs them: `assistant do "..."` shows a plan with the
//! exact messages and people, asks, runs, logs; `assistant undo` takes steps back. Sending goes
//! to a real SMTP server on 127.0.0.1 (aiosmtpd); notes are real files.

mod support;

use std::path::Path;

use support::cli::{answering, run, sample_notes, set_account, with_sample_mail};
use support::smtp::{free_port, SmtpServer};
use support::{assistant, json, stderr};

/// `do --dry-run --json REQUEST`: the plan.
fn plan(data: &Path, request: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["do", "--dry-run"];
    args.extend_from_slice(extra);
    args.push(request);
    run(data, &args)
}

/// `do --yes --json REQUEST`, which must succeed: what each step did.
fn execute(data: &Path, request: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["do", "--yes"];
    args.extend_from_slice(extra);
    args.push(request);
    run(data, &args)
}

fn failing(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = assistant(data, &all);
    assert!(
        !out.status.success(),
        "{args:?} should fail: {}",
        support::stdout(&out)
    );
    json(&out)["error"].clone()
}

fn message(data: &Path, id: &str) -> serde_json::Value {
    run(data, &["show", id])
}

#[test]
fn forward_the_two_most_recent_from_kenneth_to_sara_asks_first_sends_once_and_is_logged() {
    let data = with_sample_mail();
    let mail_dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(free_port(), mail_dir.path());
    set_account(data.path(), server.port, &[]);
    let request = "forward the 2 most recent emails from Kenneth to Sara Lindqvist";

    // The plan: Kenneth's two newest messages by Message-ID, Sara's address from the mail.
    let p = plan(data.path(), request, &[]);
    assert_eq!(
        p["actions"],
        serde_json::json!([{"kind": "forward",
            "message_ids": ["offsite-1@northwind.example", "q3-budget-1@northwind.example"],
            "to": ["sara@northwind.example"]}]),
        "{p}"
    );
    assert_eq!(p["needs_confirmation"], true);
    assert_eq!(p["proposed_by"], "rules");
    assert!(
        p["steps"][0]["items"][0]
            .as_str()
            .unwrap()
            .contains("Team offsite in Lisbon"),
        "the plan names the messages in words: {p}"
    );

    // --yes does not skip the question for a plan that sends.
    let err = failing(data.path(), &["do", "--yes", request]);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("send_without_asking"),
        "{err}"
    );
    // "No": nothing goes, nothing is logged.
    let out = answering(data.path(), &["do", request], "n\n");
    assert_eq!(json(&out)["error"]["kind"], "cancelled", "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SEND 2 messages forwarded to sara@northwind.example"),
        "{}",
        stderr(&out)
    );
    assert!(server.received().is_empty());
    assert_eq!(run(data.path(), &["log"]), serde_json::json!([]));

    // "Yes": each message is sent once, and the step is in the audit log.
    let out = answering(data.path(), &["do", request], "y\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let received = server.received();
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(received
        .iter()
        .any(|m| m.contains("Subject: Fwd: Team offsite in Lisbon")));
    assert!(received
        .iter()
        .all(|m| m.contains("X-RcptTo: sara@northwind.example")));
    let log = run(data.path(), &["log"]);
    assert_eq!(log[0]["action"], "forward");
    assert_eq!(log[0]["detail"]["instruction"], request);
    assert_eq!(log[0]["targets"]["to"][0], "sara@northwind.example");
    // Sent mail cannot be taken back: the step has no undo.
    assert_eq!(log[0]["undo_state"], "none");
    let id = log[0]["id"].to_string();
    let err = failing(data.path(), &["undo", &id]);
    assert!(
        err["message"].as_str().unwrap().contains("no undo"),
        "{err}"
    );
    assert_eq!(server.received().len(), 2, "nothing sent twice");
}

#[test]
fn archive_label_flag_and_read_are_logged_and_undone_exactly() {
    let data = with_sample_mail();
    let d = data.path();
    let before = message(d, "contract-1@acme.example");
    assert_eq!(
        (before["filed_in"].as_str(), before["flagged"].as_bool()),
        (Some(""), Some(false))
    );

    let done = execute(d, "archive the latest email from Priya", &[]);
    assert_eq!(done[0]["kind"], "archive");
    assert_eq!(message(d, "contract-1@acme.example")["filed_in"], "Archive");
    let done = execute(
        d,
        "label the latest email from Priya as legal and flag it",
        &[],
    );
    assert_eq!(done.as_array().unwrap().len(), 2, "{done}");
    let m = message(d, "contract-1@acme.example");
    assert_eq!(m["labels"], serde_json::json!(["legal"]));
    assert_eq!(m["flagged"], true);
    execute(
        d,
        "mark this as read",
        &["--message", "contract-1@acme.example"],
    );
    assert_eq!(message(d, "contract-1@acme.example")["unread"], false);

    // Undo takes the newest step back first, each exactly.
    run(d, &["undo"]);
    assert_eq!(message(d, "contract-1@acme.example")["unread"], true);
    run(d, &["undo"]);
    assert_eq!(message(d, "contract-1@acme.example")["flagged"], false);
    assert_eq!(
        message(d, "contract-1@acme.example")["labels"],
        serde_json::json!(["legal"])
    );
    run(d, &["undo"]);
    assert_eq!(
        message(d, "contract-1@acme.example")["labels"],
        serde_json::json!([])
    );
    let log = run(d, &["log"]);
    let archive = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "archive")
        .unwrap();
    let id = archive["id"].to_string();
    run(d, &["undo", &id]);
    assert_eq!(message(d, "contract-1@acme.example")["filed_in"], "");
    // Once undone, a step is not undone again.
    let err = failing(d, &["undo", &id]);
    assert!(
        err["message"].as_str().unwrap().contains("undone already"),
        "{err}"
    );
    assert_eq!(failing(d, &["undo"])["kind"], "not_found");
}

#[test]
fn notes_and_reminders_are_made_and_undone_without_losing_the_users_edits() {
    let data = with_sample_mail();
    let d = data.path();
    let notes = tempfile::tempdir().unwrap();
    for entry in walk(&sample_notes()) {
        let rel = entry.strip_prefix(sample_notes()).unwrap();
        let to = notes.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    run(d, &["ingest", "notes", notes.path().to_str().unwrap()]);

    let done = execute(
        d,
        "create a note called Packing list saying passport and charger",
        &[],
    );
    assert_eq!(done[0]["kind"], "create_note");
    let created = notes.path().join("Packing list.md");
    assert_eq!(
        std::fs::read_to_string(&created).unwrap(),
        "# Packing list\n\npassport and charger\n"
    );
    assert_eq!(
        message(d, "Packing list.md")["title"],
        "Packing list",
        "the store has the new note"
    );

    let offsite = notes.path().join("projects/lisbon-offsite.md");
    let original = std::fs::read_to_string(&offsite).unwrap();
    let p = plan(d, "add book the hotel to my note Lisbon offsite", &[]);
    assert_eq!(p["actions"][0]["note"], "projects/lisbon-offsite.md", "{p}");
    execute(d, "add book the hotel to my note Lisbon offsite", &[]);
    let added = std::fs::read_to_string(&offsite).unwrap();
    assert!(
        added.starts_with(&original) && added.trim_end().ends_with("book the hotel"),
        "{added}"
    );

    // Undo puts the note back byte for byte, then removes the created one.
    run(d, &["undo"]);
    assert_eq!(std::fs::read_to_string(&offsite).unwrap(), original);
    // A note the user edited after the assistant made it is not removed by undo.
    std::fs::write(&created, "# Packing list\n\npassport, charger, adapter\n").unwrap();
    let err = failing(d, &["undo"]);
    assert!(
        err["message"].as_str().unwrap().contains("was changed"),
        "{err}"
    );
    assert!(created.exists());

    // A reminder at a time read from the request.
    let p = plan(
        d,
        "remind me to call Priya tomorrow at 9am",
        &["--now", "2023-11-06T08:00"],
    );
    assert_eq!(
        p["actions"],
        serde_json::json!([{"kind": "remind", "text": "call Priya", "when": "2023-11-07T09:00"}])
    );
    execute(
        d,
        "remind me to call Priya tomorrow at 9am",
        &["--now", "2023-11-06T08:00"],
    );
    let reminders = run(d, &["reminders"]);
    assert_eq!(reminders[0]["text"], "call Priya");
    run(d, &["undo"]);
    assert_eq!(run(d, &["reminders"]), serde_json::json!([]));
}

#[test]
fn requests_that_cannot_be_done_are_refused_or_asked_back_and_change_nothing() {
    let data = with_sample_mail();
    let d = data.path();
    let err = failing(d, &["do", "--dry-run", "delete all my email"]);
    assert_eq!(err["kind"], "unsupported", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("archive"),
        "it says what it can do: {err}"
    );
    // "this email" with no message open, and a person not in the mail: asked back.
    let err = failing(
        d,
        &[
            "do",
            "--dry-run",
            "--proposer",
            "rules",
            "forward it to Sara Lindqvist",
        ],
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("open a message first"),
        "{err}"
    );
    let err = failing(
        d,
        &[
            "do",
            "--dry-run",
            "forward the latest email from Kenneth to Zoltan",
        ],
    );
    assert_eq!(err["kind"], "not_found", "{err}");
    assert!(err["message"].as_str().unwrap().contains("Zoltan"), "{err}");
    // A second Sara: "Sara" alone is asked back with both addresses.
    let eml = d.join("sara-berg.eml");
    std::fs::write(
        &eml,
        "Message-ID: <berg-1@acme.example>\r\nDate: Mon, 6 Nov 2023 10:00:00 +0000\r\nFrom: Sara Berg <sara.berg@acme.example>\r\nTo: alex@northwind.example\r\nSubject: Samples\r\n\r\nThe samples are on their way.\r\n",
    )
    .unwrap();
    run(d, &["ingest", "eml", eml.to_str().unwrap()]);
    let err = failing(
        d,
        &[
            "do",
            "--dry-run",
            "forward the latest email from Kenneth to Sara",
        ],
    );
    assert_eq!(err["kind"], "ambiguous");
    let msg = err["message"].as_str().unwrap();
    assert!(
        msg.contains("sara@northwind.example") && msg.contains("sara.berg@acme.example"),
        "{msg}"
    );
    // Bad flags are named.
    let err = failing(d, &["do", "--now", "tomorrow", "archive this"]);
    assert!(err["message"].as_str().unwrap().contains("--now"), "{err}");
    assert_eq!(run(d, &["log"]), serde_json::json!([]), "nothing ran");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_forward_carries_the_originals_attachments() {
    let data = with_sample_mail();
    let d = data.path();
    let mail_dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(free_port(), mail_dir.path());
    set_account(d, server.port, &[]);
    let eml = d.join("figures.eml");
    std::fs::write(
        &eml,
        "Message-ID: <figures-1@acme.example>\r\nDate: Fri, 10 Nov 2023 09:00:00 +0000\r\nFrom: Priya Natarajan <priya@acme.example>\r\nTo: alex@northwind.example\r\nSubject: Q3 figures\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe figures are attached.\r\n--b\r\nContent-Type: application/pdf; name=\"q3.pdf\"\r\nContent-Disposition: attachment; filename=\"q3.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
    )
    .unwrap();
    run(d, &["ingest", "eml", eml.to_str().unwrap()]);
    let out = answering(
        d,
        &[
            "do",
            "forward the latest email from Priya to Sara Lindqvist",
        ],
        "y\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let received = server.received();
    assert_eq!(received.len(), 1);
    let m = &received[0];
    assert!(m.contains("Subject: Fwd: Q3 figures"), "{m}");
    assert!(m.contains("The figures are attached."), "{m}");
    assert!(
        m.contains("filename=\"q3.pdf\"") && m.contains("application/pdf"),
        "{m}"
    );
    // The file's bytes go along (lettre picks the transfer encoding: base64 or, for these
    // ASCII bytes, as they are).
    assert!(m.contains("JVBERi0xLjQK") || m.contains("%PDF-1.4"), "{m}");

    // When the original file is gone, the forward says which attachments it could not include.
    std::fs::remove_file(&eml).unwrap();
    let out = answering(
        d,
        &[
            "do",
            "forward the latest email from Priya to Sara Lindqvist",
        ],
        "y\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let received = server.received();
    assert_eq!(received.len(), 2);
    let m = received
        .iter()
        .find(|m| m.contains("Attachments not included"))
        .expect("the second forward says what it left out");
    assert!(
        m.contains("q3.pdf") && !m.contains("multipart/mixed"),
        "{m}"
    );
}
