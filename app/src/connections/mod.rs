//! Connections: a staff member's mark on a student for a term — a strong
//! connection (the student would come to them with a problem) or "knows"
//! (name, face and something personal). History is kept: nothing is ever
//! overwritten, so coverage on any past date can be recomputed.

#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

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
}
