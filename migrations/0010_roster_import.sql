-- Cheaper bulk writes for roster imports (a district file adds 50,000
-- students and 300,000 class enrollments in one transaction).

-- Who attends and who teaches a class: the primary key is the table itself
-- (WITHOUT ROWID), so each pair is written to one B-tree fewer. Same
-- columns, keys and foreign keys as before.
CREATE TABLE class_students_by_key (
    school_id   INTEGER NOT NULL,
    class_id    INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    PRIMARY KEY (class_id, student_id),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id) ON DELETE CASCADE,
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
) WITHOUT ROWID;
INSERT INTO class_students_by_key (school_id, class_id, student_id)
SELECT school_id, class_id, student_id FROM class_students;
DROP TABLE class_students;
ALTER TABLE class_students_by_key RENAME TO class_students;
CREATE INDEX class_students_by_student ON class_students (school_id, student_id);

CREATE TABLE class_staff_by_key (
    school_id  INTEGER NOT NULL,
    class_id   INTEGER NOT NULL,
    staff_id   INTEGER NOT NULL,
    PRIMARY KEY (class_id, staff_id),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id) ON DELETE CASCADE,
    FOREIGN KEY (school_id, staff_id) REFERENCES memberships (school_id, user_id)
) WITHOUT ROWID;
INSERT INTO class_staff_by_key (school_id, class_id, staff_id)
SELECT school_id, class_id, staff_id FROM class_staff;
DROP TABLE class_staff;
ALTER TABLE class_staff_by_key RENAME TO class_staff;
CREATE INDEX class_staff_by_staff ON class_staff (school_id, staff_id);
