//! The `tether` program: command line, the assembly of the HTTP router,
//! the middleware, and start-up. Every feature's routes live in its own
//! folder of the app crate.

pub mod cli;
pub mod routes;
pub mod security;
