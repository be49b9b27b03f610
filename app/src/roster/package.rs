//! Roster packages: OneRoster 1.1 / 1.2 CSV zips and Clever SFTP zips.
//! Students, staff (who become accounts without a password) and class
//! sections with who teaches and attends them, for the one school of the
//! file that is this school. Zips are opened defensively: an entry with a
//! path like `../x` or an absurd uncompressed size refuses the file.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use super::parse::{
    check_length, check_student, decode_owned, Field, LineCounter, Parsed, Problem,
};
use super::{Rejection, RosterClass, RosterStaff, RosterStudent};
use crate::limits;

/// Largest uncompressed entry, and all entries together.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;

pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// A CSV file of the package: its header, and its text, read row by row
/// when needed (a district's enrollments are hundreds of thousands of rows;
/// keeping each field as a string of its own took several times the file).
struct Table {
    /// Column names (trimmed) by position.
    headers: Vec<String>,
    text: String,
}

impl Table {
    /// A column by name, any case; of two with the same name, the last.
    fn column(&self, column: &str) -> Option<usize> {
        self.headers
            .iter()
            .rposition(|h| h.eq_ignore_ascii_case(column))
    }

    fn get<'a>(&self, row: &'a csv::StringRecord, column: &str) -> &'a str {
        self.column(column)
            .and_then(|i| row.get(i))
            .map(|v| v.trim())
            .unwrap_or("")
    }

    fn has(&self, column: &str) -> bool {
        self.column(column).is_some()
    }

    /// The rows that are not blank, with the line each starts on.
    fn rows(&self) -> impl Iterator<Item = (u64, csv::StringRecord)> + '_ {
        let mut lines = LineCounter::new(&self.text);
        csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(self.text.as_bytes())
            .into_records()
            .filter_map(Result::ok)
            .filter(|record| !record.iter().all(|f| f.trim().is_empty()))
            .map(move |record| (lines.line_of(record.position()), record))
    }
}

fn unusable(text: String) -> Problem {
    Problem::Unusable(text)
}

/// The package's CSV files by lower-case base name.
fn unzip(file_name: &str, bytes: &[u8]) -> Result<HashMap<String, Table>, Problem> {
    unzip_within(file_name, bytes, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES)
}

fn unzip_within(
    file_name: &str,
    bytes: &[u8],
    max_entry: u64,
    max_total: u64,
) -> Result<HashMap<String, Table>, Problem> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| unusable(format!("{file_name} is not a zip file Tether can open.")))?;
    let mut tables = HashMap::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|_| {
            unusable(format!(
                "{file_name} is damaged: entry {} cannot be read.",
                index + 1
            ))
        })?;
        let name = entry.name().to_string();
        if entry.enclosed_name().is_none() || name.split(['/', '\\']).any(|part| part == "..") {
            return Err(unusable(format!(
                "{file_name} contains an entry with an unsafe path ({name}), so Tether refuses it."
            )));
        }
        if entry.is_dir() {
            continue;
        }
        if entry.size() > max_entry {
            return Err(unusable(format!(
                "{file_name}: {name} would unpack to {} MB, more than a roster can be; Tether refuses it.",
                entry.size() / (1024 * 1024)
            )));
        }
        let mut content = Vec::new();
        (&mut entry)
            .take(max_entry + 1)
            .read_to_end(&mut content)
            .map_err(|_| unusable(format!("{file_name}: {name} cannot be unpacked.")))?;
        total += content.len() as u64;
        if content.len() as u64 > max_entry || total > max_total {
            return Err(unusable(format!(
                "{file_name} unpacks to more than a roster can be; Tether refuses it."
            )));
        }
        let base = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        if !base.ends_with(".csv") {
            continue;
        }
        let text =
            decode_owned(content).map_err(|problem| unusable(format!("{name}: {problem}")))?;
        tables.insert(base.clone(), table(&base, text)?);
    }
    Ok(tables)
}

