//! The library commands: `ingest`, `search`, `show`, `reindex`, `status`, `threads`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use assistant_core::index::{DocKind, Filters};
use assistant_core::ingest::{IngestReport, IngestSpec, Progress};
use assistant_core::library::Shown;
use assistant_core::search::{parse_date, parse_query, SearchMode, SearchResult};
use assistant_core::{Assistant, CoreError};
use clap::{Args, Subcommand};
use indicatif::ProgressBar;

use crate::output;

#[derive(Subcommand)]
pub enum IngestCommand {
    /// A maildir (cur/new, Maildir++ folders) or any folder tree of message files.
    Maildir { path: PathBuf },
    /// An mbox file.
    Mbox { path: PathBuf },
    /// Single message files (.eml).
    #[command(name = "eml")]
    Eml {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// A folder of Markdown notes (an Obsidian-style vault).
    Notes {
        path: PathBuf,
        /// Then keep watching the folder and ingest each change, until Ctrl-C.
        #[arg(long)]
        watch: bool,
    },
    /// An IMAP account: new mail is fetched, flags and deletions brought over. The password is
    /// read from the environment variable named by --password-env, and kept only in the OS
    /// keyring with --save-password (then `assistant sync` reads the account again).
    Imap {
        #[arg(long)]
        host: String,
        /// Default 993 (TLS), or 143 with --plain.
        #[arg(long)]
        port: Option<u16>,
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "ASSISTANT_IMAP_PASSWORD", value_name = "VAR")]
        password_env: String,
        /// No TLS: only for a server on this machine (127.0.0.1).
        #[arg(long)]
        plain: bool,
        /// Only these folders (repeatable; default: every folder).
        #[arg(long)]
        folder: Vec<String>,
        /// Once the server accepts it, keep the password in the OS keyring (never in a file).
        #[arg(long)]
        save_password: bool,
    },
}

#[derive(Args)]
pub struct SearchArgs {
    /// Words, optionally with filters: from: to: source: folder: after: before: on:
    /// has:attachment is:mail is:note (values with spaces in quotes).
    #[arg(required = true)]
    query: Vec<String>,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Only mail from this sender (words of the name or address).
    #[arg(long)]
    from: Option<String>,
    /// Only mail to this recipient.
    #[arg(long)]
    to: Option<String>,
    /// Only this source (its name, as in `assistant status`).
    #[arg(long)]
    source: Option<String>,
    /// Only this folder.
    #[arg(long)]
    folder: Option<String>,
    /// On or after this date (YYYY-MM-DD).
    #[arg(long)]
    after: Option<String>,
    /// Before this date (YYYY-MM-DD).
    #[arg(long)]
    before: Option<String>,
    #[arg(long)]
    has_attachment: bool,
    /// mail or note
    #[arg(long, value_parser = ["mail", "note"])]
    kind: Option<String>,
    /// Ranking: auto (hybrid once passages have vectors, else bm25), bm25, dense or hybrid.
    #[arg(long, default_value = "auto", value_parser = ["auto", "bm25", "dense", "hybrid"])]
    mode: String,
}

pub fn search_mode(mode: &str) -> SearchMode {
    match mode {
        "bm25" => SearchMode::Bm25,
        "dense" => SearchMode::Dense,
        "hybrid" => SearchMode::Hybrid,
        _ => SearchMode::Auto,
    }
}

/// A flag that Ctrl-C sets: long jobs stop between batches and keep what they did.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            f.store(true, Ordering::Relaxed);
        }
    });
    flag
}

fn show_progress(bar: &ProgressBar, p: Progress) {
    match p {
        Progress::Scanning => bar.set_message("scanning"),
        Progress::Threading => bar.set_message("threading"),
        Progress::Reading { done, total } => {
            bar.set_message("reading");
            bar.set_length(total);
            bar.set_position(done);
        }
        Progress::Indexing { done, total } => {
            if bar.message() != "indexing" {
                bar.set_message("indexing");
                bar.reset_eta();
            }
            bar.set_length(total);
            bar.set_position(done);
        }
    }
}

