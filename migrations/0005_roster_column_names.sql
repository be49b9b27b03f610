-- Column names a school said mean a roster field (the import page's
-- column-mapping step), remembered for its next imports. `header` is the
-- column name lower-cased without spaces, `_`, `-` or `.`.
CREATE TABLE roster_columns (
    school_id  INTEGER NOT NULL REFERENCES schools (id),
    header     TEXT    NOT NULL CHECK (length(header) > 0),
    field      TEXT    NOT NULL CHECK (field IN
                   ('student_id', 'first_name', 'last_name', 'preferred_name', 'grade', 'homeroom')),
    PRIMARY KEY (school_id, header)
);
