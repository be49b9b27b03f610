//! The terms page (admins): create, edit and pin terms.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::get_terms;
use super::{Flash, Term, TermsOverview};
use crate::format;
use crate::pages::ErrorMessage;

#[component]
pub fn TermsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_terms());
    view! {
        <Title text="Terms" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(overview) => view! { <Terms overview /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Terms(overview: TermsOverview) -> impl IntoView {
    let TermsOverview {
        terms,
        current_id,
        today,
        flash,
    } = overview;
    let current = terms
        .iter()
        .find(|term| Some(term.id) == current_id)
        .cloned();
    view! {
        <h1>"Terms"</h1>
        {flash.map(|flash| match flash {
            Flash::Done(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
            Flash::Problem(text) => view! { <p class="form-error" role="alert">{text}</p> }.into_any(),
        })}
        <p>
            {match current {
                Some(term) => format!(
                    "Marking goes to {} ({} – {}){}.",
                    term.name,
                    format::day(&term.starts_on),
                    format::day(&term.ends_on),
                    if term.is_pinned { ", pinned by an admin" } else { "" },
                ),
                None => "No term is current, so nobody can mark connections. Add a term that contains today, or pin one.".to_string(),
            }}
        </p>
        <p class="hint">
            "The current term is the one containing today, unless you pin another. Each term starts with no marks — re-mapping is the point — and staff see their previous term's marks as hints. Terms cannot overlap; a term that has ended is read-only."
        </p>
        {(!terms.is_empty()).then(|| view! {
            <table>
                <caption class="visually-hidden">"Terms, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Term"</th>
                        <th scope="col">"Dates"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {terms.into_iter().map(|term| {
                        let is_current = Some(term.id) == current_id;
                        view! { <TermRow term is_current today=today.clone() /> }
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <section aria-labelledby="new-term-title">
            <h2 id="new-term-title">"Add a term"</h2>
            <TermForm action="/admin/terms".to_string() term=None prefix="new".to_string() button="Add term" />
        </section>
    }
}

#[component]
fn TermRow(term: Term, is_current: bool, today: String) -> impl IntoView {
    let status = if is_current {
        if term.is_pinned {
            "Current (pinned)"
        } else {
            "Current"
        }
    } else if term.is_past(&today) {
        "Ended (read-only)"
    } else if term.starts_on.as_str() > today.as_str() {
        "Upcoming"
    } else {
        "Not current"
    };
    let past = term.is_past(&today);
    let pin_action = format!("/admin/terms/{}/pin", term.id);
    let edit_action = format!("/admin/terms/{}", term.id);
    let prefix = format!("term-{}", term.id);
    let name = term.name.clone();
    view! {
        <tr>
            <th scope="row">{term.name.clone()}</th>
            <td>{format!("{} – {}", format::day(&term.starts_on), format::day(&term.ends_on))}</td>
            <td>{status}</td>
            <td>
                {(!past).then(|| {
                    let pinned = term.is_pinned;
                    view! {
                        <form method="post" action=pin_action class="inline-form">
                            <input type="hidden" name="pinned" value=if pinned { "0" } else { "1" } />
                            <button type="submit" class="button">
                                {if pinned { format!("Unpin {name}") } else { format!("Pin {name} as current") }}
                            </button>
                        </form>
                        <details>
                            <summary>{format!("Edit {}", term.name)}</summary>
                            <TermForm action=edit_action term=Some(term.clone()) prefix button="Save changes" />
                        </details>
                    }
                })}
            </td>
        </tr>
    }
}

#[component]
fn TermForm(
    action: String,
    term: Option<Term>,
    prefix: String,
    button: &'static str,
) -> impl IntoView {
    let (name, starts, ends) = term
        .map(|t| (t.name, t.starts_on, t.ends_on))
        .unwrap_or_default();
    let id = move |field: &str| format!("{prefix}-{field}");
    view! {
        <form method="post" action=action class="stacked-form">
            <label for=id("name")>"Name"</label>
            <input id=id("name") name="name" value=name required maxlength=crate::limits::TERM_NAME autocomplete="off" />
            <label for=id("starts")>"First day"</label>
            <input id=id("starts") name="starts_on" type="date" value=starts required />
            <label for=id("ends")>"Last day"</label>
            <input id=id("ends") name="ends_on" type="date" value=ends required />
            <button type="submit" class="button primary">{button}</button>
        </form>
    }
}
