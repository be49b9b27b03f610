-- A mark as one statement. Marking is what the whole school does at once in
-- a staff meeting, and each statement costs a round trip to the database's
-- thread; so the checks and the history-keeping write of a mark are one
-- INSERT into this view, all or nothing (a failed check writes nothing).
--
-- NEW.term_id is the school's current term, or NULL when none is open;
-- NEW.level is 'strong', 'knows' or NULL (the mark is removed).
CREATE VIEW mark_requests AS
    SELECT school_id, term_id, staff_id, student_id, level, made_at AS at
    FROM connections WHERE 0;

CREATE TRIGGER mark_request INSTEAD OF INSERT ON mark_requests
BEGIN
    -- Checked here, in the same statement as the write: an account or
    -- membership switched off a moment ago cannot mark.
    SELECT RAISE(ABORT, 'tether: not a member') WHERE NOT EXISTS (
        SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.user_id = NEW.staff_id AND m.school_id = NEW.school_id
          AND m.is_active = 1 AND u.is_active = 1);
    SELECT RAISE(ABORT, 'tether: no such student') WHERE NOT EXISTS (
        SELECT 1 FROM students
        WHERE id = NEW.student_id AND school_id = NEW.school_id AND is_active = 1);
    SELECT RAISE(ABORT, 'tether: no open term') WHERE NEW.term_id IS NULL;
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
