-- Actions: where the user filed a message in the app (archive, a folder), its labels and flag,
-- local reminders. Every executed step of a plan is a row of `audit_log` (from 0001), whose
-- `detail` keeps what undoing it needs.

-- '' = the inbox; 'Archive' or a folder name the user chose. Kept in the app's store: the mail
-- files and the IMAP server are not changed.
ALTER TABLE messages ADD COLUMN filed_in TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;

CREATE TABLE message_labels (
    message  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    label    TEXT    NOT NULL,
    PRIMARY KEY (message, label)
);
CREATE INDEX message_labels_label ON message_labels (label);

CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    text        TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,          -- unix seconds
    message     INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX reminders_due ON reminders (done_at, due_at);

CREATE INDEX audit_log_at ON audit_log (at);
