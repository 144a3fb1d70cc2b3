//! IMAP ingestion against a real Dovecot server on 127.0.0.1: messages put there by IMAP APPEND,
//! incremental sync by UIDVALIDITY/UID, flags, deletions, a recreated folder, and failures.

mod support;

use futures::TryStreamExt;
use support::dovecot::Dovecot;
use support::{json, stderr};

type Session = async_imap::Session<tokio::net::TcpStream>;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn login(port: u16) -> Session {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().expect("greeting");
    client
        .login("alice", "secret")
        .await
        .map_err(|(e, _)| e)
        .unwrap()
}

fn mail(n: u32, subject: &str) -> Vec<u8> {
    format!(
        "Message-ID: <imap-{n}@example.com>\r\nDate: Mon, {n} Jan 2024 09:00:00 +0000\r\nFrom: Kenneth <kenneth@example.com>\r\nTo: alice@example.com\r\nSubject: {subject}\r\n\r\nBody of message {n}, word{n}.\r\n"
    )
    .into_bytes()
}

/// Runs `assistant ingest imap` against the server with the password in the environment.
fn ingest(
    data: &std::path::Path,
    port: u16,
    password: &str,
    extra: &[&str],
) -> std::process::Output {
    let port = port.to_string();
    let mut args = vec![
        "--data-dir",
        data.to_str().unwrap(),
        "--json",
        "ingest",
        "imap",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--user",
        "alice",
        "--plain",
    ];
    args.extend_from_slice(extra);
    std::process::Command::new(env!("CARGO_BIN_EXE_assistant"))
        .args(&args)
        .env("ASSISTANT_IMAP_PASSWORD", password)
        .env_remove("ASSISTANT_HOME")
        .output()
        .unwrap()
}

fn ingest_ok(data: &std::path::Path, port: u16) -> serde_json::Value {
    let out = ingest(data, port, "secret", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    json(&out)
}

fn search(data: &std::path::Path, q: &str) -> Vec<serde_json::Value> {
    let out = support::assistant(data, &["--json", "search", q]);
    assert!(out.status.success(), "{}", stderr(&out));
    json(&out).as_array().unwrap().clone()
}

#[test]
fn imap_sync_is_incremental_and_follows_flags_deletions_and_recreated_folders() {
    let server = Dovecot::start(&[("alice", "secret")]);
    let rt = runtime();
    let data = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let mut s = login(server.port).await;
        s.create("Archive").await.unwrap();
        for n in 1..=3 {
            s.append("INBOX", None, None, mail(n, "inbox mail"))
                .await
                .unwrap();
        }
        s.append("Archive", Some("(\\Seen)"), None, mail(4, "archived mail"))
            .await
            .unwrap();
        s.logout().await.unwrap();
    });

    let r = ingest_ok(data.path(), server.port);
    assert_eq!(
        (r["added"].as_u64(), r["read"].as_u64()),
        (Some(4), Some(4)),
        "{r}"
    );
    let hit = &search(data.path(), "word4")[0];
    assert_eq!(hit["folder"], "Archive");
    let m = json(&support::assistant(
        data.path(),
        &["--json", "show", hit["id"].as_str().unwrap()],
    ));
    assert_eq!(m["unread"], false, "\\Seen on the server: {m}");

    // Nothing new: no message is downloaded again.
    let r = ingest_ok(data.path(), server.port);
    assert_eq!(
        (
            r["added"].as_u64(),
            r["read"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(4)),
        "{r}"
    );

    // New mail, a flag change, a deletion.
    rt.block_on(async {
        let mut s = login(server.port).await;
        s.append("INBOX", None, None, mail(5, "late mail"))
            .await
            .unwrap();
        s.select("INBOX").await.unwrap();
        let _: Vec<_> = s
            .uid_store("1", "+FLAGS (\\Seen)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let _: Vec<_> = s
            .uid_store("2", "+FLAGS (\\Deleted)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let _: Vec<_> = s.expunge().await.unwrap().try_collect().await.unwrap();
        s.logout().await.unwrap();
    });
    let r = ingest_ok(data.path(), server.port);
    assert_eq!(
        (
            r["added"].as_u64(),
            r["read"].as_u64(),
            r["removed"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{r}"
    );
    assert!(search(data.path(), "word2").is_empty());
    let id = search(data.path(), "word1")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = json(&support::assistant(data.path(), &["--json", "show", &id]));
    assert_eq!(m["unread"], false, "{m}");

    // A folder deleted and created again has a new UIDVALIDITY: its old UIDs mean nothing now.
    rt.block_on(async {
        let mut s = login(server.port).await;
        s.delete("Archive").await.unwrap();
        s.create("Archive").await.unwrap();
        s.append("Archive", None, None, mail(6, "new archive"))
            .await
            .unwrap();
        s.logout().await.unwrap();
    });
    let r = ingest_ok(data.path(), server.port);
    assert_eq!(
        (r["added"].as_u64(), r["removed"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert!(search(data.path(), "word4").is_empty());
    assert_eq!(search(data.path(), "word6").len(), 1);
    let status = json(&support::assistant(
        data.path(),
        &["--json", "status", "--check"],
    ));
    assert_eq!(status["status"]["counts"]["messages"], 4, "{status}");
    assert!(status["index_check"]["missing"]
        .as_array()
        .unwrap()
        .is_empty());

    // A wrong password is a clear error and loses nothing already stored.
    let out = ingest(data.path(), server.port, "wrong", &[]);
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "mail_server", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("imap://alice@127.0.0.1") && message.contains("login"),
        "{message}"
    );
    assert_eq!(search(data.path(), "word1").len(), 1);
}

#[test]
fn a_dead_server_and_unsafe_plain_connections_are_refused_clearly() {
    let data = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = ingest(data.path(), port, "secret", &[]);
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "mail_server");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("connect"),
        "{err}"
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_assistant"))
        .args([
            "--data-dir",
            data.path().to_str().unwrap(),
            "--json",
            "ingest",
            "imap",
            "--host",
            "mail.example.com",
            "--user",
            "a",
            "--plain",
        ])
        .env("ASSISTANT_IMAP_PASSWORD", "x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unencrypted"));
}

#[test]
fn a_saved_password_lives_only_in_the_keyring_and_lets_sync_read_the_account_again() {
    // A password no other test uses, so finding it anywhere on disk means it leaked.
    let password = format!("planted-{}-pw", std::process::id());
    let server = Dovecot::start(&[("alice", &password)]);
    let data = tempfile::tempdir().unwrap();
    let append = |n: u32| server.append("alice", &password, mail(n, "kept mail"));
    append(1);

    // A wrong password is refused by the server and not saved.
    let out = ingest(data.path(), server.port, "wrong", &["--save-password"]);
    assert!(!out.status.success());
    let sync = support::assistant(data.path(), &["--json", "sync"]);
    assert!(sync.status.success(), "{}", stderr(&sync));
    assert!(
        search(data.path(), "word1").is_empty(),
        "nothing read without a password"
    );

    let out = ingest(data.path(), server.port, &password, &["--save-password"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["added"], 1);

    // New mail on the server; `sync` logs in with the saved password (none in the environment).
    append(2);
    let sync = support::assistant(data.path(), &["--json", "sync"]);
    assert!(sync.status.success(), "{}", stderr(&sync));
    assert_eq!(
        search(data.path(), "word2").len(),
        1,
        "{}",
        String::from_utf8_lossy(&sync.stdout)
    );

    let leaks = support::leaks::files_containing(data.path(), &password);
    assert!(leaks.is_empty(), "the password is written in {leaks:?}");
}
