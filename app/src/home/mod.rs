//! The home page: what the school looks like right now.

mod server;
mod views;

pub use server::{get_home_summary, HomeSummary};
pub use views::HomePage;
