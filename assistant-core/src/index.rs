//! The full-text index (the only module that uses tantivy): BM25 over mail and notes with field
//! boosts, filters and highlighted snippets. Rebuildable from the store at any time.

use std::collections::HashSet;
use std::fmt;
use std::ops::Bound;
use std::path::{Path, PathBuf};

use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{doc, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use crate::error::{CoreError, Result};

/// Bumped whenever the schema or the analysis changes: an index of another version is rebuilt.
pub const INDEX_VERSION: u32 = 4;
const VERSION_FILE: &str = "assistant-index-version";

/// A document of the store: a message or a note, by row id. Written `m12` / `n3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(into = "String")]
pub enum DocKey {
    Message(i64),
    Note(i64),
}

impl fmt::Display for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocKey::Message(id) => write!(f, "m{id}"),
            DocKey::Note(id) => write!(f, "n{id}"),
        }
    }
}

impl From<DocKey> for String {
    fn from(k: DocKey) -> String {
        k.to_string()
    }
}

impl DocKey {
    /// Messages even, notes odd.
    pub fn to_number(self) -> u64 {
        match self {
            DocKey::Message(id) => (id as u64) << 1,
            DocKey::Note(id) => ((id as u64) << 1) | 1,
        }
    }

    pub fn from_number(n: u64) -> DocKey {
        if n & 1 == 0 {
            DocKey::Message((n >> 1) as i64)
        } else {
            DocKey::Note((n >> 1) as i64)
        }
    }

    pub fn parse(s: &str) -> Option<DocKey> {
        let (kind, id) = s.split_at_checked(1)?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "m" => Some(DocKey::Message(id)),
            "n" => Some(DocKey::Note(id)),
            _ => None,
        }
    }
}

/// What the index holds of a document.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub key: DocKey,
    /// Subject or note title.
    pub title: String,
    pub body: String,
    /// Names and addresses of everyone on the message.
    pub people: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub sources: Vec<String>,
    pub folders: Vec<String>,
    /// Seconds since the epoch: sent date, or a note's modification time.
    pub date: Option<i64>,
    pub has_attachment: bool,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Mail,
    Note,
}

/// Restrictions on a search; all must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Filters {
    /// Words that must all appear in the sender's name or address.
    pub from: Option<String>,
    pub to: Option<String>,
    pub source: Option<String>,
    pub folder: Option<String>,
    /// Seconds since the epoch, inclusive.
    pub after: Option<i64>,
    /// Seconds since the epoch, exclusive.
    pub before: Option<i64>,
    pub has_attachment: bool,
    pub kind: Option<DocKind>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub key: DocKey,
    pub score: f32,
}

/// A passage of a document with the query's words marked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text` that matched.
    pub highlights: Vec<(usize, usize)>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    /// The key as a number in a fast field ([`DocKey::to_number`]), for whole-set filters.
    number: Field,
    kind: Field,
    title: Field,
    body: Field,
    people: Field,
    from: Field,
    to: Field,
    source: Field,
    folder: Field,
    tags: Field,
    date: Field,
    has_attachment: Field,
}

/// Words, lower case, without English stop words ("the", "to", "for"), stemmed.
const ENGLISH: &str = "english";

/// Analysers are not stored in the index: every opened index gets them again.
fn register_analyzers(index: &Index) {
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
        TextAnalyzer,
    };
    let mut builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .dynamic();
    if let Some(stop) = StopWordFilter::new(Language::English) {
        builder = builder.filter_dynamic(stop);
    }
    index.tokenizers().register(
        ENGLISH,
        builder
            .filter_dynamic(Stemmer::new(Language::English))
            .build(),
    );
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let stemmed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ENGLISH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let plain = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        number: b.add_u64_field("number", FAST),
        kind: b.add_text_field("kind", STRING),
        title: b.add_text_field("title", stemmed.clone()),
        body: b.add_text_field("body", stemmed),
        people: b.add_text_field("people", plain.clone()),
        from: b.add_text_field("from", plain.clone()),
        to: b.add_text_field("to", plain.clone()),
        source: b.add_text_field("source", plain.clone()),
        folder: b.add_text_field("folder", plain.clone()),
        tags: b.add_text_field("tags", plain),
        date: b.add_i64_field("date", INDEXED | FAST),
        has_attachment: b.add_u64_field("has_attachment", INDEXED),
    };
    (b.build(), fields)
}

