//! Unconnected students and taking them on: the list counselors work
//! through, adults volunteering or being assigned ("take-ons"), their
//! check-ins, and the staff-meeting board.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod routes;
mod server;
mod views;

use serde::{Deserialize, Serialize};

pub use server::*;
pub use views::{AssignPage, FollowUpPage, MeetingPage, MyTakeOns, TakeOnPage, UnconnectedPage};

use crate::connections::query_string;

/// Students shown per page of the unconnected list.
pub const PAGE_SIZE: i64 = 100;
/// Pages beyond this are not asked for (and never overflow an offset).
pub const MAX_PAGE: i64 = 100_000;
/// A take-on with no check-in for this many days needs a counselor's eye.
pub const STALE_DAYS: i64 = 14;
/// Check-ins of the "2×10" practice: two minutes a day for ten days.
pub const TWO_BY_TEN_DAYS: i64 = 10;

/// Which students the list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    /// No strong connection.
    #[default]
    None,
    /// Exactly one.
    One,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    /// Those no adult even knows first, then by name.
    #[default]
    Unknown,
    Name,
    Grade,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Unknown => "unknown",
            Sort::Name => "name",
            Sort::Grade => "grade",
        }
    }

    fn parse(text: &str) -> Sort {
        match text {
            "name" => Sort::Name,
            "grade" => Sort::Grade,
            _ => Sort::Unknown,
        }
    }
}

/// The unconnected list's filters, read from and written to the address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFilters {
    pub view: View,
    pub grade: Option<i64>,
    pub homeroom: String,
    /// An imported attribute as `name=value` (e.g. `ell=yes`).
    pub group: String,
    pub sort: Sort,
    pub page: i64,
}

impl ListFilters {
    pub fn from_pairs(get: impl Fn(&str) -> Option<String>) -> ListFilters {
        ListFilters {
            view: if get("view").as_deref() == Some("one") {
                View::One
            } else {
                View::None
            },
            grade: get("grade").and_then(|g| g.trim().parse().ok()),
            homeroom: get("homeroom")
                .map(|h| h.trim().chars().take(100).collect())
                .unwrap_or_default(),
            group: get("group")
                .filter(|g| g.contains('='))
                .map(|g| g.chars().take(200).collect())
                .unwrap_or_default(),
            sort: Sort::parse(&get("sort").unwrap_or_default()),
            page: get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1)
                .min(MAX_PAGE),
        }
    }

    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.view == View::One {
            pairs.push(("view", "one".into()));
        }
        if let Some(grade) = self.grade {
            pairs.push(("grade", grade.to_string()));
        }
        if !self.homeroom.is_empty() {
            pairs.push(("homeroom", self.homeroom.clone()));
        }
        if !self.group.is_empty() {
            pairs.push(("group", self.group.clone()));
        }
        if self.sort != Sort::Unknown {
            pairs.push(("sort", self.sort.as_str().into()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        query_string(pairs)
    }

    pub fn href(&self) -> String {
        let query = self.to_query();
        if query.is_empty() {
            "/unconnected".into()
        } else {
            format!("/unconnected?{query}")
        }
    }

    /// The attribute filter split into name and value.
    pub fn group_pair(&self) -> Option<(&str, &str)> {
        self.group.split_once('=')
    }
}

/// An adult's take-on of a student, as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeOnBrief {
    pub id: i64,
    pub staff_name: String,
    /// `active`, `connected` or `released`.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnconnectedRow {
    pub student_id: i64,
    pub name: String,
    pub grade: i64,
    pub homeroom: Option<String>,
    /// For the "exactly one" view: the adult with the strong connection.
    pub strong_by: Option<String>,
    /// Adults who marked "knows".
    pub known_by: Vec<String>,
    /// Open concerns this term: how many, and the reasons given.
    pub concerns: i64,
    pub concern_reasons: Vec<String>,
    /// Active or connected take-ons this term.
    pub take_ons: Vec<TakeOnBrief>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnconnectedList {
    pub term_name: Option<String>,
    pub filters: ListFilters,
    pub rows: Vec<UnconnectedRow>,
    pub total: i64,
    pub grades: Vec<i64>,
    pub homerooms: Vec<String>,
    /// Every imported `name=value` pair.
    pub groups: Vec<String>,
    pub flash: Option<crate::terms::Flash>,
}

/// An adult who could take a student on, with their current load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub user_id: i64,
    pub name: String,
    /// Active take-ons this term.
    pub load: i64,
    /// Why they are suggested: "knows them", "teaches them", "homeroom".
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignChoice {
    pub student_id: i64,
    pub student_name: String,
    pub grade: i64,
    pub homeroom: Option<String>,
    pub cap: i64,
    /// Suggested adults first (knows, teaches, homeroom), lowest load first.
    pub suggested: Vec<Candidate>,
    /// Everyone else, by name.
    pub others: Vec<Candidate>,
    pub take_ons: Vec<TakeOnBrief>,
}

/// One take-on with its follow-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeOn {
    pub id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub grade: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub assigned_by: Option<String>,
    pub status: String,
    pub release_reason: Option<String>,
    /// `YYYY-MM-DD`.
    pub started_on: String,
    pub last_check_in: Option<String>,
    /// Days since the last check-in, or since the start without one.
    pub days_quiet: i64,
    /// Distinct days with a check-in (the "2×10" counter).
    pub check_in_days: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub checked_on: String,
    pub note: Option<String>,
    pub by: String,
}

