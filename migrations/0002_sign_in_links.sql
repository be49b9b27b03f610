-- One-time sign-in links an admin hands to a new person (welcome) or to
-- someone who forgot their password (reset). Only a hash of the token is
-- stored, so a copy of the database cannot be used to sign in.
CREATE TABLE sign_in_links (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    school_id   INTEGER NOT NULL REFERENCES schools (id),
    token_hash  TEXT    NOT NULL UNIQUE,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('welcome', 'reset')),
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    CHECK (expires_at > created_at)
);
CREATE INDEX sign_in_links_by_user ON sign_in_links (user_id, created_at);
