//! The audit log page (admins).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::get_audit_log;
use super::AuditLogPage;
use crate::pages::ErrorMessage;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let query = query.read();
        (
            query.get("person").unwrap_or_default(),
            query.get("action").unwrap_or_default(),
            query
                .get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0),
        )
    };
    let log = Resource::new(filters, |(person, action, page)| {
        get_audit_log(person, action, page)
    });
    view! {
        <Title text="Audit log" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (person, action, _) = filters();
                match log.await {
                    Ok(log) => view! { <AuditTable log person action /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(log: AuditLogPage, person: String, action: String) -> impl IntoView {
    let link = |page: u32| {
        let query = serde_urlencoded_pairs(&[
            ("person", &person),
            ("action", &action),
            ("page", &page.to_string()),
        ]);
        format!("/admin/audit?{query}")
    };
    let previous = (log.page > 0).then(|| link(log.page - 1));
    let next = log.has_more.then(|| link(log.page + 1));
    view! {
        <h1>"Audit log"</h1>
        <form method="get" action="/admin/audit" class="inline-form" role="search">
            <label for="audit-person">"Person"</label>
            <input id="audit-person" name="person" type="search" value=person.clone() />
            <label for="audit-action">"Action"</label>
            <select id="audit-action" name="action">
                <option value="" selected=action.is_empty()>"Any action"</option>
                {log
                    .actions
                    .iter()
                    .map(|name| view! { <option value=name.clone() selected=*name == action>{name.clone()}</option> })
                    .collect_view()}
            </select>
            <button type="submit" class="button">"Filter"</button>
        </form>
        {if log.entries.is_empty() {
            view! { <p>"Nothing recorded matches."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table>
                        <caption class="visually-hidden">"Audit log entries, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When (UTC)"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Action"</th>
                                <th scope="col">"What"</th>
                                <th scope="col">"Details"</th>
                                <th scope="col">"From"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {log.entries.into_iter().map(|entry| view! {
                                <tr>
                                    <td>{entry.at}</td>
                                    <td>{entry.who.unwrap_or_else(|| "—".into())}</td>
                                    <td><code>{entry.action}</code></td>
                                    <td>{entry.subject.unwrap_or_default()}</td>
                                    <td>{entry.detail.unwrap_or_default()}</td>
                                    <td>{entry.client_addr.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        }}
        <nav aria-label="Pages of the audit log" class="pager">
            {previous.map(|href| view! { <a href=href rel="prev">"Newer"</a> })}
            {next.map(|href| view! { <a href=href rel="next">"Older"</a> })}
        </nav>
    }
}

/// `a=1&b=two` with the values percent-encoded.
fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            let encoded: String = value
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{key}={encoded}")
        })
        .collect::<Vec<_>>()
        .join("&")
}
