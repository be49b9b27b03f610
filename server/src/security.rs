//! Protections every response and request gets, whatever route serves it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::accounts::gate;
use app::state::AppState;

/// Security headers on every response. Pages set their own
/// Content-Security-Policy (with the nonce of their hydration script);
/// everything else gets a policy that allows nothing.
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(app::security::DEFAULT_POLICY));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if !is_static {
        // Student data must not linger in a shared Chromebook's cache.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Refuses state-changing requests that come from another site (CSRF):
/// the browser's `Origin` (or, failing that, `Referer`) must be this
/// site's origin, scheme included. Requests that carry neither are refused
/// too.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let refusal = match origin_check(request.headers(), state.secure_cookies) {
        Origin::Same => return next.run(request).await,
        Origin::Other => "This form was sent from another website, so Tether refused it. Go back to Tether and try again.\n",
        Origin::PlainHttp => "This Tether server is set up for HTTPS, but the form came over plain http, so Tether refused it. Open Tether at its https:// address (for plain-http use on this machine only, start it with --insecure-cookies).\n",
    };
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from(refusal),
    )
        .into_response()
}

/// Where a request says it comes from, compared with this site.
#[derive(Debug, PartialEq, Eq)]
enum Origin {
    Same,
    /// Another site, another scheme, or no say at all.
    Other,
    /// This host over http, when the server is set up for https: a
    /// configuration mistake more likely than an attack, said as such.
    PlainHttp,
}

/// The site's scheme is https when cookies are secure: behind a
/// TLS-terminating proxy the request arrives as plain http, but the
/// browser's origin is https. The host is the request's `Host`.
fn origin_check(headers: &HeaderMap, secure: bool) -> Origin {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return Origin::Other;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok());
    let Some((scheme, authority)) = source.and_then(origin_of) else {
        return Origin::Other;
    };
    let expected = if secure { "https" } else { "http" };
    let same_host = |scheme: &str| {
        without_default_port(authority, scheme)
            .eq_ignore_ascii_case(without_default_port(host, scheme))
    };
    if scheme.eq_ignore_ascii_case(expected) && same_host(expected) {
        Origin::Same
    } else if secure && scheme.eq_ignore_ascii_case("http") && same_host("http") {
        Origin::PlainHttp
    } else {
        Origin::Other
    }
}

/// `https://school.example:8443/path` → `("https", "school.example:8443")`.
fn origin_of(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    (!authority.is_empty()).then_some((scheme, authority))
}

/// `school.example:443` over https is `school.example` (browsers leave a
/// default port out of `Origin`; a proxy may put it in `Host`).
fn without_default_port<'a>(authority: &'a str, scheme: &str) -> &'a str {
    let default = if scheme.eq_ignore_ascii_case("https") {
        ":443"
    } else {
        ":80"
    };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// Pages need a signed-in person: anyone else is sent to the sign-in page
/// and brought back afterwards. Server functions and form routes check for
/// themselves (through the gate) and answer 401 or send to sign-in.
pub async fn require_sign_in_for_pages(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() != axum::http::Method::GET
        || is_public(path)
        || gate::signed_in_user(&session).await.is_some()
    {
        return next.run(request).await;
    }
    let target = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let query = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

fn is_public(path: &str) -> bool {
    matches!(path, "/login" | "/healthz" | "/favicon.svg" | "/robots.txt")
        || path.starts_with("/pkg/")
        || path.starts_with("/welcome/")
        || path.starts_with("/api/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const HTTPS: bool = true;
    const HTTP: bool = false;

    #[test]
    fn only_this_host_may_post() {
        let check =
            |pairs: &[(&'static str, &'static str)], secure| origin_check(&headers(pairs), secure);
        assert_eq!(
            check(
                &[
                    ("host", "tether.school.example"),
                    ("origin", "https://tether.school.example")
                ],
                HTTPS
            ),
            Origin::Same
        );
        assert_eq!(
            check(
                &[
                    ("host", "127.0.0.1:3000"),
                    ("referer", "http://127.0.0.1:3000/login?next=/")
                ],
                HTTP
            ),
            Origin::Same
        );
        for (host, origin) in [
            ("tether.school.example", "https://evil.example"),
            (
                "tether.school.example",
                "https://tether.school.example.evil.example",
            ),
            ("127.0.0.1:3000", "null"),
        ] {
            for secure in [HTTPS, HTTP] {
                assert_eq!(
                    check(&[("host", host), ("origin", origin)], secure),
                    Origin::Other,
                    "{origin}"
                );
            }
        }
        assert_eq!(
            check(&[("host", "127.0.0.1:3000")], HTTP),
            Origin::Other,
            "neither Origin nor Referer"
        );
    }

    #[test]
    fn the_scheme_is_this_sites_too() {
        let check = |origin, secure| {
            origin_check(
                &headers(&[("host", "tether.school.example"), ("origin", origin)]),
                secure,
            )
        };
        // Plain http (--insecure-cookies): only http.
        for origin in [
            "https://tether.school.example",
            "foo://tether.school.example",
            "ws://tether.school.example",
        ] {
            assert_eq!(check(origin, HTTP), Origin::Other, "{origin}");
        }
        assert_eq!(check("http://tether.school.example", HTTP), Origin::Same);
        // Behind TLS (perhaps a proxy's, the request itself being http):
        // only https.
        assert_eq!(check("https://tether.school.example", HTTPS), Origin::Same);
        assert_eq!(
            check("HTTPS://Tether.School.Example", HTTPS),
            Origin::Same,
            "schemes and hosts compare without case"
        );
        assert_eq!(
            check("http://tether.school.example", HTTPS),
            Origin::PlainHttp
        );
        assert_eq!(check("foo://tether.school.example", HTTPS), Origin::Other);
        // A default port is the same origin, another port is not.
        let with_port = |host, origin, secure| {
            origin_check(&headers(&[("host", host), ("origin", origin)]), secure)
        };
        assert_eq!(
            with_port(
                "tether.school.example:443",
                "https://tether.school.example",
                HTTPS
            ),
            Origin::Same
        );
        assert_eq!(
            with_port(
                "tether.school.example",
                "https://tether.school.example:8443",
                HTTPS
            ),
            Origin::Other
        );
    }
}
