//! Reading a student roster CSV as schools really export it: UTF-8 with or
//! without a byte-order mark or Windows-1252, comma, semicolon or tab,
//! quoted fields with commas and line breaks, trailing blank lines and
//! columns; Tether's own template or a student information system's
//! export recognised by its header names. Every row that cannot be used is
//! reported with its line, column and a reason a school secretary
//! understands; nothing panics.

use std::collections::HashMap;

use super::{Rejection, RosterStudent};

/// The largest roster file accepted (a 50,000-student district export is
/// about 5 MB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// A field Tether needs or understands, and the header names that mean it
/// in Tether's template and common exports (compared without case, spaces,
/// underscores or dots).
const FIELDS: [(Field, &[&str]); 6] = [
    (
        Field::StudentId,
        &[
            "student_id",
            "studentid",
            "student_number",
            "studentnumber",
            "sis_id",
            "sisid",
            "local_id",
            "localid",
            "student_local_id",
            "state_id",
            "id",
        ],
    ),
    (
        Field::FirstName,
        &[
            "first_name",
            "firstname",
            "first",
            "given_name",
            "givenname",
            "legal_first_name",
        ],
    ),
    (
        Field::LastName,
        &[
            "last_name",
            "lastname",
            "last",
            "family_name",
            "familyname",
            "surname",
            "legal_last_name",
        ],
    ),
    (
        Field::PreferredName,
        &[
            "preferred_name",
            "preferredname",
            "preferred_first_name",
            "preferredfirstname",
            "nickname",
            "goes_by",
        ],
    ),
    (
        Field::Grade,
        &[
            "grade",
            "grade_level",
            "gradelevel",
            "grade_lvl",
            "current_grade",
            "grades",
        ],
    ),
    (
        Field::Homeroom,
        &[
            "homeroom",
            "home_room",
            "homeroom_teacher",
            "advisory",
            "home_room_number",
            "homeroom_name",
        ],
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    StudentId,
    FirstName,
    LastName,
    PreferredName,
    Grade,
    Homeroom,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::StudentId,
        Field::FirstName,
        Field::LastName,
        Field::PreferredName,
        Field::Grade,
        Field::Homeroom,
    ];
    pub const REQUIRED: [Field; 4] = [
        Field::StudentId,
        Field::FirstName,
        Field::LastName,
        Field::Grade,
    ];

    pub fn parse(label: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.label() == label)
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::StudentId => "student_id",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::PreferredName => "preferred_name",
            Field::Grade => "grade",
            Field::Homeroom => "homeroom",
        }
    }

    /// The field as a school secretary names it.
    fn words(self) -> &'static str {
        match self {
            Field::StudentId => "student ID",
            Field::FirstName => "first name",
            Field::LastName => "last name",
            Field::PreferredName => "preferred name",
            Field::Grade => "grade",
            Field::Homeroom => "homeroom",
        }
    }

    /// The most characters Tether keeps of the field (a grade is checked by
    /// reading it).
    fn limit(self) -> Option<usize> {
        use crate::limits;
        match self {
            Field::StudentId => Some(limits::SIS_ID),
            Field::FirstName | Field::LastName | Field::PreferredName => Some(limits::STUDENT_NAME),
            Field::Homeroom => Some(limits::HOMEROOM),
            Field::Grade => None,
        }
    }
}

/// Why `text` is too long for `field`, if it is.
pub fn check_length(field: Field, text: &str) -> Result<(), (Field, String)> {
    match field.limit() {
        Some(limit) if text.chars().count() > limit => Err((
            field,
            format!(
                "The {} is longer than {limit} characters; shorten it in the file.",
                field.words()
            ),
        )),
        _ => Ok(()),
    }
}

/// The start of a value that is echoed in a message: a value that is not
/// what it should be may be of any length.
fn shown(text: &str) -> String {
    const SHOWN: usize = 20;
    if text.chars().count() > SHOWN {
        format!("{}…", text.chars().take(SHOWN).collect::<String>())
    } else {
        text.to_string()
    }
}

