//! Connections: a staff member's mark on a student for a term — a strong
//! connection (the student would come to them with a problem) or "knows"
//! (name, face and something personal) — and the private concern flag.
//! History is kept: nothing is ever overwritten, so coverage on any past
//! date can be recomputed.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod marking;
mod queue;
#[cfg(feature = "ssr")]
pub mod routes;
mod server;
mod views;

use serde::{Deserialize, Serialize};

pub use server::*;
pub use views::MarkPage;

/// Students per page of the marking list.
pub const PAGE_SIZE: u32 = 50;
/// Where the marking forms post without JavaScript (`routes.rs`).
pub const MARK_PATH: &str = "/mark";
pub const CONCERN_PATH: &str = "/mark/concern";
/// Pages beyond this are not asked for (its offset fits any integer).
pub const MAX_PAGE: u32 = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    Strong,
    Knows,
}

impl Level {
    /// As stored in `connections.level`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Strong => "strong",
            Level::Knows => "knows",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "strong" => Some(Level::Strong),
            "knows" => Some(Level::Knows),
            _ => None,
        }
    }

    /// As a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Level::Strong => "Strong connection",
            Level::Knows => "Knows them",
        }
    }
}

/// A mark as sent by a form or the page's script: `strong`, `knows` or
/// `none` (no mark). `None` when the text is none of these.
pub fn parse_choice(text: &str) -> Option<Option<Level>> {
    match text {
        "none" => Some(None),
        other => Level::parse(other).map(Some),
    }
}

/// The wire form of a choice (the inverse of [`parse_choice`]).
pub fn choice_str(level: Option<Level>) -> &'static str {
    level.map(Level::as_str).unwrap_or("none")
}

/// Which students the marking page lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Show {
    #[default]
    All,
    /// Students in classes the viewer teaches.
    MyClasses,
    /// Students nobody has marked as a strong connection yet this term.
    NoStrong,
    /// Students the viewer has marked this term.
    MarkedByMe,
}

impl Show {
    pub const ALL: [Show; 4] = [Show::All, Show::MyClasses, Show::NoStrong, Show::MarkedByMe];

    pub fn as_str(self) -> &'static str {
        match self {
            Show::All => "all",
            Show::MyClasses => "classes",
            Show::NoStrong => "unconnected",
            Show::MarkedByMe => "marked",
        }
    }

    pub fn parse(text: &str) -> Show {
        Show::ALL
            .into_iter()
            .find(|show| show.as_str() == text)
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            Show::All => "All students",
            Show::MyClasses => "My classes",
            Show::NoStrong => "No strong connection yet",
            Show::MarkedByMe => "Students I marked",
        }
    }
}

/// The marking page's search, filters and page number, as kept in its URL
/// (`/mark?q=…&grade=…&homeroom=…&show=…&page=…`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkFilters {
    pub q: String,
    pub grade: Option<i64>,
    pub homeroom: String,
    pub show: Show,
    /// 1-based.
    pub page: u32,
    /// A student just marked without JavaScript (`saved=ID`): the page
    /// confirms it even when they no longer match the filters. Not part of
    /// the filters' own URL.
    pub saved: Option<i64>,
}

