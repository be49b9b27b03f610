//! Adding many staff at once from a CSV file (email, name, role): parsed
//! and checked first, so the admin sees every problem before anything
//! changes.

use serde::{Deserialize, Serialize};

use crate::accounts::Role;

/// A person the file would add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaff {
    pub line: u64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// A line that will not be added, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: u64,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffImport {
    pub file_name: String,
    pub people: Vec<NewStaff>,
    pub problems: Vec<Problem>,
}

/// Reads a staff CSV. The header row names the columns (`email`, `name`,
/// optional `role`; any order, any case, extra columns ignored); `role` is
/// staff, counselor or admin and defaults to staff. `existing` holds the
/// emails already on this school's staff, which are skipped.
#[cfg(feature = "ssr")]
pub fn parse(file_name: &str, bytes: &[u8], existing: &[String]) -> StaffImport {
    // Line endings are made uniform so that the line numbers reported match
    // what a text editor shows, whatever system wrote the file.
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|h| h.contains(';') && !h.contains(','))
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut import = StaffImport {
        file_name: file_name.to_string(),
        ..StaffImport::default()
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(|h| h.to_lowercase()).collect(),
        Err(_) => {
            import.problems.push(Problem {
                line: 1,
                message: "The file could not be read as CSV.".into(),
            });
            return import;
        }
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(email_at), Some(name_at)) = (column("email"), column("name")) else {
        import.problems.push(Problem {
            line: 1,
            message: "The first line must name the columns, including “email” and “name” (and optionally “role”).".into(),
        });
        return import;
    };
    let role_at = column("role");
    let mut seen: Vec<String> = Vec::new();
    // The csv crate's own line count is off after blank lines.
    let mut lines = crate::roster::parse::LineCounter::new(&text);
    for record in reader.records() {
        let line = match &record {
            Ok(record) => lines.line_of(record.position()),
            Err(error) => lines.line_of(error.position()),
        };
        let Ok(record) = record else {
            import.problems.push(Problem {
                line,
                message: "This line could not be read (check its quotes).".into(),
            });
            continue;
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |at: usize| record.get(at).unwrap_or("").to_string();
        let name = field(name_at);
        let email = match super::db::check_email(&field(email_at)) {
            Ok(email) => email,
            Err(_) => {
                import.problems.push(Problem {
                    line,
                    message: format!("“{}” is not an email address.", field(email_at)),
                });
                continue;
            }
        };
        if name.is_empty() {
            import.problems.push(Problem {
                line,
                message: "The name is empty.".into(),
            });
            continue;
        }
        if name.chars().count() > crate::limits::NAME {
            import.problems.push(Problem {
                line,
                message: format!(
                    "The name is longer than {} characters; shorten it.",
                    crate::limits::NAME
                ),
            });
            continue;
        }
        let role = match role_at.map(field).filter(|r| !r.is_empty()) {
            None => Role::Staff,
            Some(text) => match Role::parse(&text) {
                Some(role) => role,
                None => {
                    import.problems.push(Problem {
                        line,
                        message: format!("“{text}” is not a role; use staff, counselor or admin."),
                    });
                    continue;
                }
            },
        };
        if seen.contains(&email) {
            import.problems.push(Problem {
                line,
                message: format!("{email} appears twice in the file."),
            });
            continue;
        }
        seen.push(email.clone());
        if existing.contains(&email) {
            import.problems.push(Problem {
                line,
                message: format!("{email} is already on the staff list; skipped."),
            });
            continue;
        }
        import.people.push(NewStaff {
            line,
            email,
            name,
            role,
        });
    }
    import
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn good_lines_are_kept_and_every_problem_has_its_line() {
        let file = "\u{feff}Name,Email,Role\r\n\
                    José García,jose.garcia@school.example,Counselor\r\n\
                    \"O'Brien, Ann\",ann.obrien@school.example,\r\n\
                    No Email,,staff\r\n\
                    Pat Lee,pat@school.example,principal\r\n\
                    Jo Kim,jo.kim@school.example,staff\r\n\
                    Jo Kim again,JO.KIM@school.example,staff\r\n\
                    Old Hand,old.hand@school.example,admin\r\n\
                    \r\n";
        let import = parse(
            "staff.csv",
            file.as_bytes(),
            &["old.hand@school.example".into()],
        );
        let added: Vec<(&str, Role, u64)> = import
            .people
            .iter()
            .map(|p| (p.email.as_str(), p.role, p.line))
            .collect();
        assert_eq!(
            added,
            vec![
                ("jose.garcia@school.example", Role::Counselor, 2),
                ("ann.obrien@school.example", Role::Staff, 3),
                ("jo.kim@school.example", Role::Staff, 6),
            ]
        );
        assert_eq!(import.people[1].name, "O'Brien, Ann");
        let lines: Vec<u64> = import.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![4, 5, 7, 8]);
        assert!(import.problems[1].message.contains("principal"));
    }

    #[test]
    fn a_file_without_the_columns_says_so() {
        let import = parse("x.csv", b"first,last\nAna,Lee\n", &[]);
        assert!(import.people.is_empty());
        assert!(import.problems[0].message.contains("email"));
        let semicolons = parse("x.csv", b"email;name\nana@school.example;Ana Lee\n", &[]);
        assert_eq!(semicolons.people.len(), 1);
        let unix = parse(
            "x.csv",
            b"email,name\nana@school.example,Ana Lee\nnope,Bo\n",
            &[],
        );
        assert_eq!(unix.problems[0].line, 3, "line numbers with LF endings too");
        let gap = parse(
            "x.csv",
            b"email,name\r\nana@school.example,Ana Lee\r\n\r\nnope,Bo\r\n",
            &[],
        );
        assert_eq!(gap.problems[0].line, 4, "after a blank line too");
        let long = format!("email,name\nana@school.example,{}\n", "x".repeat(250_000));
        let long = parse("x.csv", long.as_bytes(), &[]);
        assert!(long.people.is_empty());
        assert!(
            long.problems[0]
                .message
                .contains("longer than 100 characters"),
            "{:?}",
            long.problems
        );
    }
}
