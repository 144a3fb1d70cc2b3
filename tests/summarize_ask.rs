//! Summaries and ask end to end with the real default model over the bundled sample mail and
//! notes: a message, a thread with quoted history, a note and a day; cited answers, streamed, and
//! "not in your mail or notes"; plus a smoke run of the quality harnesses on tiny sets written here.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use assistant_core::ask::{AskEvent, AskScope, NOT_FOUND};
use assistant_core::{Assistant, DataDir};
use support::{assistant, data_dir_with_model, json, stderr, stdout};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = assistant(data, &all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    json(&o)
}

/// A data folder with the model and the sample mail and notes.
fn sample_library() -> tempfile::TempDir {
    let data = data_dir_with_model();
    let mail = repo().join("sample/mail");
    let notes = repo().join("sample/notes");
    run_json(data.path(), &["ingest", "maildir", mail.to_str().unwrap()]);
    run_json(data.path(), &["ingest", "notes", notes.to_str().unwrap()]);
    data
}

fn id_of(data: &Path, message_id: &str) -> String {
    format!("m{}", run_json(data, &["show", message_id])["id"])
}

/// Every run of digits in `text` occurs in `source` (an independent check of "never invents").
fn numbers_come_from(text: &str, source: &str) {
    let runs = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|r| !r.is_empty())
            .map(String::from)
            .collect()
    };
    let known = runs(source);
    for r in runs(text) {
        assert!(known.contains(&r), "{r} in {text:?} is not in the source");
    }
}

