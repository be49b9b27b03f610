//! Generated roster packages for tests and benchmarks: invented people
//! only, in OneRoster 1.1, OneRoster 1.2 and Clever layouts.

use std::fmt::Write as _;
use std::io::Write as _;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Sample {
    /// (id in the file, name, students) per school.
    pub schools: Vec<(String, String, usize)>,
    /// Sections each student attends (besides a homeroom).
    pub sections_per_student: usize,
    /// Adds rows that must be left out or rejected: a student marked
    /// `tobedeleted`, a disabled one, a teacher without an email.
    pub awkward_rows: bool,
}

impl Sample {
    pub fn school(students: usize) -> Sample {
        Sample {
            schools: vec![("sch-1".into(), "Maple Grove High School".into(), students)],
            sections_per_student: 6,
            awkward_rows: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    OneRoster11,
    OneRoster12,
    Clever,
}

const FIRST: [&str; 12] = [
    "Ana",
    "Kwame",
    "Zoë",
    "Liam",
    "María José",
    "Thảo",
    "Omar",
    "Siobhán",
    "Jin",
    "Amara",
    "Mateo",
    "Ingrid",
];
const LAST: [&str; 12] = [
    "Lopez",
    "Mensah",
    "D'Angelo",
    "O'Brien",
    "de la Cruz",
    "Nguyễn",
    "Haddad",
    "Ní Bhriain",
    "Park",
    "Okafor",
    "García-Ruiz",
    "Lindqvist",
];

struct Person {
    id: String,
    first: &'static str,
    last: &'static str,
    grade: usize,
}

fn zip_of(entries: &[(&str, String)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        out.start_file(*name, options).expect("zip entry");
        out.write_all(content.as_bytes()).expect("zip write");
    }
    out.finish().expect("zip").into_inner()
}

/// A generated package as zip bytes.
pub fn package(sample: &Sample, layout: Layout) -> Vec<u8> {
    let mut students_by_school = Vec::new();
    let mut teachers_by_school = Vec::new();
    let mut n = 0usize;
    for (s, (_, _, count)) in sample.schools.iter().enumerate() {
        let students: Vec<Person> = (0..*count)
            .map(|i| {
                n += 1;
                Person {
                    id: format!("{:07}", 100_000 * (s + 1) + i),
                    first: FIRST[n % FIRST.len()],
                    last: LAST[(n / FIRST.len()) % LAST.len()],
                    grade: 9 + i % 4,
                }
            })
            .collect();
        let teachers: Vec<Person> = (0..(count / 20).max(2))
            .map(|i| Person {
                id: format!("t{}-{i:04}", s + 1),
                first: FIRST[(i + 3) % FIRST.len()],
                last: LAST[(i + 5) % LAST.len()],
                grade: 0,
            })
            .collect();
        students_by_school.push(students);
        teachers_by_school.push(teachers);
    }
    // Classes: a homeroom per 25 students, sections of 30.
    struct Class {
        id: String,
        title: String,
        homeroom: bool,
        school: usize,
        teacher: usize,
        students: Vec<usize>,
    }
    let mut classes: Vec<Class> = Vec::new();
    for (s, students) in students_by_school.iter().enumerate() {
        let teachers = teachers_by_school[s].len();
        for (h, chunk) in (0..students.len())
            .collect::<Vec<_>>()
            .chunks(25)
            .enumerate()
        {
            classes.push(Class {
                id: format!("hr{}-{h}", s + 1),
                title: format!("Homeroom {}", 100 + h),
                homeroom: true,
                school: s,
                teacher: h % teachers,
                students: chunk.to_vec(),
            });
        }
        let seats = students.len() * sample.sections_per_student;
        for (c, chunk) in (0..seats).collect::<Vec<_>>().chunks(30).enumerate() {
            classes.push(Class {
                id: format!("sec{}-{c}", s + 1),
                title: format!("Section {c}"),
                homeroom: false,
                school: s,
                teacher: c % teachers,
                students: chunk
                    .iter()
                    .map(|seat| (seat * 7 + c) % students.len())
                    .collect(),
            });
        }
    }
    let email = |t: &Person| format!("{}@maple.example", t.id);
    match layout {
        Layout::OneRoster11 | Layout::OneRoster12 => {
            let v12 = layout == Layout::OneRoster12;
            let mut orgs = String::from(
                "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n",
            );
            orgs.push_str("dist-1,active,2026-08-01,Maple County Schools,district,D1,\n");
            for (id, name, _) in &sample.schools {
                let _ = writeln!(orgs, "{id},active,2026-08-01,{name},school,{id}-X,dist-1");
            }
            let mut users = if v12 {
                String::from("sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,preferredFirstName,identifier,email,grades\n")
            } else {
                String::from("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName,identifier,email,grades\n")
            };
            let mut roles = String::from(
                "sourcedId,status,dateLastModified,userSourcedId,roleType,role,orgSourcedId\n",
            );
            for (s, (school, _, _)) in sample.schools.iter().enumerate() {
                for (i, p) in students_by_school[s].iter().enumerate() {
                    let grade = format!("{:02}", p.grade);
                    let preferred = if i % 10 == 0 { "Sunny" } else { "" };
                    if v12 {
                        let _ = writeln!(
                            users,
                            "u{},active,2026-08-01,true,{},{},\"{}\",{preferred},{},,{grade}",
                            p.id, p.id, p.first, p.last, p.id
                        );
                        let _ = writeln!(
                            roles,
                            "r{},active,2026-08-01,u{},primary,student,{school}",
                            p.id, p.id
                        );
                    } else {
                        let _ = writeln!(
                            users,
                            "u{},active,2026-08-01,true,{school},student,{},{},\"{}\",{},,{grade}",
                            p.id, p.id, p.first, p.last, p.id
                        );
                    }
                }
                for t in &teachers_by_school[s] {
                    if v12 {
                        let _ = writeln!(
                            users,
                            "u{},active,2026-08-01,true,{},{},\"{}\",,{},{},",
                            t.id,
                            t.id,
                            t.first,
                            t.last,
                            t.id,
                            email(t)
                        );
                        let _ = writeln!(
                            roles,
                            "r{},active,2026-08-01,u{},primary,teacher,{school}",
                            t.id, t.id
                        );
                    } else {
                        let _ = writeln!(
                            users,
                            "u{},active,2026-08-01,true,{school},teacher,{},{},\"{}\",{},{},",
                            t.id,
                            t.id,
                            t.first,
                            t.last,
                            t.id,
                            email(t)
                        );
                    }
                }
            }
            if sample.awkward_rows {
                let school = &sample.schools[0].0;
                if v12 {
                    users.push_str(
                        "ugone,tobedeleted,2026-08-01,true,gone,Gone,Student,,9999001,,10\n",
                    );
                    users.push_str("uoff,active,2026-08-01,false,off,Off,Student,,9999002,,10\n");
                    users.push_str("unomail,active,2026-08-01,true,nomail,Pat,Nomail,,T999,,\n");
                    let _ = writeln!(
                        roles,
                        "rgone,active,2026-08-01,ugone,primary,student,{school}"
                    );
                    let _ = writeln!(
                        roles,
                        "roff,active,2026-08-01,uoff,primary,student,{school}"
                    );
                    let _ = writeln!(
                        roles,
                        "rnomail,active,2026-08-01,unomail,primary,teacher,{school}"
                    );
                } else {
                    let _ = writeln!(users, "ugone,tobedeleted,2026-08-01,true,{school},student,gone,Gone,Student,9999001,,10");
                    let _ = writeln!(
                        users,
                        "uoff,active,2026-08-01,false,{school},student,off,Off,Student,9999002,,10"
                    );
                    let _ = writeln!(
                        users,
                        "unomail,active,2026-08-01,true,{school},teacher,nomail,Pat,Nomail,T999,,"
                    );
                }
            }
            let mut class_csv = String::from("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds\n");
            let mut enrollments = String::from("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary\n");
            let mut e = 0usize;
            for c in &classes {
                let school = &sample.schools[c.school].0;
                let kind = if c.homeroom { "homeroom" } else { "scheduled" };
                let _ = writeln!(
                    class_csv,
                    "{},active,2026-08-01,{},,,{},{kind},,{school},term-1",
                    c.id, c.title, c.id
                );
                let t = &teachers_by_school[c.school][c.teacher];
                e += 1;
                let _ = writeln!(
                    enrollments,
                    "e{e},active,2026-08-01,{},{school},u{},teacher,true",
                    c.id, t.id
                );
                for s in &c.students {
                    e += 1;
                    let p = &students_by_school[c.school][*s];
                    let _ = writeln!(
                        enrollments,
                        "e{e},active,2026-08-01,{},{school},u{},student,false",
                        c.id, p.id
                    );
                }
            }
            let version = if v12 { "1.2" } else { "1.1" };
            let manifest =
                format!("propertyName,value\nmanifest.version,1.0\noneroster.version,{version}\n");
            let mut entries = vec![
                ("manifest.csv", manifest),
                ("orgs.csv", orgs),
                ("users.csv", users),
                ("classes.csv", class_csv),
                ("enrollments.csv", enrollments),
            ];
            if v12 {
                entries.push(("roles.csv", roles));
            }
            zip_of(&entries)
        }
        Layout::Clever => {
            let mut schools = String::from("School_id,School_name,School_number\n");
            let mut students =
                String::from("School_id,Student_id,Student_number,Last_name,First_name,Grade\n");
            let mut teachers =
                String::from("School_id,Teacher_id,Teacher_email,First_name,Last_name\n");
            for (s, (id, name, _)) in sample.schools.iter().enumerate() {
                let _ = writeln!(schools, "{id},{name},{}", s + 1);
                for p in &students_by_school[s] {
                    let _ = writeln!(
                        students,
                        "{id},c{},{},\"{}\",{},{}",
                        p.id, p.id, p.last, p.first, p.grade
                    );
                }
                for t in &teachers_by_school[s] {
                    let _ = writeln!(
                        teachers,
                        "{id},{},{},{},\"{}\"",
                        t.id,
                        email(t),
                        t.first,
                        t.last
                    );
                }
            }
            let mut sections =
                String::from("School_id,Section_id,Teacher_id,Name,Course_name,Grade\n");
            let mut enrollments = String::from("School_id,Section_id,Student_id\n");
            for c in &classes {
                let school = &sample.schools[c.school].0;
                let t = &teachers_by_school[c.school][c.teacher];
                let _ = writeln!(
                    sections,
                    "{school},{},{},{},{},",
                    c.id,
                    t.id,
                    c.title,
                    if c.homeroom { "Homeroom" } else { "Course" }
                );
                for s in &c.students {
                    let _ = writeln!(
                        enrollments,
                        "{school},{},c{}",
                        c.id, students_by_school[c.school][*s].id
                    );
                }
            }
            zip_of(&[
                ("schools.csv", schools),
                ("students.csv", students),
                ("teachers.csv", teachers),
                ("sections.csv", sections),
                ("enrollments.csv", enrollments),
            ])
        }
    }
}