/// The index of one data folder (or in memory, for tests).
#[derive(Clone)]
pub struct FullTextIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: PathBuf,
}

fn index_error(dir: &Path, e: impl fmt::Display) -> CoreError {
    CoreError::Index {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    }
}

impl FullTextIndex {
    /// Opens the index in `dir`, creating it when there is none. An index of another version,
    /// or one that cannot be opened, is an error: the caller rebuilds it from the store.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        let (schema, fields) = schema();
        let has_meta = dir.join("meta.json").exists();
        let index = if has_meta {
            let version = std::fs::read_to_string(dir.join(VERSION_FILE)).unwrap_or_default();
            if version.trim() != INDEX_VERSION.to_string() {
                return Err(index_error(
                    dir,
                    format!(
                        "index version {:?} is not {INDEX_VERSION}; run `assistant reindex`",
                        version.trim()
                    ),
                ));
            }
            let index = Index::open_in_dir(dir).map_err(|e| index_error(dir, e))?;
            if index.schema() != schema {
                return Err(index_error(
                    dir,
                    "index schema differs; run `assistant reindex`",
                ));
            }
            index
        } else {
            let index = Index::create_in_dir(dir, schema).map_err(|e| index_error(dir, e))?;
            std::fs::write(dir.join(VERSION_FILE), INDEX_VERSION.to_string())
                .map_err(|e| CoreError::io(dir.join(VERSION_FILE), e))?;
            index
        };
        Self::with_index(index, fields, dir.to_path_buf())
    }

    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema();
        Self::with_index(
            Index::create_in_ram(schema),
            fields,
            PathBuf::from("(memory)"),
        )
    }

    fn with_index(index: Index, fields: Fields, dir: PathBuf) -> Result<Self> {
        register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| index_error(&dir, e))?;
        Ok(Self {
            index,
            reader,
            fields,
            dir,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The one writer of this index (tantivy allows one at a time; it holds a lock file).
    pub fn writer(&self) -> Result<IndexWriterHandle> {
        let writer = self
            .index
            .writer_with_num_threads(1, 48 << 20)
            .map_err(|e| index_error(&self.dir, e))?;
        // A process killed mid-commit leaves files no commit refers to (e.g. a `.del` file whose
        // name the next commit would reuse, failing with FileAlreadyExists): clear them first.
        if let Err(err) = writer.garbage_collect_files().wait() {
            tracing::warn!(%err, dir = %self.dir.display(), "could not clear unused index files");
        }
        Ok(IndexWriterHandle {
            writer,
            fields: self.fields,
            dir: self.dir.clone(),
        })
    }

    /// Sees the latest commit.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(|e| index_error(&self.dir, e))
    }

    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Every key in the index (to check it against the store).
    pub fn all_keys(&self) -> Result<HashSet<DocKey>> {
        let searcher = self.reader.searcher();
        let mut keys = HashSet::new();
        for segment in searcher.segment_readers() {
            let store = segment
                .get_store_reader(64)
                .map_err(|e| index_error(&self.dir, e))?;
            for doc_id in segment.doc_ids_alive() {
                let doc: TantivyDocument =
                    store.get(doc_id).map_err(|e| index_error(&self.dir, e))?;
                if let Some(k) = doc
                    .get_first(self.fields.key)
                    .and_then(|v| v.as_str())
                    .and_then(DocKey::parse)
                {
                    keys.insert(k);
                }
            }
        }
        Ok(keys)
    }

    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        if text.trim().is_empty() {
            return None;
        }
        let f = self.fields;
        let mut parser =
            QueryParser::for_index(&self.index, vec![f.title, f.body, f.people, f.tags]);
        // The body field holds the title too (see `searchable_body`), so the title field only
        // adds a nudge: tuned on SciFact train, title weight 2.0 -> 0.25 took BM25 nDCG@10 from
        // 0.601 to 0.687 (a short field's BM25 over-rewards a single matching word).
        parser.set_field_boost(f.title, TITLE_BOOST);
        parser.set_field_boost(f.people, 1.5);
        parser.set_field_boost(f.tags, 1.5);
        // Lenient: a stray quote or colon in what someone typed never fails a search.
        let (query, _errors) = parser.parse_query_lenient(text);
        Some(query)
    }

    /// Every word of `value` (as the field's analyser splits it) must occur in `field`.
    fn words_query(&self, field: Field, value: &str) -> Vec<(Occur, Box<dyn Query>)> {
        let mut analyzer = match self.index.tokenizer_for_field(field) {
            Ok(a) => a,
            Err(_) => return Vec::new(),
        };
        let mut stream = analyzer.token_stream(value);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        while let Some(token) = stream.next() {
            let term = Term::from_field_text(field, &token.text);
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        clauses
    }

    fn build_query(&self, text: &str, filters: &Filters) -> (Box<dyn Query>, bool) {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text_query = self.text_query(text);
        let scored = text_query.is_some();
        if let Some(q) = text_query {
            clauses.push((Occur::Must, q));
        }
        for (field, value) in [
            (f.from, &filters.from),
            (f.to, &filters.to),
            (f.source, &filters.source),
            (f.folder, &filters.folder),
        ] {
            if let Some(v) = value {
                let words = self.words_query(field, v);
                if words.is_empty() {
                    continue;
                }
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(words))));
            }
        }
        if filters.after.is_some() || filters.before.is_some() {
            let lower = filters
                .after
                .map(|v| Bound::Included(Term::from_field_i64(f.date, v)))
                .unwrap_or(Bound::Unbounded);
            let upper = filters
                .before
                .map(|v| Bound::Excluded(Term::from_field_i64(f.date, v)))
                .unwrap_or(Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        if filters.has_attachment {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.has_attachment, 1),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(kind) = filters.kind {
            let v = match kind {
                DocKind::Mail => "mail",
                DocKind::Note => "note",
            };
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, v),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if clauses.is_empty() {
            return (Box::new(AllQuery), false);
        }
        if !scored {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        (Box::new(BooleanQuery::new(clauses)), scored)
    }

    /// The best `limit` documents for `text` under `filters`: by BM25, or newest first when
    /// there is no text.
    pub fn search(&self, text: &str, filters: &Filters, limit: usize) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let (query, scored) = self.build_query(text, filters);
        let limit = limit.max(1);
        let addresses: Vec<(f32, tantivy::DocAddress)> = if scored {
            searcher
                .search(&query, &TopDocs::with_limit(limit).order_by_score())
                .map_err(|e| index_error(&self.dir, e))?
        } else {
            searcher
                .search(
                    &query,
                    &TopDocs::with_limit(limit).order_by_fast_field::<i64>("date", Order::Desc),
                )
                .map_err(|e| index_error(&self.dir, e))?
                .into_iter()
                .map(|(_, a)| (0.0, a))
                .collect()
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher
                .doc(address)
                .map_err(|e| index_error(&self.dir, e))?;
            if let Some(key) = doc
                .get_first(self.fields.key)
                .and_then(|v| v.as_str())
                .and_then(DocKey::parse)
            {
                hits.push(Hit { key, score });
            }
        }
        Ok(hits)
    }

    /// Every document that passes `filters` (no ranking, no limit).
    pub fn matching_keys(&self, filters: &Filters) -> Result<HashSet<DocKey>> {
        let searcher = self.reader.searcher();
        let (query, _) = self.build_query("", filters);
        let addresses = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(|e| index_error(&self.dir, e))?;
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|s| s.fast_fields().u64("number"))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| index_error(&self.dir, e))?;
        Ok(addresses
            .into_iter()
            .filter_map(|a| columns[a.segment_ord as usize].first(a.doc_id))
            .map(DocKey::from_number)
            .collect())
    }

    /// Makes snippets of the bodies of search results for `text`.
    pub fn snippets(&self, text: &str, max_chars: usize) -> Result<Snippeter> {
        let searcher = self.reader.searcher();
        let generator = match self.text_query(text) {
            Some(query) => {
                let mut g = SnippetGenerator::create(&searcher, &*query, self.fields.body)
                    .map_err(|e| index_error(&self.dir, e))?;
                g.set_max_num_chars(max_chars);
                Some(g)
            }
            None => None,
        };
        Ok(Snippeter {
            generator,
            max_chars,
        })
    }
}

