-- Tether schema v1: the whole data model of PRODUCT.md ("Data it keeps").
--
-- Conventions (see migrations/README.md):
-- * every piece of student data carries school_id, and composite foreign keys
--   (school_id, x_id) make it impossible to link rows of two different schools;
-- * instants are INTEGER seconds since the Unix epoch, UTC (*_at columns);
--   calendar days are TEXT 'YYYY-MM-DD' (*_on columns), which sort correctly;
-- * enums are TEXT with a CHECK; booleans are INTEGER 0/1 with a CHECK;
-- * history is kept: a removed connection gets removed_at, it is never deleted.

CREATE TABLE schools (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    -- Generated demo schools are marked so that demo-only features (shared
    -- demo passwords) can never switch on in a real school's database.
    is_demo     INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at  INTEGER NOT NULL
);

-- Accounts are global: one person, one sign-in, possibly several schools.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    -- Stored lower-cased so that sign-in is case-insensitive.
    email          TEXT    NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name           TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    -- NULL until the person sets a password (imported staff, one-time links).
    password_hash  TEXT,
    is_active      INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at     INTEGER NOT NULL
);

-- A membership gives a person a role at one school; capabilities nest:
-- staff < counselor < admin.
CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY,
    school_id   INTEGER NOT NULL REFERENCES schools (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT    NOT NULL CHECK (role IN ('staff', 'counselor', 'admin')),
    -- Free text shown next to the name ("Grade 9 English", "Custodian").
    title       TEXT,
    is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    UNIQUE (school_id, user_id)
);

CREATE TABLE terms (
    id          INTEGER PRIMARY KEY,
    school_id   INTEGER NOT NULL REFERENCES schools (id),
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    starts_on   TEXT    NOT NULL CHECK (length(starts_on) = 10),
    ends_on     TEXT    NOT NULL CHECK (length(ends_on) = 10),
    -- An admin may pin a term as current; otherwise the current term is the
    -- one containing today.
    is_pinned   INTEGER NOT NULL DEFAULT 0 CHECK (is_pinned IN (0, 1)),
    created_at  INTEGER NOT NULL,
    CHECK (starts_on <= ends_on),
    UNIQUE (school_id, id),
    UNIQUE (school_id, name)
);
CREATE INDEX terms_by_school_dates ON terms (school_id, starts_on, ends_on);

CREATE TABLE students (
    id              INTEGER PRIMARY KEY,
    school_id       INTEGER NOT NULL REFERENCES schools (id),
    -- The student information system's id, kept as text: leading zeros matter.
    sis_id          TEXT    NOT NULL CHECK (length(trim(sis_id)) > 0),
    first_name      TEXT    NOT NULL CHECK (length(trim(first_name)) > 0),
    last_name       TEXT    NOT NULL CHECK (length(trim(last_name)) > 0),
    preferred_name  TEXT,
    -- -1 = pre-kindergarten, 0 = kindergarten, 1..12 = grades.
    grade           INTEGER NOT NULL CHECK (grade BETWEEN -1 AND 12),
    homeroom        TEXT,
    -- A student missing from a new roster becomes inactive, keeping history.
    is_active       INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (school_id, sis_id),
    UNIQUE (school_id, id)
);
CREATE INDEX students_by_grade ON students (school_id, is_active, grade);
CREATE INDEX students_by_homeroom ON students (school_id, is_active, homeroom);
CREATE INDEX students_by_name ON students (school_id, last_name, first_name);

-- Optional group attributes imported with the roster (ell, iep, new_arrival…),
-- used for coverage breakdowns.
CREATE TABLE student_attributes (
    school_id   INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    value       TEXT    NOT NULL,
    PRIMARY KEY (student_id, name),
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id) ON DELETE CASCADE
);
CREATE INDEX student_attributes_by_group ON student_attributes (school_id, name, value);

-- Class sections; homerooms are classes with is_homeroom = 1.
CREATE TABLE classes (
    id           INTEGER PRIMARY KEY,
    school_id    INTEGER NOT NULL REFERENCES schools (id),
    sis_id       TEXT,
    name         TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    is_homeroom  INTEGER NOT NULL DEFAULT 0 CHECK (is_homeroom IN (0, 1)),
    is_active    INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    UNIQUE (school_id, sis_id),
    UNIQUE (school_id, id)
);

-- Which staff teach a class (the "my students" filter).
CREATE TABLE class_staff (
    school_id  INTEGER NOT NULL,
    class_id   INTEGER NOT NULL,
    staff_id   INTEGER NOT NULL,
    PRIMARY KEY (class_id, staff_id),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id) ON DELETE CASCADE,
    FOREIGN KEY (school_id, staff_id) REFERENCES memberships (school_id, user_id)
);
CREATE INDEX class_staff_by_staff ON class_staff (school_id, staff_id);

-- Which students attend a class.
CREATE TABLE class_students (
    school_id   INTEGER NOT NULL,
    class_id    INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    PRIMARY KEY (class_id, student_id),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id) ON DELETE CASCADE,
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
);
CREATE INDEX class_students_by_student ON class_students (school_id, student_id);

