-- Taking unconnected students on, and the staff-meeting board.

-- Per-school settings with their defaults: the soft cap on how many
-- students one adult takes on, and whether the meeting board shows the
-- unconnected students' first names.
CREATE TABLE school_settings (
    school_id      INTEGER PRIMARY KEY REFERENCES schools (id),
    take_on_cap    INTEGER NOT NULL DEFAULT 5 CHECK (take_on_cap BETWEEN 1 AND 50),
    meeting_names  INTEGER NOT NULL DEFAULT 0 CHECK (meeting_names IN (0, 1))
);

-- A take-on becomes connected when its adult marks a strong connection
-- with the student in the same term, however the mark is made.
CREATE TRIGGER take_on_connected AFTER INSERT ON connections
WHEN NEW.level = 'strong' AND NEW.removed_at IS NULL
BEGIN
    UPDATE take_ons SET status = 'connected', ended_at = max(NEW.made_at, started_at)
    WHERE term_id = NEW.term_id AND student_id = NEW.student_id
      AND staff_id = NEW.staff_id AND status = 'active';
END;

-- Active take-ons of a term by adult (loads) and follow-up.
CREATE INDEX take_ons_active_by_term ON take_ons (term_id, status, staff_id);