pub async fn ingest(
    assistant: &Assistant,
    cmd: IngestCommand,
    json: bool,
) -> Result<(), CoreError> {
    let spec = match cmd {
        IngestCommand::Maildir { path } => IngestSpec::Maildir(path),
        IngestCommand::Mbox { path } => IngestSpec::Mbox(path),
        IngestCommand::Eml { paths } => IngestSpec::Eml(paths),
        IngestCommand::Notes { path, watch } => {
            if watch {
                return watch_notes(assistant, path, json).await;
            }
            IngestSpec::Notes(path)
        }
        IngestCommand::Imap {
            host,
            port,
            user,
            password_env,
            plain,
            folder,
            save_password,
        } => {
            if plain && !matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1") {
                return Err(CoreError::InvalidRequest(format!(
                    "--plain sends the password unencrypted; it is allowed only for a server on this machine, not {host}"
                )));
            }
            let password = std::env::var(&password_env).map_err(|_| {
                CoreError::InvalidRequest(format!(
                    "set the IMAP password in the environment variable {password_env}"
                ))
            })?;
            let account = assistant_core::mail::imap::ImapAccount {
                host,
                port: port.unwrap_or(if plain { 143 } else { 993 }),
                user,
                password,
                tls: !plain,
                folders: folder,
            };
            if save_password {
                let cancel = stop_on_ctrl_c();
                let bar = output::count_bar(json);
                let b = bar.clone();
                let added = assistant
                    .library()
                    .add_imap_account(account, move |p| show_progress(&b, p), cancel)
                    .await;
                bar.finish_and_clear();
                let (_, report) = added?;
                output::print(json, &report, || ingest_summary(&report));
                return Ok(());
            }
            IngestSpec::Imap(account)
        }
    };
    let cancel = stop_on_ctrl_c();
    let bar = output::count_bar(json);
    let b = bar.clone();
    let report = assistant
        .library()
        .ingest(spec, move |p| show_progress(&b, p), cancel)
        .await;
    bar.finish_and_clear();
    let report = report?;
    output::print(json, &report, || ingest_summary(&report));
    Ok(())
}

fn ingest_summary(r: &IngestReport) -> String {
    let secs = r.elapsed_ms as f64 / 1000.0;
    let mut out = format!(
        "{} ({}): {} found, {} added, {} duplicates, {} updated, {} unchanged, {} removed, {} skipped, {} repaired\n\
         {} threads changed, {} documents indexed, {:.1} s ({:.0} read/s){}",
        r.source,
        r.kind,
        r.scanned,
        r.added,
        r.duplicates,
        r.updated,
        r.unchanged,
        r.removed,
        r.skipped.len(),
        r.repaired,
        r.threads_changed,
        r.indexed,
        secs,
        r.read as f64 / secs.max(1e-3),
        if r.cancelled { "\ncancelled: run the same command again to continue" } else { "" }
    );
    for s in r.skipped.iter().take(20) {
        out.push_str(&format!("\n  skipped {}: {}", s.location, s.reason));
    }
    if r.skipped.len() > 20 {
        out.push_str(&format!(
            "\n  ... and {} more (see --json)",
            r.skipped.len() - 20
        ));
    }
    out
}

fn date_arg(field: &str, value: Option<String>) -> Result<Option<(i64, i64)>, CoreError> {
    value
        .map(|v| {
            parse_date(&v).ok_or_else(|| {
                CoreError::InvalidRequest(format!(
                    "--{field}: `{v}` is not a date (use YYYY-MM-DD)"
                ))
            })
        })
        .transpose()
}

