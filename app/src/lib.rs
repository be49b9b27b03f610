//! Tether's web app: pages, server functions and the business rules behind
//! them, grouped by domain. Built twice: with `ssr` for the server and with
//! `hydrate` for the browser (wasm).

pub mod accounts;
pub mod app;
pub mod audit;
pub mod connections;
pub mod coverage;
pub mod error;
pub mod format;
pub mod home;
pub mod limits;
pub mod pages;
pub mod roster;
pub mod schools;
pub mod staff;
pub mod takeons;
pub mod terms;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;

pub use error::AppError;

/// Entry point of the browser build: attaches the app to the server-rendered
/// page instead of rendering it again.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
