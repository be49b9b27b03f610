//! Terms: the periods a school maps connections in (usually a semester or a
//! school year). Marking always goes to the current term.

#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: i64,
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub ends_on: String,
}
