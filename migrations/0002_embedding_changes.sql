-- A counter of passage vectors deleted or replaced, kept by triggers, so that search can tell
-- cheaply whether the vectors it holds in memory are still the stored ones: new vectors raise the
-- largest row id of `embeddings`; this counter catches everything else (an edited note's old
-- vectors deleted, a deleted row's id reused by a new vector, a vector replaced in place).
CREATE TABLE change_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO change_counters (name, value) VALUES ('embeddings', 0);

CREATE TRIGGER embeddings_deleted AFTER DELETE ON embeddings
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'embeddings';
END;

CREATE TRIGGER embeddings_updated AFTER UPDATE ON embeddings
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'embeddings';
END;

-- Finds a passage by its text, so that a passage whose exact text (and document title) already has
-- a vector gets a copy instead of a second model run: the same newsletter in two accounts, a
-- mailbox moved and ingested again, a forwarded text. The first 40 characters narrow it down.
CREATE INDEX chunks_text_start ON chunks (substr(text, 1, 40));
