//! The "Mark connections" page. Server-rendered and complete without
//! JavaScript (every control is a form post that comes back to the row);
//! with JavaScript, marks apply at once and are saved in the background by
//! the queue in `queue.rs`.

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::queue::{Queue, RowSignals, Status};
use super::server::{get_mark_list, get_mark_setup, save_concern};
use super::{Level, MarkFilters, MarkList, MarkSetup, Progress, Show, StudentRow};
use crate::format;
use crate::pages::ErrorMessage;

#[component]
pub fn MarkPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let query = query.read();
        MarkFilters::from_pairs(|key| query.get(key))
    });
    let setup = Resource::new(|| (), |_| get_mark_setup());
    let list = Resource::new(move || filters.get(), get_mark_list);
    let queue = Queue::provide();
    view! {
        <Title text="Mark connections" />
        <h1>"Mark connections"</h1>
        // Announcements for screen readers; present from the start so
        // that changes to it are read out.
        <p class="visually-hidden" role="status" aria-live="polite">{move || queue.announcement()}</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(setup) if setup.term.is_none() => view! {
                        <p class="form-error" role="alert">
                            "No term is open for marking, so marks cannot be saved yet. Ask your school's Tether admin to add a term that contains today."
                        </p>
                    }
                        .into_any(),
                    Ok(setup) => view! { <Workspace setup filters list /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Workspace(
    setup: MarkSetup,
    filters: Memo<MarkFilters>,
    list: Resource<Result<MarkList, crate::AppError>>,
) -> impl IntoView {
    let queue = expect_context::<Queue>();
    let key = setup.queue_key.clone();
    // In the browser only: resume marks left unsent by an earlier visit,
    // and send again as soon as the network is back.
    Effect::new(move |_| queue.start(key.clone()));
    let term = setup.term.clone().expect("checked by the caller");
    let previous = setup.previous_term.clone();
    view! {
        <p class="lead">
            {format!("Term: {} ({} – {}). ", term.name, format::day(&term.starts_on), format::day(&term.ends_on))}
            "Mark each student you have a "<strong>"strong connection"</strong>
            " with — they would come to you if they had a problem — and those you "
            <strong>"know"</strong>" (name, face and something about them)."
            {previous.map(|name| format!(" Your marks from {name} are shown as hints; keep one with a single click."))}
        </p>
        <FilterForm setup=setup.clone() filters />
        <details class="shortcuts">
            <summary>"Keyboard shortcuts"</summary>
            <ul>
                <li><kbd>"Tab"</kbd>" moves between controls."</li>
                <li><kbd>"↑"</kbd>" and "<kbd>"↓"</kbd>" move to the same control for the previous or next student."</li>
                <li>"On a student's row: "<kbd>"S"</kbd>" strong connection, "<kbd>"K"</kbd>" knows them, "<kbd>"N"</kbd>" no mark."</li>
            </ul>
        </details>
        <Transition fallback=|| view! { <p>"Loading students…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(list) => view! {
                        <StudentTable
                            list
                            filters=filters.get_untracked()
                            sees_concerns=setup.sees_concerns
                        />
                    }
                        .into_any(),
                }
            })}
        </Transition>
    }
}

