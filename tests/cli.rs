//! The `assistant` command line with the real default model: chat, JSON output, constraints,
//! the demo, and bad flags.

mod support;

use support::{assistant, json, stderr, stdout};

#[test]
fn chat_json_has_text_and_stats_and_respects_max_tokens() {
    let data = support::data_dir_with_model();
    let out = assistant(
        data.path(),
        &[
            "--json",
            "chat",
            "--max-tokens",
            "12",
            "Write",
            "a",
            "poem",
            "about",
            "autumn.",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert!(!v["text"].as_str().unwrap().is_empty());
    assert!(
        v["stats"]["completion_tokens"].as_u64().unwrap() <= 12,
        "{v}"
    );
    assert_eq!(v["model"], support::DEFAULT_MODEL_ID);
}

/// Regression: once an output constraint was complete, decoding went on (invisibly) until
/// max_tokens, because the constraint's end token was not one of the model's EOS tokens; smart
/// reply spent ~0.5 s per request on nothing.
#[test]
fn a_completed_output_constraint_ends_the_answer() {
    let data = support::data_dir_with_model();
    let out = assistant(
        data.path(),
        &[
            "--json",
            "chat",
            "--regex",
            "Yes: [^\\n.?!]+[.?!]\\nNo: [^\\n.?!]+[.?!]\\n",
            "--max-tokens",
            "120",
            "Two replies to: lunch on Friday?",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let text = v["text"].as_str().unwrap();
    assert!(
        text.starts_with("Yes: ") && text.contains("\nNo: ") && text.ends_with('\n'),
        "{v}"
    );
    assert_eq!(v["stats"]["finish_reason"], "stop", "{v}");
    let tokens = v["stats"]["completion_tokens"].as_u64().unwrap();
    assert!(tokens < 120, "{v}");
}

#[test]
fn chat_with_a_json_schema_file_prints_valid_json() {
    let data = support::data_dir_with_model();
    let schema = data.path().join("schema.json");
    std::fs::write(
        &schema,
        r#"{"type":"object","properties":{"yes":{"type":"boolean"}},"required":["yes"],"additionalProperties":false}"#,
    )
    .unwrap();
    let out = assistant(
        data.path(),
        &[
            "--json",
            "chat",
            "--json-schema",
            schema.to_str().unwrap(),
            "--max-tokens",
            "20",
            "Is water wet?",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = json(&out)["text"].as_str().unwrap().to_string();
    let answer: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(answer["yes"].is_boolean(), "{answer}");
}

#[test]
fn demo_streams_an_answer_to_the_terminal() {
    let data = support::data_dir_with_model();
    let out = assistant(data.path(), &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).trim().len() > 10, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("decode"),
        "stats line: {}",
        stderr(&out)
    );
}

#[test]
fn chat_without_any_model_says_how_to_get_one() {
    let data = tempfile::tempdir().unwrap();
    let out = assistant(data.path(), &["--json", "chat", "hi"]);
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "no_active_model");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("models use"));
}

#[test]
fn unknown_flags_and_bad_values_fail_with_usage_errors() {
    let data = tempfile::tempdir().unwrap();
    let out = assistant(data.path(), &["chat", "--no-such-flag", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--no-such-flag"));
    let out = assistant(data.path(), &["chat", "--max-tokens", "many", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("many"));
}

#[test]
fn a_damaged_settings_file_is_named_in_the_error() {
    let data = support::data_dir_with_model();
    std::fs::write(data.path().join("settings.json"), "{ broken").unwrap();
    let out = assistant(data.path(), &["--json", "info"]);
    assert!(!out.status.success());
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("settings.json"));
}

#[test]
fn bench_prints_figures_for_each_prompt_length() {
    let data = support::data_dir_with_model();
    let out = assistant(
        data.path(),
        &[
            "--json",
            "bench",
            "--runs",
            "1",
            "--lengths",
            "64,128",
            "--max-tokens",
            "8",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["prompt_tokens"], 64);
    assert_eq!(rows[1]["prompt_tokens"], 128);
    for row in rows {
        assert!(
            row["prefill_tokens_per_sec"]["median"].as_f64().unwrap() > 0.0,
            "{row}"
        );
        assert!(
            row["decode_tokens_per_sec"]["median"].as_f64().unwrap() > 0.0,
            "{row}"
        );
        assert!(row["ttft_ms"]["median"].as_f64().unwrap() > 0.0, "{row}");
    }
    assert!(r["load_ms_first"].as_f64().unwrap() > 0.0);
    assert!(r["peak_rss_mb"].as_f64().unwrap() > 50.0);
}

/// Regression: with RUST_BACKTRACE set, loading probed optional GGUF keys through errors that
/// captured and printed backtraces, which symbolised the binary's debug information (~90 MB more
/// resident memory after load).
#[test]
fn loading_with_rust_backtrace_set_costs_no_extra_memory() {
    let data = support::data_dir_with_model();
    let after_load_mb = |backtrace: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_assistant"));
        cmd.arg("--data-dir").arg(data.path()).args([
            "--json",
            "bench",
            "--runs",
            "1",
            "--lengths",
            "64",
            "--max-tokens",
            "1",
        ]);
        cmd.env_remove("RUST_LIB_BACKTRACE");
        if backtrace {
            cmd.env("RUST_BACKTRACE", "1");
        } else {
            cmd.env_remove("RUST_BACKTRACE");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out)["rss_after_load_mb"].as_f64().unwrap()
    };
    let without = after_load_mb(false);
    let with = after_load_mb(true);
    assert!(
        with < without + 30.0,
        "resident after load: {with:.0} MB with RUST_BACKTRACE=1, {without:.0} MB without"
    );
}
