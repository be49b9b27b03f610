//! The `tether` program: command line, HTTP router and start-up.

pub mod auth;
pub mod cli;
pub mod coverage;
pub mod marking;
pub mod roster;
pub mod routes;
pub mod security;
pub mod staff;
pub mod takeons;
pub mod terms;
