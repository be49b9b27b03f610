//! The staff page (admins) and the page a one-time sign-in link opens.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::server::{get_link_holder, get_staff, get_staff_import};
use super::{LinkView, StaffMember, StaffOverview};
use crate::accounts::Role;
use crate::pages::ErrorMessage;

#[component]
pub fn StaffPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let overview = Resource::new(search, get_staff);
    let notice = move || {
        query.read().get("notice").and_then(|code| {
            Some(match code.as_str() {
                "added" => "Added. Issue them a sign-in link so they can set a password.",
                "role" => "Role changed.",
                "deactivated" => {
                    "Deactivated. They can no longer sign in; their marks and history stay."
                }
                "reactivated" => "Reactivated. They can sign in again.",
                "invited" => "This person already has a Tether account at another school, so they keep it: their name and password stay theirs. Issue them a join link; once they open it and sign in with their own password, they are on this school's staff.",
                "imported" => "The people in the file have been added. Issue each a sign-in link.",
                "imported_invited" => "The people in the file have been added. Some already have a Tether account at another school: they are invited (marked “Invited” below) and accept with a join link and their own password. Issue each person a link.",
                "unlocked" => "Sign-in unlocked. They can try their password again.",
                "cancelled" => "Nothing was added from the file.",
                _ => return None,
            })
        })
    };
    let problem = move || {
        query.read().get("error").and_then(|code| {
            Some(match code.as_str() {
                "email" => "That is not an email address. Check it and try again.",
                "name" => "Enter the person's name.",
                "long" => "That name is too long (at most 100 characters). Shorten it.",
                "shared" => "This person also works at another school, so their account is not this school's alone: only they can change its password (at Account › Password). If they have forgotten it, the server's operator can make them a link with “tether admin link”.",
                "self" => {
                    "You cannot change your own role or deactivate yourself. Ask another admin."
                }
                "notfound" => "That person is not on this school's staff.",
                _ => return None,
            })
        })
    };
    view! {
        <Title text="Staff" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    // Nothing of the page shows to someone it is not for.
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(overview) => view! {
                        <h1>"Staff"</h1>
                        {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
                        {move || problem().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
                        <form method="get" action="/admin/staff" class="inline-form" role="search">
                            <label for="staff-search">"Search staff"</label>
                            <input id="staff-search" name="q" type="search" value=search />
                            <button type="submit" class="button">"Search"</button>
                        </form>
                        <StaffTable overview />
                        <AddPerson />
                    }
                        .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AddPerson() -> impl IntoView {
    view! {
        <section aria-labelledby="add-title">
            <h2 id="add-title">"Add a person"</h2>
            <form method="post" action="/admin/staff/add" class="stacked-form">
                <label for="add-name">"Name"</label>
                <input id="add-name" name="name" required autocomplete="off" maxlength=crate::limits::NAME />
                <label for="add-email">"Email"</label>
                <input id="add-email" name="email" type="email" required autocomplete="off" maxlength=crate::limits::EMAIL />
                <label for="add-role">"Role"</label>
                <RoleSelect id="add-role".to_string() selected=Role::Staff />
                <button type="submit" class="button primary">"Add"</button>
            </form>
        </section>
        <section aria-labelledby="add-many-title">
            <h2 id="add-many-title">"Add many from a CSV file"</h2>
            <p>
                "A spreadsheet saved as CSV, with a first line naming the columns "
                <code>"email"</code> ", " <code>"name"</code> " and (optionally) " <code>"role"</code>
                " (staff, counselor or admin). You will see what it adds, and every problem, before anything changes."
            </p>
            <form method="post" action="/admin/staff/import" enctype="multipart/form-data" class="stacked-form">
                <label for="staff-file">"CSV file"</label>
                <input id="staff-file" name="file" type="file" accept=".csv,text/csv" required />
                <button type="submit" class="button">"Preview"</button>
            </form>
        </section>
    }
}

/// The preview of a staff file: who would be added, and every problem.
#[component]
pub fn StaffImportPage() -> impl IntoView {
    let preview = Resource::new(|| (), |_| get_staff_import());
    view! {
        <Title text="Add staff from a file" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(None) => view! {
                        <h1>"Add staff from a file"</h1>
                        <p>"No file is waiting. Choose one on the " <a href="/admin/staff">"staff page"</a> "."</p>
                    }
                        .into_any(),
                    Ok(Some(import)) => view! {
                        <h1>{format!("Add staff from {}", import.file_name)}</h1>
                        <p>{format!("{} people will be added. {} lines will not.", import.people.len(), import.problems.len())}</p>
                        {(!import.problems.is_empty()).then(|| view! {
                            <h2>"Lines that will not be added"</h2>
                            <table>
                                <thead><tr><th scope="col">"Line"</th><th scope="col">"Problem"</th></tr></thead>
                                <tbody>
                                    {import.problems.iter().map(|p| view! {
                                        <tr><td>{p.line}</td><td>{p.message.clone()}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                        {(!import.people.is_empty()).then(|| view! {
                            <h2>"People who will be added"</h2>
                            <table>
                                <thead><tr><th scope="col">"Line"</th><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th></tr></thead>
                                <tbody>
                                    {import.people.iter().map(|p| view! {
                                        <tr><td>{p.line}</td><td>{p.name.clone()}</td><td>{p.email.clone()}</td><td>{p.role.label()}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                        <div class="inline-form">
                            {(!import.people.is_empty()).then(|| view! {
                                <form method="post" action="/admin/staff/import/confirm">
                                    <button type="submit" class="button primary">{format!("Add {} people", import.people.len())}</button>
                                </form>
                            })}
                            <form method="post" action="/admin/staff/import/cancel">
                                <button type="submit" class="button">"Cancel"</button>
                            </form>
                        </div>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StaffTable(overview: StaffOverview) -> impl IntoView {
    let StaffOverview {
        staff,
        issued_link,
        me,
    } = overview;
    let count = staff.len();
    view! {
        {issued_link.map(|link| view! {
            <section class="notice" role="status" aria-labelledby="link-title">
                <h2 id="link-title">{format!("Sign-in link for {}", link.name)}</h2>
                <p>"Give this link to them in person or by school email. It works once, within 72 hours:"</p>
                <p><code class="issued-link">{link.path}</code></p>
            </section>
        })}
        <p>{format!("{count} people")}</p>
        <div class="table-scroll">
            <table class="staff-table">
                <caption class="visually-hidden">"Staff, with role and status"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Sign-in"</th>
                    </tr>
                </thead>
                <tbody>
                    {staff
                        .into_iter()
                        .map(|person| {
                            let is_me = person.user_id == me;
                            view! { <StaffRow person is_me /> }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn StaffRow(person: StaffMember, is_me: bool) -> impl IntoView {
    let id = person.user_id;
    let role_id = format!("role-{id}");
    let name = person.name.clone();
    view! {
        <tr>
            <th scope="row">
                {person.name.clone()}
                {person.title.clone().map(|title| view! { <span class="figure-detail">{title}</span> })}
            </th>
            <td>{person.email.clone()}</td>
            <td>
                {if is_me {
                    view! { <span>{person.role.label()} " (you)"</span> }.into_any()
                } else {
                    view! {
                        <form method="post" action=format!("/admin/staff/{id}/role") class="row-form">
                            <label for=role_id.clone() class="visually-hidden">{format!("Role of {name}")}</label>
                            <RoleSelect id=role_id.clone() selected=person.role />
                            <button type="submit" class="button small" aria-label=format!("Save role of {name}")>"Save"</button>
                        </form>
                    }
                        .into_any()
                }}
            </td>
            <td>
                {if person.pending {
                    "Invited: waits for them to accept with a join link"
                } else if person.is_active {
                    "Active"
                } else {
                    "Deactivated"
                }}
                {(!is_me && !person.pending).then(|| {
                    let (value, label) = if person.is_active { ("0", "Deactivate") } else { ("1", "Reactivate") };
                    view! {
                        <form method="post" action=format!("/admin/staff/{id}/active") class="row-form">
                            <input type="hidden" name="active" value=value />
                            <button type="submit" class="button small" aria-label=format!("{label} {}", person.name)>{label}</button>
                        </form>
                    }
                })}
            </td>
            <td>
                {if person.pending && !person.has_password {
                    "Their account, made by another school, has no password yet: the server's operator can make them a link (tether admin link), then they accept with the join link"
                } else if person.pending {
                    "Has their own account"
                } else if person.elsewhere {
                    "Also at another school: keeps their own password"
                } else if person.has_password {
                    "Password set"
                } else {
                    "No password yet"
                }}
                {(!person.locks.is_empty()).then(|| view! {
                    <span class="figure-detail">{format!("Locked after wrong passwords: {}", person.locks.join("; "))}</span>
                    <form method="post" action=format!("/admin/staff/{id}/unlock") class="row-form">
                        <button type="submit" class="button small" aria-label=format!("Unlock sign-in for {}", person.name)>"Unlock"</button>
                    </form>
                })}
                {(person.pending || (person.is_active && !person.elsewhere)).then(|| {
                    let (label, spoken) = if person.pending {
                        ("Issue join link", "Issue a join link")
                    } else {
                        ("Issue sign-in link", "Issue a sign-in link")
                    };
                    view! {
                        <form method="post" action=format!("/admin/staff/{id}/link") class="row-form">
                            <button type="submit" class="button small" aria-label=format!("{spoken} for {}", person.name)>
                                {label}
                            </button>
                        </form>
                    }
                })}
            </td>
        </tr>
    }
}

#[component]
fn RoleSelect(id: String, selected: Role) -> impl IntoView {
    view! {
        <select id=id name="role">
            {Role::ALL
                .into_iter()
                .map(|role| view! { <option value=role.as_str() selected=role == selected>{role.label()}</option> })
                .collect_view()}
        </select>
    }
}

/// Where a one-time link leads: set a password, then you're in; or, for
/// a join link, sign in with your own password to accept a school.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let holder = Resource::new(token, get_link_holder);
    let problem = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "mismatch" => "The two passwords differ. Type the same password twice.",
            "password" => "That is not the password of this account. Try again.",
            "locked" => "Too many wrong passwords from here: wait 15 minutes, or ask your school's Tether admin to unlock your sign-in.",
            "busy" => "Many wrong passwords have been tried for this account from other places just now, so Tether checks one attempt at a time from a new browser. Try again in a minute; on a browser you have signed in with before, this does not happen.",
            _ => crate::accounts::WEAK_PASSWORD,
        })
    };
    view! {
        <Title text="Welcome to Tether" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match holder.await {
                    Ok(LinkView { joins: Some(school), has_password: false, name, .. }) => view! {
                        <h1>{format!("{school} has added you, {name}")}</h1>
                        <p>"You already have a Tether account from another school, but it has no password yet. Set it up first with the sign-in link from that school's Tether admin, then open this link again."</p>
                    }
                        .into_any(),
                    Ok(LinkView { joins: Some(school), name, email, .. }) => view! {
                        <h1>{format!("{school} has added you, {name}")}</h1>
                        <p>{format!("You already have a Tether account ({email}). Sign in with its password to join {school}'s staff; your account, name and password stay as they are.")}</p>
                        {move || problem().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
                        <form method="post" action="/welcome" class="stacked-form">
                            <input type="hidden" name="token" value=token />
                            <label for="own-password">"Your Tether password"</label>
                            <input id="own-password" name="password" type="password" autocomplete="current-password" required />
                            <button type="submit" class="button primary">{format!("Join {school}")}</button>
                        </form>
                    }
                        .into_any(),
                    Ok(link) => view! {
                        <h1>{format!("Welcome, {}", link.name)}</h1>
                        <p>"Choose a password for Tether: at least 10 characters. A few unrelated words work well."</p>
                        {move || problem().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
                        <form method="post" action="/welcome" class="stacked-form">
                            <input type="hidden" name="token" value=token />
                            <label for="new-password">"New password"</label>
                            <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="10" />
                            <label for="confirm-password">"Same password again"</label>
                            <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required minlength="10" />
                            <button type="submit" class="button primary">"Set password and sign in"</button>
                        </form>
                    }
                        .into_any(),
                    Err(error) => view! {
                        <h1>"This link can't be used"</h1>
                        <p class="form-error" role="alert">{error.to_string()}</p>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
    }
}
