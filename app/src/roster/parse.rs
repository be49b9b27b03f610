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
            format!("“{grade_text}” is not a grade Tether can read (use PK, K or 1 to 12)."),
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
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map(|p| p.line()).unwrap_or(0);
                parsed.rejections.push(Rejection::new(
                    file_name,
                    line,
                    None,
                    "This line could not be read as CSV (check its quotes).",
                ));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
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
        let grade = match check_student(&first_name, &last_name, &grade_text) {
            Ok(grade) => grade,
            Err((field, reason)) => {
                parsed.rejections.push(reject(field, reason));
                parsed.rejected_ids.push(sis_id);
                continue;
            }
        };
        seen.insert(sis_id.clone(), line);
        let preferred =
            Some(get(Field::PreferredName)).filter(|p| !p.is_empty() && *p != first_name);
        let homeroom = Some(get(Field::Homeroom)).filter(|h| !h.is_empty());
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
