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
