-- A mark as one statement. Marking is what the whole school does at once in
-- a staff meeting, and each statement costs a round trip to the database's
-- thread; so the checks and the history-keeping write of a mark are one
-- INSERT into this view, and the marks that arrive together are written
-- in one transaction (app/src/connections/db.rs).
--
-- NEW.term_id is the school's current term, or NULL when none is open;
-- NEW.level is 'strong', 'knows' or NULL (the mark is removed).
CREATE VIEW mark_requests AS
    SELECT school_id, term_id, staff_id, student_id, level, made_at AS at
    FROM connections WHERE 0;

CREATE TRIGGER mark_request INSTEAD OF INSERT ON mark_requests
-- Only an active member marks an active student of their school, in a
-- term. Checked here, in the same statement as the write: an account or
-- membership switched off a moment ago cannot mark. A refused mark writes
-- nothing; the caller reads the same checks back to say why.
WHEN NEW.term_id IS NOT NULL
    AND EXISTS (
        SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.user_id = NEW.staff_id AND m.school_id = NEW.school_id
          AND m.is_active = 1 AND u.is_active = 1)
    AND EXISTS (
        SELECT 1 FROM students
        WHERE id = NEW.student_id AND school_id = NEW.school_id AND is_active = 1)
BEGIN
    -- A different live mark is closed, never before it was made (two
    -- requests can read the clock in one order and commit in the other).
    UPDATE connections SET removed_at = MAX(made_at, NEW.at)
    WHERE term_id = NEW.term_id AND staff_id = NEW.staff_id
      AND student_id = NEW.student_id AND school_id = NEW.school_id
      AND removed_at IS NULL AND (NEW.level IS NULL OR level <> NEW.level);
    -- The same mark again changes nothing, so a retried request is harmless.
    INSERT INTO connections (school_id, term_id, staff_id, student_id, level, made_at)
    SELECT NEW.school_id, NEW.term_id, NEW.staff_id, NEW.student_id, NEW.level, NEW.at
    WHERE NEW.level IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM connections
        WHERE term_id = NEW.term_id AND staff_id = NEW.staff_id
          AND student_id = NEW.student_id AND removed_at IS NULL);
END;

-- Active students of each school, read with every mark's answer: kept by
-- triggers, so reading it costs one row instead of a count of the roster.
CREATE TABLE school_students (
    school_id  INTEGER PRIMARY KEY REFERENCES schools (id),
    active     INTEGER NOT NULL DEFAULT 0 CHECK (active >= 0)
);

INSERT INTO school_students (school_id, active)
SELECT id, (SELECT COUNT(*) FROM students s WHERE s.school_id = schools.id AND s.is_active = 1)
FROM schools;

CREATE TRIGGER school_students_for_new_school AFTER INSERT ON schools
BEGIN
    INSERT INTO school_students (school_id, active) VALUES (NEW.id, 0);
END;

CREATE TRIGGER school_students_added AFTER INSERT ON students
WHEN NEW.is_active = 1
BEGIN
    UPDATE school_students SET active = active + 1 WHERE school_id = NEW.school_id;
END;

CREATE TRIGGER school_students_activity AFTER UPDATE OF is_active ON students
WHEN OLD.is_active <> NEW.is_active
BEGIN
    UPDATE school_students
    SET active = active + CASE WHEN NEW.is_active = 1 THEN 1 ELSE -1 END
    WHERE school_id = NEW.school_id;
END;

CREATE TRIGGER school_students_removed AFTER DELETE ON students
WHEN OLD.is_active = 1
BEGIN
    UPDATE school_students SET active = active - 1 WHERE school_id = OLD.school_id;
END;

-- A staff member's live marks in a term with their students, read without
-- touching the table (the progress line of every mark's answer).
DROP INDEX connections_live_by_staff;
CREATE INDEX connections_live_by_staff
    ON connections (term_id, staff_id, level, student_id) WHERE removed_at IS NULL;
