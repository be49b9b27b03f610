//! The Content-Security-Policy of Tether's pages.
//!
//! Scripts run only from Tether itself or inline with the per-response
//! nonce (the hydration script); WebAssembly may compile; nothing may be
//! loaded from or sent to any third party; no page may be framed.

pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// For every response that is not a page (server functions, files).
pub const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
