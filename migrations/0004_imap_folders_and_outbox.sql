-- IMAP accounts: which folders to read (one per line; empty = every folder). The password is not
-- here: it lives in the OS keyring.
ALTER TABLE sources ADD COLUMN folders TEXT NOT NULL DEFAULT '';

-- Mail on its way out. A message is queued here first, complete and with its own Message-ID, and
-- stays (visible, retried with backoff) until the SMTP server has taken it; after that the row
-- stays as the record of what was sent. The Message-ID makes queueing the same mail twice a no-op.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    message_id    TEXT    NOT NULL UNIQUE,
    draft         INTEGER REFERENCES drafts (id) ON DELETE SET NULL,
    from_addr     TEXT    NOT NULL,
    to_addrs      TEXT    NOT NULL,          -- comma separated envelope recipients
    subject       TEXT    NOT NULL DEFAULT '',
    raw           BLOB    NOT NULL,          -- the RFC 5322 message exactly as it is sent
    state         TEXT    NOT NULL DEFAULT 'queued'
                          CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    next_attempt  INTEGER NOT NULL,          -- unix seconds
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt);
