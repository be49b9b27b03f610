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

-- Each person's live marks of a term on active students (the progress line
-- of every mark's answer), kept by triggers like `term_coverage`, so reading
-- it costs one row instead of a pass over the person's marks.
CREATE TABLE staff_term_marks (
    term_id   INTEGER NOT NULL REFERENCES terms (id),
    staff_id  INTEGER NOT NULL REFERENCES users (id),
    marked    INTEGER NOT NULL DEFAULT 0,
    strong    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (term_id, staff_id)
) WITHOUT ROWID;

INSERT INTO staff_term_marks (term_id, staff_id, marked, strong)
SELECT c.term_id, c.staff_id, COUNT(*), COUNT(CASE WHEN c.level = 'strong' THEN 1 END)
FROM connections c JOIN students s ON s.id = c.student_id AND s.is_active = 1
WHERE c.removed_at IS NULL
GROUP BY c.term_id, c.staff_id;

CREATE TRIGGER staff_term_marks_made AFTER INSERT ON connections
WHEN NEW.removed_at IS NULL AND (SELECT is_active FROM students WHERE id = NEW.student_id) = 1
BEGIN
    INSERT INTO staff_term_marks (term_id, staff_id, marked, strong)
    VALUES (NEW.term_id, NEW.staff_id, 1, NEW.level = 'strong')
    ON CONFLICT (term_id, staff_id) DO UPDATE
    SET marked = marked + 1, strong = strong + excluded.strong;
END;

CREATE TRIGGER staff_term_marks_removed AFTER UPDATE OF removed_at ON connections
WHEN OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL
    AND (SELECT is_active FROM students WHERE id = NEW.student_id) = 1
BEGIN
    UPDATE staff_term_marks
    SET marked = marked - 1, strong = strong - (OLD.level = 'strong')
    WHERE term_id = OLD.term_id AND staff_id = OLD.staff_id;
END;

-- A student leaves or comes back: every live mark on them, in each of the
-- school's terms, stops or starts counting.
CREATE TRIGGER staff_term_marks_student_activity AFTER UPDATE OF is_active ON students
WHEN OLD.is_active <> NEW.is_active
BEGIN
    INSERT INTO staff_term_marks (term_id, staff_id, marked, strong)
    SELECT c.term_id, c.staff_id,
           CASE WHEN NEW.is_active = 1 THEN 1 ELSE -1 END,
           CASE WHEN c.level <> 'strong' THEN 0 WHEN NEW.is_active = 1 THEN 1 ELSE -1 END
    FROM terms t
    JOIN connections c INDEXED BY connections_live_by_student
        ON c.term_id = t.id AND c.student_id = NEW.id AND c.removed_at IS NULL
    WHERE t.school_id = NEW.school_id
    ON CONFLICT (term_id, staff_id) DO UPDATE
    SET marked = marked + excluded.marked, strong = strong + excluded.strong;
END;