#[test]
fn summaries_of_a_message_a_thread_a_note_and_a_day_state_only_what_the_source_says() {
    let data = sample_library();
    let d = data.path();
    let first = id_of(d, "q3-budget-1@northwind.example");
    let shown = run_json(d, &["show", &first]);
    let body = shown["body_text"].as_str().unwrap();

    let s = run_json(d, &["summarize", &first]);
    assert_eq!(s["target"], first.as_str(), "{s}");
    assert_eq!(s["machine_written"], true);
    assert_eq!(s["sources"], serde_json::json!([first]));
    assert_eq!(s["stages"], 1, "{s}");
    let gist = s["gist"].as_str().unwrap();
    assert!(!gist.trim().is_empty(), "{s}");
    let points: Vec<&str> = s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(points.len() <= 4, "{s}");
    let source = format!("{} {} {body}", shown["subject"], shown["date"]);
    for line in std::iter::once(gist).chain(points.iter().copied()) {
        numbers_come_from(line, &format!("{source} Mon 6 Nov 2023"));
    }
    assert!(s["check"]["facts_checked"].as_u64().unwrap() > 0, "{s}");

    // The thread: three messages, each read once, oldest first; the replies quote the first.
    let t = run_json(d, &["summarize", "--thread", &first]);
    let sources: Vec<&str> = t["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 3, "{t}");
    assert_eq!(sources[0], first);
    assert!(t["target"].as_str().unwrap().starts_with('t'), "{t}");
    assert_eq!(t["title"], "Q3 budget review");
    assert!(!t["gist"].as_str().unwrap().is_empty());

    // A note, by its path.
    let n = run_json(d, &["summarize", "--note", "projects/q3-budget.md"]);
    assert!(n["target"].as_str().unwrap().starts_with('n'), "{n}");
    assert!(!n["gist"].as_str().unwrap().is_empty(), "{n}");

    // A day with mail, and a day without: nothing to ask the model.
    let day = run_json(d, &["summarize", "--day", "2023-11-06"]);
    assert_eq!(day["title"], "Mon 6 Nov 2023 (UTC)");
    assert!(day["sources"].as_array().unwrap().len() >= 3, "{day}");
    let empty = run_json(d, &["summarize", "--day", "2020-01-01"]);
    assert_eq!(empty["stages"], 0);
    assert_eq!(empty["gist"], "No mail or notes on Wed 1 Jan 2020 (UTC).");

    // People read it as such.
    let o = assistant(d, &["summarize", &first]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(machine-written by smollm2-135m-instruct-q4_1 from 1 document"),
        "{}",
        stdout(&o)
    );

    // Bad requests name what is wrong.
    let o = assistant(d, &["--json", "summarize", "--day", "2023-13-40"]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("is not a date"), "{}", stdout(&o));
    let o = assistant(d, &["--json", "summarize", "projects/q3-budget.md"]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("is not a message"), "{}", stdout(&o));
}

#[test]
fn answers_cite_the_passage_they_come_from_or_say_they_are_not_in_the_data() {
    let data = sample_library();
    let d = data.path();
    let a = run_json(d, &["ask", "When is the Q3 budget review?"]);
    assert_eq!(a["found"], true, "{a}");
    let cited: Vec<usize> = a["cited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap() as usize)
        .collect();
    assert!(!cited.is_empty(), "{a}");
    let passage = &a["passages"][cited[0] - 1];
    assert!(passage["id"].as_str().unwrap().starts_with('m'), "{a}");
    assert!(
        passage["message_id"]
            .as_str()
            .unwrap()
            .starts_with("q3-budget-"),
        "{a}"
    );
    let answer = a["answer"].as_str().unwrap();
    assert!(answer.contains(&format!("[{}]", cited[0])), "{a}");
    assert!(
        answer.contains("Thursday") || answer.contains("14:00"),
        "{a}"
    );

    // Nothing about it in the data: said plainly, without running the model.
    let none = run_json(d, &["ask", "Who won the 1998 football world cup?"]);
    assert_eq!(none["found"], false, "{none}");
    assert_eq!(none["answer"], NOT_FOUND);
    assert!(none["cited"].as_array().unwrap().is_empty());

    // Notes only: every passage read is a note, cited by its path.
    let notes = run_json(
        d,
        &["ask", "--source", "notes", "What is planned for Lisbon?"],
    );
    let passages = notes["passages"].as_array().unwrap();
    assert!(!passages.is_empty(), "{notes}");
    assert!(passages.iter().all(|p| p["path"].is_string()), "{notes}");

    // About one thread: only its messages are read.
    let first = id_of(d, "q3-budget-1@northwind.example");
    let about = run_json(d, &["ask", "--about", &first, "What should Alex bring?"]);
    let passages = about["passages"].as_array().unwrap();
    assert_eq!(passages.len(), 1, "{about}");
    assert_eq!(passages[0]["id"], first.as_str());

    // For people: the answer, then the cited sources with their Message-ID.
    let o = assistant(d, &["ask", "When is the Q3 budget review?"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("<q3-budget-"), "{out}");
    assert!(out.contains("machine-written by"), "{out}");
}

#[test]
fn an_answer_streams_passages_first_then_tokens_then_the_finished_answer() {
    let data = sample_library();
    let rt = support::runtime();
    let assistant = Assistant::open(DataDir::at(data.path()).unwrap());
    let events = rt.block_on(async {
        let mut stream = assistant
            .ask("What is the total travel spend?", AskScope::default())
            .await
            .unwrap();
        let mut events = Vec::new();
        while let Some(e) = stream.next().await {
            events.push(e.unwrap());
        }
        events
    });
    assert!(
        matches!(&events[0], AskEvent::Passages(p) if !p.is_empty()),
        "{events:?}"
    );
    let tokens: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            AskEvent::Token(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert!(tokens.len() > 3, "{events:?}");
    let Some(AskEvent::Done(answer)) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(answer.answer, tokens.concat().trim());
    assert!(answer.generation.is_some());
}

/// The quality harnesses, end to end on two items each (made up here from the sample mail, not
/// from the evaluation sets): they run, and print their tables with numbers.
#[test]
fn the_quality_harnesses_run_end_to_end_on_a_smoke_set() {
    let dir = tempfile::tempdir().unwrap();
    let aeslc = dir.path().join("aeslc.jsonl");
    let items = [
        serde_json::json!({"body": "Hi Alex,\nThe Q3 budget review is on Thursday at 14:00 in room 4B. Could you bring the travel figures?\nThanks, Kenneth",
            "subject": "Q3 budget review", "ann0": "budget review thursday", "ann1": "q3 budget review", "ann2": "bring travel figures"}),
        serde_json::json!({"body": "Sara, lunch on Friday at noon? The new place on Elm Street.\nAlex",
            "subject": "Lunch Friday?", "ann0": "lunch friday", "ann1": "lunch invitation", "ann2": "friday lunch"}),
    ];
    std::fs::write(
        &aeslc,
        items.iter().map(|i| format!("{i}\n")).collect::<String>(),
    )
    .unwrap();
    let qa_dir = dir.path().join("qa");
    std::fs::create_dir(&qa_dir).unwrap();
    let context =
        std::fs::read_to_string(repo().join("sample/mail/cur/1700000001.M1P1.sample")).unwrap();
    let qa = serde_json::json!({"data": [{"paragraphs": [{"context": context, "document_id": 1, "qas": [
        {"question": "Where is the Q3 budget review?", "id": 1, "is_impossible": false,
         "answers": [{"text": "room 4B"}]},
        {"question": "What is attached?", "id": 2, "is_impossible": true, "answers": []}
    ]}]}]});
    std::fs::write(qa_dir.join("enron_annotated.json"), qa.to_string()).unwrap();
    let bin = env!("CARGO_BIN_EXE_assistant");
    let model = support::model_path();
    for args in [
        vec!["bench/summary_quality.py", "aeslc", aeslc.to_str().unwrap()],
        vec!["bench/ask_quality.py", qa_dir.to_str().unwrap()],
    ] {
        let o = Command::new("python3")
            .current_dir(repo())
            .args(&args)
            .args(["--assistant", bin, "--model", model.to_str().unwrap()])
            .output()
            .unwrap();
        let out = stdout(&o);
        assert!(o.status.success(), "{args:?}: {out}{}", stderr(&o));
        let table_row = if args[1] == "aeslc" {
            "| model gist"
        } else {
            "| about |"
        };
        let row = out
            .lines()
            .find(|l| l.starts_with(table_row))
            .unwrap_or_else(|| panic!("{out}"));
        let numbers: Vec<f64> = row
            .split('|')
            .filter_map(|c| c.trim().parse::<f64>().ok())
            .collect();
        assert!(numbers.len() >= 3, "{row}");
        assert!(
            numbers.iter().all(|x| (0.0..=100_000.0).contains(x)),
            "{row}"
        );
    }
}
