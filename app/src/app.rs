//! The document shell, the layout every page shares, and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{SsrMode, StaticSegment};

use crate::home::{get_current_school, HomePage};
use crate::pages::NotFound;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/tether.css" />
        <Title formatter=|text: String| {
            if text.is_empty() { "Tether".to_string() } else { format!("{text} · Tether") }
        } />
        <Router>
            <a class="skip-link" href="#main">
                "Skip to main content"
            </a>
            <SiteHeader />
            <main id="main" tabindex="-1">
                // Async: every page is complete HTML before it is sent, so it
                // works without JavaScript and gets the right status code.
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Tether — every student connected to a trusted adult."</p>
            </footer>
        </Router>
    }
}

/// Header with the product name, the school's name and the navigation.
#[component]
fn SiteHeader() -> impl IntoView {
    let school = Resource::new(|| (), |_| get_current_school());
    view! {
        <header class="site-header">
            <div class="brand">
                <A href="/" attr:class="brand-name">
                    "Tether"
                </A>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        school
                            .await
                            .ok()
                            .flatten()
                            .map(|school| {
                                view! {
                                    <span class="school-name">{school.name}</span>
                                    {school.is_demo.then(|| view! { <span class="badge">"Demo"</span> })}
                                }
                            })
                    })}
                </Suspense>
            </div>
            <nav aria-label="Main">
                <ul>
                    <li>
                        <A href="/">"Home"</A>
                    </li>
                </ul>
            </nav>
        </header>
    }
}

/// Sets `data-hydrated` on `<body>` once the browser build has taken over
/// the page, so end-to-end tests know when clicks are handled by the app.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