/// Line numbers as a text editor shows them, for records read in file
/// order. The csv crate's own count is off for Windows (CRLF) and old Mac
/// (CR) line endings and after blank lines: the position it gives a record
/// can be at the line breaks before it. So the breaks are counted here, up
/// to the record's first byte; CRLF, LF and a lone CR each end one line.
pub struct LineCounter<'a> {
    text: &'a [u8],
    /// Bytes counted so far, and the line the next of them is on.
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the record (or error) at `position`; 0 without one.
    pub fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return 0;
        };
        let text = self.text;
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(text.len());
        // A record never starts with a line break (blank lines are skipped).
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.at {
            self.at = 0;
            self.line = 1;
        }
        for (offset, byte) in text[self.at..start].iter().enumerate() {
            let next = text.get(self.at + offset + 1);
            if *byte == b'\n' || (*byte == b'\r' && next != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.at = start;
        self.line
    }
}

/// Header names a school mapped to fields (by [`squash`]ed header), used
/// before the built-in names.
pub type Mapping = HashMap<String, Field>;

/// Why a file cannot be imported as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not usable at all (not text, empty, too large).
    Unusable(String),
    /// Required columns were not recognised: the admin can say which
    /// column is which.
    Unmapped {
        headers: Vec<String>,
        missing: Vec<Field>,
    },
    /// A district package with several schools: which is this one (ids and
    /// names).
    ChooseSchool { schools: Vec<(String, String)> },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unusable(text) => f.write_str(text),
            Problem::Unmapped { headers, missing } => write!(
                f,
                "The file has no {} column (its columns are: {}). Use Tether's template, rename the columns, or say which column is which on the import page.",
                missing.iter().map(|m| m.label()).collect::<Vec<_>>().join(", "),
                headers.iter().filter(|h| !h.is_empty()).cloned().collect::<Vec<_>>().join(", ")
            ),
            Problem::ChooseSchool { schools } => write!(
                f,
                "The file holds {} schools; say which one is this school ({}).",
                schools.len(),
                schools.iter().map(|(id, name)| format!("{name} = {id}")).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// A header as compared: lower case, without spaces, `_`, `-` or `.`.
pub fn squash(header: &str) -> String {
    header
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
fn field_of(header: &str) -> Option<Field> {
    field_with(header, &Mapping::new())
}

fn field_with(header: &str, mapping: &Mapping) -> Option<Field> {
    let header = squash(header);
    if let Some(field) = mapping.get(&header) {
        return Some(*field);
    }
    FIELDS
        .iter()
        .find(|(_, names)| names.iter().any(|name| squash(name) == header))
        .map(|(field, _)| *field)
}

/// The file's text: UTF-8 (a byte-order mark is dropped) or, when it is not
/// valid UTF-8, Windows-1252 (what Excel on Windows saves as "CSV").
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(
            "The file is saved as UTF-16. Save it again as “CSV UTF-8” and upload that.".into(),
        );
    }
    let mut text = String::with_capacity(bytes.len());
    for (index, byte) in bytes.iter().enumerate() {
        match windows_1252(*byte) {
            Some(c) => text.push(c),
            None => {
                return Err(format!(
                    "The file is neither UTF-8 nor Windows-1252 text (byte {} is not a character). Save it again as “CSV UTF-8” and upload that.",
                    index + 1
                ))
            }
        }
    }
    Ok(text)
}

/// [`decode`] without copying a file that is already UTF-8.
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).or_else(|not_utf8| decode(not_utf8.as_bytes()))
}

fn windows_1252(byte: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match byte {
        0x80..=0x9F => match HIGH[(byte - 0x80) as usize] {
            0 => None,
            code => char::from_u32(code as u32),
        },
        other => Some(other as char),
    }
}

