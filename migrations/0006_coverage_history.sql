-- Coverage over time (the principal's dashboard).
--
-- Coverage on a past day needs two histories: the marks' (made_at and
-- removed_at, kept since schema v1) and the roster's: who was an active
-- student that day. The roster's is kept here, one row per change, written
-- by triggers so every writer (imports, the demo generator) keeps it.

CREATE TABLE student_status (
    school_id   INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    is_active   INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
);
CREATE INDEX student_status_by_school ON student_status (school_id, student_id, at);

-- Students already on file: on the roster since they were added; those
-- inactive now left at their last change.
INSERT INTO student_status (school_id, student_id, at, is_active)
SELECT school_id, id, created_at, 1 FROM students;
INSERT INTO student_status (school_id, student_id, at, is_active)
SELECT school_id, id, max(updated_at, created_at), 0 FROM students WHERE is_active = 0;

-- A new student is on the roster from created_at; one added as inactive
-- (a generated history) left at updated_at.
CREATE TRIGGER student_status_added AFTER INSERT ON students
BEGIN
    INSERT INTO student_status (school_id, student_id, at, is_active)
    VALUES (NEW.school_id, NEW.id, NEW.created_at, 1);
    INSERT INTO student_status (school_id, student_id, at, is_active)
    SELECT NEW.school_id, NEW.id, max(NEW.updated_at, NEW.created_at), 0
    WHERE NEW.is_active = 0;
END;

CREATE TRIGGER student_status_changed AFTER UPDATE OF is_active ON students
WHEN OLD.is_active <> NEW.is_active
BEGIN
    INSERT INTO student_status (school_id, student_id, at, is_active)
    VALUES (NEW.school_id, NEW.id, NEW.updated_at, NEW.is_active);
END;

-- A term's strong marks with their times, read without touching the table.
CREATE INDEX connections_term_strong
    ON connections (term_id, level, student_id, made_at, removed_at);

-- Covering index for group breakdowns (attribute, value → students).
CREATE INDEX student_attributes_groups
    ON student_attributes (school_id, name, value, student_id);
DROP INDEX student_attributes_by_group;

-- Figures of days that are over never change (marks and roster changes are
-- stamped with the time they happen), so each is computed once from the
-- histories and kept. `day` is the day whose end the figures describe;
-- the day before a term's first day holds its start.
CREATE TABLE coverage_days (
    term_id        INTEGER NOT NULL REFERENCES terms (id),
    day            TEXT    NOT NULL CHECK (length(day) = 10),
    students       INTEGER NOT NULL,
    connected      INTEGER NOT NULL,
    connected_two  INTEGER NOT NULL,
    PRIMARY KEY (term_id, day)
) WITHOUT ROWID;

-- Staff participation: each person's live marks of a term, by level.
CREATE INDEX connections_live_by_staff
    ON connections (term_id, staff_id, level) WHERE removed_at IS NULL;

-- Active students by homeroom and grade, read without touching the table.
CREATE INDEX students_by_homeroom_grade ON students (school_id, is_active, homeroom, grade);
DROP INDEX students_by_homeroom;
