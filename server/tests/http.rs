//! The router answers as a browser and a monitor expect, tested in-process.

mod support;

use app::accounts::DEMO_ACCOUNTS;
use axum::http::StatusCode;
use support::*;

#[tokio::test]
async fn healthz_is_ok_while_the_database_answers() {
    let pool = empty_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let reply = browser.get("/healthz").await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "ok\n")
    );
    pool.close().await;
    assert_eq!(
        browser.get("/healthz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn pages_send_anonymous_visitors_to_sign_in_and_back() {
    let (pool, summary) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let reply = browser.get("/?tab=1").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login?next=%2F%3Ftab%3D1");

    let (email, password, _) = DEMO_ACCOUNTS[0];
    let reply = browser
        .post_form(
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("next", "/?tab=1"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/?tab=1");

    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body
            .contains(&format!("<h1>{}</h1>", escaped(&summary.school_name))),
        "{}",
        home.body
    );
    assert!(home
        .body
        .contains(&format!("<dd>{}</dd>", summary.students)));
    assert!(
        home.body.contains("<main id=\"main\""),
        "landmark for the content"
    );
    assert!(
        home.body.contains("<nav aria-label=\"Main\""),
        "landmark for navigation"
    );
    assert!(home.body.contains("<title>Home · Tether</title>"));
    assert!(home.body.contains("Sign out"));
}

#[tokio::test]
async fn an_offsite_next_is_never_followed() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[2];
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        // Browsers drop tabs and line breaks: `//evil.example`.
        "/\t/evil.example",
        "/\n/evil.example",
        "/\x0b/evil.example",
        "/\x00",
        "/ /evil.example",
    ] {
        let reply = browser
            .post_form(
                "/login",
                &[("email", email), ("password", password), ("next", next)],
            )
            .await;
        assert_eq!(
            (reply.status, reply.location()),
            (StatusCode::SEE_OTHER, "/"),
            "next = {next:?}"
        );
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let wrong = browser
        .sign_in(DEMO_ACCOUNTS[0].0, "not the password")
        .await;
    let unknown = browser
        .sign_in("nobody@demo.example", "not the password")
        .await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    assert_eq!(unknown.status, StatusCode::SEE_OTHER);
    let shape = |location: &str| location.split("&email").next().unwrap().to_string();
    assert_eq!(shape(wrong.location()), "/login?error=invalid");
    assert_eq!(shape(wrong.location()), shape(unknown.location()));
    assert!(browser.cookie.is_none(), "no session for a failed sign-in");
    let page = browser.get(wrong.location()).await;
    assert!(
        page.body.contains("t match an account here"),
        "{}",
        page.body
    );

    let failures: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in.failure'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(failures, 2, "both failures are in the audit log");
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[1];
    browser.sign_in(email, password).await;
    let stolen = browser.cookie.clone();
    assert!(stolen.is_some());
    let reply = browser.post_form("/logout", &[]).await;
    assert_eq!(reply.location(), "/login?signed_out=1");
    // Replaying the old cookie no longer works.
    let mut thief = Browser::new(browser.router.clone());
    thief.cookie = stolen;
    assert_eq!(thief.get("/").await.status, StatusCode::SEE_OTHER);
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(actions, vec!["sign_in.success", "sign_out"]);
}

#[tokio::test]
async fn session_cookies_are_http_only_lax_and_secure_by_default() {
    let (pool, _) = demo_pool().await;
    let (email, password, _) = DEMO_ACCOUNTS[0];
    let mut secure = Browser::new(router(&pool, true));
    // Secure cookies mean the site is served over https.
    let reply = secure
        .send(sign_in_from("https://127.0.0.1:3000", email, password))
        .await;
    let cookie = reply.session_cookie().unwrap();
    assert!(cookie.starts_with("tether_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(reply.headers.contains_key("strict-transport-security"));

    let mut local = Browser::new(router(&pool, false));
    let reply = local.sign_in(email, password).await;
    let cookie = reply.session_cookie().unwrap();
    assert!(!cookie.contains("Secure"), "--insecure-cookies: {cookie}");
    assert!(!reply.headers.contains_key("strict-transport-security"));
}

/// A sign-in form post that says it comes from `origin`.
fn sign_in_from(
    origin: &str,
    email: &str,
    password: &str,
) -> axum::http::Request<axum::body::Body> {
    let form = serde_urlencoded::to_string([("email", email), ("password", password)]).unwrap();
    axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", origin)
        .body(axum::body::Body::from(form))
        .unwrap()
}

#[tokio::test]
async fn a_post_from_this_host_with_another_scheme_is_refused() {
    let (pool, _) = demo_pool().await;
    let (email, password, _) = DEMO_ACCOUNTS[0];
    // Plain http (--insecure-cookies).
    let mut browser = Browser::new(router(&pool, false));
    for origin in ["https://127.0.0.1:3000", "foo://127.0.0.1:3000"] {
        let reply = browser.send(sign_in_from(origin, email, password)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{origin}");
    }
    assert!(browser.cookie.is_none());
    // Behind TLS (the proxy's requests are plain http): https only, and a
    // plain-http form is told why.
    let mut browser = Browser::new(router(&pool, true));
    for origin in ["http://127.0.0.1:3000", "foo://127.0.0.1:3000"] {
        let reply = browser.send(sign_in_from(origin, email, password)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{origin}");
    }
    let reply = browser
        .send(sign_in_from("http://127.0.0.1:3000", email, password))
        .await;
    assert!(reply.body.contains("set up for HTTPS"), "{}", reply.body);
    assert!(browser.cookie.is_none());
    let reply = browser
        .send(sign_in_from("https://127.0.0.1:3000", email, password))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(browser.cookie.is_some());
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let (email, password, _) = DEMO_ACCOUNTS[0];
    let form = serde_urlencoded::to_string([("email", email), ("password", password)]).unwrap();
    let post = |origin: Option<&'static str>| {
        let mut request = axum::http::Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.body(axum::body::Body::from(form.clone())).unwrap()
    };
    let mut browser = Browser::new(router);
    assert_eq!(
        browser
            .send(post(Some("https://evil.example")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(browser.send(post(None)).await.status, StatusCode::FORBIDDEN);
    assert!(browser.cookie.is_none());
    assert_eq!(
        browser.send(post(Some(ORIGIN))).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let page = browser.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(nonce.len() >= 16, "a real nonce: {nonce}");
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    let other = browser.get("/login").await;
    assert!(
        !other.body.contains(&format!("nonce=\"{nonce}\"")),
        "a new nonce per response"
    );
    for reply in [page, browser.get("/healthz").await] {
        assert_eq!(
            reply.headers.get("x-content-type-options").unwrap(),
            "nosniff"
        );
        assert_eq!(reply.headers.get("referrer-policy").unwrap(), "same-origin");
        assert!(reply.headers.contains_key("content-security-policy"));
        assert_eq!(reply.headers.get("cache-control").unwrap(), "no-store");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let huge = "x".repeat(300 * 1024);
    let reply = browser
        .post_form("/login", &[("email", &huge), ("password", "x")])
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_sign_in_page_of_a_demo_shows_the_demo_accounts_and_a_new_database_explains_setup() {
    let (pool, _) = demo_pool().await;
    let page = Browser::new(router(&pool, false)).get("/login").await;
    for (email, password, _) in DEMO_ACCOUNTS {
        assert!(
            page.body.contains(email) && page.body.contains(password),
            "{}",
            page.body
        );
    }
    let empty = empty_pool().await;
    let page = Browser::new(router(&empty, false)).get("/login").await;
    assert!(page.body.contains("tether admin create"), "{}", page.body);
    assert!(!page.body.contains(DEMO_ACCOUNTS[0].1));
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    browser
        .sign_in(DEMO_ACCOUNTS[2].0, DEMO_ACCOUNTS[2].1)
        .await;
    let reply = browser.get("/no/such/page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("t find that page"), "{}", reply.body);
    assert!(reply.body.contains("href=\"/\""), "a way back home");
}

#[tokio::test]
async fn a_database_failure_shows_the_error_page_not_a_blank_screen() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    pool.close().await;
    let reply = browser.get("/login").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        reply.body.contains("Something went wrong"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("reach its database"), "{}", reply.body);
}

#[tokio::test]
async fn sessions_expire_after_8_idle_hours_and_7_days_in_all() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let reply = browser
        .sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1)
        .await;
    let cookie = reply.session_cookie().unwrap();
    assert!(
        cookie.contains("Max-Age=28800"),
        "idle expiry of 8 h: {cookie}"
    );
    // The absolute limit: the same session, checked 7 days and a minute later.
    let session_id = browser.cookie.clone().unwrap();
    let session_id = session_id.trim_start_matches("tether_session=");
    let store = app::db::session_store(&pool);
    let record = tower_sessions::SessionStore::load(&store, &session_id.parse().unwrap())
        .await
        .unwrap()
        .expect("stored session");
    let now = app::clock::now();
    let stored_expiry = record.expiry_date.unix_timestamp();
    assert!(
        (now + 8 * 3600 - stored_expiry).abs() < 60,
        "the server forgets it too"
    );
    let session =
        tower_sessions::Session::new(Some(record.id), std::sync::Arc::new(store.clone()), None);
    let later = now + app::accounts::gate::ABSOLUTE_LIMIT_SECS + 60;
    assert!(
        app::accounts::gate::member_from_session(&session, &pool, now + 60)
            .await
            .is_ok()
    );
    assert_eq!(
        app::accounts::gate::member_from_session(&session, &pool, later)
            .await
            .unwrap_err(),
        app::AppError::Unauthorized
    );
}

#[tokio::test]
async fn people_change_their_own_password_knowing_the_current_one() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[2];
    browser.sign_in(email, password).await;
    let change = |current: &'static str, new: &'static str| {
        [("current", current), ("password", new), ("confirm", new)]
    };
    let reply = browser
        .post_form(
            "/account/password",
            &change("wrong one!!", "quiet harbor window"),
        )
        .await;
    assert_eq!(reply.location(), "/account/password?error=current");
    let reply = browser
        .post_form("/account/password", &change(password, "password123"))
        .await;
    assert_eq!(reply.location(), "/account/password?error=weak");
    let reply = browser
        .post_form(
            "/account/password",
            &change(password, "quiet harbor window"),
        )
        .await;
    assert_eq!(reply.location(), "/account/password?notice=changed");

    let mut fresh = Browser::new(browser.router.clone());
    assert!(fresh
        .sign_in(email, password)
        .await
        .location()
        .contains("error=invalid"));
    assert_eq!(
        fresh.sign_in(email, "quiet harbor window").await.location(),
        "/"
    );
}

#[tokio::test]
async fn people_at_two_schools_switch_between_them_and_nowhere_else() {
    let (pool, summary) = demo_pool().await;
    let other = app::schools::db::create(&pool, "Pine Hill Middle School", 0)
        .await
        .unwrap();
    let third = app::schools::db::create(&pool, "Lakeshore Elementary", 0)
        .await
        .unwrap();
    let (email, password, _) = DEMO_ACCOUNTS[1];
    let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO memberships (school_id, user_id, role, created_at) VALUES ($1, $2, 'counselor', 0)")
        .bind(other.id)
        .bind(user)
        .execute(&pool)
        .await
        .unwrap();
    let mut browser = Browser::new(router(&pool, false));
    browser.sign_in(email, password).await;
    let home = browser.get("/").await;
    assert!(
        home.body.contains("Switch school"),
        "the switcher shows for two schools"
    );
    let demo_heading = format!("<h1>{}</h1>", escaped(&summary.school_name));
    let other_heading = "<h1>Pine Hill Middle School</h1>".to_string();
    let (first, second, second_id) = if home.body.contains(&demo_heading) {
        (demo_heading, other_heading, other.id)
    } else {
        (other_heading, demo_heading, summary.school_id)
    };
    assert!(home.body.contains(&first));
    let reply = browser
        .post_form("/school", &[("school_id", &second_id.to_string())])
        .await;
    assert_eq!(reply.location(), "/");
    let home = browser.get("/").await;
    assert!(home.body.contains(&second), "{}", home.body);

    let reply = browser
        .post_form("/school", &[("school_id", &third.id.to_string())])
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "not a member there");
    let home = browser.get("/").await;
    assert!(
        home.body.contains(&second),
        "still at the school last chosen"
    );
}

#[tokio::test]
async fn admins_add_many_staff_from_a_file_after_a_preview() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let upload = |csv: &str| {
        let boundary = "tetherboundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"staff.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        );
        axum::http::Request::post("/admin/staff/import")
            .header("origin", ORIGIN)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let csv = "email,name,role\nriley.new@demo.example,Riley New,counselor\nnot-an-email,Bad Line,staff\n";

    let mut staff = Browser::new(router.clone());
    staff.sign_in(DEMO_ACCOUNTS[2].0, DEMO_ACCOUNTS[2].1).await;
    assert_eq!(staff.send(upload(csv)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        staff
            .post_form("/admin/staff/import/confirm", &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let mut admin = Browser::new(router);
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let reply = admin.send(upload(csv)).await;
    assert_eq!(reply.location(), "/admin/staff/import");
    let preview = admin.get("/admin/staff/import").await;
    assert!(
        preview
            .body
            .contains("1 people will be added. 1 lines will not."),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("<td>3</td>"),
        "the rejected line's number"
    );
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let reply = admin.post_form("/admin/staff/import/confirm", &[]).await;
    assert_eq!(reply.location(), "/admin/staff?notice=imported");
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        after,
        before + 1,
        "nothing changed before the confirmation, one person after"
    );
    let role: String = sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'riley.new@demo.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(role, "counselor");
}

#[tokio::test]
async fn deactivating_someone_ends_their_open_session() {
    let (pool, summary) = demo_pool().await;
    let router = router(&pool, false);
    let mut staff = Browser::new(router.clone());
    staff.sign_in(DEMO_ACCOUNTS[2].0, DEMO_ACCOUNTS[2].1).await;
    assert_eq!(staff.get("/").await.status, StatusCode::OK);

    let mut admin = Browser::new(router);
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let staff_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(DEMO_ACCOUNTS[2].0)
        .fetch_one(&pool)
        .await
        .unwrap();
    let reply = admin
        .post_form(
            &format!("/admin/staff/{staff_id}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(reply.location(), "/admin/staff?notice=deactivated");

    let page = staff.get("/").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("Please sign in"), "{}", page.body);
    assert!(
        !page.body.contains(&escaped(&summary.school_name)),
        "no school data any more"
    );
    assert_eq!(
        staff.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the session is gone"
    );
}

/// Marks are checked by the write itself, not by a lookup that could be
/// stale: once someone is switched off, their next mark is refused (401),
/// writes nothing, and ends their session.
#[tokio::test]
async fn a_member_switched_off_cannot_mark_and_is_signed_out() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let mut staff = Browser::new(router);
    staff.sign_in(DEMO_ACCOUNTS[2].0, DEMO_ACCOUNTS[2].1).await;
    // A student this person has never marked.
    let student: i64 = sqlx::query_scalar(
        "SELECT id FROM students WHERE is_active = 1 AND id NOT IN (
             SELECT c.student_id FROM connections c JOIN users u ON u.id = c.staff_id
             WHERE u.email = $1)
         LIMIT 1",
    )
    .bind(DEMO_ACCOUNTS[2].0)
    .fetch_one(&pool)
    .await
    .unwrap();
    let id = student.to_string();
    let mark = [("student_id", id.as_str()), ("level", "knows")];
    let reply = staff.post_form("/api/mark", &mark).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let marks = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM connections c JOIN users u ON u.id = c.staff_id
             WHERE u.email = $1 AND c.student_id = $2",
        )
        .bind(DEMO_ACCOUNTS[2].0)
        .bind(student)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(marks().await, 1);

    sqlx::query(
        "UPDATE memberships SET is_active = 0
         WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(DEMO_ACCOUNTS[2].0)
    .execute(&pool)
    .await
    .unwrap();
    let strong = [("student_id", id.as_str()), ("level", "strong")];
    let reply = staff.post_form("/api/mark", &strong).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(marks().await, 1, "nothing written");
    assert_eq!(
        staff.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the session is gone"
    );
}

/// Without JavaScript: a mark is a form post that comes back to the same
/// filters, scrolled to the row, and says it was saved.
#[tokio::test]
async fn marking_without_javascript_returns_to_the_row_just_marked() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[2];
    browser.sign_in(email, password).await;
    let (student, name): (i64, String) = sqlx::query_as(
        "SELECT id, COALESCE(preferred_name, first_name) || ' ' || last_name FROM students
         WHERE is_active = 1 AND grade = 10 ORDER BY last_name, first_name, id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let reply = browser
        .post_form(
            "/mark",
            &[
                ("student_id", &student.to_string()),
                ("level", "strong"),
                ("back", "grade=10&show=all&evil=https://example.com/&page=1"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.location(),
        format!("/mark?grade=10&saved={student}#student-{student}")
    );
    let page = browser
        .get(&format!("/mark?grade=10&saved={student}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = without_hydration_markers(&page.body);
    assert!(
        html.contains(&format!("Saved for {}: Strong.", escaped(&name))),
        "{html}"
    );
    assert!(html.contains(&format!("id=\"student-{student}\"")));
    let level: String = sqlx::query_scalar(
        "SELECT level FROM connections c JOIN users u ON u.id = c.staff_id
         WHERE u.email = $1 AND c.student_id = $2 AND c.removed_at IS NULL",
    )
    .bind(email)
    .bind(student)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(level, "strong");

    // Marked from the "no strong connection yet" list, the student leaves
    // that list: the page still confirms the mark.
    let unconnected: i64 = sqlx::query_scalar(
        "SELECT s.id FROM students s WHERE s.is_active = 1 AND NOT EXISTS (
             SELECT 1 FROM connections c WHERE c.student_id = s.id AND c.level = 'strong'
               AND c.removed_at IS NULL)
         ORDER BY s.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let reply = browser
        .post_form(
            "/mark",
            &[
                ("student_id", &unconnected.to_string()),
                ("level", "strong"),
                ("back", "show=unconnected"),
            ],
        )
        .await;
    let back = reply.location().split('#').next().unwrap().to_string();
    let page = browser.get(&back).await;
    let html = without_hydration_markers(&page.body);
    assert!(html.contains("no longer match this list"), "{html}");
    assert!(!html.contains(&format!("id=\"student-{unconnected}\"")));

    // A `back` that is not marking filters leads nowhere but /mark.
    let reply = browser
        .post_form(
            "/mark",
            &[
                ("student_id", &student.to_string()),
                ("level", "none"),
                ("back", "//example.com"),
            ],
        )
        .await;
    assert_eq!(
        reply.location(),
        format!("/mark?saved={student}#student-{student}")
    );
    // Nonsense is refused, not guessed.
    let reply = browser
        .post_form(
            "/mark",
            &[("student_id", &student.to_string()), ("level", "best")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A concern's reason is seen by its author, and counted for counselors;
/// another staff member's page never contains it.
#[tokio::test]
async fn a_concern_is_never_shown_to_other_staff() {
    let (pool, _) = demo_pool().await;
    let router = router(&pool, false);
    let student: i64 = sqlx::query_scalar(
        "SELECT id FROM students WHERE is_active = 1 AND id NOT IN (SELECT student_id FROM concerns)
         ORDER BY last_name, first_name, id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let reason = "Sleeping in class since the move";
    let mut counselor = Browser::new(router.clone());
    counselor
        .sign_in(DEMO_ACCOUNTS[1].0, DEMO_ACCOUNTS[1].1)
        .await;
    let reply = counselor
        .post_form(
            "/mark/concern",
            &[
                ("student_id", &student.to_string()),
                ("action", "raise"),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let own = counselor.get("/mark").await;
    assert!(own.body.contains(reason), "the author sees their reason");

    let mut staff = Browser::new(router.clone());
    staff.sign_in(DEMO_ACCOUNTS[2].0, DEMO_ACCOUNTS[2].1).await;
    let page = staff.get("/mark").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("student-{student}")));
    assert!(!page.body.contains(reason));
    assert!(
        !page.body.contains("from other staff"),
        "staff see no count of others' concerns"
    );
    let list = staff
        .post_form(
            "/api/mark_list",
            &[
                ("filters[q]", ""),
                ("filters[homeroom]", ""),
                ("filters[show]", "All"),
                ("filters[page]", "1"),
            ],
        )
        .await;
    assert!(!list.body.contains(reason));

    let mut admin = Browser::new(router);
    admin.sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1).await;
    let page = admin.get("/mark").await;
    assert!(
        !page.body.contains(reason),
        "admins see the count here, not the reason"
    );
    assert!(page.body.contains("from other staff"));
}

fn multipart(boundary: &str, file_name: &str, content: &[u8], mode: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n{mode}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

/// An admin uploads a roster (larger than the 256 KB form limit), sees the
/// preview, is stopped by the >10 % guard until they tick the box, and the
/// import lands in the history.
#[tokio::test]
async fn a_roster_upload_is_previewed_guarded_and_applied() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    browser
        .sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1)
        .await;
    // 3,000 new students (about 300 KB): every demo student is missing, so
    // all of them would be deactivated.
    let mut csv = String::from("student_id,first_name,last_name,grade,homeroom,note\n");
    for n in 0..3000 {
        csv.push_str(&format!(
            "N{n:05},Newstudent{n},Family{},{},R{},{}\n",
            n % 50,
            9 + n % 4,
            n % 20,
            "x".repeat(60)
        ));
    }
    assert!(csv.len() > 256 * 1024);
    let boundary = "tether-test-boundary";
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/admin/import")
        .header("origin", ORIGIN)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(multipart(
            boundary,
            "district.csv",
            csv.as_bytes(),
            "full",
        )))
        .unwrap();
    let reply = browser.send(request).await;
    assert_eq!(reply.location(), "/admin/import/preview", "{}", reply.body);
    let page = browser.get("/admin/import/preview").await;
    let html = without_hydration_markers(&page.body);
    assert!(html.contains("3000 new"), "{html}");
    assert!(html.contains("This would deactivate"), "the guard shows");
    let active_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE is_active = 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    // Confirming without the extra tick changes nothing.
    let reply = browser.post_form("/admin/import/confirm", &[]).await;
    assert_eq!(reply.location(), "/admin/import");
    let page = browser.get("/admin/import").await;
    assert!(page
        .body
        .contains("Nothing was imported: this file would deactivate"));
    let still: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE is_active = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(still, active_before);
    // With it, the import lands.
    let reply = browser
        .post_form("/admin/import/confirm", &[("deactivate_many", "yes")])
        .await;
    assert_eq!(reply.location(), "/admin/import");
    let page = browser.get("/admin/import").await;
    let html = without_hydration_markers(&page.body);
    assert!(html.contains(&format!("Imported district.csv: 3000 new, 0 changed, 0 unchanged, 0 reactivated, {active_before} deactivated")), "{html}");
    assert!(html.contains("district.csv"));
    let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE is_active = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(active, 3000);
    let note: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM student_attributes WHERE name = 'note'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(note, 3000);

    // A file that is not a roster is refused whole, with the reason.
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/admin/import")
        .header("origin", ORIGIN)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(multipart(
            boundary,
            "staff.csv",
            b"email,name\na@b.example,A B\n",
            "full",
        )))
        .unwrap();
    let reply = browser.send(request).await;
    assert_eq!(reply.location(), "/admin/import");
    let page = browser.get("/admin/import").await;
    assert!(
        page.body
            .contains("staff.csv: The file has no student_id, first_name, last_name, grade column"),
        "{}",
        page.body
    );
}

/// Column names Tether does not know: the admin says which is which once,
/// and the school's next file with those names goes straight to preview.
#[tokio::test]
async fn unknown_roster_columns_are_mapped_once_and_remembered() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    browser
        .sign_in(DEMO_ACCOUNTS[0].0, DEMO_ACCOUNTS[0].1)
        .await;
    let csv =
        "Pupil Ref,Given,Family,Year Group,Tutor\nP001,Ada,Quist,10,T1\nP002,Ben,Rowe,11,T2\n";
    let boundary = "tether-test-boundary";
    let upload = |csv: &str| {
        axum::http::Request::builder()
            .method("POST")
            .uri("/admin/import")
            .header("origin", ORIGIN)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(axum::body::Body::from(multipart(
                boundary,
                "export.csv",
                csv.as_bytes(),
                "add_only",
            )))
            .unwrap()
    };
    let reply = browser.send(upload(csv)).await;
    assert_eq!(reply.location(), "/admin/import/preview");
    let page = browser.get("/admin/import/preview").await;
    let html = without_hydration_markers(&page.body);
    assert!(
        html.contains("Which column is which in export.csv?"),
        "{html}"
    );
    assert!(html.contains("student_id, first_name, last_name, grade"));
    // A column the file does not have is refused.
    let reply = browser
        .post_form("/admin/import/mapping", &[("student_id", "Nope")])
        .await;
    assert_eq!(reply.location(), "/admin/import");
    let reply = browser
        .post_form(
            "/admin/import/mapping",
            &[
                ("student_id", "Pupil Ref"),
                ("first_name", "Given"),
                ("last_name", "Family"),
                ("grade", "Year Group"),
                ("homeroom", "Tutor"),
                ("preferred_name", ""),
            ],
        )
        .await;
    assert_eq!(reply.location(), "/admin/import/preview");
    let page = browser.get("/admin/import/preview").await;
    assert!(page.body.contains("2 new, 0 changed"), "{}", page.body);
    browser.post_form("/admin/import/confirm", &[]).await;
    let homeroom: String =
        sqlx::query_scalar("SELECT homeroom FROM students WHERE sis_id = 'P002'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(homeroom, "T2");
    // Next time, the same column names are known.
    let reply = browser
        .send(upload(
            "Pupil Ref,Given,Family,Year Group,Tutor\nP001,Ada,Quist,11,T1\n",
        ))
        .await;
    assert_eq!(reply.location(), "/admin/import/preview");
    let page = browser.get("/admin/import/preview").await;
    let html = without_hydration_markers(&page.body);
    assert!(html.contains("0 new, 1 changed"), "{html}");
    assert!(html.contains("grade 10 → 11"), "{html}");
}

#[tokio::test]
async fn the_coverage_dashboard_draws_its_charts_with_tables_and_exports_are_audited() {
    let (pool, _) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[1];
    browser.sign_in(email, password).await;
    let page = browser.get("/coverage").await;
    assert_eq!(page.status, StatusCode::OK);
    for part in [
        "have at least one trusted adult",
        "<svg",
        "role=\"img\"",
        "Data table: coverage per day",
        "Across terms",
        "By group",
        "/coverage/export/grade.csv",
    ] {
        assert!(page.body.contains(part), "{part} missing");
    }
    assert!(
        !page.body.contains("Staff participation"),
        "the per-person list is for admins"
    );

    let csv = browser.get("/coverage/export/grade.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(csv
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"tether-coverage-grade-"));
    assert!(csv.body.starts_with(
        "grade,students,with_1_or_more,with_2_or_more,with_none,percent_connected\r\n"
    ));
    assert_eq!(
        browser.get("/coverage/export/staff.csv").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser.get("/coverage/export/secrets.csv").await.status,
        StatusCode::NOT_FOUND
    );
    let report = browser.get("/coverage/report").await;
    assert!(report.body.contains("Coverage report"));
    let logged: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, subject FROM audit_log WHERE action LIKE 'coverage.%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        logged,
        [
            (
                "coverage.exported".to_string(),
                "coverage:grade".to_string()
            ),
            (
                "coverage.report_viewed".to_string(),
                "coverage:report".to_string()
            ),
        ]
    );
}

#[tokio::test]
async fn volunteering_from_the_marking_page_lands_on_the_take_on_or_says_why_not_at_home() {
    let (pool, summary) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[2];
    browser.sign_in(email, password).await;
    let student: i64 = sqlx::query_scalar(
        "SELECT s.id FROM students s WHERE s.school_id = $1 AND s.is_active = 1
           AND NOT EXISTS (SELECT 1 FROM take_ons t WHERE t.student_id = s.id)
         ORDER BY s.id LIMIT 1",
    )
    .bind(summary.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let form = [("student_id", student.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = browser.post_form("/take-ons/volunteer", &form).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = reply.location().to_string();
    assert!(page.starts_with("/take-ons/"), "{page}");
    let take_on = browser.get(&page).await;
    assert!(take_on.body.contains("Thank you: you are connecting with"));
    assert!(take_on.body.contains("Log a check-in"));

    // Twice: back home, which says why.
    let reply = browser.post_form("/take-ons/volunteer", &form).await;
    assert_eq!(reply.location(), "/");
    let home = browser.get("/").await;
    assert!(
        home.body.contains("is already connecting with"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("Students I&#x27;m connecting with")
            || home.body.contains("Students I'm connecting with")
    );
}

/// Active students of the demo school, in pages of the marking list.
async fn marking_pages(pool: &sqlx::SqlitePool, school_id: i64) -> u32 {
    let active: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM students WHERE school_id = $1 AND is_active = 1")
            .bind(school_id)
            .fetch_one(pool)
            .await
            .unwrap();
    (active as u32).div_ceil(app::connections::PAGE_SIZE)
}

#[tokio::test]
async fn a_page_number_past_the_end_shows_the_last_page() {
    let (pool, summary) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[2];
    browser.sign_in(email, password).await;
    let last = marking_pages(&pool, summary.school_id).await;
    assert!(last > 1, "the demo school needs several pages");
    // 85,899,347 × 50 students overflows 32 bits.
    let page = browser.get("/mark?page=85899347").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("Page {last} of {last}")),
        "{}",
        page.body
    );
    let list = |page: &'static str| {
        [
            ("filters[q]", ""),
            ("filters[homeroom]", ""),
            ("filters[show]", "All"),
            ("filters[page]", page),
        ]
    };
    let reply = browser
        .post_form("/api/mark_list", &list("4294967295"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply
            .body
            .contains(&format!("\"page\":{last},\"pages\":{last}")),
        "{}",
        reply.body
    );
    // Beyond any page number: a malformed request, not a server error.
    let reply = browser
        .post_form("/api/mark_list", &list("99999999999999999999"))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
}

#[tokio::test]
async fn malformed_server_function_input_is_a_short_400() {
    let (pool, summary) = demo_pool().await;
    let mut browser = Browser::new(router(&pool, false));
    let (email, password, _) = DEMO_ACCOUNTS[2];
    browser.sign_in(email, password).await;
    let student: i64 = sqlx::query_scalar(
        "SELECT id FROM students WHERE school_id = $1 AND is_active = 1 LIMIT 1",
    )
    .bind(summary.school_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let post = |path: &str, content_type: &str, body: Vec<u8>| {
        axum::http::Request::post(path)
            .header("origin", ORIGIN)
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let form = "application/x-www-form-urlencoded";
    for (what, request) in [
        (
            "an unknown choice",
            post(
                "/api/mark_list",
                form,
                "filters[q]=&filters[homeroom]=&filters[show]=Bogus&filters[page]=1".into(),
            ),
        ),
        (
            "JSON where a form is expected",
            post(
                "/api/mark_list",
                "application/json",
                r#"{"filters":{"q":"","homeroom":"","show":"All","page":1}}"#.into(),
            ),
        ),
        (
            "an id beyond 64 bits",
            post(
                "/api/mark",
                form,
                "student_id=99999999999999999999&level=strong".into(),
            ),
        ),
        (
            "a missing argument",
            post("/api/mark", form, format!("student_id={student}").into()),
        ),
        (
            "a body that is not text",
            post("/api/mark", form, b"student_id=1&level=\xff\xfe".to_vec()),
        ),
    ] {
        let reply = browser.send(request).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("incomplete or malformed"),
            "{what}: {}",
            reply.body
        );
        assert!(reply.body.len() < 200, "{what}: short: {}", reply.body);
        for internal in [
            "variant",
            "field",
            "invalid digit",
            "too large",
            "Show",
            "expected",
        ] {
            assert!(
                !reply.body.contains(internal),
                "{what}: no serde text: {}",
                reply.body
            );
        }
    }
    // A well-formed mark still goes through.
    let reply = browser
        .post_form(
            "/api/mark",
            &[("student_id", &student.to_string()), ("level", "strong")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}
