//! Sending replies through the outbox to a real SMTP server on 127.0.0.1 (aiosmtpd): queued while
//! the server is down and kept across runs, delivered once when it is up, with the headers a
//! reply needs; the sending limit, taking a message back, and bad settings.

mod support;

use std::path::Path;

use support::cli::{answering, run, set_account, with_sample_mail};
use support::smtp::{free_port, SmtpServer};
use support::{json, stderr};

/// A draft replying to the sample's lunch invitation, written by the user.
fn draft(data: &Path, text: &str) -> String {
    let hits = run(data, &["search", "Lunch Friday"]);
    let lunch = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| {
            h["title"]
                .as_str()
                .unwrap_or_default()
                .contains("Lunch Friday?")
        })
        .unwrap_or_else(|| panic!("no lunch mail in {hits}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    run(data, &["drafts", "--reply-to", &lunch, "--text", text])["id"].to_string()
}

#[test]
fn a_reply_waits_in_the_outbox_while_the_server_is_down_and_is_delivered_once() {
    let data = with_sample_mail();
    let port = free_port();
    set_account(data.path(), port, &["--name", "Alex Doe"]);
    let id = draft(data.path(), "Yes, 12:30 at the Thai place works. Alex");

    // Nobody listens yet: the message is queued with the reason, and the draft is gone.
    let item = run(data.path(), &["send", &id]);
    assert_eq!(item["state"], "queued", "{item}");
    assert_eq!(item["attempts"], 1);
    let reason = item["last_error"].as_str().unwrap();
    assert!(reason.contains(&format!("127.0.0.1:{port}")), "{reason}");
    assert!(run(data.path(), &["drafts"]).as_array().unwrap().is_empty());

    // A later run (the app restarted) still has it; the server comes up; it goes, once.
    let mail_dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(port, mail_dir.path());
    let report = run(data.path(), &["outbox", "deliver"]);
    assert_eq!(
        (report["sent"].as_u64(), report["failed"].as_u64()),
        (Some(1), Some(0)),
        "{report}"
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    let m = &received[0];
    let message_id = item["message_id"].as_str().unwrap();
    for header in [
        format!("Message-ID: {message_id}"),
        "In-Reply-To: <lunch-1@northwind.example>".to_string(),
        "Subject: Re: Lunch Friday?".to_string(),
        "X-RcptTo: sara@northwind.example".to_string(),
        "X-MailFrom: alex@northwind.example".to_string(),
    ] {
        assert!(m.contains(&header), "no `{header}` in:\n{m}");
    }
    assert!(
        m.contains("Alex Doe") && m.contains("12:30 at the Thai place"),
        "{m}"
    );

    let again = run(data.path(), &["outbox", "deliver"]);
    assert_eq!(again["sent"], 0);
    assert_eq!(server.received().len(), 1, "sent twice");
    let outbox = run(data.path(), &["outbox"]);
    assert_eq!(outbox[0]["state"], "sent");
    assert!(outbox[0]["sent_at"].as_i64().is_some());
}

#[test]
fn the_sending_limit_holds_mail_back_and_a_queued_message_can_be_taken_back() {
    let data = with_sample_mail();
    let mail_dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(free_port(), mail_dir.path());
    set_account(data.path(), server.port, &["--max-per-hour", "1"]);
    let first = run(data.path(), &["send", &draft(data.path(), "First.")]);
    assert_eq!(first["state"], "sent", "{first}");
    let second = run(data.path(), &["send", &draft(data.path(), "Second.")]);
    assert_eq!(second["state"], "queued", "{second}");
    assert!(
        second["last_error"].as_str().unwrap().contains("limit"),
        "{second}"
    );
    assert_eq!(server.received().len(), 1);

    let cancelled = run(
        data.path(),
        &["outbox", "cancel", &second["id"].to_string()],
    );
    assert_eq!(cancelled["state"], "cancelled");
    let out = support::assistant(
        data.path(),
        &["--json", "outbox", "cancel", &first["id"].to_string()],
    );
    assert!(!out.status.success());
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("is sent"));
}

#[test]
fn bad_sending_settings_and_drafts_are_refused_naming_the_field() {
    let data = tempfile::tempdir().unwrap();
    let refused = |args: &[&str], needle: &str| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = support::assistant(data.path(), &all);
        assert!(!out.status.success(), "{args:?} was accepted");
        let message = json(&out)["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(needle), "{message}");
    };
    refused(
        &[
            "outbox",
            "account",
            "--from",
            "alex@northwind.example",
            "--host",
            "smtp.example.com",
            "--security",
            "plain",
        ],
        "without TLS",
    );
    refused(
        &[
            "outbox",
            "account",
            "--from",
            "not an address",
            "--host",
            "127.0.0.1",
            "--security",
            "plain",
        ],
        "sender address",
    );
    refused(&["send", "1"], "no sending account");
    run(
        data.path(),
        &[
            "outbox",
            "account",
            "--from",
            "alex@northwind.example",
            "--host",
            "127.0.0.1",
            "--port",
            "2525",
            "--security",
            "plain",
        ],
    );
    refused(&["send", "99"], "draft 99");
    // The settings file has the account, and no password field.
    let settings = std::fs::read_to_string(data.path().join("settings.json")).unwrap();
    assert!(
        settings.contains("alex@northwind.example") && !settings.contains("password"),
        "{settings}"
    );
}

#[test]
fn forwarding_asks_first_every_time_and_sends_each_message_once() {
    let data = with_sample_mail();
    let mail_dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(free_port(), mail_dir.path());
    set_account(data.path(), server.port, &[]);
    // A second Sara writes in: "Sara" alone now fits two people.
    let eml = data.path().join("sara-berg.eml");
    std::fs::write(
        &eml,
        "Message-ID: <berg-1@acme.example>\r\nDate: Mon, 6 Nov 2023 10:00:00 +0000\r\nFrom: Sara Berg <sara.berg@acme.example>\r\nTo: alex@northwind.example\r\nSubject: Samples\r\n\r\nThe samples are on their way.\r\n",
    )
    .unwrap();
    run(data.path(), &["ingest", "eml", eml.to_str().unwrap()]);
    // A name that fits several people is asked back, naming them; nothing is guessed or sent.
    let out = answering(
        data.path(),
        &[
            "forward", "--latest", "1", "--from", "Kenneth", "--to", "Sara",
        ],
        "y\n",
    );
    assert_eq!(json(&out)["error"]["kind"], "ambiguous", "{}", stderr(&out));
    let message = json(&out)["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("sara@northwind.example") && message.contains("sara.berg@acme.example"),
        "{message}"
    );

    // "The 2 most recent from Kenneth to Sara Lindqvist": names resolved against the mail.
    let args = [
        "forward",
        "--latest",
        "2",
        "--from",
        "Kenneth",
        "--to",
        "Sara Lindqvist",
        "--note",
        "FYI",
    ];
    // "No" at the question: nothing goes.
    let out = answering(data.path(), &args, "n\n");
    assert!(
        stderr(&out).contains("Sara Lindqvist <sara@northwind.example>"),
        "{}",
        stderr(&out)
    );
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["kind"], "cancelled");
    assert!(
        stderr(&out).contains("Forward 2 message(s) to Sara Lindqvist"),
        "{}",
        stderr(&out)
    );
    // --yes is refused while the setting is off.
    let mut yes = args.to_vec();
    yes.push("--yes");
    let out = answering(data.path(), &yes, "");
    assert!(!out.status.success());
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("send_without_asking"));
    assert!(server.received().is_empty());

    let out = answering(data.path(), &args, "y\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let items = json(&out);
    assert_eq!(items.as_array().unwrap().len(), 2);
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "sent"),
        "{items}"
    );
    let received = server.received();
    assert_eq!(received.len(), 2);
    for m in &received {
        assert!(
            m.contains("Subject: Fwd: ")
                && m.contains("FYI")
                && m.contains("---------- Forwarded message ----------"),
            "{m}"
        );
        assert!(m.contains("X-RcptTo: sara@northwind.example"), "{m}");
    }
}