/// The delimiter of the header line: the most frequent of `,`, `;` and tab
/// outside quotes.
fn delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                for (d, n) in counts.iter_mut() {
                    if *d == c {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

/// A grade as schools write it: `9`, `09`, `Grade 9`, `9th`, `K`, `KG`,
/// `PK`, `Pre-K`, `TK` (transitional kindergarten counts as PK).
pub fn grade(text: &str) -> Option<i64> {
    let lower = text.trim().to_lowercase();
    let t = lower.strip_prefix("grade").map(str::trim).unwrap_or(&lower);
    match t {
        "k" | "kg" | "kindergarten" | "kinder" => return Some(0),
        "pk" | "prek" | "pre-k" | "pre k" | "tk" | "ps" | "-1" => return Some(-1),
        _ => {}
    }
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = &t[digits.len()..];
    if digits.is_empty() || !matches!(rest, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse::<i64>().ok().filter(|g| (0..=12).contains(g))
}

/// The column names of a file's header line.
pub fn headers(bytes: &[u8]) -> Result<Vec<String>, String> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(&text))
        .flexible(true)
        .from_reader(text.as_bytes());
    Ok(reader
        .headers()
        .map_err(|_| "The file has no header line naming its columns.".to_string())?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// A student row's names and grade checked: the grade, or which field is
/// wrong and why (the same reasons for every format).
pub fn check_student(first: &str, last: &str, grade_text: &str) -> Result<i64, (Field, String)> {
    if first.is_empty() {
        return Err((Field::FirstName, "The first name is empty.".into()));
    }
    if last.is_empty() {
        return Err((Field::LastName, "The last name is empty.".into()));
    }
    grade(grade_text).ok_or_else(|| {
        (
            Field::Grade,
            format!(
                "“{}” is not a grade Tether can read (use PK, K or 1 to 12).",
                shown(grade_text)
            ),
        )
    })
}

/// The parsed file: students to import and rows refused.
#[derive(Debug, Default)]
pub struct Parsed {
    pub students: Vec<RosterStudent>,
    pub rejections: Vec<Rejection>,
    /// The format recognised, e.g. "Tether template" or "PowerSchool export".
    pub format: String,
    /// Extra columns, as group attribute names.
    pub attribute_columns: Vec<String>,
    /// Student IDs on rejected rows: such a student is not "missing" from
    /// the file, so a full import does not deactivate them.
    pub rejected_ids: Vec<String>,
    /// Staff and class sections (roster packages only).
    pub staff: Vec<super::RosterStaff>,
    pub classes: Vec<super::RosterClass>,
}

/// Reads an uploaded roster: a OneRoster or Clever zip, or a student CSV.
pub fn roster(
    file_name: &str,
    bytes: &[u8],
    mapping: &Mapping,
    source_school: Option<&str>,
) -> Result<Parsed, Problem> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Problem::Unusable(format!(
            "The file is {} MB; the largest roster Tether accepts is {} MB.",
            bytes.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    if super::package::is_zip(bytes) {
        super::package::package(file_name, bytes, source_school)
    } else {
        students_csv_mapped(file_name, bytes, mapping)
    }
}

/// Parses a student roster CSV by the built-in column names. `Err` when the
/// file as a whole cannot be used (not text, no header, a required column
/// missing).
pub fn students_csv(file_name: &str, bytes: &[u8]) -> Result<Parsed, String> {
    students_csv_mapped(file_name, bytes, &Mapping::new()).map_err(|problem| problem.to_string())
}

/// Parses a student roster CSV, recognising columns by `mapping` first.
pub fn students_csv_mapped(
    file_name: &str,
    bytes: &[u8],
    mapping: &Mapping,
) -> Result<Parsed, Problem> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Problem::Unusable(format!(
            "The file is {} MB; the largest roster Tether accepts is {} MB.",
            bytes.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let text = decode(bytes).map_err(Problem::Unusable)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(&text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| {
            Problem::Unusable("The file has no header line naming its columns.".to_string())
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(Problem::Unusable("The file is empty: it needs a header line naming its columns, then one line per student.".into()));
    }
    // Columns that are not student fields become group attributes named
    // after their headers, so a header is kept like a value.
    if let Some((index, header)) = headers
        .iter()
        .enumerate()
        .find(|(_, h)| h.chars().count() > crate::limits::ATTRIBUTE)
    {
        return Err(Problem::Unusable(format!(
            "Column {} of the header line (“{}”) is longer than {} characters; shorten its name.",
            index + 1,
            shown(header),
            crate::limits::ATTRIBUTE
        )));
    }
    let mut columns: HashMap<Field, usize> = HashMap::new();
    let mut extras: Vec<(usize, String)> = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        match field_with(header, mapping) {
            Some(field) if !columns.contains_key(&field) => {
                columns.insert(field, index);
            }
            Some(_) => {}
            None if !header.is_empty() => extras.push((index, attribute_name(header))),
            None => {}
        }
    }
    let missing: Vec<Field> = Field::REQUIRED
        .into_iter()
        .filter(|f| !columns.contains_key(f))
        .collect();
    if !missing.is_empty() {
        let problem = Problem::Unmapped { headers, missing };
        // Fewer columns than a roster needs: no mapping can help.
        if let Problem::Unmapped { headers, .. } = &problem {
            if headers.iter().filter(|h| !h.is_empty()).count() < Field::REQUIRED.len() {
                return Err(Problem::Unusable(problem.to_string()));
            }
        }
        return Err(problem);
    }
    let format = format_name(&headers);
    let mut parsed = Parsed {
        format,
        attribute_columns: extras.iter().map(|(_, name)| name.clone()).collect(),
        ..Parsed::default()
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut lines = LineCounter::new(&text);
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                parsed.rejections.push(Rejection::new(
                    file_name,
                    lines.line_of(error.position()),
                    None,
                    "This line could not be read as CSV (check its quotes).",
                ));
                continue;
            }
        };
        let line = lines.line_of(record.position());
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let get = |field: Field| {
            columns
                .get(&field)
                .and_then(|index| record.get(*index))
                .map(|value| value.trim().to_string())
                .unwrap_or_default()
        };
        let reject = |field: Field, reason: String| {
            Rejection::new(
                file_name,
                line,
                Some(headers[columns[&field]].clone()),
                &reason,
            )
        };
        let sis_id = get(Field::StudentId);
        if sis_id.is_empty() {
            parsed
                .rejections
                .push(reject(Field::StudentId, "The student ID is empty.".into()));
            continue;
        }
        if let Err((field, reason)) = check_length(Field::StudentId, &sis_id) {
            parsed.rejections.push(reject(field, reason));
            continue;
        }
        if let Some(first) = seen.get(&sis_id) {
            parsed.rejections.push(reject(
                Field::StudentId,
                format!("Student ID {sis_id} is already on line {first}; each student must appear once."),
            ));
            continue;
        }
        let first_name = get(Field::FirstName);
        let last_name = get(Field::LastName);
        let grade_text = get(Field::Grade);
        let preferred = get(Field::PreferredName);
        let homeroom = get(Field::Homeroom);
        let checked = check_student(&first_name, &last_name, &grade_text).and_then(|grade| {
            for (field, text) in [
                (Field::FirstName, &first_name),
                (Field::LastName, &last_name),
                (Field::PreferredName, &preferred),
                (Field::Homeroom, &homeroom),
            ] {
                check_length(field, text)?;
            }
            Ok(grade)
        });
        let grade = match checked {
            Ok(grade) => grade,
            Err((field, reason)) => {
                parsed.rejections.push(reject(field, reason));
                parsed.rejected_ids.push(sis_id);
                continue;
            }
        };
        if let Some((index, name)) = extras.iter().find(|(index, _)| {
            record
                .get(*index)
                .is_some_and(|value| value.trim().chars().count() > crate::limits::ATTRIBUTE)
        }) {
            parsed.rejections.push(Rejection::new(
                file_name,
                line,
                Some(headers[*index].clone()),
                &format!(
                    "The {name} value is longer than {} characters; shorten it in the file.",
                    crate::limits::ATTRIBUTE
                ),
            ));
            parsed.rejected_ids.push(sis_id);
            continue;
        }
        seen.insert(sis_id.clone(), line);
        let preferred = Some(preferred).filter(|p| !p.is_empty() && *p != first_name);
        let homeroom = Some(homeroom).filter(|h| !h.is_empty());
        let attributes = extras
            .iter()
            .filter_map(|(index, name)| {
                let value = record.get(*index)?.trim();
                (!value.is_empty()).then(|| (name.clone(), value.to_string()))
            })
            .collect();
        parsed.students.push(RosterStudent {
            line,
            sis_id,
            first_name,
            last_name,
            preferred_name: preferred,
            grade,
            homeroom,
            attributes,
        });
    }
    Ok(parsed)
}

/// An extra column's name as a group attribute: `English Learner` →
/// `english_learner`.
fn attribute_name(header: &str) -> String {
    let mut name = String::new();
    for c in header.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    name.trim_end_matches('_').to_string()
}

fn format_name(headers: &[String]) -> String {
    let squashed: Vec<String> = headers.iter().map(|h| squash(h)).collect();
    let has = |name: &str| squashed.iter().any(|h| *h == squash(name));
    if has("student_number") && has("grade_level") {
        "PowerSchool export".into()
    } else if has("student_id") && has("preferred_name") && has("homeroom") {
        "Tether template".into()
    } else if has("sis_id") && has("grade") {
        "Clever students.csv".into()
    } else {
        "Student CSV (columns recognised by name)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_read_as_schools_write_them() {
        for (text, want) in [
            ("9", Some(9)),
            ("09", Some(9)),
            ("Grade 10", Some(10)),
            ("11th", Some(11)),
            ("K", Some(0)),
            ("KG", Some(0)),
            ("PK", Some(-1)),
            ("Pre-K", Some(-1)),
            ("TK", Some(-1)),
            ("13", None),
            ("ninth", None),
            ("", None),
        ] {
            assert_eq!(grade(text), want, "{text}");
        }
    }

    #[test]
    fn windows_1252_is_decoded_and_nonsense_refused() {
        assert_eq!(decode(b"Jos\xe9 \x93Pepe\x94").unwrap(), "José “Pepe”");
        assert_eq!(decode(b"\xEF\xBB\xBFZo\xC3\xAB").unwrap(), "Zoë");
        assert!(decode(b"a\x81b").unwrap_err().contains("neither UTF-8"));
        assert!(decode(b"\xFF\xFEa\x00").unwrap_err().contains("UTF-16"));
    }

    /// Each rejection as (line, column, start of the reason).
    fn rejections(parsed: &Parsed) -> Vec<(u64, Option<&str>, &str)> {
        parsed
            .rejections
            .iter()
            .map(|r| (r.line, r.column.as_deref(), r.reason.as_str()))
            .collect()
    }

    #[test]
    fn lines_are_the_files_own_whatever_its_line_endings() {
        // 1 header, 2 Ana, 3 blank, 4-5 Ben (a homeroom on two lines),
        // 6 a bad grade, 7 Ana's ID again.
        let lf = "student_id,first_name,last_name,grade,homeroom\n\
                  1,Ana,Ruiz,9,101\n\
                  \n\
                  2,Ben,Okafor,10,\"North\nwing\"\n\
                  3,Cy,Lee,14,101\n\
                  1,Ana,Ruiz,9,101\n";
        let crlf = lf.replace('\n', "\r\n");
        let files = [
            ("LF", lf.as_bytes().to_vec()),
            ("CRLF (Excel)", crlf.as_bytes().to_vec()),
            ("BOM and CRLF", [b"\xEF\xBB\xBF", crlf.as_bytes()].concat()),
            ("BOM and LF", [b"\xEF\xBB\xBF", lf.as_bytes()].concat()),
            ("CR (old Mac)", lf.replace('\n', "\r").into_bytes()),
        ];
        for (endings, bytes) in files {
            let parsed = students_csv("roster.csv", &bytes).unwrap();
            let students: Vec<(u64, &str)> = parsed
                .students
                .iter()
                .map(|s| (s.line, s.first_name.as_str()))
                .collect();
            assert_eq!(students, [(2, "Ana"), (4, "Ben")], "{endings}");
            assert_eq!(
                rejections(&parsed),
                [
                    (
                        6,
                        Some("grade"),
                        "“14” is not a grade Tether can read (use PK, K or 1 to 12)."
                    ),
                    (
                        7,
                        Some("student_id"),
                        "Student ID 1 is already on line 2; each student must appear once."
                    ),
                ],
                "{endings}"
            );
        }
    }

    #[test]
    fn overlong_fields_are_rejected_rows_naming_the_field_and_limit() {
        let long = |n: usize| "é".repeat(n);
        let csv = format!(
            "student_id,first_name,last_name,preferred_name,grade,homeroom,ell\n\
             {id64},{n100},{n100},{n100},9,{n100},{n100}\n\
             {id65},Ana,Ruiz,,9,,\n\
             3,{n101},Ruiz,,9,,\n\
             4,Ana,{n101},,9,,\n\
             5,Ana,Ruiz,{n101},9,,\n\
             6,Ana,Ruiz,,9,{n101},\n\
             7,Ana,Ruiz,,9,,{n101}\n\
             8,Ana,Ruiz,,{n101},,\n",
            id64 = "1".repeat(64),
            id65 = "2".repeat(65),
            n100 = long(100),
            n101 = long(101),
        );
        let parsed = students_csv("roster.csv", csv.as_bytes()).unwrap();
        assert_eq!(
            parsed.students.len(),
            1,
            "at the limits, in characters not bytes"
        );
        assert_eq!(
            rejections(&parsed),
            [
                (
                    3,
                    Some("student_id"),
                    "The student ID is longer than 64 characters; shorten it in the file."
                ),
                (
                    4,
                    Some("first_name"),
                    "The first name is longer than 100 characters; shorten it in the file."
                ),
                (
                    5,
                    Some("last_name"),
                    "The last name is longer than 100 characters; shorten it in the file."
                ),
                (
                    6,
                    Some("preferred_name"),
                    "The preferred name is longer than 100 characters; shorten it in the file."
                ),
                (
                    7,
                    Some("homeroom"),
                    "The homeroom is longer than 100 characters; shorten it in the file."
                ),
                (
                    8,
                    Some("ell"),
                    "The ell value is longer than 100 characters; shorten it in the file."
                ),
                (
                    9,
                    Some("grade"),
                    "“éééééééééééééééééééé…” is not a grade Tether can read (use PK, K or 1 to 12)."
                ),
            ]
        );
        assert_eq!(
            parsed.rejected_ids,
            ["3", "4", "5", "6", "7", "8"],
            "a rejected row's student is not taken for gone"
        );

        let header = format!("student_id,first_name,last_name,grade,{}\n", long(101));
        let refused = students_csv("roster.csv", header.as_bytes()).unwrap_err();
        assert!(
            refused.contains("Column 5 of the header line")
                && refused.contains("longer than 100 characters"),
            "{refused}"
        );
    }

    #[test]
    fn headers_are_recognised_by_name() {
        assert_eq!(field_of("Student_Number"), Some(Field::StudentId));
        assert_eq!(field_of("Grade Level"), Some(Field::Grade));
        assert_eq!(field_of(" Last.Name "), Some(Field::LastName));
        assert_eq!(field_of("ELL"), None);
        assert_eq!(
            attribute_name("English Learner (Y/N)"),
            "english_learner_y_n"
        );
    }
}
