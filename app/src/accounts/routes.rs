//! Sign-in and sign-out routes, one's own password and the school one acts
//! for (plain form posts, so they work without JavaScript), and the client's
//! address and known-device cookie that sign-in limits go by.

use std::net::{IpAddr, SocketAddr};

use crate::accounts::throttle::Client;
use crate::accounts::{authenticate, gate, is_local_path, SignInFailure};
use crate::audit::db::{record, record_for_account, Event};
use crate::http::Staff;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Form;
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let devices = known_devices(&headers, state.secure_cookies);
    let client = Client {
        address: address.as_deref(),
        devices: &devices,
    };
    let outcome = authenticate(
        &state.db,
        &state.throttle,
        &form.email,
        &form.password,
        client,
    )
    .await;
    let next = if is_local_path(&form.next) {
        form.next.clone()
    } else {
        "/".to_string()
    };
    match outcome {
        Ok(Ok(signed_in)) => {
            let member = &signed_in.memberships[0];
            match gate::start_session(
                &session,
                member.user_id,
                member.school_id,
                signed_in.epoch,
                crate::clock::now(),
            )
            .await
            {
                Ok(()) => (
                    [(
                        header::SET_COOKIE,
                        device_cookie(&signed_in.device, state.secure_cookies),
                    )],
                    Redirect::to(&next),
                )
                    .into_response(),
                Err(error) => error.into_response(),
            }
        }
        Ok(Err(failure)) => {
            let code = match failure {
                SignInFailure::Invalid => "invalid",
                SignInFailure::Locked => "locked",
                SignInFailure::Busy => "busy",
            };
            let query = [
                ("error", code),
                ("email", form.email.trim()),
                ("next", next.as_str()),
            ];
            let query = serde_urlencoded::to_string(query).unwrap_or_default();
            Redirect::to(&format!("/login?{query}")).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// The cookie that makes a browser a known device of the accounts that
/// signed in with it, so that guesses from elsewhere (even from the same
/// address) cannot lock it out; see `crate::accounts::throttle`. With secure
/// cookies its name has the `__Host-` prefix, which browsers accept only
/// from this host over https, so a sibling host cannot plant one.
fn device_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tether_device"
    } else {
        "tether_device"
    }
}

/// The known-device tokens the browser sent (every one: a planted cookie
/// must not hide the real one).
pub fn known_devices(headers: &HeaderMap, secure: bool) -> Vec<String> {
    let name = device_cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
        .map(str::to_string)
        .collect()
}

fn device_cookie(token: &str, secure: bool) -> String {
    let name = device_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}")
}

/// The client's IP address when the server knows it (it does when served
/// with connect info; in-process tests have none). Behind a trusted
/// reverse proxy it is the one the proxy names in `X-Forwarded-For`.
pub struct ClientAddr(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        Ok(ClientAddr(
            client_address(peer, &forwarded, &state.trusted_proxies).map(|ip| ip.to_string()),
        ))
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy;
/// then the nearest address in `X-Forwarded-For` (read from the right, as
/// each proxy appends the address it saw) that is not itself a trusted
/// proxy. Anything a client wrote further left could be forged.
fn client_address(peer: Option<IpAddr>, forwarded: &[&str], trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut nearest = peer;
    for entry in forwarded.iter().rev().flat_map(|value| value.rsplit(',')) {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => nearest = ip,
            Ok(ip) => return Some(ip),
            // A malformed entry: nothing further left can be trusted.
            Err(_) => break,
        }
    }
    Some(nearest)
}

pub async fn sign_out(State(state): State<AppState>, session: Session) -> Response {
    if let Ok(member) = gate::member_from_session(&session, &state.db, crate::clock::now()).await {
        let event = Event::by(&member, "sign_out", None);
        if let Err(error) = record(&state.db, event, crate::clock::now()).await {
            return error.into_response();
        }
    }
    match gate::end_session(&session).await {
        Ok(()) => Redirect::to("/login?signed_out=1").into_response(),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

/// Anyone signed in changes their own password, proving they know the
/// current one.
pub async fn change_password(
    Staff(member): Staff,
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> Response {
    let devices = known_devices(&headers, state.secure_cookies);
    let back = |query: &str| Redirect::to(&format!("/account/password?{query}")).into_response();
    if form.password != form.confirm {
        return back("error=mismatch");
    }
    if crate::accounts::password::check_new(&form.password, &member.email, &member.name).is_err() {
        return back("error=weak");
    }
    let outcome = async {
        // Someone at a Chromebook left signed in must not be able to guess
        // the password here any faster than at sign-in.
        let client = Client {
            address: address.as_deref(),
            devices: &devices,
        };
        match crate::accounts::confirm_password(
            &state.db,
            &state.throttle,
            &member.email,
            &form.current,
            client,
        )
        .await?
        {
            Ok(_) => {}
            Err(SignInFailure::Invalid) => return Ok(Some("error=current")),
            Err(SignInFailure::Locked) => return Ok(Some("error=locked")),
            Err(SignInFailure::Busy) => return Ok(Some("error=busy")),
        }
        let hash = crate::accounts::password::hash(form.password.clone()).await?;
        let mut tx = state.db.begin().await?;
        let epoch = crate::accounts::db::set_password_hash(&mut *tx, member.user_id, &hash).await?;
        let subject = Some(format!("user:{}", member.user_id));
        let event = Event {
            client_addr: address.clone(),
            ..Event::by(&member, "account.password_changed", subject)
        };
        record_for_account(&mut *tx, Some(member.user_id), event, crate::clock::now()).await?;
        tx.commit().await?;
        // Every other session of the account has ended; this one goes on.
        gate::keep_after_password_change(&session, epoch).await?;
        Ok::<_, AppError>(None)
    };
    match outcome.await {
        Ok(None) => back("notice=changed"),
        Ok(Some(problem)) => back(problem),
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct SchoolForm {
    school_id: i64,
}

/// Someone with memberships at several schools picks the one to act for.
pub async fn switch_school(
    Staff(member): Staff,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SchoolForm>,
) -> Response {
    match crate::accounts::db::member(&state.db, member.user_id, form.school_id).await {
        Ok(Some(_)) => match gate::switch_school(&session, form.school_id).await {
            Ok(()) => Redirect::to("/").into_response(),
            Err(error) => error.into_response(),
        },
        // Not a member there: the same answer as for a school that does not exist.
        Ok(None) => AppError::NotFound.into_response(),
        Err(error) => error.into_response(),
    }
}

/// Sign-in, sign-out, one's own password, and the school one acts for.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(super::SIGN_IN, post(sign_in))
        .route(super::SIGN_OUT, post(sign_out))
        .route(super::PASSWORD, post(change_password))
        .route(super::SCHOOL, post(switch_school))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let proxy = [ip("127.0.0.1")];
        let client = Some(ip("10.1.2.3"));
        assert_eq!(
            client_address(client, &["6.6.6.6"], &proxy),
            client,
            "a visitor cannot name their own address"
        );
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), &["6.6.6.6, 10.1.2.3"], &proxy),
            client,
            "the address the proxy saw, not what the visitor wrote before it"
        );
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), &["10.9.9.9", "10.1.2.3"], &proxy),
            client,
            "several headers: the last one is the proxy's"
        );
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), &[], &proxy),
            Some(ip("127.0.0.1")),
            "no header: the proxy itself"
        );
        assert_eq!(client_address(None, &["10.1.2.3"], &proxy), None);
    }
}