/// Cuts a passage around the matched words out of a body.
pub struct Snippeter {
    generator: Option<SnippetGenerator>,
    max_chars: usize,
}

impl Snippeter {
    pub fn snippet(&self, body: &str) -> Snippet {
        if let Some(g) = &self.generator {
            let s = g.snippet(body);
            if !s.highlighted().is_empty() {
                return Snippet {
                    text: s.fragment().to_string(),
                    highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
                };
            }
        }
        // No word of the query in the body (it matched the subject or people): the opening.
        let collapsed = crate::mail::collapse_whitespace(body);
        let mut end = collapsed.len().min(self.max_chars);
        while !collapsed.is_char_boundary(end) {
            end -= 1;
        }
        Snippet {
            text: collapsed[..end].to_string(),
            highlights: Vec::new(),
        }
    }
}

/// Weight of a match in the subject or note title on top of its match in the body.
const TITLE_BOOST: f32 = 0.25;

/// The text the body field indexes: the title followed by the body, as one would read it, unless
/// the body already starts with the title (a Markdown note's `# Title` heading). Scoring title
/// words inside the body keeps long and short titles on one scale.
fn searchable_body<'a>(title: &str, body: &'a str) -> std::borrow::Cow<'a, str> {
    let title = title.trim();
    let first_line = body
        .lines()
        .map(|l| l.trim_start_matches('#').trim())
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if title.is_empty() || first_line.eq_ignore_ascii_case(title) {
        std::borrow::Cow::Borrowed(body)
    } else {
        std::borrow::Cow::Owned(format!("{title}\n\n{body}"))
    }
}

