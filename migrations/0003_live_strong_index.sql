-- Live strong connections by term and student: the school's coverage figure
-- (students with at least one strong connection), recounted on every mark,
-- reads only this index.
CREATE INDEX connections_live_strong
    ON connections (term_id, student_id) WHERE removed_at IS NULL AND level = 'strong';
