//! The coverage dashboard: how many active students have a trusted adult
//! (at least one strong connection) in the current term, for the whole
//! school and by group, over the term and across terms.
//!
//! Definitions used everywhere (the figures, the exports, the tests):
//! * a student counts on an instant if they were an active student then
//!   (`student_status`, the roster's history);
//! * they are connected on it if at least one strong mark of the term was
//!   live then (`made_at` ≤ instant, and not yet `removed_at`);
//! * a day's figure is taken at the day's last second (UTC), or now for today.

#[cfg(feature = "ssr")]
mod cache;
#[cfg(feature = "ssr")]
pub mod figures;
#[cfg(feature = "ssr")]
pub mod routes;
mod server;
mod views;

use serde::{Deserialize, Serialize};

pub use server::*;
pub use views::{CoveragePage, CoverageReportPage};

/// Groups smaller than this are never shown: a count of one to four
/// students could point at a person.
pub const SMALLEST_GROUP: i64 = 5;

/// Students counted on one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub students: i64,
    /// With at least one strong connection.
    pub connected: i64,
    /// With two or more.
    pub connected_two: i64,
}

impl Figures {
    pub fn unconnected(&self) -> i64 {
        self.students - self.connected
    }

    /// Share of `part` among the students, in percent (0 with no students).
    pub fn share(&self, part: i64) -> f64 {
        if self.students == 0 {
            0.0
        } else {
            part as f64 * 100.0 / self.students as f64
        }
    }

    pub fn percent(&self) -> f64 {
        self.share(self.connected)
    }

    /// Too few students to show (see [`SMALLEST_GROUP`]).
    pub fn is_small(&self) -> bool {
        self.students < SMALLEST_GROUP
    }
}

/// A percentage as shown: whole numbers, one decimal below 10 % so small
/// shares never round to 0.
pub fn percent_text(value: f64) -> String {
    if value > 0.0 && value < 10.0 {
        format!("{value:.1} %")
    } else {
        format!("{value:.0} %")
    }
}

/// A change in percentage points, with its sign spelled out.
pub fn change_text(now: f64, before: f64) -> String {
    let delta = now - before;
    if delta.abs() < 0.05 {
        "no change".to_string()
    } else if delta > 0.0 {
        format!("up {delta:.1} points")
    } else {
        format!("down {:.1} points", -delta)
    }
}

/// One day of the term (figures at its end; today's are live).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub figures: Figures,
}

/// One group of a breakdown; `figures` is `None` when the group is too
/// small to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub label: String,
    pub figures: Option<Figures>,
}

/// The current figures by grade, homeroom or one imported attribute,
/// least connected first (small groups last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// `grade`, `homeroom` or `group-NAME`: the export's name.
    pub key: String,
    /// "Grade", "Homeroom", or the attribute's name as imported.
    pub title: String,
    pub rows: Vec<GroupRow>,
}

impl Breakdown {
    /// Builds the rows from exact figures: small groups lose their numbers,
    /// the rest are sorted by share connected, lowest first.
    pub fn new(key: String, title: String, groups: Vec<(String, Figures)>) -> Self {
        let mut shown: Vec<(String, Figures)> = Vec::new();
        let mut small: Vec<String> = Vec::new();
        for (label, figures) in groups {
            if figures.is_small() {
                small.push(label);
            } else {
                shown.push((label, figures));
            }
        }
        shown.sort_by(|a, b| {
            a.1.percent()
                .total_cmp(&b.1.percent())
                .then_with(|| natural(&a.0).cmp(&natural(&b.0)))
        });
        small.sort_by_key(|label| natural(label));
        let rows = shown
            .into_iter()
            .map(|(label, figures)| GroupRow {
                label,
                figures: Some(figures),
            })
            .chain(small.into_iter().map(|label| GroupRow {
                label,
                figures: None,
            }))
            .collect();
        Breakdown { key, title, rows }
    }
}

/// Sort key that puts "9" before "10" and "Room 2" before "Room 10".
fn natural(label: &str) -> (Vec<(u8, u64, String)>, String) {
    let mut parts = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in label.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                parts.push((1, 0, std::mem::take(&mut text).to_lowercase()));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                parts.push((0, digits.parse().unwrap_or(u64::MAX), String::new()));
                digits.clear();
            }
            text.push(c);
        }
    }
    if !digits.is_empty() {
        parts.push((0, digits.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        parts.push((1, 0, text.to_lowercase()));
    }
    (parts, label.to_string())
}

/// A term's coverage at its end (or now, for the current term).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermFinal {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub is_current: bool,
    pub figures: Figures,
}

/// How many staff have started marking this term.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// Active staff members of the school (every role).
    pub staff: i64,
    /// Of them, those with at least one live mark (strong or knows).
    pub marking: i64,
}

impl Participation {
    pub fn percent(&self) -> f64 {
        if self.staff == 0 {
            0.0
        } else {
            self.marking as f64 * 100.0 / self.staff as f64
        }
    }
}

/// One staff member's marks this term (admins only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMarks {
    pub name: String,
    pub role: String,
    pub strong: i64,
    pub knows: i64,
}

/// The whole dashboard for the current term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub school_name: String,
    /// `YYYY-MM-DD`.
    pub today: String,
    /// The current term; without one there is nothing to count.
    pub term: Option<crate::terms::Term>,
    /// Now.
    pub now: Figures,
    /// At the term's first instant.
    pub start: Figures,
    /// At the end of the same weekday last week, if the term had begun.
    pub week_ago: Option<Figures>,
    /// From the term's first day to today.
    pub series: Vec<Point>,
    pub breakdowns: Vec<Breakdown>,
    /// Every term that has begun, oldest first.
    pub terms: Vec<TermFinal>,
    pub participation: Participation,
    /// Per staff member, for admins; `None` for counselors.
    pub staff: Option<Vec<StaffMarks>>,
}