fn table(name: &str, text: String) -> Result<Table, Problem> {
    let headers = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes())
        .headers()
        .map_err(|_| unusable(format!("{name} has no header line.")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    Ok(Table { headers, text })
}

/// Reads a roster package. `source_school` picks the school of a district
/// file (by name, id or identifier); without it, a file with several
/// schools asks which one.
pub fn package(
    file_name: &str,
    bytes: &[u8],
    source_school: Option<&str>,
) -> Result<Parsed, Problem> {
    let tables = unzip(file_name, bytes)?;
    if tables.contains_key("users.csv") && tables.contains_key("orgs.csv") {
        one_roster(&tables, source_school)
    } else if tables.contains_key("students.csv") && tables.contains_key("schools.csv") {
        clever(&tables, source_school)
    } else {
        Err(unusable(format!(
            "{file_name} is not a roster package: Tether reads OneRoster (users.csv, orgs.csv, classes.csv, enrollments.csv …) and Clever (schools.csv, students.csv, teachers.csv, sections.csv, enrollments.csv) zips, or a student CSV."
        )))
    }
}

/// Picks the school, `(id, name)`: the one asked for, or the only one.
fn choose(
    schools: &[(String, String, String)],
    wanted: Option<&str>,
) -> Result<(String, String), Problem> {
    match wanted.map(str::trim).filter(|w| !w.is_empty()) {
        Some(wanted) => {
            schools
                .iter()
                .find(|(id, name, identifier)| {
                    id == wanted
                        || name.eq_ignore_ascii_case(wanted)
                        || (!identifier.is_empty() && identifier == wanted)
                })
                .map(|(id, name, _)| (id.clone(), name.clone()))
                .ok_or_else(|| {
                    unusable(format!(
                    "The file has no school called or numbered “{wanted}”; its schools are: {}.",
                    schools.iter().map(|(_, n, _)| n.clone()).collect::<Vec<_>>().join(", ")
                ))
                })
        }
        None => match schools {
            [] => Err(unusable("The file lists no school.".into())),
            [(id, name, _)] => Ok((id.clone(), name.clone())),
            many => Err(Problem::ChooseSchool {
                schools: many
                    .iter()
                    .map(|(id, name, _)| (id.clone(), name.clone()))
                    .collect(),
            }),
        },
    }
}

/// Why a text of the file is refused as longer than Tether keeps:
/// `(column, text, what it is, limit)` in order, the first too long.
fn too_long(file: &str, line: u64, texts: &[(&str, &str, &str, usize)]) -> Option<Rejection> {
    let (column, _, what, limit) = texts
        .iter()
        .find(|(_, text, _, limit)| text.chars().count() > *limit)?;
    Some(Rejection::new(
        file,
        line,
        Some(column.to_string()),
        &format!("The {what} is longer than {limit} characters; shorten it in the file."),
    ))
}

/// A student's names and grade checked ([`check_student`]) and their
/// lengths, with the failing field.
fn check_names(
    first: &str,
    last: &str,
    preferred: &str,
    grade_text: &str,
) -> Result<i64, (Field, String)> {
    let grade = check_student(first, last, grade_text)?;
    check_length(Field::FirstName, first)?;
    check_length(Field::LastName, last)?;
    check_length(Field::PreferredName, preferred)?;
    Ok(grade)
}

fn live(table: &Table, row: &csv::StringRecord) -> bool {
    !table.get(row, "status").eq_ignore_ascii_case("tobedeleted")
        && !table.get(row, "enabledUser").eq_ignore_ascii_case("false")
}

fn one_roster(
    tables: &HashMap<String, Table>,
    source_school: Option<&str>,
) -> Result<Parsed, Problem> {
    let orgs = &tables["orgs.csv"];
    let users = &tables["users.csv"];
    let roles = tables.get("roles.csv");
    let version = if roles.is_some() || users.has("preferredFirstName") {
        "1.2"
    } else {
        "1.1"
    };
    let schools: Vec<(String, String, String)> = orgs
        .rows()
        .filter(|(_, r)| live(orgs, r) && orgs.get(r, "type").eq_ignore_ascii_case("school"))
        .map(|(_, r)| {
            (
                orgs.get(&r, "sourcedId").to_string(),
                orgs.get(&r, "name").to_string(),
                orgs.get(&r, "identifier").to_string(),
            )
        })
        .collect();
    let (school, school_name) = choose(&schools, source_school)?;
    // Who has which role at this school.
    let mut role_of: HashMap<String, String> = HashMap::new();
    if let Some(roles) = roles {
        for (_, r) in roles.rows() {
            if live(roles, &r) && roles.get(&r, "orgSourcedId") == school {
                let entry = role_of
                    .entry(roles.get(&r, "userSourcedId").to_string())
                    .or_default();
                // A primary role wins; otherwise the first seen.
                if entry.is_empty() || roles.get(&r, "roleType").eq_ignore_ascii_case("primary") {
                    *entry = roles.get(&r, "role").to_ascii_lowercase();
                }
            }
        }
    } else {
        for (_, r) in users.rows() {
            if users
                .get(&r, "orgSourcedIds")
                .split(',')
                .any(|o| o.trim() == school)
            {
                role_of.insert(
                    users.get(&r, "sourcedId").to_string(),
                    users.get(&r, "role").to_ascii_lowercase(),
                );
            }
        }
    }
    let mut parsed = Parsed {
        format: format!("OneRoster {version} ({school_name})"),
        ..Parsed::default()
    };
    // Homerooms and sections of this school, and who is in them.
    let classes = tables.get("classes.csv");
    let mut class_rows: Vec<RosterClass> = Vec::new();
    let mut class_index: HashMap<String, usize> = HashMap::new();
    if let Some(classes) = classes {
        for (line, r) in classes.rows() {
            if live(classes, &r) && classes.get(&r, "schoolSourcedId") == school {
                let title = classes.get(&r, "title");
                let (name_column, name) = if title.is_empty() {
                    ("classCode", classes.get(&r, "classCode"))
                } else {
                    ("title", title)
                };
                if let Some(rejection) = too_long(
                    "classes.csv",
                    line,
                    &[
                        (
                            "sourcedId",
                            classes.get(&r, "sourcedId"),
                            "class ID",
                            limits::SIS_ID,
                        ),
                        (name_column, name, "class name", limits::HOMEROOM),
                    ],
                ) {
                    parsed.rejections.push(rejection);
                    continue;
                }
                class_index.insert(classes.get(&r, "sourcedId").to_string(), class_rows.len());
                class_rows.push(RosterClass {
                    sis_id: classes.get(&r, "sourcedId").to_string(),
                    name: name.to_string(),
                    is_homeroom: classes
                        .get(&r, "classType")
                        .eq_ignore_ascii_case("homeroom"),
                    teachers: Vec::new(),
                    students: Vec::new(),
                });
            }
        }
    }
    let mut students_of_user: HashMap<String, String> = HashMap::new();
    let mut staff_of_user: HashMap<String, String> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (line, r) in users.rows() {
        let id = users.get(&r, "sourcedId").to_string();
        let Some(role) = role_of.get(&id) else {
            continue;
        };
        if !live(users, &r) {
            continue;
        }
        let given = users.get(&r, "givenName").to_string();
        let family = users.get(&r, "familyName").to_string();
        let reject = |column: &str, reason: String| {
            Rejection::new("users.csv", line, Some(column.to_string()), &reason)
        };
        match role.as_str() {
            "student" => {
                let identifier = users.get(&r, "identifier");
                let sis_id = if identifier.is_empty() {
                    id.clone()
                } else {
                    identifier.to_string()
                };
                let grade_text = users
                    .get(&r, "grades")
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                if let Err((_, reason)) = check_length(Field::StudentId, &sis_id) {
                    let column = if identifier.is_empty() {
                        "sourcedId"
                    } else {
                        "identifier"
                    };
                    parsed.rejections.push(reject(column, reason));
                    continue;
                }
                if !seen.insert(sis_id.clone()) {
                    parsed.rejections.push(reject(
                        "identifier",
                        format!(
                            "Student ID {sis_id} appears twice; each student must appear once."
                        ),
                    ));
                    continue;
                }
                let preferred = users.get(&r, "preferredFirstName");
                let grade = match check_names(&given, &family, preferred, &grade_text) {
                    Ok(grade) => grade,
                    Err((field, reason)) => {
                        let column = match field {
                            Field::FirstName => "givenName",
                            Field::LastName => "familyName",
                            Field::PreferredName => "preferredFirstName",
                            _ => "grades",
                        };
                        parsed.rejections.push(reject(column, reason));
                        parsed.rejected_ids.push(sis_id);
                        continue;
                    }
                };
                let preferred =
                    Some(preferred.to_string()).filter(|p| !p.is_empty() && *p != given);
                students_of_user.insert(id, sis_id.clone());
                parsed.students.push(RosterStudent {
                    line,
                    sis_id,
                    first_name: given,
                    last_name: family,
                    preferred_name: preferred,
                    grade,
                    homeroom: None,
                    attributes: Vec::new(),
                });
            }
            "parent" | "guardian" | "relative" => {}
            _ => {
                let email = users.get(&r, "email").to_lowercase();
                let name = format!("{given} {family}");
                if let Some(rejection) = too_long(
                    "users.csv",
                    line,
                    &[
                        (
                            "givenName",
                            name.trim(),
                            "staff member's name",
                            limits::NAME,
                        ),
                        ("email", &email, "email address", limits::EMAIL),
                    ],
                ) {
                    parsed.rejections.push(rejection);
                    continue;
                }
                if !email.contains('@') {
                    parsed.rejections.push(reject(
                        "email",
                        format!("{given} {family} (staff) has no email address, so Tether cannot make them an account."),
                    ));
                    continue;
                }
                staff_of_user.insert(id, email.clone());
                parsed.staff.push(RosterStaff {
                    line,
                    email,
                    name: name.trim().to_string(),
                });
            }
        }
    }
    if let Some(enrollments) = tables.get("enrollments.csv") {
        for (_, r) in enrollments.rows() {
            if !live(enrollments, &r) {
                continue;
            }
            let Some(&class) = class_index.get(enrollments.get(&r, "classSourcedId")) else {
                continue;
            };
            let user = enrollments.get(&r, "userSourcedId");
            if let Some(sis) = students_of_user.get(user) {
                class_rows[class].students.push(sis.clone());
            } else if let Some(email) = staff_of_user.get(user) {
                class_rows[class].teachers.push(email.clone());
            }
        }
    }
    finish(&mut parsed, class_rows);
    Ok(parsed)
}

fn clever(tables: &HashMap<String, Table>, source_school: Option<&str>) -> Result<Parsed, Problem> {
    let schools_table = &tables["schools.csv"];
    let schools: Vec<(String, String, String)> = schools_table
        .rows()
        .map(|(_, r)| {
            (
                schools_table.get(&r, "School_id").to_string(),
                schools_table.get(&r, "School_name").to_string(),
                schools_table.get(&r, "School_number").to_string(),
            )
        })
        .collect();
    let (school, school_name) = choose(&schools, source_school)?;
    let mut parsed = Parsed {
        format: format!("Clever ({school_name})"),
        ..Parsed::default()
    };
    let students = &tables["students.csv"];
    let mut sis_of: HashMap<String, String> = HashMap::new();
    let mut seen = HashSet::new();
    for (line, r) in students.rows() {
        if students.get(&r, "School_id") != school {
            continue;
        }
        let clever_id = students.get(&r, "Student_id").to_string();
        let number = students.get(&r, "Student_number");
        let sis_id = if number.is_empty() {
            clever_id.clone()
        } else {
            number.to_string()
        };
        let first = students.get(&r, "First_name").to_string();
        let last = students.get(&r, "Last_name").to_string();
        let grade_text = students.get(&r, "Grade").to_string();
        let reject = |column: &str, reason: String| {
            Rejection::new("students.csv", line, Some(column.to_string()), &reason)
        };
        if sis_id.is_empty() {
            parsed
                .rejections
                .push(reject("Student_id", "The student ID is empty.".into()));
            continue;
        }
        if let Err((_, reason)) = check_length(Field::StudentId, &sis_id) {
            let column = if number.is_empty() {
                "Student_id"
            } else {
                "Student_number"
            };
            parsed.rejections.push(reject(column, reason));
            continue;
        }
        if !seen.insert(sis_id.clone()) {
            parsed.rejections.push(reject(
                "Student_number",
                format!("Student ID {sis_id} appears twice; each student must appear once."),
            ));
            continue;
        }
        let grade = match check_names(&first, &last, "", &grade_text) {
            Ok(grade) => grade,
            Err((field, reason)) => {
                let column = match field {
                    Field::FirstName => "First_name",
                    Field::LastName => "Last_name",
                    _ => "Grade",
                };
                parsed.rejections.push(reject(column, reason));
                parsed.rejected_ids.push(sis_id);
                continue;
            }
        };
        sis_of.insert(clever_id, sis_id.clone());
        parsed.students.push(RosterStudent {
            line,
            sis_id,
            first_name: first,
            last_name: last,
            preferred_name: None,
            grade,
            homeroom: None,
            attributes: Vec::new(),
        });
    }
    let mut email_of: HashMap<String, String> = HashMap::new();
    for (file, id_column, email_column) in [
        ("teachers.csv", "Teacher_id", "Teacher_email"),
        ("staff.csv", "Staff_id", "Staff_email"),
    ] {
        let Some(table) = tables.get(file) else {
            continue;
        };
        for (line, r) in table.rows() {
            let schools = table.get(&r, "School_id");
            if !schools.split(',').any(|s| s.trim() == school) {
                continue;
            }
            let email = table.get(&r, email_column).to_lowercase();
            let name = format!(
                "{} {}",
                table.get(&r, "First_name"),
                table.get(&r, "Last_name")
            )
            .trim()
            .to_string();
            if let Some(rejection) = too_long(
                file,
                line,
                &[
                    ("First_name", &name, "staff member's name", limits::NAME),
                    (email_column, &email, "email address", limits::EMAIL),
                ],
            ) {
                parsed.rejections.push(rejection);
                continue;
            }
            if !email.contains('@') {
                parsed.rejections.push(Rejection::new(
                    file,
                    line,
                    Some(email_column.to_string()),
                    &format!("{name} (staff) has no email address, so Tether cannot make them an account."),
                ));
                continue;
            }
            if email_of.values().any(|e| *e == email) {
                continue;
            }
            email_of.insert(table.get(&r, id_column).to_string(), email.clone());
            parsed.staff.push(RosterStaff { line, email, name });
        }
    }
    let mut class_rows = Vec::new();
    let mut class_index = HashMap::new();
    if let Some(sections) = tables.get("sections.csv") {
        for (line, r) in sections.rows() {
            if sections.get(&r, "School_id") != school {
                continue;
            }
            let given = sections.get(&r, "Name");
            let (name_column, name) = if given.is_empty() {
                ("Course_name", sections.get(&r, "Course_name"))
            } else {
                ("Name", given)
            };
            if let Some(rejection) = too_long(
                "sections.csv",
                line,
                &[
                    (
                        "Section_id",
                        sections.get(&r, "Section_id"),
                        "class ID",
                        limits::SIS_ID,
                    ),
                    (name_column, name, "class name", limits::HOMEROOM),
                ],
            ) {
                parsed.rejections.push(rejection);
                continue;
            }
            let name = name.to_string();
            let homeroom = name.to_lowercase().contains("homeroom")
                || sections
                    .get(&r, "Course_name")
                    .to_lowercase()
                    .contains("homeroom");
            let mut teachers = Vec::new();
            for column in ["Teacher_id", "Teacher_2_id", "Teacher_3_id"] {
                if let Some(email) = email_of.get(sections.get(&r, column)) {
                    teachers.push(email.clone());
                }
            }
            class_index.insert(sections.get(&r, "Section_id").to_string(), class_rows.len());
            class_rows.push(RosterClass {
                sis_id: sections.get(&r, "Section_id").to_string(),
                name,
                is_homeroom: homeroom,
                teachers,
                students: Vec::new(),
            });
        }
    }
    if let Some(enrollments) = tables.get("enrollments.csv") {
        for (_, r) in enrollments.rows() {
            let Some(&class) = class_index.get(enrollments.get(&r, "Section_id")) else {
                continue;
            };
            if let Some(sis) = sis_of.get(enrollments.get(&r, "Student_id")) {
                class_rows[class].students.push(sis.clone());
            }
        }
    }
    finish(&mut parsed, class_rows);
    Ok(parsed)
}

/// Homerooms from homeroom classes; sections kept for "my classes".
fn finish(parsed: &mut Parsed, classes: Vec<RosterClass>) {
    let mut homeroom_of: HashMap<&str, &str> = HashMap::new();
    for class in classes.iter().filter(|c| c.is_homeroom) {
        for student in &class.students {
            homeroom_of
                .entry(student.as_str())
                .or_insert(class.name.as_str());
        }
    }
    for student in &mut parsed.students {
        if let Some(room) = homeroom_of.get(student.sis_id.as_str()) {
            student.homeroom = Some(room.to_string());
        }
    }
    parsed.classes = classes
        .into_iter()
        .filter(|c| !c.name.is_empty() && !c.sis_id.is_empty())
        .collect();
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in entries {
            out.start_file(*name, options).unwrap();
            out.write_all(content).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn lines_are_the_files_own_and_overlong_texts_are_rejected() {
        let orgs = "sourcedId,status,name,type,identifier\r\nsch1,active,Maple High,school,\r\n";
        let classes = format!(
            "sourcedId,status,schoolSourcedId,title,classType\r\n\
             c1,active,sch1,Homeroom 101,homeroom\r\n\
             c2,active,sch1,{},homeroom\r\n",
            "H".repeat(101)
        );
        // 1 header, 2 Ana, 3-4 Ben (a name on two lines), 5 blank, 6 Ana's
        // ID again, 7 a teacher's long email, 8 a long student ID.
        let users = format!(
            "\u{FEFF}sourcedId,status,enabledUser,orgSourcedIds,role,givenName,familyName,identifier,email,grades\r\n\
             u1,active,true,sch1,student,Ana,Ruiz,1001,,09\r\n\
             u2,active,true,sch1,student,\"Ben\r\nJr\",Okafor,1002,,10\r\n\
             \r\n\
             u3,active,true,sch1,student,Cy,Lee,1001,,09\r\n\
             u4,active,true,sch1,teacher,Dee,Park,,{}@maple.example,\r\n\
             u5,active,true,sch1,student,Eve,Lee,{},,09\r\n",
            "d".repeat(250),
            "9".repeat(65)
        );
        for endings in ["\r\n", "\n"] {
            let file = |text: &str| text.replace("\r\n", endings).into_bytes();
            let (orgs, classes, users) = (file(orgs), file(&classes), file(&users));
            let zip = zip_of(&[
                ("orgs.csv", orgs.as_slice()),
                ("classes.csv", classes.as_slice()),
                ("users.csv", users.as_slice()),
            ]);
            let parsed = package("maple.zip", &zip, None).unwrap();
            let students: Vec<(u64, &str)> = parsed
                .students
                .iter()
                .map(|s| (s.line, s.sis_id.as_str()))
                .collect();
            assert_eq!(students, [(2, "1001"), (3, "1002")], "{endings:?}");
            let rejections: Vec<(&str, u64, Option<&str>, &str)> = parsed
                .rejections
                .iter()
                .map(|r| {
                    (
                        r.file.as_str(),
                        r.line,
                        r.column.as_deref(),
                        r.reason.as_str(),
                    )
                })
                .collect();
            assert_eq!(
                rejections,
                [
                    (
                        "classes.csv",
                        3,
                        Some("title"),
                        "The class name is longer than 100 characters; shorten it in the file."
                    ),
                    (
                        "users.csv",
                        6,
                        Some("identifier"),
                        "Student ID 1001 appears twice; each student must appear once."
                    ),
                    (
                        "users.csv",
                        7,
                        Some("email"),
                        "The email address is longer than 254 characters; shorten it in the file."
                    ),
                    (
                        "users.csv",
                        8,
                        Some("identifier"),
                        "The student ID is longer than 64 characters; shorten it in the file."
                    ),
                ],
                "{endings:?}"
            );
            assert_eq!(parsed.classes.len(), 1, "the long-named class is left out");
        }
    }

    #[test]
    fn absurd_sizes_and_unsafe_paths_are_refused() {
        let zeros = vec![0u8; 2 * 1024 * 1024];
        let bomb = zip_of(&[("users.csv", &zeros)]);
        assert!(bomb.len() < 100 * 1024, "compresses well");
        let Err(Problem::Unusable(text)) =
            unzip_within("big.zip", &bomb, 1024 * 1024, 4 * 1024 * 1024)
        else {
            panic!("refused")
        };
        assert!(
            text.contains("would unpack to") || text.contains("more than a roster"),
            "{text}"
        );
        let two = zip_of(&[
            ("a.csv", &zeros[..600 * 1024]),
            ("b.csv", &zeros[..600 * 1024]),
        ]);
        assert!(
            unzip_within("two.zip", &two, 1024 * 1024, 1024 * 1024).is_err(),
            "the total counts too"
        );

        let evil = zip_of(&[("../evil.csv", b"a,b\n")]);
        let Err(Problem::Unusable(text)) = unzip("evil.zip", &evil) else {
            panic!("refused")
        };
        assert!(text.contains("unsafe path (../evil.csv)"), "{text}");
    }
}
