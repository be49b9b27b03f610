-- Live coverage, read on every mark: how many active students have at least
-- one strong connection in a term. Kept exact by triggers, so every writer
-- (marking, roster imports, the demo generator) keeps it right, and reading
-- it costs one row instead of a count over the term's marks.

-- Live strong connections by term and student.
CREATE INDEX connections_live_strong
    ON connections (term_id, student_id) WHERE removed_at IS NULL AND level = 'strong';

CREATE TABLE term_coverage (
    term_id    INTEGER PRIMARY KEY REFERENCES terms (id),
    -- Active students with at least one live strong connection.
    connected  INTEGER NOT NULL DEFAULT 0 CHECK (connected >= 0)
);

INSERT INTO term_coverage (term_id, connected)
SELECT t.id,
       (SELECT COUNT(DISTINCT c.student_id) FROM connections c
        JOIN students s ON s.id = c.student_id AND s.is_active = 1
        WHERE c.term_id = t.id AND c.level = 'strong' AND c.removed_at IS NULL)
FROM terms t;

CREATE TRIGGER term_coverage_for_new_term AFTER INSERT ON terms
BEGIN
    INSERT INTO term_coverage (term_id, connected) VALUES (NEW.id, 0);
END;

-- A student's first live strong connection in the term.
CREATE TRIGGER term_coverage_strong_made AFTER INSERT ON connections
WHEN NEW.level = 'strong' AND NEW.removed_at IS NULL
BEGIN
    UPDATE term_coverage SET connected = connected + 1
    WHERE term_id = NEW.term_id
      AND (SELECT is_active FROM students WHERE id = NEW.student_id) = 1
      AND NOT EXISTS (
          SELECT 1 FROM connections INDEXED BY connections_live_strong
          WHERE term_id = NEW.term_id AND student_id = NEW.student_id
            AND removed_at IS NULL AND level = 'strong' AND id <> NEW.id);
END;

-- A student's last live strong connection in the term ends.
CREATE TRIGGER term_coverage_strong_removed AFTER UPDATE OF removed_at ON connections
WHEN OLD.level = 'strong' AND OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL
BEGIN
    UPDATE term_coverage SET connected = connected - 1
    WHERE term_id = NEW.term_id
      AND (SELECT is_active FROM students WHERE id = NEW.student_id) = 1
      AND NOT EXISTS (
          SELECT 1 FROM connections INDEXED BY connections_live_strong
          WHERE term_id = NEW.term_id AND student_id = NEW.student_id
            AND removed_at IS NULL AND level = 'strong');
END;

-- A connected student leaves (inactive) or comes back.
CREATE TRIGGER term_coverage_student_activity AFTER UPDATE OF is_active ON students
WHEN OLD.is_active <> NEW.is_active
BEGIN
    UPDATE term_coverage
    SET connected = connected + CASE WHEN NEW.is_active = 1 THEN 1 ELSE -1 END
    WHERE term_id IN (
        SELECT DISTINCT term_id FROM connections
        WHERE student_id = NEW.id AND level = 'strong' AND removed_at IS NULL);
END;
