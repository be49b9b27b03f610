//! Mistakes made when starting `tether` get one clear line, never a panic.

use std::net::TcpListener;
use std::process::{Command, Output};

fn tether(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(args)
        .env_remove("TETHER_DATABASE_URL")
        .env_remove("TETHER_ADDR")
        .output()
        .expect("runs the tether binary")
}

fn assert_one_line_error(output: &Output, expected: &str) {
    assert!(!output.status.success(), "should fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    assert!(!stderr.contains("backtrace"), "no backtrace: {stderr}");
    let line = stderr
        .lines()
        .find(|line| line.starts_with("error:"))
        .unwrap_or_else(|| panic!("an error line in: {stderr}"));
    assert!(
        line.contains(expected),
        "`{line}` should mention `{expected}`"
    );
}

fn temp_folder(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("tether-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

#[test]
fn a_bad_flag_is_reported_by_name() {
    let output = tether(&["serve", "--adrr", "127.0.0.1:3000"]);
    assert_one_line_error(&output, "--adrr");
    let output = tether(&["serve", "--addr", "not-an-address"]);
    assert_one_line_error(&output, "--addr");
    let output = tether(&["demo", "--students", "lots"]);
    assert_one_line_error(&output, "--students");
}

#[test]
fn an_unwritable_database_path_is_reported() {
    let output = tether(&[
        "demo",
        "--database-url",
        "sqlite:///proc/no-such-place/tether.db",
    ]);
    assert_one_line_error(&output, "/proc/no-such-place");
    let output = tether(&["demo", "--database-url", "mysql://localhost/tether"]);
    assert_one_line_error(&output, "sqlite://");
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let folder = temp_folder("port");
    let url = format!("sqlite://{}/tether.db", folder.display());
    let output = tether(&["serve", "--addr", &addr, "--database-url", &url]);
    assert_one_line_error(&output, "already in use");
}

#[test]
fn demo_fills_an_empty_database_once() {
    let folder = temp_folder("demo");
    let url = format!("sqlite://{}/school/tether.db", folder.display());
    let args = [
        "demo",
        "--database-url",
        &url,
        "--students",
        "80",
        "--staff",
        "8",
        "--today",
        "2026-11-24",
    ];
    let output = tether(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Loaded the demo school"), "{stdout}");
    assert!(stdout.contains("8 staff"), "{stdout}");
    // A second run must not mix another school into the same database.
    assert_one_line_error(&tether(&args), "empty database");
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn the_first_admin_is_created_from_the_command_line_with_a_piped_password() {
    use std::io::Write;
    let folder = temp_folder("admin");
    let url = format!("sqlite://{}/tether.db", folder.display());
    let create = |password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tether"))
            .args([
                "admin",
                "create",
                "--database-url",
                &url,
                "--email",
                "Lee.Park@School.example",
            ])
            .args([
                "--name",
                "Lee Park",
                "--school",
                "Juniper Falls High School",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    assert_one_line_error(&create("short"), "at least 10 characters");
    let output = create("granite meadow lantern");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("lee.park@school.example is now an admin"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// `tether import`: the preview as text, `--dry-run` changing nothing, a
/// rejected file exiting non-zero, the >10 % guard, then the import.
#[test]
fn the_command_line_imports_a_roster_for_nightly_automation() {
    let folder = temp_folder("import");
    let url = format!("sqlite://{}", folder.join("tether.db").display());
    let output = tether(&[
        "demo",
        "--database-url",
        &url,
        "--students",
        "50",
        "--staff",
        "5",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = folder.join("roster.csv");
    let mut csv = String::from("student_id,first_name,last_name,grade\n");
    for n in 0..20 {
        csv.push_str(&format!("X{n:03},Ana{n},Lopez,10\n"));
    }
    csv.push_str("X999,Bad,Grade,thirteen\n");
    std::fs::write(&file, &csv).unwrap();
    let school = "1";
    let dry = tether(&[
        "import",
        "--database-url",
        &url,
        "--school",
        school,
        file.to_str().unwrap(),
        "--dry-run",
    ]);
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let active = stdout.matches("deactivated: ").count();
    assert!(
        active > 40,
        "every demo student is missing from the file: {stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "20 new, 0 changed, 0 unchanged, 0 reactivated, {active} deactivated, 1 rows rejected"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("rejected: roster.csv line 22, column grade: “thirteen” is not a grade"),
        "{stdout}"
    );
    assert!(stdout.contains("Dry run: nothing was changed."));
    // The guard stops a full import that would deactivate everyone.
    let guarded = tether(&[
        "import",
        "--database-url",
        &url,
        "--school",
        school,
        file.to_str().unwrap(),
    ]);
    assert_one_line_error(
        &guarded,
        &format!("would deactivate {active} of {active} active students"),
    );
    // Adding only is fine.
    let added = tether(&[
        "import",
        "--database-url",
        &url,
        "--school",
        school,
        file.to_str().unwrap(),
        "--add-only",
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(String::from_utf8_lossy(&added.stdout).contains("Imported: 20 new"));
    // A file that is not a roster exits non-zero with the reason.
    std::fs::write(&file, "email,name\na@b.example,A B\n").unwrap();
    let rejected = tether(&[
        "import",
        "--database-url",
        &url,
        "--school",
        school,
        file.to_str().unwrap(),
    ]);
    assert_one_line_error(
        &rejected,
        "roster.csv was rejected: The file has no student_id",
    );
    let unknown = tether(&[
        "import",
        "--database-url",
        &url,
        "--school",
        "Nowhere High",
        file.to_str().unwrap(),
    ]);
    assert_one_line_error(&unknown, "no school called or numbered `Nowhere High`");
    let _ = std::fs::remove_dir_all(&folder);
}

/// `tether import` of a district's OneRoster zip: which school of the file
/// is this one comes from `--source-school`; staff and sections come along.
#[test]
fn the_command_line_imports_a_district_package_for_one_school() {
    use app::roster::samples::{package, Layout, Sample};
    let folder = temp_folder("import-package");
    let url = format!("sqlite://{}", folder.join("tether.db").display());
    let output = tether(&[
        "demo",
        "--database-url",
        &url,
        "--students",
        "20",
        "--staff",
        "3",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sample = Sample {
        schools: vec![
            ("sch-1".into(), "Maple Grove High School".into(), 30),
            ("sch-2".into(), "Cedar Park High School".into(), 20),
        ],
        sections_per_student: 4,
        awkward_rows: false,
    };
    let file = folder.join("district.zip");
    std::fs::write(&file, package(&sample, Layout::OneRoster12)).unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "--database-url",
            &url,
            "--school",
            "1",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        tether(&args)
    };
    // Two schools in the file: the command asks which one.
    assert_one_line_error(&import(&["--add-only"]), "--source-school");
    let dry = import(&[
        "--source-school",
        "Cedar Park High School",
        "--add-only",
        "--dry-run",
    ]);
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(
        stdout.contains("OneRoster 1.2 (Cedar Park High School)"),
        "{stdout}"
    );
    assert!(stdout.contains("20 new, 0 changed"), "{stdout}");
    assert!(stdout.contains("Dry run: nothing was changed."), "{stdout}");
    let done = import(&["--source-school", "sch-2", "--add-only"]);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(stdout.contains("Imported: 20 new"), "{stdout}");
    assert!(stdout.contains("new staff accounts"), "{stdout}");
    // The same file again: nothing new.
    let again = import(&["--source-school", "sch-2", "--add-only"]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(
        stdout.contains("0 new, 0 changed, 20 unchanged"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// The operator's way out for a shared account (no school's admin may
/// reset it): a link printed on the server, which sets a new password.
#[test]
fn the_operator_prints_a_reset_link_for_any_account() {
    let folder = temp_folder("link");
    let url = format!("sqlite://{}/tether.db", folder.display());
    let output = tether(&[
        "demo",
        "--database-url",
        &url,
        "--students",
        "40",
        "--staff",
        "5",
    ]);
    assert!(output.status.success());
    let output = tether(&[
        "admin",
        "link",
        "--database-url",
        &url,
        "--email",
        "Counselor@demo.example",
        "--public-url",
        "https://tether.school.example/",
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let link = stdout.lines().next().unwrap();
    assert!(
        link.starts_with("https://tether.school.example/welcome/") && link.len() > 70,
        "{stdout}"
    );
    let output = tether(&[
        "admin",
        "link",
        "--database-url",
        &url,
        "--email",
        "nobody@demo.example",
    ]);
    assert_one_line_error(&output, "nobody@demo.example");
}