impl MarkFilters {
    /// Reads the filters from query pairs; anything unreadable is ignored.
    pub fn from_pairs(get: impl Fn(&str) -> Option<String>) -> MarkFilters {
        MarkFilters {
            q: get("q")
                .map(|q| q.trim().chars().take(100).collect())
                .unwrap_or_default(),
            grade: get("grade").and_then(|g| g.trim().parse().ok()),
            homeroom: get("homeroom")
                .map(|h| h.trim().to_string())
                .unwrap_or_default(),
            show: Show::parse(&get("show").unwrap_or_default()),
            page: get("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1)
                .min(MAX_PAGE),
            saved: get("saved").and_then(|id| id.parse().ok()),
        }
    }

    /// The query string (without `?`) that gives these filters back;
    /// defaults are left out so URLs stay short.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if let Some(grade) = self.grade {
            pairs.push(("grade", grade.to_string()));
        }
        if !self.homeroom.is_empty() {
            pairs.push(("homeroom", self.homeroom.clone()));
        }
        if self.show != Show::All {
            pairs.push(("show", self.show.as_str().to_string()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        query_string(pairs)
    }

    /// The marking page's address with these filters.
    pub fn href(&self) -> String {
        let query = self.to_query();
        if query.is_empty() {
            "/mark".to_string()
        } else {
            format!("/mark?{query}")
        }
    }

    pub fn with_page(&self, page: u32) -> MarkFilters {
        MarkFilters {
            page,
            saved: None,
            ..self.clone()
        }
    }
}

/// `key=value&…`, each value percent-encoded.
pub(crate) fn query_string(pairs: Vec<(&str, String)>) -> String {
    pairs
        .into_iter()
        .map(|(key, value)| format!("{key}={}", encode(&value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query value (form style: space as `+`).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// What the marking page needs once, whatever the filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkSetup {
    pub term: Option<crate::terms::Term>,
    pub previous_term: Option<String>,
    pub grades: Vec<i64>,
    pub homerooms: Vec<String>,
    /// Counselors and admins see how many concerns others have raised.
    pub sees_concerns: bool,
    /// Names the browser's queue of unsent marks (per person and school).
    pub queue_key: String,
}

/// One page of the student list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkList {
    pub rows: Vec<StudentRow>,
    /// Students matching the filters (all pages).
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub progress: Progress,
    /// The student of `saved=ID`, to confirm their mark.
    pub saved: Option<SavedNote>,
}

/// The confirmation of a mark made without JavaScript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedNote {
    pub id: i64,
    pub name: String,
    pub mine: Option<Level>,
    /// Whether the student is on this page of the list.
    pub shown: bool,
}

/// A student as the marking page shows them to the viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentRow {
    pub id: i64,
    /// Preferred (or first) name and last name.
    pub name: String,
    pub sis_id: String,
    pub grade: i64,
    pub homeroom: Option<String>,
    /// Adults with a strong connection this term.
    pub strong: i64,
    /// The viewer's mark this term.
    pub mine: Option<Level>,
    /// The viewer's mark in the previous term (a hint).
    pub last_term: Option<Level>,
    /// The viewer's open concern: `Some("")` when raised without a reason.
    pub my_concern: Option<String>,
    /// Open concerns raised by others (counted for counselors and admins
    /// only; always 0 for staff).
    pub other_concerns: i64,
}

/// The progress line: the viewer's marks and the school's coverage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Students the viewer has marked this term (either level).
    pub marked: i64,
    /// Of those, strong connections.
    pub strong: i64,
    /// Active students with at least one strong connection.
    pub connected: i64,
    /// Active students.
    pub active: i64,
}

/// The answer to a saved mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkSaved {
    pub student_id: i64,
    pub level: Option<Level>,
    /// The student's strong connections now.
    pub strong: i64,
    pub progress: Progress,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_survive_the_url() {
        let filters = MarkFilters {
            q: "Zoë O'Neil & co".into(),
            grade: Some(0),
            homeroom: "Room 12".into(),
            show: Show::NoStrong,
            page: 3,
            saved: None,
        };
        let query = filters.to_query();
        assert_eq!(
            query,
            "q=Zo%C3%AB+O%27Neil+%26+co&grade=0&homeroom=Room+12&show=unconnected&page=3"
        );
        let pairs: Vec<(String, String)> = serde_urlencoded_like(&query);
        let back = MarkFilters::from_pairs(|key| {
            pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        });
        assert_eq!(back, filters);
        assert_eq!(MarkFilters::default().with_page(1).href(), "/mark");
    }

    #[test]
    fn nonsense_filters_fall_back_to_defaults() {
        let get = |key: &str| match key {
            "grade" => Some("ninth".to_string()),
            "show" => Some("everyone".to_string()),
            "page" => Some("0".to_string()),
            _ => None,
        };
        assert_eq!(
            MarkFilters::from_pairs(get),
            MarkFilters {
                page: 1,
                ..Default::default()
            }
        );
    }

    #[test]
    fn a_huge_page_number_is_bounded() {
        for page in ["85899347", "4294967295", "99999999999999999999"] {
            let filters = MarkFilters::from_pairs(|key| (key == "page").then(|| page.to_string()));
            assert!(
                (1..=MAX_PAGE).contains(&filters.page),
                "{page}: {}",
                filters.page
            );
        }
    }

    #[test]
    fn choices_read_both_ways() {
        for level in [None, Some(Level::Strong), Some(Level::Knows)] {
            assert_eq!(parse_choice(choice_str(level)), Some(level));
        }
        assert_eq!(parse_choice("best friends"), None);
    }

    /// A minimal decoder for the test (the server uses serde_urlencoded).
    fn serde_urlencoded_like(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), decode(v)))
            .collect()
    }

    fn decode(value: &str) -> String {
        let bytes = value.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    out.push(u8::from_str_radix(&value[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                other => out.push(other),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
}
