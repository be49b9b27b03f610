//! Pages: the unconnected list (`/unconnected`), choosing who takes a
//! student on (`/unconnected/:student/assign`), a take-on with its
//! check-ins (`/take-ons/:id`), follow-up for counselors (`/take-ons`), the
//! staff-meeting board (`/meeting`) and the home page's "students I'm
//! connecting with". Every change is a plain form post.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::server::{
    get_assign, get_follow_up, get_meeting_board, get_my_take_ons, get_take_on, get_unconnected,
};
use super::{
    AssignChoice, Board, Candidate, FollowUp, ListFilters, Sort, TakeOn, TakeOnBrief, TakeOnDetail,
    UnconnectedList, UnconnectedRow, View, PAGE_SIZE, STALE_DAYS, TWO_BY_TEN_DAYS,
};
use crate::format;
use crate::pages::ErrorMessage;
use crate::terms::Flash;

fn flash_view(flash: Option<Flash>) -> impl IntoView {
    flash.map(|flash| match flash {
        Flash::Done(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
        Flash::Problem(text) => view! { <p class="form-error" role="alert">{text}</p> }.into_any(),
    })
}

/// Runs `refetch` every `seconds` in the browser (figures that move while
/// staff mark).
fn refresh_every(refetch: impl Fn() + Clone + 'static, seconds: u64) {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) =
            set_interval_with_handle(refetch, std::time::Duration::from_secs(seconds))
        {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (refetch, seconds);
}

#[component]
pub fn UnconnectedPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let query = query.read();
        ListFilters::from_pairs(|key| query.get(key))
    });
    let list = Resource::new(move || filters.get(), get_unconnected);
    refresh_every(move || list.refetch(), 30);
    view! {
        <Title text="Unconnected students" />
        <h1>"Unconnected students"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(list) => view! { <ListView list /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListView(list: UnconnectedList) -> impl IntoView {
    let UnconnectedList {
        term_name,
        filters,
        rows,
        total,
        grades,
        homerooms,
        groups,
        flash,
    } = list;
    let Some(term_name) = term_name else {
        return view! { <p>"No term is current, so no one is marked yet. An admin can add or pin a term."</p> }.into_any();
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let tab = |view: View, label: &'static str| {
        let target = ListFilters {
            view,
            page: 1,
            ..filters.clone()
        };
        let current = filters.view == view;
        view! {
            <li>
                <a href=target.href() aria-current=current.then_some("page")>{label}</a>
            </li>
        }
    };
    let export = {
        let query = ListFilters {
            page: 1,
            ..filters.clone()
        }
        .to_query();
        if query.is_empty() {
            "/unconnected/export.csv".to_string()
        } else {
            format!("/unconnected/export.csv?{query}")
        }
    };
    let what = match filters.view {
        View::None => "with no strong connection",
        View::One => "with exactly one strong connection",
    };
    let page = filters.page;
    view! {
        {flash_view(flash)}
        <p class="lead">
            {format!("{term_name}: {} active students {what}", format::count(total))}
            {(filters.grade.is_some() || !filters.homeroom.is_empty() || !filters.group.is_empty())
                .then_some(" (filtered)")}
            ". The list updates as staff mark."
        </p>
        <nav aria-label="Which students" class="tabs">
            <ul>
                {tab(View::None, "No strong connection")}
                {tab(View::One, "Exactly one")}
            </ul>
        </nav>
        <form method="get" action="/unconnected" class="filters" role="search" aria-label="Filter the list">
            {(filters.view == View::One).then(|| view! { <input type="hidden" name="view" value="one" /> })}
            <div>
                <label for="f-grade">"Grade"</label>
                <select id="f-grade" name="grade">
                    <option value="" selected=filters.grade.is_none()>"All grades"</option>
                    {grades.into_iter().map(|g| view! {
                        <option value=g.to_string() selected=filters.grade == Some(g)>{format::grade(g)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="f-homeroom">"Homeroom"</label>
                <select id="f-homeroom" name="homeroom">
                    <option value="" selected=filters.homeroom.is_empty()>"All homerooms"</option>
                    {homerooms.into_iter().map(|h| {
                        let selected = filters.homeroom == h;
                        view! { <option value=h.clone() selected=selected>{h.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="f-group">"Group"</label>
                <select id="f-group" name="group">
                    <option value="" selected=filters.group.is_empty()>"All students"</option>
                    {groups.into_iter().map(|g| {
                        let selected = filters.group == g;
                        let label = g.replacen('=', ": ", 1);
                        view! { <option value=g selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="f-sort">"Sort"</label>
                <select id="f-sort" name="sort">
                    <option value="unknown" selected=filters.sort == Sort::Unknown>"No one knows them first"</option>
                    <option value="name" selected=filters.sort == Sort::Name>"Name"</option>
                    <option value="grade" selected=filters.sort == Sort::Grade>"Grade"</option>
                </select>
            </div>
            <button type="submit" class="button">"Apply"</button>
        </form>
        <p>
            <a href=export download="">"Download this list (CSV)"</a>
            " · "
            <A href="/take-ons">"Follow-up of take-ons"</A>
        </p>
        {if rows.is_empty() {
            view! { <p class="notice">"No students match: everyone here has someone."</p> }.into_any()
        } else {
            let back = filters.href();
            view! {
                <table class="unconnected">
                    <thead>
                        <tr>
                            <th scope="col">"Student"</th>
                            <th scope="col">"Grade"</th>
                            <th scope="col">"Homeroom"</th>
                            {(filters.view == View::One).then(|| view! { <th scope="col">"Strong connection"</th> })}
                            <th scope="col">"Known by"</th>
                            <th scope="col">"Concerns"</th>
                            <th scope="col">"Taken on"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! { <ListRow row one=filters.view == View::One back=back.clone() /> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pages of students">
                {(page > 1).then(|| view! { <a href=ListFilters { page: page - 1, ..filters.clone() }.href()>"← Previous page"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a href=ListFilters { page: page + 1, ..filters.clone() }.href()>"Next page →"</a> })}
            </nav>
        })}
    }
    .into_any()
}

fn take_on_text(take_ons: &[TakeOnBrief]) -> String {
    take_ons
        .iter()
        .map(|t| match t.status.as_str() {
            "connected" => format!("{} (connected)", t.staff_name),
            _ => t.staff_name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn ListRow(row: UnconnectedRow, one: bool, back: String) -> impl IntoView {
    let UnconnectedRow {
        student_id,
        name,
        grade,
        homeroom,
        strong_by,
        known_by,
        concerns,
        concern_reasons,
        take_ons,
    } = row;
    let nobody_knows = known_by.is_empty();
    view! {
        <tr id=format!("student-{student_id}")>
            <th scope="row">{name.clone()}</th>
            <td>{format::grade(grade)}</td>
            <td>{homeroom.unwrap_or_default()}</td>
            {one.then(|| view! { <td>{strong_by.unwrap_or_default()}</td> })}
            <td>
                {if nobody_knows {
                    view! { <strong>"No one yet"</strong> }.into_any()
                } else {
                    known_by.join(", ").into_any()
                }}
            </td>
            <td>
                {(concerns > 0).then(|| view! {
                    <span>{format!("⚑ {concerns}")}</span>
                    {(!concern_reasons.is_empty()).then(|| view! {
                        <ul class="reasons">
                            {concern_reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                        </ul>
                    })}
                })}
            </td>
            <td>
                {(!take_ons.is_empty()).then(|| view! { <p>{take_on_text(&take_ons)}</p> })}
                <form method="post" action="/take-ons/volunteer" class="inline">
                    <input type="hidden" name="student_id" value=student_id.to_string() />
                    <input type="hidden" name="back" value=back />
                    <button type="submit" class="button small">
                        "I'll connect"
                        <span class="visually-hidden">{format!(" with {name}")}</span>
                    </button>
                </form>
                <a href=format!("/unconnected/{student_id}/assign")>
                    "Assign…"
                    <span class="visually-hidden">{format!(" someone to {name}")}</span>
                </a>
            </td>
        </tr>
    }
}

#[component]
pub fn AssignPage() -> impl IntoView {
    let params = use_params_map();
    let student = move || {
        params
            .read()
            .get("student")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let choice = Resource::new(student, get_assign);
    view! {
        <Title text="Assign a student" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choice.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(choice) => view! { <AssignView choice /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AssignView(choice: AssignChoice) -> impl IntoView {
    let AssignChoice {
        student_id,
        student_name,
        grade,
        homeroom,
        cap,
        suggested,
        others,
        take_ons,
    } = choice;
    let option = move |c: Candidate| {
        let over = c.load >= cap;
        let mut label = format!("{} — {} of {cap} taken on", c.name, c.load);
        if !c.reasons.is_empty() {
            label.push_str(&format!(" ({})", c.reasons.join(", ")));
        }
        if over {
            label.push_str(" — at or over the limit");
        }
        view! { <option value=c.user_id.to_string()>{label}</option> }
    };
    let first = suggested.first().map(|c| c.user_id);
    view! {
        <h1>{format!("Who will connect with {student_name}?")}</h1>
        <p class="lead">
            {format!("Grade {}", format::grade(grade))}
            {homeroom.map(|h| format!(", homeroom {h}"))}
            "."
            {(!take_ons.is_empty()).then(|| format!(" Already taken on by: {}.", take_on_text(&take_ons)))}
        </p>
        <p class="hint">
            {format!("Suggested first: adults who already know {student_name}, teach them or are their homeroom teacher, with the fewest students taken on. The suggested limit is {cap} students per adult; you can go over it, and you will be told.")}
        </p>
        <form method="post" action="/take-ons/assign">
            <input type="hidden" name="student_id" value=student_id.to_string() />
            <label for="assign-staff">"Adult"</label>
            <select id="assign-staff" name="staff_id" required>
                {first.is_none().then(|| view! { <option value="">"Choose someone"</option> })}
                {(!suggested.is_empty()).then(|| view! {
                    <optgroup label="Suggested">
                        {suggested.into_iter().map(option).collect_view()}
                    </optgroup>
                })}
                <optgroup label="Everyone else">
                    {others.into_iter().map(option).collect_view()}
                </optgroup>
            </select>
            <button type="submit" class="button">"Assign"</button>
        </form>
        <p><A href="/unconnected">"Back to the list"</A></p>
    }
}

#[component]
pub fn TakeOnPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let detail = Resource::new(id, get_take_on);
    view! {
        <Title text="Connecting with a student" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(detail) => view! { <TakeOnView detail /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_text(take_on: &TakeOn) -> String {
    match take_on.status.as_str() {
        "connected" => "Connected: a strong connection is marked.".to_string(),
        "released" => format!(
            "Released{}",
            take_on
                .release_reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        _ => "Active".to_string(),
    }
}

#[component]
fn TakeOnView(detail: TakeOnDetail) -> impl IntoView {
    let TakeOnDetail {
        take_on,
        check_ins,
        is_mine,
        today,
        flash,
    } = detail;
    let id = take_on.id;
    let active = take_on.status == "active";
    // Check-ins go on after a connection is marked (the 2×10 practice).
    let can_log = is_mine && take_on.status != "released";
    view! {
        <h1>{format!("Connecting with {}", take_on.student_name)}</h1>
        {flash_view(flash)}
        <dl class="facts">
            <dt>"Adult"</dt>
            <dd>{take_on.staff_name.clone()}</dd>
            <dt>"Since"</dt>
            <dd>
                {format::day(&take_on.started_on)}
                {take_on.assigned_by.clone().map(|by| format!(" (assigned by {by})"))}
            </dd>
            <dt>"Status"</dt>
            <dd>{status_text(&take_on)}</dd>
            <dt>"2×10 check-ins"</dt>
            <dd>{format!("Day {} of {TWO_BY_TEN_DAYS}", take_on.check_in_days.min(99))}</dd>
        </dl>
        {can_log.then(|| view! {
            <section aria-labelledby="log-title">
                <h2 id="log-title">"Log a check-in"</h2>
                <p class="hint">"Two minutes of conversation about anything but school work, ten days in a row. Notes are seen only by you, counselors and admins."</p>
                <form method="post" action=format!("/take-ons/{id}/check-in")>
                    <label for="check-day">"Day"</label>
                    <input id="check-day" type="date" name="checked_on" value=today.clone() max=today.clone() required />
                    <label for="check-note">"Note (optional)"</label>
                    <textarea id="check-note" name="note" maxlength=crate::limits::CHECK_IN_NOTE rows="3"></textarea>
                    <button type="submit" class="button">"Log check-in"</button>
                </form>
            </section>
        })}
        <section aria-labelledby="history-title">
            <h2 id="history-title">"Check-ins"</h2>
            {if check_ins.is_empty() {
                view! { <p>"None yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="check-ins">
                        {check_ins.into_iter().map(|c| view! {
                            <li>
                                <strong>{format::day(&c.checked_on)}</strong>
                                {format!(" — {}", c.by)}
                                {c.note.map(|n| view! { <p>{n}</p> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        {active.then(|| view! {
            <details>
                <summary>"Release this student"</summary>
                <form method="post" action=format!("/take-ons/{id}/release")>
                    <label for="release-reason">"Why (so a counselor can find someone else)"</label>
                    <input id="release-reason" name="reason" maxlength=crate::limits::RELEASE_REASON required />
                    <button type="submit" class="button">"Release"</button>
                </form>
            </details>
        })}
        <p><A href="/">"Home"</A></p>
    }
}

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_follow_up());
    view! {
        <Title text="Take-ons" />
        <h1>"Take-ons"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(page) => view! { <FollowUpView page /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FollowUpView(page: FollowUp) -> impl IntoView {
    let FollowUp {
        take_ons,
        cap,
        meeting_names,
        is_admin,
        flash,
    } = page;
    let stale = take_ons
        .iter()
        .filter(|t| t.days_quiet >= STALE_DAYS)
        .count();
    view! {
        {flash_view(flash)}
        <p class="lead">
            {format!(
                "{} students are being taken on; {} have had no check-in for {STALE_DAYS} days or more.",
                format::count(take_ons.len() as i64),
                format::count(stale as i64)
            )}
        </p>
        <table>
            <thead>
                <tr>
                    <th scope="col">"Student"</th>
                    <th scope="col">"Adult"</th>
                    <th scope="col">"Since"</th>
                    <th scope="col">"Last check-in"</th>
                    <th scope="col" class="number">"Days without"</th>
                </tr>
            </thead>
            <tbody>
                {take_ons.into_iter().map(|t| {
                    let stale = t.days_quiet >= STALE_DAYS;
                    view! {
                        <tr class=if stale { "stale" } else { "" }>
                            <th scope="row"><a href=format!("/take-ons/{}", t.id)>{t.student_name}</a></th>
                            <td>{t.staff_name}</td>
                            <td>{format::day(&t.started_on)}</td>
                            <td>{t.last_check_in.map(|d| format::day(&d)).unwrap_or_else(|| "None yet".into())}</td>
                            <td class="number">
                                {stale.then_some("⚠ ")}
                                {t.days_quiet.to_string()}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {is_admin.then(|| view! {
            <section aria-labelledby="settings-title">
                <h2 id="settings-title">"Settings"</h2>
                <form method="post" action="/take-ons/settings">
                    <label for="cap">"Suggested limit of students per adult"</label>
                    <input id="cap" name="take_on_cap" type="number" min="1" max="50" value=cap.to_string() required />
                    <label class="check">
                        <input type="checkbox" name="meeting_names" value="1" checked=meeting_names />
                        " Show unconnected students' first names and last initials on the meeting board"
                    </label>
                    <button type="submit" class="button">"Save settings"</button>
                </form>
            </section>
        })}
    }
}

/// The home page's list of students the person is connecting with.
#[component]
pub fn MyTakeOns() -> impl IntoView {
    let mine = Resource::new(|| (), |_| get_my_take_ons());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let part = mine.await.unwrap_or_default();
                let mine = part.take_ons;
                view! {
                {flash_view(part.flash)}
                {(!mine.is_empty()).then(|| view! {
                    <section aria-labelledby="mine-title">
                        <h2 id="mine-title">"Students I'm connecting with"</h2>
                        <ul class="take-ons">
                            {mine.into_iter().map(|t| view! {
                                <li>
                                    <a href=format!("/take-ons/{}", t.id)>{t.student_name.clone()}</a>
                                    {format!(
                                        " — {}; check-ins: day {} of {TWO_BY_TEN_DAYS}",
                                        match &t.last_check_in {
                                            Some(_) if t.days_quiet == 0 => "checked in today".to_string(),
                                            Some(_) => format!("{} days since the last check-in", t.days_quiet),
                                            None => format!("no check-in yet ({} days since you took them on)", t.days_quiet),
                                        },
                                        t.check_in_days
                                    )}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| get_meeting_board());
    refresh_every(move || board.refetch(), 3);
    view! {
        <Title text="Staff meeting" />
        // Without JavaScript the page reloads itself instead.
        <noscript><meta http-equiv="refresh" content="15" /></noscript>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(board) => view! { <BoardView board /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BoardView(board: Board) -> impl IntoView {
    let percent = board.connected_percent();
    let connected = board.students - board.unconnected;
    view! {
        <div class="board">
            <h1>{board.term_name.clone().unwrap_or_else(|| "No current term".into())}</h1>
            <p class="board-count" aria-live="polite">
                <strong id="unconnected-count">{format::count(board.unconnected)}</strong>
                {if board.unconnected == 1 { " student has" } else { " students have" }}
                " no strong connection yet"
            </p>
            <div class="board-progress">
                <progress max=board.students.max(1).to_string() value=connected.to_string() aria-label="Students connected">
                    {format!("{percent:.0} %")}
                </progress>
                <p>{format!("{} of {} students connected — {percent:.0} % of the way to every student", format::count(connected), format::count(board.students))}</p>
            </div>
            {board.names.map(|grades| view! {
                <section aria-labelledby="names-title">
                    <h2 id="names-title">"Who could you connect with?"</h2>
                    {grades.into_iter().map(|(grade, names)| view! {
                        <h3>{format!("Grade {}", format::grade(grade))}</h3>
                        <p class="board-names">{names.join(" · ")}</p>
                    }).collect_view()}
                </section>
            })}
        </div>
    }
}
