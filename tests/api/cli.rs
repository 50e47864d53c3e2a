//! The binary as an operator meets it: help, first start, admin commands, clear
//! start-up errors, graceful shutdown on SIGTERM.

use std::{
    io::Write,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_confab");

fn confab(dir: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--data-dir")
        .arg(dir)
        .args(["--password-hash-memory-kib", "64"]);
    c
}

fn run_with_stdin(mut cmd: Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn help_documents_every_option_and_its_variable() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, var) in [
        ("--listen", "CONFAB_LISTEN"),
        ("--data-dir", "CONFAB_DATA_DIR"),
        ("--database-url", "CONFAB_DATABASE_URL"),
        ("--jwt-secret", "CONFAB_JWT_SECRET"),
        ("--default-role", "CONFAB_DEFAULT_ROLE"),
        ("--log-format", "CONFAB_LOG_FORMAT"),
    ] {
        assert!(
            help.contains(flag) && help.contains(var),
            "--help lacks {flag} / {var}"
        );
    }
    for sub in ["serve", "migrate", "admin"] {
        assert!(help.contains(sub), "--help lacks {sub}");
    }
}

#[test]
fn admin_commands_manage_users_with_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut create = confab(dir.path());
    // A fresh data directory: the database is made here, so asked for.
    create.args([
        "admin",
        "--init",
        "create-user",
        "--username",
        "root",
        "--role",
        "admin",
    ]);
    let out = run_with_stdin(create, "correct horse battery\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("created user root") && said.contains("role admin"),
        "{said}"
    );

    let mut weak = confab(dir.path());
    weak.args(["admin", "create-user", "--username", "weak"]);
    let out = run_with_stdin(weak, "password\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("commonly used"));

    let mut dup = confab(dir.path());
    dup.args(["admin", "create-user", "--username", "ROOT"]);
    let out = run_with_stdin(dup, "correct horse battery\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already taken"));

    let run = |args: &[&str]| {
        let out = confab(dir.path()).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = run(&[
        "admin",
        "set-role",
        "--username",
        "root",
        "--role",
        "doctor",
    ]);
    assert!(!ok && text.contains("last active admin"), "{text}");
    let mut second = confab(dir.path());
    second.args([
        "admin",
        "create-user",
        "--username",
        "pat",
        "--full-name",
        "Pat Smith",
    ]);
    assert!(run_with_stdin(second, "correct horse battery\n")
        .status
        .success());
    let (ok, text) = run(&["admin", "set-role", "--username", "pat", "--role", "doctor"]);
    assert!(ok && text.contains("role doctor"), "{text}");
    let (ok, text) = run(&["admin", "deactivate", "--username", "pat"]);
    assert!(ok && text.contains("deactivated"), "{text}");
    let (ok, text) = run(&["admin", "reactivate", "--username", "pat"]);
    assert!(ok && text.contains("active"), "{text}");
    let (ok, text) = run(&["admin", "deactivate", "--username", "ghost"]);
    assert!(!ok && text.contains("not found"), "{text}");
}

#[test]
fn admin_commands_refuse_a_data_dir_without_a_database_and_list_only_their_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = confab(dir.path())
        .args(["admin", "set-role", "--username", "root", "--role", "admin"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("there is no Confab database at sqlite://")
            && err.contains("confab admin --init set-role"),
        "{err}"
    );
    assert!(
        !dir.path().join("confab.db").exists(),
        "no empty database made"
    );

    let out = Command::new(BIN)
        .args(["admin", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for used in ["--init", "--data-dir", "--database-url", "create-user"] {
        assert!(help.contains(used), "admin --help lacks {used}:\n{help}");
    }
    for unused in [
        "--listen",
        "--messaging-policy",
        "--smtp-url",
        "--ws-queue",
        "--redis-url",
    ] {
        assert!(
            !help.contains(unused),
            "admin --help shows the server's {unused}:\n{help}"
        );
    }
}

#[test]
fn unusable_database_urls_fail_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = confab(dir.path())
        .args(["migrate", "--database-url", "oracle://u:secret@h/db"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported database URL") && !err.contains("secret"),
        "{err}"
    );
}

#[test]
fn first_start_creates_database_and_secret_then_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = confab(dir.path())
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--log-format",
            "json",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut up = false;
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut reply = String::new();
            s.read_to_string(&mut reply).unwrap();
            up = reply.starts_with("HTTP/1.1 200");
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(up, "server did not become ready");
    assert!(
        dir.path().join("confab.db").exists(),
        "SQLite database created in the data dir"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("jwt_secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "secret readable by the owner only");
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("\"message\":\"stopped\""),
        "JSON logs and a clean stop: {log}"
    );
}

#[tokio::test]
async fn bench_seed_and_tokens_set_up_a_load_test_without_hashing_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tokens.txt");
    let run = |args: &[&str]| {
        let out = confab(dir.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = run(&[
        "admin",
        "--init",
        "seed-bench",
        "--prefix",
        "load",
        "--users",
        "30",
        "--groups",
        "3",
        "--group-size",
        "5",
    ]);
    assert!(
        said.contains("seeded 30 users") && said.contains("3 groups of 5"),
        "{said}"
    );
    let said = run(&[
        "admin",
        "bench-tokens",
        "--prefix",
        "load",
        "--count",
        "10",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(said.contains("wrote 10 tokens"), "{said}");
    let bad = confab(dir.path())
        .args([
            "admin",
            "seed-bench",
            "--users",
            "3",
            "--groups",
            "2",
            "--group-size",
            "5",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success(), "impossible groups are refused");

    // The tokens are real: the server (same data dir, same secret) accepts them.
    let data = dir.path().to_str().unwrap().to_owned();
    let config =
        <confab::config::Cli as clap::Parser>::try_parse_from(["confab", "--data-dir", &data])
            .unwrap()
            .config;
    let state = confab::app::build(&config).await.unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10);
    for line in lines {
        let (user, token) = line.split_once(' ').unwrap();
        let who = state.chat.authenticate(token).await.expect("a valid token");
        assert_eq!(who.user_id.to_string(), user);
        assert!(who.username.as_str().starts_with("load"));
    }
    // Seeded groups exist with their members.
    let first = text
        .lines()
        .next()
        .unwrap()
        .split_once(' ')
        .unwrap()
        .0
        .parse()
        .unwrap();
    assert_eq!(
        state.chat.store.memberships_of(first).await.unwrap().len(),
        1
    );
}
