-- Accounts are global, so no school's admin may gain power over an account
-- that also belongs to another school (issue 12), and a changed password
-- ends the person's other sessions.

-- A membership an admin gave to someone whose account already belongs to
-- another school waits until that person accepts it, signed in with their
-- own password (through a join link the admin hands over). Until then it is
-- inactive: every "m.is_active = 1" check refuses it.
ALTER TABLE memberships ADD COLUMN pending INTEGER NOT NULL DEFAULT 0
    CHECK (pending IN (0, 1) AND (pending = 0 OR is_active = 0));

-- Every signed-in session records the account's generation; changing the
-- password moves it on, so sessions signed in before the change stop
-- working (the one that made the change is moved on with it).
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- Links gain a third purpose: 'join' accepts a pending membership (it
-- never sets a password). SQLite cannot change a CHECK in place.
CREATE TABLE sign_in_links_new (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    school_id   INTEGER NOT NULL REFERENCES schools (id),
    token_hash  TEXT    NOT NULL UNIQUE,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('welcome', 'reset', 'join')),
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    CHECK (expires_at > created_at)
);
INSERT INTO sign_in_links_new SELECT * FROM sign_in_links;
DROP TABLE sign_in_links;
ALTER TABLE sign_in_links_new RENAME TO sign_in_links;
CREATE INDEX sign_in_links_by_user ON sign_in_links (user_id, created_at);

-- The mark statement (0009) also checks the session's generation: a
-- session that ended with a password change cannot mark either.
DROP TRIGGER mark_request;
DROP VIEW mark_requests;
CREATE VIEW mark_requests AS
    SELECT school_id, term_id, staff_id, student_id, level, made_at AS at,
           0 AS session_epoch
    FROM connections WHERE 0;

CREATE TRIGGER mark_request INSTEAD OF INSERT ON mark_requests
WHEN NEW.term_id IS NOT NULL
    AND EXISTS (
        SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.user_id = NEW.staff_id AND m.school_id = NEW.school_id
          AND m.is_active = 1 AND u.is_active = 1
          AND u.session_epoch = NEW.session_epoch)
    AND EXISTS (
        SELECT 1 FROM students
        WHERE id = NEW.student_id AND school_id = NEW.school_id AND is_active = 1)
BEGIN
    UPDATE connections SET removed_at = MAX(made_at, NEW.at)
    WHERE term_id = NEW.term_id AND staff_id = NEW.staff_id
      AND student_id = NEW.student_id AND school_id = NEW.school_id
      AND removed_at IS NULL AND (NEW.level IS NULL OR level <> NEW.level);
    INSERT INTO connections (school_id, term_id, staff_id, student_id, level, made_at)
    SELECT NEW.school_id, NEW.term_id, NEW.staff_id, NEW.student_id, NEW.level, NEW.at
    WHERE NEW.level IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM connections
        WHERE term_id = NEW.term_id AND staff_id = NEW.staff_id
          AND student_id = NEW.student_id AND removed_at IS NULL);
END;
