-- Every request that went to the cloud model (or was meant to and failed): when, for which
-- feature, to which server and model, how many characters left the device, from which sources,
-- how many personal details were replaced by placeholders, and how it ended. Never the text.
CREATE TABLE cloud_calls (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    feature       TEXT    NOT NULL,
    server        TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    chars         INTEGER NOT NULL,
    sources       TEXT    NOT NULL DEFAULT '',  -- names of the sources, one per line
    placeholders  INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT    NOT NULL              -- 'ok' or what failed
);
CREATE INDEX cloud_calls_at ON cloud_calls (at);