-- A staff member's mark on a student for a term. Changing the level or
-- removing the mark sets removed_at on the live row (and inserts a new row for
-- a new level), so coverage on any past date can be recomputed.
CREATE TABLE connections (
    id          INTEGER PRIMARY KEY,
    school_id   INTEGER NOT NULL,
    term_id     INTEGER NOT NULL,
    staff_id    INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    level       TEXT    NOT NULL CHECK (level IN ('strong', 'knows')),
    made_at     INTEGER NOT NULL,
    removed_at  INTEGER,
    CHECK (removed_at IS NULL OR removed_at >= made_at),
    FOREIGN KEY (school_id, term_id) REFERENCES terms (school_id, id),
    FOREIGN KEY (school_id, staff_id) REFERENCES memberships (school_id, user_id),
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
);
-- At most one live mark per term, staff member and student.
CREATE UNIQUE INDEX connections_one_live
    ON connections (term_id, staff_id, student_id) WHERE removed_at IS NULL;
-- Unconnected students and coverage: live strong marks of a term by student.
CREATE INDEX connections_live_by_student
    ON connections (term_id, student_id, level) WHERE removed_at IS NULL;
-- A staff member's marks in a term.
CREATE INDEX connections_by_staff ON connections (term_id, staff_id);
-- Coverage over time: the marks of a term in the order they were made.
CREATE INDEX connections_by_time ON connections (term_id, made_at);

-- "I'm worried about this student": seen only by counselors, admins and the
-- person who raised it.
CREATE TABLE concerns (
    id           INTEGER PRIMARY KEY,
    school_id    INTEGER NOT NULL,
    term_id      INTEGER NOT NULL,
    student_id   INTEGER NOT NULL,
    raised_by    INTEGER NOT NULL,
    reason       TEXT    CHECK (reason IS NULL OR length(reason) <= 500),
    raised_at    INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolved_by  INTEGER REFERENCES users (id),
    CHECK (resolved_at IS NULL OR resolved_at >= raised_at),
    FOREIGN KEY (school_id, term_id) REFERENCES terms (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id),
    FOREIGN KEY (school_id, raised_by) REFERENCES memberships (school_id, user_id)
);
CREATE UNIQUE INDEX concerns_one_open
    ON concerns (term_id, student_id, raised_by) WHERE resolved_at IS NULL;
CREATE INDEX concerns_by_student ON concerns (school_id, student_id);

-- An adult taking on a student who has no strong connection.
CREATE TABLE take_ons (
    id              INTEGER PRIMARY KEY,
    school_id       INTEGER NOT NULL,
    term_id         INTEGER NOT NULL,
    student_id      INTEGER NOT NULL,
    staff_id        INTEGER NOT NULL,
    -- NULL when the adult volunteered; the counselor's id when assigned.
    assigned_by     INTEGER REFERENCES users (id),
    status          TEXT    NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'connected', 'released')),
    release_reason  TEXT,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    CHECK ((status = 'active') = (ended_at IS NULL)),
    CHECK (status = 'released' OR release_reason IS NULL),
    UNIQUE (school_id, id),
    FOREIGN KEY (school_id, term_id) REFERENCES terms (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id),
    FOREIGN KEY (school_id, staff_id) REFERENCES memberships (school_id, user_id)
);
CREATE UNIQUE INDEX take_ons_one_active
    ON take_ons (term_id, student_id, staff_id) WHERE status = 'active';
CREATE INDEX take_ons_by_staff ON take_ons (school_id, staff_id, status);
CREATE INDEX take_ons_by_student ON take_ons (term_id, student_id);

-- Brief check-ins logged by the adult ("2×10": two minutes a day, ten days).
CREATE TABLE check_ins (
    id           INTEGER PRIMARY KEY,
    school_id    INTEGER NOT NULL,
    take_on_id   INTEGER NOT NULL,
    checked_on   TEXT    NOT NULL CHECK (length(checked_on) = 10),
    note         TEXT    CHECK (note IS NULL OR length(note) <= 2000),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (school_id, take_on_id) REFERENCES take_ons (school_id, id)
);
CREATE INDEX check_ins_by_take_on ON check_ins (take_on_id, checked_on);

-- Roster imports: who, when, what changed. The summary is JSON so that the
-- import history keeps what the preview showed.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    school_id    INTEGER NOT NULL REFERENCES schools (id),
    -- NULL when run from the command line.
    imported_by  INTEGER REFERENCES users (id),
    format       TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    mode         TEXT    NOT NULL CHECK (mode IN ('full', 'add_only')),
    summary      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX imports_by_school ON imports (school_id, created_at);

-- Sign-ins, changes, exports and views of sensitive records.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    -- NULL for events outside any school (e.g. a failed sign-in).
    school_id   INTEGER REFERENCES schools (id),
    user_id     INTEGER REFERENCES users (id),
    action      TEXT    NOT NULL,
    -- What was acted on, e.g. 'student:42' or 'user:7'.
    subject     TEXT,
    detail      TEXT,
    client_addr TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (school_id, at);
CREATE INDEX audit_log_by_user ON audit_log (school_id, user_id, at);
CREATE INDEX audit_log_by_action ON audit_log (school_id, action, at);