/// The tables a dashboard exports as CSV, by name.
pub const EXPORTS: &[(&str, &str)] = &[
    ("over-the-term", "Coverage over the term"),
    ("terms", "Coverage by term"),
    ("grade", "By grade"),
    ("homeroom", "By homeroom"),
    ("groups", "By group"),
    ("staff", "Staff participation"),
];

fn csv_line(out: &mut String, fields: &[String]) {
    out.push_str(&crate::format::csv_line(fields));
}

fn figure_fields(figures: &Figures) -> Vec<String> {
    vec![
        figures.students.to_string(),
        figures.connected.to_string(),
        figures.connected_two.to_string(),
        figures.unconnected().to_string(),
        format!("{:.1}", figures.percent()),
    ]
}

const FIGURE_HEADERS: [&str; 5] = [
    "students",
    "with_1_or_more",
    "with_2_or_more",
    "with_none",
    "percent_connected",
];

fn header(out: &mut String, first: &[&str]) {
    let fields: Vec<String> = first
        .iter()
        .chain(FIGURE_HEADERS.iter())
        .map(|s| s.to_string())
        .collect();
    csv_line(out, &fields);
}

impl Dashboard {
    /// One table as CSV (`name` from [`EXPORTS`]); `None` for an unknown
    /// name, or the staff table without the right to see it. Small groups
    /// are exported as "fewer than 5", exactly as shown.
    pub fn csv(&self, name: &str) -> Option<String> {
        let mut out = String::new();
        let breakdown_rows = |out: &mut String, breakdown: &Breakdown, first: Vec<String>| {
            for row in &breakdown.rows {
                let mut fields = first.clone();
                fields.push(row.label.clone());
                match &row.figures {
                    Some(figures) => fields.extend(figure_fields(figures)),
                    None => {
                        fields.push(format!("fewer than {SMALLEST_GROUP}"));
                        fields.extend(std::iter::repeat_n(String::new(), 4));
                    }
                }
                csv_line(out, &fields);
            }
        };
        match name {
            "over-the-term" => {
                header(&mut out, &["day"]);
                for point in &self.series {
                    let mut fields = vec![point.day.clone()];
                    fields.extend(figure_fields(&point.figures));
                    csv_line(&mut out, &fields);
                }
            }
            "terms" => {
                header(&mut out, &["term", "first_day", "last_day", "current"]);
                for term in &self.terms {
                    let mut fields = vec![
                        term.name.clone(),
                        term.starts_on.clone(),
                        term.ends_on.clone(),
                        if term.is_current { "yes" } else { "no" }.to_string(),
                    ];
                    fields.extend(figure_fields(&term.figures));
                    csv_line(&mut out, &fields);
                }
            }
            "grade" | "homeroom" => {
                let breakdown = self.breakdowns.iter().find(|b| b.key == name)?;
                header(&mut out, &[name]);
                breakdown_rows(&mut out, breakdown, Vec::new());
            }
            "groups" => {
                header(&mut out, &["group", "value"]);
                for breakdown in self
                    .breakdowns
                    .iter()
                    .filter(|b| b.key.starts_with("group-"))
                {
                    breakdown_rows(&mut out, breakdown, vec![breakdown.title.clone()]);
                }
            }
            "staff" => {
                let staff = self.staff.as_ref()?;
                csv_line(
                    &mut out,
                    &["name", "role", "strong", "knows"].map(String::from),
                );
                for member in staff {
                    csv_line(
                        &mut out,
                        &[
                            member.name.clone(),
                            member.role.clone(),
                            member.strong.to_string(),
                            member.knows.to_string(),
                        ],
                    );
                }
            }
            _ => return None,
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(students: i64, connected: i64) -> Figures {
        Figures {
            students,
            connected,
            connected_two: 0,
        }
    }

    #[test]
    fn small_groups_lose_their_numbers_and_the_least_connected_comes_first() {
        let breakdown = Breakdown::new(
            "grade".into(),
            "Grade".into(),
            vec![
                ("10".into(), figures(20, 18)),
                ("9".into(), figures(20, 10)),
                ("11".into(), figures(4, 0)),
                ("12".into(), figures(5, 5)),
            ],
        );
        let labels: Vec<&str> = breakdown.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["9", "10", "12", "11"]);
        assert_eq!(breakdown.rows[3].figures, None);
        assert_eq!(breakdown.rows[2].figures, Some(figures(5, 5)));
    }

    #[test]
    fn labels_sort_as_people_read_them() {
        let mut labels = vec!["Room 10", "Room 2", "room 3", "B"];
        labels.sort_by_key(|l| natural(l));
        assert_eq!(labels, ["B", "Room 2", "room 3", "Room 10"]);
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        use crate::format::csv_field;
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }

    #[test]
    fn percentages_and_changes_read_well() {
        assert_eq!(percent_text(0.0), "0 %");
        assert_eq!(percent_text(4.44), "4.4 %");
        assert_eq!(percent_text(85.2), "85 %");
        assert_eq!(change_text(80.0, 80.01), "no change");
        assert_eq!(change_text(85.0, 80.0), "up 5.0 points");
        assert_eq!(change_text(75.0, 80.0), "down 5.0 points");
    }
}
