//! The `tether` program: command line, HTTP router and start-up.

pub mod cli;
pub mod routes;
