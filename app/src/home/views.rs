//! The home page.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{get_home_summary, HomeSummary};
use crate::format;
use crate::pages::ErrorMessage;

#[component]
pub fn HomePage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_home_summary());
    view! {
        <Title text="Home" />
        <Suspense fallback=|| view! { <p aria-live="polite">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => view! { <SchoolOverview summary /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
        <crate::takeons::MyTakeOns />
    }
}

#[component]
fn SchoolOverview(summary: HomeSummary) -> impl IntoView {
    let HomeSummary {
        school,
        active_students,
        current_term,
    } = summary;
    view! {
        <h1>{school.name}</h1>
        <dl class="figures">
            <div class="figure">
                <dt>"Active students"</dt>
                <dd>{format::count(active_students)}</dd>
            </div>
            <div class="figure">
                <dt>"Current term"</dt>
                {match current_term {
                    Some(term) => {
                        view! {
                            <dd>
                                {term.name}
                                <span class="figure-detail">
                                    {format!(
                                        "{} – {}",
                                        format::day(&term.starts_on),
                                        format::day(&term.ends_on),
                                    )}
                                </span>
                            </dd>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <dd>
                                "None"
                                <span class="figure-detail">
                                    "No term covers today. An admin can add one."
                                </span>
                            </dd>
                        }
                            .into_any()
                    }
                }}
            </div>
        </dl>
    }
}
