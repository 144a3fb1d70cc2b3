-- Smart reply: the suggestions computed for a message by a model (or why none were), kept so that
-- opening the message shows them at once; and drafts, the replies the user is writing (picked
-- suggestions land here, editable, never sent from this table).
CREATE TABLE reply_suggestions (
    message     INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    model       TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,          -- JSON: {"suggestions": [...]} or {"skipped": reason}
    elapsed_ms  INTEGER NOT NULL,          -- how long computing it took
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (message, model)
);

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    in_reply_to INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    to_addrs    TEXT    NOT NULL DEFAULT '', -- comma separated
    subject     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',
    origin      TEXT    NOT NULL,          -- 'smart_reply' or 'user'
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX drafts_in_reply_to ON drafts (in_reply_to);