pub async fn search(assistant: &Assistant, args: SearchArgs, json: bool) -> Result<(), CoreError> {
    let (text, mut filters) = parse_query(&args.query.join(" "))?;
    let flags = Filters {
        from: args.from,
        to: args.to,
        source: args.source,
        folder: args.folder,
        after: date_arg("after", args.after)?.map(|d| d.0),
        before: date_arg("before", args.before)?.map(|d| d.0),
        has_attachment: args.has_attachment,
        kind: args.kind.as_deref().map(|k| {
            if k == "note" {
                DocKind::Note
            } else {
                DocKind::Mail
            }
        }),
    };
    filters.from = flags.from.or(filters.from);
    filters.to = flags.to.or(filters.to);
    filters.source = flags.source.or(filters.source);
    filters.folder = flags.folder.or(filters.folder);
    filters.after = flags.after.or(filters.after);
    filters.before = flags.before.or(filters.before);
    filters.has_attachment |= flags.has_attachment;
    filters.kind = flags.kind.or(filters.kind);
    let results = assistant
        .library()
        .search_with(text, filters, args.limit, search_mode(&args.mode))
        .await?;
    output::print(json, &results, || results_table(&results));
    Ok(())
}

pub fn date(secs: Option<i64>) -> String {
    let Some(s) = secs else { return "-".into() };
    let (y, m, d) = assistant_core::search::civil_from_days(s.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn highlighted(s: &assistant_core::index::Snippet) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(a, b) in &s.highlights {
        if a < at || b > s.text.len() {
            continue;
        }
        out.push_str(&s.text[at..a]);
        out.push_str("**");
        out.push_str(&s.text[a..b]);
        out.push_str("**");
        at = b;
    }
    out.push_str(&s.text[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn results_table(results: &[SearchResult]) -> String {
    if results.is_empty() {
        return "no results".into();
    }
    let mut out = String::new();
    for r in results {
        out.push_str(&format!(
            "{:<7} {}  {}  — {}  [{}{}{}]\n        {}\n",
            r.id,
            date(r.date),
            r.title,
            r.byline,
            r.source,
            if r.folder.is_empty() { "" } else { "/" },
            r.folder,
            highlighted(&r.snippet)
        ));
    }
    out.trim_end().to_string()
}

pub async fn show(assistant: &Assistant, id: &str, json: bool) -> Result<(), CoreError> {
    let shown = assistant.library().show(id).await?;
    output::print(json, &shown, || match &shown {
        Shown::Message(m) => {
            let people = |v: &[assistant_core::mail::Mailbox]| {
                v.iter()
                    .map(|p| {
                        if p.name.is_empty() {
                            p.address.clone()
                        } else {
                            format!("{} <{}>", p.name, p.address)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut out = format!(
                "m{}  {}\nFrom:    {}\nTo:      {}\n",
                m.id,
                m.subject,
                people(std::slice::from_ref(&m.from)),
                people(&m.to)
            );
            if !m.cc.is_empty() {
                out.push_str(&format!("Cc:      {}\n", people(&m.cc)));
            }
            out.push_str(&format!("Date:    {}\n", date(m.date)));
            if let Some(t) = m.thread_id {
                out.push_str(&format!("Thread:  t{t}\n"));
            }
            for p in &m.places {
                out.push_str(&format!(
                    "In:      {} / {} ({})\n",
                    p.source, p.folder, p.location
                ));
            }
            for a in &m.attachments {
                out.push_str(&format!(
                    "Attached: {} ({}, {})\n",
                    a.filename,
                    a.content_type,
                    output::mb(a.size)
                ));
            }
            out.push('\n');
            out.push_str(m.body_text.trim_end());
            out
        }
        Shown::Note(n) => {
            let mut out = format!(
                "n{}  {}\nPath:    {} ({})\n",
                n.id, n.title, n.path, n.source
            );
            if !n.tags.is_empty() {
                out.push_str(&format!("Tags:    {}\n", n.tags.join(", ")));
            }
            let links: Vec<String> = n
                .links
                .iter()
                .map(|l| match &l.note_path {
                    Some(p) => format!("{} → {p}", l.target),
                    None => format!("{} (no such note)", l.target),
                })
                .collect();
            if !links.is_empty() {
                out.push_str(&format!("Links:   {}\n", links.join("; ")));
            }
            if !n.backlinks.is_empty() {
                let back: Vec<&str> = n.backlinks.iter().map(|b| b.path.as_str()).collect();
                out.push_str(&format!("Linked from: {}\n", back.join("; ")));
            }
            out.push('\n');
            out.push_str(n.body.trim_end());
            out
        }
        Shown::Thread(t) => {
            let mut out = format!("t{}  {} ({} messages)\n", t.id, t.subject, t.messages.len());
            for m in &t.messages {
                let from = if m.from.name.is_empty() {
                    &m.from.address
                } else {
                    &m.from.name
                };
                out.push_str(&format!(
                    "  m{:<6} {}  {}  — {}\n",
                    m.id,
                    date(m.date),
                    m.subject,
                    from
                ));
            }
            out.trim_end().to_string()
        }
    });
    Ok(())
}

pub async fn reindex(assistant: &Assistant, json: bool) -> Result<(), CoreError> {
    let bar = output::count_bar(json);
    let b = bar.clone();
    let report = assistant
        .library()
        .reindex(move |p| show_progress(&b, p))
        .await;
    bar.finish_and_clear();
    let report = report?;
    output::print(json, &report, || {
        format!(
            "index rebuilt from the store: {} documents in {:.1} s",
            report.documents,
            report.elapsed_ms as f64 / 1000.0
        )
    });
    Ok(())
}

pub async fn status(assistant: &Assistant, check: bool, json: bool) -> Result<(), CoreError> {
    let library = assistant.library();
    let caught_up = library.catch_up().await?;
    let status = library.status().await?;
    let check = if check {
        Some(library.check_index().await?)
    } else {
        None
    };
    let value =
        serde_json::json!({ "status": status, "index_check": check, "caught_up": caught_up });
    output::print(json, &value, || {
        let c = &status.counts;
        let mut out = format!(
            "{} messages in {} threads, {} notes, {} sources; index: {} documents{}\n",
            c.messages,
            c.threads,
            c.notes,
            c.sources,
            status.index_docs,
            if caught_up > 0 {
                format!(" ({caught_up} caught up now)")
            } else {
                String::new()
            }
        );
        let e = &status.embeddings;
        out.push_str(&format!(
            "meaning-based search: {} of {} passages have vectors ({} of {} documents cut into passages){}\n",
            e.embedded,
            e.chunks,
            e.documents_chunked,
            e.documents,
            if e.embedded < e.chunks || e.documents_chunked < e.documents { "; run `assistant embed`" } else { "" }
        ));
        for s in &status.sources {
            out.push_str(&format!(
                "  #{:<3} {:<8} {:<8} {:<24} {:>6} messages {:>6} notes  {}\n",
                s.id,
                s.privacy,
                s.kind.as_str(),
                s.name,
                s.messages,
                s.notes,
                s.location
            ));
        }
        if let Some(check) = &check {
            out.push_str(&if check.missing.is_empty() && check.stale.is_empty() {
                format!(
                    "index check: agrees with the store ({} documents)",
                    check.store_docs
                )
            } else {
                format!(
                    "index check: {} missing, {} stale; run `assistant reindex`",
                    check.missing.len(),
                    check.stale.len()
                )
            });
        }
        out.trim_end().to_string()
    });
    Ok(())
}

pub async fn threads(assistant: &Assistant, json: bool) -> Result<(), CoreError> {
    let rows = assistant.library().thread_membership().await?;
    output::print(json, &rows, || {
        rows.iter()
            .map(|r| format!("t{}\tm{}\t{}/{}", r.thread, r.message, r.source, r.location))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

/// Search latency: every query of the file (one per line) `rounds` times, in this process.
/// With `results`, also writes each query's ranked ids there (JSON lines), for quality checks.
pub async fn bench_search(
    assistant: &Assistant,
    file: &std::path::Path,
    rounds: usize,
    mode: SearchMode,
    limit: usize,
    results: Option<&std::path::Path>,
    json: bool,
) -> Result<(), CoreError> {
    let text = std::fs::read_to_string(file).map_err(|e| CoreError::io(file, e))?;
    let queries: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if queries.is_empty() {
        return Err(CoreError::InvalidRequest(format!(
            "{}: no queries (one per line)",
            file.display()
        )));
    }
    let library = assistant.library();
    library
        .search_with("warm up".into(), Filters::default(), 10, mode)
        .await?;
    let mut times = Vec::with_capacity(queries.len() * rounds);
    let mut hits = 0usize;
    let mut ranked = String::new();
    for round in 0..rounds.max(1) {
        for q in &queries {
            let started = std::time::Instant::now();
            let (text, filters) = parse_query(q)?;
            let found = library.search_with(text, filters, limit, mode).await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            hits += found.len();
            if round == 0 {
                let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
                let bylines: Vec<&str> = found.iter().map(|r| r.byline.as_str()).collect();
                ranked.push_str(
                    &serde_json::json!({"query": q, "ids": ids, "bylines": bylines}).to_string(),
                );
                ranked.push('\n');
            }
        }
    }
    if let Some(path) = results {
        std::fs::write(path, ranked).map_err(|e| CoreError::io(path, e))?;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let status = library.status().await?;
    let report = serde_json::json!({
        "queries": queries.len(),
        "searches": times.len(),
        "documents": status.index_docs,
        "mean_hits": hits as f64 / times.len() as f64,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "max_ms": pct(1.0),
    });
    output::print(json, &report, || {
        format!(
            "{} searches over {} documents: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({:.1} results each)",
            times.len(),
            status.index_docs,
            pct(0.5),
            pct(0.95),
            pct(1.0),
            hits as f64 / times.len() as f64
        )
    });
    Ok(())
}

pub async fn embed(
    assistant: &Assistant,
    model: Option<PathBuf>,
    json: bool,
) -> Result<(), CoreError> {
    let library = assistant.library();
    if let Some(dir) = model {
        let installed = library.install_embedding_model(dir).await?;
        if !json {
            eprintln!("embedding model installed in {}", installed.display());
        }
    }
    let cancel = stop_on_ctrl_c();
    let bar = output::count_bar(json);
    bar.set_message("embedding");
    let b = bar.clone();
    let report = library
        .embed(
            move |p| {
                b.set_length(p.chunks);
                b.set_position(p.embedded);
            },
            cancel,
        )
        .await;
    bar.finish_and_clear();
    let report = report?;
    output::print(json, &report, || {
        format!(
            "{} passages made, {} embedded{} in {:.1} s; {} of {} passages have vectors{}",
            report.chunks_created,
            report.embedded,
            if report.reused > 0 {
                format!(
                    " ({} copied from passages with the same text)",
                    report.reused
                )
            } else {
                String::new()
            },
            report.elapsed_ms as f64 / 1000.0,
            report.progress.embedded,
            report.progress.chunks,
            if report.paused {
                " (paused: run again to continue)"
            } else {
                ""
            }
        )
    });
    Ok(())
}

/// Ingests a notes folder, then again after every change until Ctrl-C; one line (or JSON
/// object) per sync.
async fn watch_notes(assistant: &Assistant, path: PathBuf, json: bool) -> Result<(), CoreError> {
    let library = assistant.library();
    let print = move |r: &IngestReport| {
        if json {
            println!("{}", serde_json::to_string(r).expect("report serializes"));
        } else {
            println!("{}", ingest_summary(r).lines().next().unwrap_or_default());
        }
    };
    let first = library
        .ingest(
            IngestSpec::Notes(path.clone()),
            |_| {},
            Arc::new(AtomicBool::new(false)),
        )
        .await?;
    print(&first);
    let _watcher = library.watch_notes(path.clone(), move |r| match r {
        Ok(r) => print(&r),
        Err(e) => eprintln!("error: {e}"),
    })?;
    // New passages get vectors in the background (when the embedding model is installed).
    print_embedding_activity(library.start_background_embedding().subscribe(), json);
    if !json {
        eprintln!("watching {} (Ctrl-C stops)", path.display());
    }
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}

pub async fn sync(assistant: &Assistant, json: bool) -> Result<(), CoreError> {
    let results = assistant.library().sync_local_sources().await?;
    let mut failed = None;
    let rows: Vec<serde_json::Value> = results
        .iter()
        .map(|(name, r)| match r {
            Ok(report) => serde_json::json!({"source": name, "report": report}),
            Err(e) => {
                failed.get_or_insert_with(|| format!("{name}: {e}"));
                serde_json::json!({"source": name, "error": {"kind": e.kind(), "message": e.to_string()}})
            }
        })
        .collect();
    if json && failed.is_some() {
        // One JSON document: the error (main prints it), naming the first source that failed.
        return Err(CoreError::InvalidRequest(format!(
            "a source could not be synced: {}",
            failed.unwrap_or_default()
        )));
    }
    output::print(json, &rows, || {
        results
            .iter()
            .map(|(name, r)| match r {
                Ok(report) => ingest_summary(report)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                Err(e) => format!("{name}: error: {e}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    match failed {
        // Every source was tried; the exit status still says one failed.
        Some(first) => Err(CoreError::InvalidRequest(format!(
            "a source could not be synced: {first}"
        ))),
        None => Ok(()),
    }
}

/// One line each time the background embedding starts, finishes, pauses or fails.
fn print_embedding_activity(
    mut activity: tokio::sync::watch::Receiver<assistant_core::embed_worker::EmbeddingActivity>,
    json: bool,
) {
    tokio::spawn(async move {
        let mut last = None;
        while activity.changed().await.is_ok() {
            let a = activity.borrow_and_update().clone();
            if last == Some(a.state) {
                continue;
            }
            last = Some(a.state);
            if json {
                println!("{}", serde_json::json!({ "embedding": a }));
            } else {
                use assistant_core::embed_worker::EmbeddingState as S;
                match a.state {
                    S::Running => println!("embedding new passages in the background"),
                    S::Idle => println!("{} of {} passages have vectors", a.embedded, a.chunks),
                    S::Paused => println!("embedding paused"),
                    S::NoModel => {}
                    S::Failed => eprintln!("error: embedding: {}", a.error.unwrap_or_default()),
                }
            }
        }
    });
}

/// What the app does while it runs: every local source ingested again, notes folders watched,
/// new passages embedded in the background; one line per sync until Ctrl-C.
pub async fn sync_and_watch(assistant: &Assistant, json: bool) -> Result<(), CoreError> {
    let library = assistant.library();
    let sync = library
        .keep_local_sources_in_sync(move |name, r| match (r, json) {
            (Ok(report), true) => println!(
                "{}",
                serde_json::json!({"source": name, "report": report})
            ),
            (Ok(report), false) => println!(
                "{name}: {}",
                ingest_summary(&report).lines().next().unwrap_or_default()
            ),
            (Err(e), true) => println!(
                "{}",
                serde_json::json!({"source": name, "error": {"kind": e.kind(), "message": e.to_string()}})
            ),
            (Err(e), false) => eprintln!("{name}: error: {e}"),
        })
        .await?;
    print_embedding_activity(sync.embedding.subscribe(), json);
    if !json {
        eprintln!("keeping every local source in sync (Ctrl-C stops)");
    }
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}

pub async fn similarity(
    assistant: &Assistant,
    texts: Vec<String>,
    pairs: Option<PathBuf>,
    json: bool,
) -> Result<(), CoreError> {
    let list: Vec<(String, String)> = match &pairs {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| {
                CoreError::InvalidRequest(format!("--pairs {}: {e}", file.display()))
            })?;
            let mut list = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let bad = |what: &str| {
                    CoreError::InvalidRequest(format!("{} line {}: {what}", file.display(), i + 1))
                };
                let v: serde_json::Value =
                    serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
                let field = |k: &str| {
                    v[k].as_str()
                        .map(String::from)
                        .ok_or_else(|| bad(&format!("no \"{k}\" text")))
                };
                list.push((field("a")?, field("b")?));
            }
            list
        }
        None => vec![(texts[0].clone(), texts[1].clone())],
    };
    let scores = assistant.library().similarities(list).await?;
    if pairs.is_some() {
        for s in scores {
            println!("{s:.4}");
        }
    } else {
        output::print(json, &scores[0], || format!("{:.4}", scores[0]));
    }
    Ok(())
}
