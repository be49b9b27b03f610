-- A roster file uploaded and waiting for its preview to be confirmed: one
-- per admin and school. Kept in the database (not the session) because a
-- district file can be many megabytes; deleted when applied or cancelled.
CREATE TABLE import_drafts (
    school_id   INTEGER NOT NULL REFERENCES schools (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    file_name   TEXT    NOT NULL,
    mode        TEXT    NOT NULL CHECK (mode IN ('full', 'add_only')),
    -- For a district package: which of its schools is this one.
    source_school TEXT,
    content     BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (school_id, user_id)
);
