-- The first schema of the local store: mail, notes, threads, chunks, embeddings, ingest state and
-- the audit log. SQLite is the source of truth; the full-text index is rebuilt from these tables.

-- Where data comes from: a maildir, an mbox file, single .eml files, an IMAP account, a notes folder.
CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('maildir', 'mbox', 'eml', 'imap', 'notes')),
    location    TEXT    NOT NULL,          -- absolute path, or imap://user@host:port
    name        TEXT    NOT NULL,
    -- 'local': may be used by local features; 'private': never leaves the device even when the
    -- cloud fallback is on (the privacy router reads this).
    privacy     TEXT    NOT NULL DEFAULT 'local' CHECK (privacy IN ('local', 'private', 'cloud')),
    created_at  INTEGER NOT NULL,
    last_sync   INTEGER,
    UNIQUE (kind, location)
);

CREATE TABLE threads (
    id             INTEGER PRIMARY KEY,
    -- The earliest message of the thread: threads are recomputed from messages, and a thread keeps
    -- its id as long as its first message stays.
    root_message   INTEGER NOT NULL UNIQUE,
    subject        TEXT    NOT NULL,
    first_date     INTEGER,
    last_date      INTEGER,
    message_count  INTEGER NOT NULL
);

-- One row per distinct message, however many mailboxes it was delivered to.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    -- Recognises the same mail delivered twice: the Message-ID header when there is one, else a
    -- hash of sender, date, subject and body.
    dedup_key     TEXT    NOT NULL UNIQUE,
    message_id    TEXT,                    -- the Message-ID header without angle brackets
    thread_id     INTEGER REFERENCES threads (id) ON DELETE SET NULL,
    subject       TEXT    NOT NULL DEFAULT '',
    subject_key   TEXT    NOT NULL DEFAULT '', -- subject without Re:/Fw: prefixes, lower case
    from_name     TEXT    NOT NULL DEFAULT '',
    from_addr     TEXT    NOT NULL DEFAULT '',
    date          INTEGER,                 -- seconds since the epoch, UTC
    in_reply_to   TEXT,
    refs          TEXT,                    -- References, space separated, without angle brackets
    headers       TEXT    NOT NULL,        -- every header as a JSON array of [name, value]
    body_text     TEXT    NOT NULL,        -- plain text part, or the HTML part rendered to text
    has_html      INTEGER NOT NULL DEFAULT 0,
    is_reply      INTEGER NOT NULL DEFAULT 0, -- reply/forward prefix, In-Reply-To, or a quoted original
    size          INTEGER NOT NULL,
    content_hash  TEXT    NOT NULL,        -- sha256 of the raw bytes
    problems      TEXT,                    -- what the parser had to repair, for the ingest report
    unread        INTEGER NOT NULL DEFAULT 1,
    ingested_at   INTEGER NOT NULL,
    indexed       INTEGER NOT NULL DEFAULT 0 -- 1 once the full-text index has this version
);
CREATE INDEX messages_thread ON messages (thread_id);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_subject_key ON messages (subject_key);
CREATE INDEX messages_date ON messages (date);
CREATE INDEX messages_unindexed ON messages (indexed) WHERE indexed = 0;

-- Where a message was seen: a file in a maildir, an entry of an mbox, an IMAP folder and UID.
CREATE TABLE message_locations (
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    location    TEXT    NOT NULL,          -- path relative to the source, mbox entry, folder/UID
    message     INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    folder      TEXT    NOT NULL DEFAULT '',
    file_size   INTEGER,
    file_mtime  INTEGER,                   -- nanoseconds; with the size, tells an edit from no change
    flags       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (source_id, location)
);
CREATE INDEX message_locations_message ON message_locations (message);

CREATE TABLE addresses (
    message   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    role      TEXT    NOT NULL CHECK (role IN ('from', 'to', 'cc', 'bcc', 'reply-to')),
    position  INTEGER NOT NULL,
    name      TEXT    NOT NULL DEFAULT '',
    address   TEXT    NOT NULL,
    PRIMARY KEY (message, role, position)
);
CREATE INDEX addresses_address ON addresses (address);

CREATE TABLE attachments (
    message       INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    filename      TEXT    NOT NULL DEFAULT '',
    content_type  TEXT    NOT NULL DEFAULT '',
    size          INTEGER NOT NULL,
    PRIMARY KEY (message, position)
);

CREATE TABLE notes (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    path          TEXT    NOT NULL,        -- relative to the notes folder, with / separators
    title         TEXT    NOT NULL,
    front_matter  TEXT,                    -- JSON object, when the note has YAML front matter
    tags          TEXT    NOT NULL DEFAULT '', -- space separated
    body          TEXT    NOT NULL,        -- Markdown without the front matter
    file_size     INTEGER NOT NULL,
    file_mtime    INTEGER NOT NULL,
    content_hash  TEXT    NOT NULL,
    ingested_at   INTEGER NOT NULL,
    indexed       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source_id, path)
);
CREATE INDEX notes_unindexed ON notes (indexed) WHERE indexed = 0;

-- [[wikilinks]]: the target as written, and the note it resolves to (backlinks read this).
CREATE TABLE note_links (
    note      INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    target    TEXT    NOT NULL,
    heading   TEXT,
    alias     TEXT,
    resolved  INTEGER REFERENCES notes (id) ON DELETE SET NULL,
    PRIMARY KEY (note, position)
);
CREATE INDEX note_links_resolved ON note_links (resolved);

-- Passages of messages and notes, the unit of dense retrieval and of citations.
CREATE TABLE chunks (
    id        INTEGER PRIMARY KEY,
    message   INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    note      INTEGER REFERENCES notes (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    start     INTEGER NOT NULL,            -- byte offsets into the body
    end       INTEGER NOT NULL,
    text      TEXT    NOT NULL,
    CHECK ((message IS NULL) <> (note IS NULL))
);
CREATE INDEX chunks_message ON chunks (message);
CREATE INDEX chunks_note ON chunks (note);

CREATE TABLE embeddings (
    chunk   INTEGER NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
    model   TEXT    NOT NULL,
    vector  BLOB    NOT NULL,              -- little-endian f32, normalised to length 1
    PRIMARY KEY (chunk, model)
);

-- Per-source sync state: IMAP UIDVALIDITY and last UID per folder, and the like.
CREATE TABLE ingest_state (
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    PRIMARY KEY (source_id, key)
);

-- Documents removed from the store whose removal the full-text index has not seen yet.
CREATE TABLE index_removals (
    doc_key  TEXT PRIMARY KEY
);

-- Every executed action (later issues): what, when, and whether and how it can be undone.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    targets     TEXT    NOT NULL,          -- JSON
    detail      TEXT    NOT NULL DEFAULT '{}',
    undo_state  TEXT    NOT NULL DEFAULT 'none' CHECK (undo_state IN ('none', 'available', 'undone'))
);