pub struct IndexWriterHandle {
    writer: IndexWriter,
    fields: Fields,
    dir: PathBuf,
}

impl IndexWriterHandle {
    /// Adds or replaces the document with this key.
    pub fn put(&mut self, d: &IndexDoc) -> Result<()> {
        let f = self.fields;
        let key = d.key.to_string();
        self.writer.delete_term(Term::from_field_text(f.key, &key));
        let mut document = doc!(
            f.key => key,
            f.kind => match d.key { DocKey::Message(_) => "mail", DocKey::Note(_) => "note" },
            f.title => d.title.as_str(),
            f.body => searchable_body(&d.title, &d.body).as_ref(),
            f.people => d.people.as_str(),
            f.has_attachment => u64::from(d.has_attachment),
            f.number => d.key.to_number(),
        );
        for v in &d.from {
            document.add_text(f.from, v);
        }
        for v in &d.to {
            document.add_text(f.to, v);
        }
        for v in &d.sources {
            document.add_text(f.source, v);
        }
        for v in &d.folders {
            document.add_text(f.folder, v);
        }
        for v in &d.tags {
            document.add_text(f.tags, v);
        }
        if let Some(date) = d.date {
            document.add_i64(f.date, date);
        }
        self.writer
            .add_document(document)
            .map_err(|e| index_error(&self.dir, e))?;
        Ok(())
    }

