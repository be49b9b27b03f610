//! A Tether router over an in-memory database, and a small client that
//! keeps its session cookie like a browser would.
#![allow(dead_code)]

use std::sync::Arc;

use app::accounts::throttle::Throttle;
use app::demo::{generate, DemoOptions, DemoSummary};
use app::state::AppState;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:3000";
pub const ORIGIN: &str = "http://127.0.0.1:3000";

pub async fn empty_pool() -> SqlitePool {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(app::db::connect_options("sqlite::memory:").unwrap())
        .await
        .unwrap();
    app::db::prepare(&pool).await.unwrap();
    pool
}

pub async fn demo_pool() -> (SqlitePool, DemoSummary) {
    let pool = empty_pool().await;
    let summary = generate(
        &pool,
        &DemoOptions {
            students: 120,
            staff: 10,
            ..DemoOptions::default()
        },
    )
    .await
    .unwrap();
    (pool, summary)
}

/// The admin of the second school, Cedar Hollow: (email, password).
pub const OTHER_ADMIN: (&str, &str) = ("principal@cedar.example", "cedar hollow principal");

/// A second school with its own admin ([`OTHER_ADMIN`]); returns its id.
pub async fn other_school(pool: &SqlitePool) -> i64 {
    let other = app::schools::db::create(pool, "Cedar Hollow Middle School", 0)
        .await
        .unwrap();
    let hash = app::accounts::password::hash(OTHER_ADMIN.1.into())
        .await
        .unwrap();
    app::accounts::db::upsert_member(
        pool,
        OTHER_ADMIN.0,
        "Robin Okafor",
        Some(&hash),
        other.id,
        app::accounts::Role::Admin,
        0,
    )
    .await
    .unwrap();
    other.id
}

pub fn router(pool: &SqlitePool, secure_cookies: bool) -> Router {
    router_with_throttle(pool, secure_cookies, Arc::new(Throttle::new()))
}

/// [`router`] with the sign-in throttle given (tests of the throttle use
/// one that counts without waiting).
pub fn router_with_throttle(
    pool: &SqlitePool,
    secure_cookies: bool,
    throttle: Arc<Throttle>,
) -> Router {
    server::routes::router(AppState {
        leptos_options: LeptosOptions::builder()
            .output_name("tether")
            .site_root("target/site")
            .build(),
        db: pool.clone().into(),
        throttle,
        secure_cookies,
        trusted_proxies: Vec::new(),
    })
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The `Set-Cookie` header of the session cookie, if the reply has one.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|cookie| cookie.starts_with("tether_session="))
            .map(str::to_string)
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// One browser: a router and the cookie it was given.
pub struct Browser {
    pub router: Router,
    /// The session cookie (`tether_session=…`).
    pub cookie: Option<String>,
    /// Any other cookies the server set.
    pub other_cookies: Vec<String>,
    /// The address the server sees this browser connect from, if any.
    pub address: Option<std::net::SocketAddr>,
}

impl Browser {
    pub fn new(router: Router) -> Self {
        Browser {
            router,
            cookie: None,
            other_cookies: Vec::new(),
            address: None,
        }
    }

    /// A browser that connects from `ip`.
    pub fn from_address(router: Router, ip: &str) -> Self {
        Browser {
            address: Some(std::net::SocketAddr::new(ip.parse().unwrap(), 50_000)),
            ..Browser::new(router)
        }
    }

    pub async fn send(&mut self, request: Request<Body>) -> Reply {
        let mut request = request;
        request
            .headers_mut()
            .insert(header::HOST, HOST.parse().unwrap());
        let cookies: Vec<&str> = self
            .cookie
            .iter()
            .chain(&self.other_cookies)
            .map(String::as_str)
            .collect();
        if !cookies.is_empty() {
            request
                .headers_mut()
                .insert(header::COOKIE, cookies.join("; ").parse().unwrap());
        }
        if let Some(address) = self.address {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(address));
        }
        let what = format!("{} {}", request.method(), request.uri());
        let response = within(&what, self.router.clone().oneshot(request))
            .await
            .unwrap();
        for set in response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = set.split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            // An expired cookie (sign-out) clears it.
            let kept = (!set.contains("Max-Age=0")).then_some(pair);
            if name == "tether_session" {
                self.cookie = kept;
            } else {
                self.other_cookies
                    .retain(|other| !other.starts_with(&format!("{name}=")));
                self.other_cookies.extend(kept);
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = within(&what, response.into_body().collect())
            .await
            .unwrap()
            .to_bytes();
        Reply {
            status,
            headers,
            body: without_hydration_markers(&String::from_utf8_lossy(&body)),
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// A form post from one of Tether's own pages.
    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(form).unwrap();
        self.send(
            Request::post(path)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        self.post_form(
            "/login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

/// A request that has not answered in 60 s fails the test, naming itself,
/// instead of hanging the whole run.
async fn within<T>(what: &str, work: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(std::time::Duration::from_secs(60), work).await {
        Ok(done) => done,
        Err(_) => panic!("{what} did not answer within 60 s"),
    }
}

/// The page without the comments Leptos leaves for hydration (`<!>`,
/// `<!--…-->`), so tests can read the markup a person would see.
pub fn without_hydration_markers(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let skip = if after.starts_with("<!--") {
            after.find("-->").map(|i| i + 3).unwrap_or(after.len())
        } else if after.starts_with("<!>") {
            3
        } else {
            out.push_str("<!");
            2
        };
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

pub fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('\'', "&#x27;")
        .replace('"', "&quot;")
}