/// Search and filters: a plain GET form, which with JavaScript updates the
/// list as the person types.
#[component]
fn FilterForm(setup: MarkSetup, filters: Memo<MarkFilters>) -> impl IntoView {
    let initial = filters.get_untracked();
    let q = RwSignal::new(initial.q.clone());
    let grade = RwSignal::new(initial.grade.map(|g| g.to_string()).unwrap_or_default());
    let homeroom = RwSignal::new(initial.homeroom.clone());
    let show = RwSignal::new(initial.show.as_str().to_string());
    let navigate = use_navigate();
    let go = move || {
        let wanted = MarkFilters::from_pairs(|key| {
            Some(match key {
                "q" => q.get_untracked(),
                "grade" => grade.get_untracked(),
                "homeroom" => homeroom.get_untracked(),
                "show" => show.get_untracked(),
                _ => return None,
            })
        });
        navigate(
            &wanted.href(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let typed = StoredValue::new(0u32);
    let on_search = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            q.set(event_target_value(&ev));
            // Wait for a pause in typing before asking the server.
            typed.update_value(|n| *n += 1);
            let at = typed.get_value();
            let go = go.clone();
            set_timeout(
                move || {
                    if typed.try_get_value() == Some(at) {
                        go();
                    }
                },
                std::time::Duration::from_millis(250),
            );
        }
    };
    let on_change = {
        let go = go.clone();
        move |signal: RwSignal<String>| {
            let go = go.clone();
            move |ev: leptos::ev::Event| {
                signal.set(event_target_value(&ev));
                go();
            }
        }
    };
    view! {
        <form method="get" action="/mark" class="filters" role="search" on:submit=move |ev| {
            ev.prevent_default();
            go();
        }>
            <div>
                <label for="mark-search">"Search students"</label>
                <input id="mark-search" name="q" type="search" autocomplete="off"
                    placeholder="Name or student ID" value=initial.q.clone() on:input=on_search />
            </div>
            <div>
                <label for="mark-grade">"Grade"</label>
                <select id="mark-grade" name="grade" on:change=on_change(grade)>
                    <option value="" selected=initial.grade.is_none()>"All grades"</option>
                    {setup.grades.iter().map(|g| view! {
                        <option value=g.to_string() selected=initial.grade == Some(*g)>{format!("Grade {}", format::grade(*g))}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="mark-homeroom">"Homeroom"</label>
                <select id="mark-homeroom" name="homeroom" on:change=on_change(homeroom)>
                    <option value="" selected=initial.homeroom.is_empty()>"All homerooms"</option>
                    {setup.homerooms.iter().map(|h| view! {
                        <option value=h.clone() selected=initial.homeroom == *h>{h.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="mark-show">"Show"</label>
                <select id="mark-show" name="show" on:change=on_change(show)>
                    {Show::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=initial.show == s>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button">"Apply"</button>
        </form>
    }
}

#[component]
fn StudentTable(list: MarkList, filters: MarkFilters, sees_concerns: bool) -> impl IntoView {
    let queue = expect_context::<Queue>();
    let progress = RwSignal::new(list.progress);
    queue.show_progress(progress);
    let back = filters.to_query();
    let first = (list.page as i64 - 1) * super::PAGE_SIZE as i64 + 1;
    let last = first + list.rows.len() as i64 - 1;
    let summary = if list.total == 0 {
        "No students match. Clear the search or choose other filters.".to_string()
    } else {
        format!(
            "Showing {}–{} of {} students.",
            format::count(first),
            format::count(last),
            format::count(list.total)
        )
    };
    let saved = list.saved.clone();
    let notice = saved.as_ref().map(|note| {
        let what = mark_text(note.mine).1;
        if note.shown {
            format!("Saved for {}: {what}.", note.name)
        } else {
            format!(
                "Saved for {}: {what}. They no longer match this list's filters, so they are not shown here.",
                note.name
            )
        }
    });
    view! {
        <ProgressLine progress />
        {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <p class="list-summary">{summary}</p>
        {(!list.rows.is_empty()).then(|| view! {
            <table class="mark-table" on:keydown=on_table_key>
                <caption class="visually-hidden">"Students and your marks"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Student"</th>
                        <th scope="col">"Grade"</th>
                        <th scope="col">"Homeroom"</th>
                        <th scope="col">"Strong connections"</th>
                        <th scope="col">"Your mark"</th>
                        <th scope="col">"Concern"</th>
                    </tr>
                </thead>
                <tbody>
                    {list.rows.into_iter().map(|row| {
                        let just_saved = saved.as_ref().is_some_and(|note| note.id == row.id);
                        view! { <StudentRowView row back=back.clone() just_saved sees_concerns /> }
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <Pager filters page=list.page pages=list.pages />
    }
}

/// "You have marked …; the school …" — updated by every saved mark.
#[component]
fn ProgressLine(progress: RwSignal<Progress>) -> impl IntoView {
    view! {
        <p class="progress-line">
            {move || {
                let p = progress.get();
                let percent = if p.active > 0 { p.connected * 100 / p.active } else { 0 };
                format!(
                    "You have marked {} {} ({} strong). School: {} of {} students ({percent}%) have a strong connection this term.",
                    format::count(p.marked),
                    if p.marked == 1 { "student" } else { "students" },
                    format::count(p.strong),
                    format::count(p.connected),
                    format::count(p.active),
                )
            }}
        </p>
    }
}

#[component]
fn Pager(filters: MarkFilters, page: u32, pages: u32) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages of students">
                {(page > 1).then(|| view! { <A href=filters.with_page(page - 1).href()>"← Previous page"</A> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <A href=filters.with_page(page + 1).href()>"Next page →"</A> })}
            </nav>
        }
    })
}

fn mark_text(level: Option<Level>) -> (&'static str, &'static str) {
    match level {
        Some(Level::Strong) => ("★", "Strong"),
        Some(Level::Knows) => ("●", "Knows"),
        None => ("○", "No mark"),
    }
}

#[component]
fn StudentRowView(
    row: StudentRow,
    back: String,
    just_saved: bool,
    sees_concerns: bool,
) -> impl IntoView {
    let queue = expect_context::<Queue>();
    let signals = RowSignals::new(&row, just_saved);
    queue.register(row.id, signals);
    let id = row.id;
    let name = row.name.clone();
    let button_name = row.name.clone();
    let choice_button = move |choice: Option<Level>| {
        let (icon, text) = mark_text(choice);
        let described = match choice {
            Some(level) => format!(" — {} with {}", level.label().to_lowercase(), button_name),
            None => format!(" for {}", button_name),
        };
        view! {
            <button type="submit" name="level" value=super::choice_str(choice)
                class="mark-choice" data-level=super::choice_str(choice)
                aria-pressed=move || if signals.level.get() == choice { "true" } else { "false" }
                on:click=move |ev: MouseEvent| {
                    ev.prevent_default();
                    queue.mark(id, choice);
                }>
                <span aria-hidden="true">{icon}" "</span>{text}
                <span class="visually-hidden">{described}</span>
            </button>
        }
    };
    let last_term = row.last_term;
    let keep_name = row.name.clone();
    let volunteer_name = row.name.clone();
    let strong = signals.strong;
    view! {
        <tr id=format!("student-{id}") data-student=id.to_string()>
            <th scope="row">
                <span class="student-name">{row.name.clone()}</span>
                <span class="sis-id">{format!("ID {}", row.sis_id)}</span>
            </th>
            <td>{format::grade(row.grade)}</td>
            <td>{row.homeroom.clone().unwrap_or_default()}</td>
            <td class="strong-count">
                {move || match strong.get() {
                    0 => view! { <span class="nobody"><span aria-hidden="true">"⚠ "</span>"0 — no one yet"</span> }.into_any(),
                    n => view! { <span>{n}</span> }.into_any(),
                }}
                <Show when=move || strong.get() == 0>
                    <form method="post" action="/take-ons/volunteer" class="volunteer">
                        <input type="hidden" name="student_id" value=id.to_string() />
                        <button type="submit" class="link-button">
                            "I'll connect"
                            <span class="visually-hidden">{format!(" with {volunteer_name}")}</span>
                        </button>
                    </form>
                </Show>
            </td>
            <td class="my-mark">
                <form method="post" action=super::MARK_PATH class="mark-form">
                    <input type="hidden" name="student_id" value=id.to_string() />
                    <input type="hidden" name="back" value=back.clone() />
                    <div class="mark-choices" role="group" aria-label=format!("Your mark for {}", row.name)>
                        {choice_button(Some(Level::Strong))}
                        {choice_button(Some(Level::Knows))}
                        {choice_button(None)}
                    </div>
                    {last_term.map(|level| {
                        view! {
                            <Show when=move || signals.level.get().is_none()>
                                <p class="hint last-term">
                                    {format!("Last term: {}. ", level.label())}
                                    <button type="submit" name="level" value=level.as_str() class="link-button"
                                        on:click=move |ev: MouseEvent| {
                                            ev.prevent_default();
                                            queue.mark(id, Some(level));
                                        }>
                                        "Keep it"
                                        <span class="visually-hidden">{format!(" for {keep_name}")}</span>
                                    </button>
                                </p>
                            </Show>
                        }
                    })}
                </form>
                <span class=move || signals.status.get().class()>{move || signals.status.get().text()}</span>
            </td>
            <td class="concern">
                <ConcernControl student_id=id name back my_concern=row.my_concern />
                {(sees_concerns && row.other_concerns > 0).then(|| view! {
                    <span class="others-concerns">
                        <span aria-hidden="true">"⚑ "</span>
                        {format!("{} from other staff", row.other_concerns)}
                    </span>
                })}
            </td>
        </tr>
    }
}

/// The private concern flag: a disclosure with an optional reason. Only
/// the person who raised it, counselors and admins ever see it.
#[component]
fn ConcernControl(
    student_id: i64,
    name: String,
    back: String,
    my_concern: Option<String>,
) -> impl IntoView {
    let raised = RwSignal::new(my_concern.is_some());
    let reason = RwSignal::new(my_concern.unwrap_or_default());
    let message = RwSignal::new(String::new());
    let queue = expect_context::<Queue>();
    let label_name = name.clone();
    let send = move |raise: bool| {
        let who = name.clone();
        move |ev: MouseEvent| {
            ev.prevent_default();
            message.set("Saving…".into());
            let who = who.clone();
            leptos::task::spawn_local(async move {
                match save_concern(student_id, raise, reason.get_untracked()).await {
                    Ok(open) => {
                        let text = if open.is_some() {
                            format!("Concern about {who} saved. Only counselors and admins see it.")
                        } else {
                            format!("Concern about {who} withdrawn.")
                        };
                        raised.try_set(open.is_some());
                        message.try_set("Saved".into());
                        queue.announce(text);
                    }
                    Err(error) => {
                        message.try_set(format!("Not saved: {error}"));
                        queue.announce(format!("Concern about {who} not saved: {error}"));
                    }
                }
            });
        }
    };
    let reason_id = format!("concern-reason-{student_id}");
    let raise = send(true);
    let withdraw = send(false);
    view! {
        <details class="concern-control">
            <summary>
                {move || if raised.get() {
                    view! { <span class="concern-raised"><span aria-hidden="true">"⚑ "</span>"Concern raised"</span> }.into_any()
                } else {
                    view! { <span>"Raise a concern"</span> }.into_any()
                }}
                <span class="visually-hidden">{format!(" about {label_name}")}</span>
            </summary>
            <form method="post" action=super::CONCERN_PATH class="stacked-form">
                <input type="hidden" name="student_id" value=student_id.to_string() />
                <input type="hidden" name="back" value=back />
                <label for=reason_id.clone()>"Reason (optional, private)"</label>
                <input id=reason_id name="reason" maxlength=crate::limits::CONCERN_REASON autocomplete="off"
                    value=reason.get_untracked() on:input=move |ev| reason.set(event_target_value(&ev)) />
                <p class="hint">"Only counselors and admins see concerns; other staff never do."</p>
                <button type="submit" name="action" value="raise" class="button" on:click=raise>
                    {move || if raised.get() { "Save reason" } else { "Raise concern" }}
                </button>
                <Show when=move || raised.get()>
                    <button type="submit" name="action" value="withdraw" class="button" on:click=withdraw.clone()>
                        "Withdraw concern"
                    </button>
                </Show>
                <span class="row-status concern-status" aria-live="polite">{move || message.get()}</span>
            </form>
        </details>
    }
}

/// Arrow keys move between students; S, K and N set the mark of the
/// focused student's row. Only when a button of the table has focus, so
/// typing a concern's reason never marks anyone.
fn on_table_key(ev: KeyboardEvent) {
    if ev.ctrl_key() || ev.alt_key() || ev.meta_key() {
        return;
    }
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    else {
        return;
    };
    // Only on the mark buttons: never while typing, nor on a concern's
    // buttons.
    if target.tag_name() != "BUTTON" || !target.has_attribute("data-level") {
        return;
    }
    let Ok(Some(row)) = target.closest("tr[data-student]") else {
        return;
    };
    let focus_in = |row: &leptos::web_sys::Element, selector: &str| {
        if let Ok(Some(element)) = row.query_selector(selector) {
            if let Ok(element) = element.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = element.focus();
                return true;
            }
        }
        false
    };
    let press = |level: &str| {
        if let Ok(Some(button)) = row.query_selector(&format!("button[data-level='{level}']")) {
            if let Ok(button) = button.dyn_into::<leptos::web_sys::HtmlElement>() {
                button.click();
                let _ = button.focus();
            }
        }
    };
    match ev.key().as_str() {
        "ArrowDown" | "ArrowUp" => {
            let next = if ev.key() == "ArrowDown" {
                row.next_element_sibling()
            } else {
                row.previous_element_sibling()
            };
            if let Some(next) = next {
                let selector = target
                    .get_attribute("data-level")
                    .map(|level| format!("button[data-level='{level}']"))
                    .unwrap_or_default();
                if focus_in(&next, &selector) {
                    ev.prevent_default();
                }
            }
        }
        "s" | "S" => press("strong"),
        "k" | "K" => press("knows"),
        "n" | "N" => press("none"),
        _ => {}
    }
}

impl Status {
    fn text(&self) -> String {
        match self {
            Status::Idle => String::new(),
            Status::Saving => "Saving…".into(),
            Status::Saved => "✓ Saved".into(),
            Status::Waiting(text) | Status::Failed(text) => text.clone(),
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Status::Waiting(_) => "row-status waiting",
            Status::Failed(_) => "row-status failed",
            _ => "row-status",
        }
    }
}
