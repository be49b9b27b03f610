//! The sign-in page and the sign-out button. Both are plain HTML forms
//! posting to `/login` and `/logout`, so they work with or without
//! JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::get_sign_in_info;
use crate::pages::ErrorMessage;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let info = Resource::new(|| (), |_| get_sign_in_info());
    let next = move || {
        query
            .read()
            .get("next")
            .filter(|next| is_local_path(next))
            .unwrap_or_default()
    };
    let email = move || query.read().get("email").unwrap_or_default();
    let problem = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "locked" => "Too many wrong passwords for this account from here. For your safety, sign-in from here is paused for 15 minutes; your school's Tether admin can lift it sooner.",
            "busy" => "Many wrong passwords have been tried for this account from other places just now, so Tether checks one attempt at a time from a new browser. Try again in a minute; on a browser you have signed in with before, this does not happen.",
            "expired" => "Your session ended. Please sign in again.",
            _ => "That email and password don't match an account here. Check them and try again.",
        })
    };
    let signed_out = move || query.read().get("signed_out").is_some();

    view! {
        <Title text="Sign in" />
        <section class="sign-in" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in to Tether"</h1>
            {move || signed_out().then(|| view! { <p class="notice" role="status">"You have signed out."</p> })}
            {move || problem().map(|text| view! { <p class="form-error" role="alert" id="sign-in-error">{text}</p> })}
            <form method="post" action=super::SIGN_IN class="stacked-form">
                <input type="hidden" name="next" value=next />
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required value=email />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <button type="submit" class="button primary">"Sign in"</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(info) => view! { <SignInHelp info /> }.into_any(),
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SignInHelp(info: super::server::SignInInfo) -> impl IntoView {
    let first_run = info.first_run.then(|| {
        view! {
            <section class="help" aria-labelledby="first-run-title">
                <h2 id="first-run-title">"No accounts yet"</h2>
                <p>"Create the first admin on the server's command line:"</p>
                <pre><code>"tether admin create --email you@school.example --name \"Your Name\" --school \"Your School\""</code></pre>
                <p>"It asks for a password. Then sign in here and add your staff."</p>
            </section>
        }
    });
    let demo = (!info.demo_accounts.is_empty()).then(|| {
        view! {
            <section class="help" aria-labelledby="demo-title">
                <h2 id="demo-title">"Demo accounts"</h2>
                <p>"This is a demo school with invented people. Sign in as:"</p>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Password"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {info
                            .demo_accounts
                            .into_iter()
                            .map(|account| {
                                view! {
                                    <tr>
                                        <td>{account.role.label()}</td>
                                        <td><code>{account.email}</code></td>
                                        <td><code>{account.password}</code></td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </section>
        }
    });
    view! { {first_run} {demo} }
}

/// Change your own password.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let query = use_query_map();
    let notice = move || {
        query
            .read()
            .get("notice")
            .is_some_and(|code| code == "changed")
    };
    let problem = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "mismatch" => "The two new passwords differ. Type the same password twice.",
            "current" => "Your current password was not right. Nothing was changed.",
            "locked" => "Too many wrong passwords: wait 15 minutes, or ask your school's Tether admin to unlock your sign-in. Nothing was changed.",
            "busy" => "Many wrong passwords have been tried for this account from other places just now, so Tether checks one attempt at a time from a new browser. Try again in a minute; on a browser you have signed in with before, this does not happen. Nothing was changed.",
            _ => crate::accounts::WEAK_PASSWORD,
        })
    };
    view! {
        <Title text="Change password" />
        <h1>"Change your password"</h1>
        {move || notice().then(|| view! { <p class="notice" role="status">"Your password has been changed."</p> })}
        {move || problem().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
        <form method="post" action=super::PASSWORD class="stacked-form">
            <label for="current-password">"Current password"</label>
            <input id="current-password" name="current" type="password" autocomplete="current-password" required />
            <label for="new-password">"New password (at least 10 characters)"</label>
            <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="10" />
            <label for="confirm-password">"New password again"</label>
            <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required minlength="10" />
            <button type="submit" class="button primary">"Change password"</button>
        </form>
    }
}

/// For people who work at several schools: choose the one to act for.
#[component]
pub fn SchoolSwitcher(schools: Vec<(i64, String)>, current: i64) -> impl IntoView {
    (schools.len() > 1).then(|| {
        view! {
            <form method="post" action=super::SCHOOL class="row-form school-switcher">
                <label for="school-switch" class="visually-hidden">"School"</label>
                <select id="school-switch" name="school_id">
                    {schools
                        .into_iter()
                        .map(|(id, name)| view! { <option value=id.to_string() selected=id == current>{name}</option> })
                        .collect_view()}
                </select>
                <button type="submit" class="button link">"Switch school"</button>
            </form>
        }
    })
}

/// A form that ends the session on the server.
#[component]
pub fn SignOutButton() -> impl IntoView {
    view! {
        <form method="post" action=super::SIGN_OUT class="sign-out">
            <button type="submit" class="button link">"Sign out"</button>
        </form>
    }
}

/// Only plain paths on this site are followed after sign-in (no open
/// redirect): one `/` first, and no backslash, whitespace or control
/// character anywhere, since browsers drop tabs and line breaks from a
/// `Location` (`/\t/evil.example` is read as `//evil.example`), read `\` as
/// `/`, and a line break or NUL cannot be put in a header at all.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_plain_paths_on_this_site_are_followed() {
        for path in [
            "/",
            "/mark?grade=9&page=2",
            "/take-ons/12#check-in",
            "/mark?q=Zo%C3%AB",
        ] {
            assert!(is_local_path(path), "{path:?}");
        }
        for path in [
            "",
            "mark",
            "//evil.example",
            "/\\evil.example",
            "/mark\\..\\x",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\x0b/evil.example",
            "/\x00",
            "/\u{7f}",
            "/\u{85}/evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/\u{2028}",
            "https://evil.example/",
            " /mark",
        ] {
            assert!(!is_local_path(path), "{path:?}");
        }
    }
}