/// A take-on's page: its check-ins, for the adult, counselors and admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeOnDetail {
    pub take_on: TakeOn,
    pub check_ins: Vec<CheckIn>,
    /// The viewer is the adult (may log check-ins).
    pub is_mine: bool,
    pub today: String,
    pub flash: Option<crate::terms::Flash>,
}

/// Follow-up for counselors: every active take-on, the quietest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub take_ons: Vec<TakeOn>,
    pub cap: i64,
    pub meeting_names: bool,
    pub is_admin: bool,
    pub flash: Option<crate::terms::Flash>,
}

/// The home page's part: the students the person is connecting with, and
/// the outcome of a take-on action that came back to the home page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTakeOnsPart {
    pub take_ons: Vec<TakeOn>,
    pub flash: Option<crate::terms::Flash>,
}

/// The staff-meeting board: no concerns, no notes, ever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub term_name: Option<String>,
    pub students: i64,
    pub unconnected: i64,
    /// When the admin switch is on: first names and last initials by grade.
    pub names: Option<Vec<(i64, Vec<String>)>>,
}

impl Board {
    pub fn connected_percent(&self) -> f64 {
        if self.students == 0 {
            0.0
        } else {
            (self.students - self.unconnected) as f64 * 100.0 / self.students as f64
        }
    }
}

/// The session key under which the outcome of the last take-on action waits.
pub const FLASH_KEY: &str = "take_ons_flash";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_the_address() {
        let filters = ListFilters {
            view: View::One,
            grade: Some(9),
            homeroom: "Room 2".into(),
            group: "ell=yes".into(),
            sort: Sort::Grade,
            page: 2,
        };
        let query = filters.to_query();
        assert_eq!(
            query,
            "view=one&grade=9&homeroom=Room+2&group=ell%3Dyes&sort=grade&page=2"
        );
        let pairs = [
            ("view", "one"),
            ("grade", "9"),
            ("homeroom", "Room 2"),
            ("group", "ell=yes"),
            ("sort", "grade"),
            ("page", "2"),
        ];
        let back = ListFilters::from_pairs(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        });
        assert_eq!(back, filters);
        let huge = ListFilters::from_pairs(|key| (key == "page").then(|| i64::MAX.to_string()));
        assert_eq!(huge.page, MAX_PAGE);
        assert_eq!(ListFilters::default().href(), "/unconnected");
    }
}