    pub fn remove(&mut self, key: DocKey) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.key, &key.to_string()));
    }

    pub fn remove_all(&mut self) -> Result<()> {
        self.writer
            .delete_all_documents()
            .map_err(|e| index_error(&self.dir, e))?;
        Ok(())
    }

    /// Makes everything put or removed so far durable and visible to new readers.
    pub fn commit(&mut self) -> Result<()> {
        self.writer
            .commit()
            .map_err(|e| index_error(&self.dir, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(id: i64, title: &str, body: &str, from: &str, folder: &str, date: i64) -> IndexDoc {
        IndexDoc {
            key: DocKey::Message(id),
            title: title.into(),
            body: body.into(),
            people: from.into(),
            from: vec![from.into()],
            to: vec!["sara@example.com".into()],
            sources: vec!["work".into()],
            folders: vec![folder.into()],
            date: Some(date),
            has_attachment: id % 2 == 0,
            tags: vec![],
        }
    }

    fn index_with(docs: &[IndexDoc]) -> FullTextIndex {
        let index = FullTextIndex::in_memory().unwrap();
        let mut w = index.writer().unwrap();
        for d in docs {
            w.put(d).unwrap();
        }
        w.commit().unwrap();
        index.reload().unwrap();
        index
    }

    fn keys(hits: &[Hit]) -> Vec<String> {
        hits.iter().map(|h| h.key.to_string()).collect()
    }

    #[test]
    fn bm25_with_stemming_and_subject_boost() {
        let index = index_with(&[
            mail(
                1,
                "Pipeline contracts",
                "We reviewed the gas pipelines.",
                "kenneth.lay@enron.com",
                "inbox",
                100,
            ),
            mail(
                2,
                "Lunch",
                "Talk about pipeline contracts at lunch?",
                "sara@example.com",
                "inbox",
                200,
            ),
            mail(
                3,
                "Weather",
                "Sunny all week.",
                "sara@example.com",
                "inbox",
                300,
            ),
        ]);
        let hits = index
            .search("pipeline contract", &Filters::default(), 10)
            .unwrap();
        assert_eq!(keys(&hits), vec!["m1", "m2"]);
        assert!(hits[0].score > hits[1].score);
    }

    #[test]
    fn title_is_searched_once_inside_the_body() {
        assert_eq!(
            searchable_body("Budget", "Numbers attached."),
            "Budget\n\nNumbers attached."
        );
        // A note that opens with its own title heading is not given the title twice.
        let note = "\n# Garden plan\n\nTomatoes.";
        assert_eq!(searchable_body("Garden plan", note), note);
        assert_eq!(searchable_body("", "Just text."), "Just text.");
    }

    #[test]
    fn filters_restrict_by_sender_folder_date_attachment_and_kind() {
        let mut note = mail(9, "Pipeline notes", "pipeline ideas", "", "projects", 150);
        note.key = DocKey::Note(9);
        note.from.clear();
        let index = index_with(&[
            mail(
                1,
                "Pipeline",
                "pipeline",
                "kenneth.lay@enron.com",
                "inbox",
                100,
            ),
            mail(
                2,
                "Pipeline",
                "pipeline",
                "sara@example.com",
                "archive/2001",
                200,
            ),
            mail(
                4,
                "Pipeline",
                "pipeline",
                "kenneth.lay@enron.com",
                "inbox",
                400,
            ),
            note,
        ]);
        let search = |f: Filters| {
            keys(&index.search("pipeline", &f, 10).unwrap())
                .into_iter()
                .collect::<HashSet<_>>()
        };
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        assert_eq!(
            search(Filters {
                from: Some("kenneth".into()),
                ..Default::default()
            }),
            set(&["m1", "m4"])
        );
        assert_eq!(
            search(Filters {
                from: Some("Kenneth Lay".into()),
                ..Default::default()
            }),
            set(&["m1", "m4"])
        );
        assert_eq!(
            search(Filters {
                folder: Some("archive".into()),
                ..Default::default()
            }),
            set(&["m2"])
        );
        assert_eq!(
            search(Filters {
                after: Some(150),
                before: Some(400),
                ..Default::default()
            }),
            set(&["m2", "n9"])
        );
        assert_eq!(
            search(Filters {
                has_attachment: true,
                ..Default::default()
            }),
            set(&["m2", "m4"])
        );
        assert_eq!(
            search(Filters {
                kind: Some(DocKind::Note),
                ..Default::default()
            }),
            set(&["n9"])
        );
        assert_eq!(
            search(Filters {
                to: Some("sara".into()),
                ..Default::default()
            })
            .len(),
            4
        );
    }

    #[test]
    fn filters_alone_list_newest_first() {
        let index = index_with(&[
            mail(1, "a", "x", "kenneth@enron.com", "inbox", 100),
            mail(2, "b", "y", "kenneth@enron.com", "inbox", 300),
            mail(3, "c", "z", "sara@example.com", "inbox", 200),
        ]);
        let hits = index
            .search(
                "",
                &Filters {
                    from: Some("kenneth".into()),
                    ..Default::default()
                },
                10,
            )
            .unwrap();
        assert_eq!(keys(&hits), vec!["m2", "m1"]);
        assert_eq!(
            keys(&index.search("", &Filters::default(), 10).unwrap()),
            vec!["m2", "m3", "m1"]
        );
    }

    #[test]
    fn put_replaces_and_remove_deletes() {
        let index = index_with(&[mail(1, "old words", "old", "a@x", "inbox", 1)]);
        let mut w = index.writer().unwrap();
        w.put(&mail(1, "new words", "new", "a@x", "inbox", 1))
            .unwrap();
        w.put(&mail(2, "other", "other", "a@x", "inbox", 1))
            .unwrap();
        w.commit().unwrap();
        index.reload().unwrap();
        assert_eq!(index.doc_count(), 2);
        assert!(index
            .search("old", &Filters::default(), 10)
            .unwrap()
            .is_empty());
        assert_eq!(
            keys(&index.search("new", &Filters::default(), 10).unwrap()),
            vec!["m1"]
        );
        w.remove(DocKey::Message(2));
        w.commit().unwrap();
        index.reload().unwrap();
        assert_eq!(
            index.all_keys().unwrap(),
            HashSet::from([DocKey::Message(1)])
        );
    }

    #[test]
    fn snippets_highlight_the_query_words() {
        let body = "Lots of unrelated text here. The quarterly budget for the pipeline is attached. More text.";
        let index = index_with(&[mail(1, "x", body, "a@x", "inbox", 1)]);
        let s = index.snippets("budget", 60).unwrap().snippet(body);
        assert!(s.text.contains("budget"), "{s:?}");
        let (a, b) = s.highlights[0];
        assert_eq!(&s.text[a..b], "budget");
        // Matched elsewhere: the opening of the body.
        let s = index.snippets("x", 20).unwrap().snippet(body);
        assert_eq!(s.text, "Lots of unrelated te");
    }

    #[test]
    fn odd_query_text_never_fails() {
        let index = index_with(&[mail(1, "budget", "budget", "a@x", "inbox", 1)]);
        for q in [
            "\"unclosed",
            "title:",
            "a AND",
            "(((",
            "budget:::",
            "-",
            "*",
        ] {
            index.search(q, &Filters::default(), 10).unwrap();
        }
    }

    #[test]
    fn matching_keys_lists_every_document_passing_the_filters() {
        let mut docs: Vec<IndexDoc> = (1..=50)
            .map(|i| mail(i, "t", "b", "a@x", "inbox", i))
            .collect();
        docs[3].key = DocKey::Note(4);
        let index = index_with(&docs);
        let after = index
            .matching_keys(&Filters {
                after: Some(41),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            after,
            (41..=50).map(DocKey::Message).collect::<HashSet<_>>()
        );
        let notes = index
            .matching_keys(&Filters {
                kind: Some(DocKind::Note),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(notes, HashSet::from([DocKey::Note(4)]));
    }

    #[test]
    fn doc_keys_round_trip() {
        for k in [DocKey::Message(12), DocKey::Note(3)] {
            assert_eq!(DocKey::parse(&k.to_string()), Some(k));
            assert_eq!(DocKey::from_number(k.to_number()), k);
        }
        assert_eq!(DocKey::parse("x1"), None);
        assert_eq!(DocKey::parse("m"), None);
    }
}
