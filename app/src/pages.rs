//! Pages that belong to no domain: not found and generic errors.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::AppError;

/// The friendly 404 page (with a 404 status when rendered on the server).
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    AppError::NotFound.set_response_status();
    view! {
        <Title text="Page not found" />
        <section class="message-page" aria-labelledby="not-found-title">
            <h1 id="not-found-title">"We couldn't find that page"</h1>
            <p>"The link may be mistyped, or the page may have moved."</p>
            <p>
                <A href="/">"Go to the home page"</A>
            </p>
        </section>
    }
}

/// An error in place of a page's content, with what to do about it, and
/// the matching status code when rendered on the server.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    error.set_response_status();
    let (title, action) = match error {
        AppError::NotFound => return view! { <NotFound /> }.into_any(),
        AppError::Unauthorized => (
            "Please sign in",
            view! { <A href="/login">"Sign in"</A> }.into_any(),
        ),
        AppError::Forbidden => (
            "You don't have access to this page",
            view! { <A href="/">"Go to the home page"</A> }.into_any(),
        ),
        _ => (
            "Something went wrong",
            view! { <A href="/">"Go to the home page"</A> }.into_any(),
        ),
    };
    view! {
        <Title text=title />
        <section class="message-page" role="alert" aria-labelledby="error-title">
            <h1 id="error-title">{title}</h1>
            <p>{error.to_string()}</p>
            <p>{action}</p>
        </section>
    }
    .into_any()
}
