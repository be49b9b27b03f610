//! The document shell, the layout every page shares, and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::accounts::{
    get_me, get_my_schools, Member, PasswordPage, Role, SchoolSwitcher, SignInPage, SignOutButton,
};
use crate::audit::AuditPage;
use crate::connections::MarkPage;
use crate::coverage::{CoveragePage, CoverageReportPage};
use crate::home::HomePage;
use crate::pages::NotFound;
use crate::roster::{ImportPage, ImportPreviewPage};
use crate::staff::{StaffImportPage, StaffPage, WelcomePage};
use crate::takeons::{AssignPage, FollowUpPage, MeetingPage, TakeOnPage, UnconnectedPage};
use crate::terms::TermsPage;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    set_page_security_policy();
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
                    <Route path=StaticSegment("login") view=SignInPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("account"), StaticSegment("password")) view=PasswordPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("welcome"), ParamSegment("token")) view=WelcomePage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("staff")) view=StaffPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("staff"), StaticSegment("import")) view=StaffImportPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("audit")) view=AuditPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("terms")) view=TermsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("mark") view=MarkPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("coverage") view=CoveragePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("unconnected") view=UnconnectedPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("unconnected"), ParamSegment("student"), StaticSegment("assign")) view=AssignPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("take-ons") view=FollowUpPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("take-ons"), ParamSegment("id")) view=TakeOnPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("meeting") view=MeetingPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("coverage"), StaticSegment("report")) view=CoverageReportPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("import")) view=ImportPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("import"), StaticSegment("preview")) view=ImportPreviewPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Tether — every student connected to a trusted adult."</p>
            </footer>
        </Router>
    }
}

/// Header with the product name, the school, the navigation for the
/// person's role, and who is signed in.
#[component]
fn SiteHeader() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    // Created here, not inside the suspended view, so that the browser
    // hydrates the same resources the server rendered.
    let schools = Resource::new(|| (), |_| get_my_schools());
    view! {
        <header class="site-header">
            <Suspense fallback=|| view! { <span class="brand-name">"Tether"</span> }>
                {move || Suspend::new(async move {
                    let schools = schools.await.unwrap_or_default();
                    match me.await.ok().flatten() {
                        Some(member) => view! { <SignedInHeader member schools /> }.into_any(),
                        None => {
                            view! {
                                <div class="brand">
                                    <A href="/" attr:class="brand-name">"Tether"</A>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn SignedInHeader(member: Member, schools: Vec<(i64, String)>) -> impl IntoView {
    // Links appear here as their pages land; each is shown only to the
    // roles that may open it.
    let links: Vec<(&'static str, &'static str, Role)> = vec![
        ("/", "Home", Role::Staff),
        ("/mark", "Mark connections", Role::Staff),
        ("/unconnected", "Unconnected", Role::Counselor),
        ("/coverage", "Coverage", Role::Counselor),
        ("/meeting", "Meeting board", Role::Staff),
        ("/admin/terms", "Terms", Role::Admin),
        ("/admin/import", "Roster", Role::Admin),
        ("/admin/staff", "Staff", Role::Admin),
        ("/admin/audit", "Audit log", Role::Admin),
    ];
    view! {
        <div class="brand">
            <A href="/" attr:class="brand-name">"Tether"</A>
            <span class="school-name">{member.school_name.clone()}</span>
            {member.school_is_demo.then(|| view! { <span class="badge">"Demo"</span> })}
        </div>
        <nav aria-label="Main">
            <ul>
                {links
                    .into_iter()
                    .filter(|(_, _, role)| member.can(*role))
                    .map(|(href, label, _)| view! { <li><A href=href>{label}</A></li> })
                    .collect_view()}
            </ul>
        </nav>
        <div class="account">
            <SchoolSwitcher schools current=member.school_id />
            <span class="who">{member.name.clone()} <span class="role">{format!(" ({})", member.role.label())}</span></span>
            <A href="/account/password">"Password"</A>
            <SignOutButton />
        </div>
    }
}

/// On the server, sends the page's Content-Security-Policy with this
/// response's nonce (which the hydration script carries).
fn set_page_security_policy() {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(value) =
            axum::http::HeaderValue::from_str(&crate::security::page_policy(&nonce.to_string()))
        {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
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
