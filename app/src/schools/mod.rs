//! Schools: the unit every piece of student data belongs to.

#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

/// A school as the header shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: i64,
    pub name: String,
    pub is_demo: bool,
}
