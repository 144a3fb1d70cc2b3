//! Smart reply end to end with the real default model over the bundled sample mailbox: the
//! trigger, three distinct short suggestions, the stored outcome, and a picked suggestion becoming
//! an editable draft.

mod support;

use std::path::PathBuf;

use support::{assistant, data_dir_with_model, json, stderr};

fn sample_mail() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sample/mail")
}

fn run_json(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = assistant(data, &all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    json(&o)
}

#[test]
fn suggestions_are_three_short_distinct_intents_stored_and_picked_into_a_draft() {
    let data = data_dir_with_model();
    run_json(
        data.path(),
        &["ingest", "maildir", sample_mail().to_str().unwrap()],
    );
    // "Lunch Friday?" from Sara: a question, so three suggestions.
    let shown = run_json(data.path(), &["show", "lunch-1@northwind.example"]);
    let id = format!("m{}", shown["id"]);
    let r = run_json(data.path(), &["reply", &id]);
    assert_eq!(r["cached"], false, "{r}");
    let s = r["outcome"]["suggestions"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(s.len(), 3, "{r}");
    let intents: Vec<&str> = s.iter().map(|x| x["intent"].as_str().unwrap()).collect();
    assert_eq!(intents, ["yes", "no", "other"], "{r}");
    let texts: Vec<String> = s
        .iter()
        .map(|x| x["text"].as_str().unwrap().to_lowercase())
        .collect();
    for t in &texts {
        let words = t.split_whitespace().count();
        assert!((1..=20).contains(&words), "{t:?}");
    }
    assert!(
        texts[0] != texts[1] && texts[1] != texts[2] && texts[0] != texts[2],
        "{texts:?}"
    );

    // Opening the message again shows the stored suggestions at once.
    let again = run_json(data.path(), &["reply", &id]);
    assert_eq!(again["cached"], true, "{again}");
    assert_eq!(again["outcome"], r["outcome"]);

    // Picking one opens a draft to the sender; it is stored, editable, never sent.
    let draft = run_json(data.path(), &["reply", &id, "--pick", "2"]);
    assert_eq!(draft["body"], s[1]["text"], "{draft}");
    assert_eq!(draft["subject"], "Re: Lunch Friday?", "{draft}");
    assert_eq!(draft["to"][0], "sara@northwind.example", "{draft}");
    assert_eq!(draft["origin"], "smart_reply");
    let draft_id = draft["id"].as_i64().unwrap().to_string();
    let edited = run_json(
        data.path(),
        &[
            "drafts",
            "--edit",
            &draft_id,
            "--text",
            "Sorry, not Friday. Monday?",
        ],
    );
    assert_eq!(edited["body"], "Sorry, not Friday. Monday?");
    let drafts = run_json(data.path(), &["drafts"]);
    assert_eq!(drafts.as_array().unwrap().len(), 1, "{drafts}");
    assert_eq!(drafts[0]["body"], "Sorry, not Friday. Monday?");

    // Out of range picks and a note id are clear errors.
    let o = assistant(data.path(), &["reply", &id, "--pick", "4"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("pick 1 to 3"), "{}", stderr(&o));
    let notes = sample_mail().with_file_name("notes");
    run_json(data.path(), &["ingest", "notes", notes.to_str().unwrap()]);
    let o = assistant(data.path(), &["reply", "n1"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not a message"), "{}", stderr(&o));
}

#[test]
fn the_trigger_skips_newsletters_and_mail_that_asks_nothing_without_running_the_model() {
    let data = data_dir_with_model();
    run_json(
        data.path(),
        &["ingest", "maildir", sample_mail().to_str().unwrap()],
    );
    let r = run_json(
        data.path(),
        &["reply", "newsletter-48@mail.gardenweekly.example"],
    );
    assert_eq!(r["outcome"]["skipped"], "automated_sender", "{r}");
    assert!(
        r["elapsed_ms"].as_u64().unwrap() < 1_000,
        "the model did not run: {r}"
    );
    let r = run_json(data.path(), &["reply", "wifi-1@northwind.example"]);
    assert_eq!(r["outcome"]["skipped"], "nothing_asked", "{r}");
    let o = assistant(
        data.path(),
        &["reply", "wifi-1@northwind.example", "--pick", "1"],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no suggestions"), "{}", stderr(&o));
}

#[test]
fn suggestions_for_new_mail_are_computed_ahead_and_then_read_from_the_store() {
    let data = data_dir_with_model();
    run_json(
        data.path(),
        &["ingest", "maildir", sample_mail().to_str().unwrap()],
    );
    let r = run_json(data.path(), &["reply", "--new", "--limit", "50"]);
    assert_eq!(r["messages"], 9, "{r}");
    // Every message now opens with its stored outcome, suggestions or the reason for none.
    let ids: Vec<String> = (1..=9).map(|i| format!("m{i}")).collect();
    let mut args = vec!["reply"];
    args.extend(ids.iter().map(String::as_str));
    let o = assistant(data.path(), &[&["--json"][..], &args].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 9);
    assert!(lines.iter().all(|l| l["cached"] == true), "{lines:?}");
    assert!(lines.iter().any(|l| l["outcome"]["suggestions"].is_array()));
    // Nothing is left to do.
    let r = run_json(data.path(), &["reply", "--new"]);
    assert_eq!(r["messages"], 0, "{r}");
}
