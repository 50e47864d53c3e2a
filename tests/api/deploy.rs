//! The deployment files in deploy/, checked as far as this machine can without
//! Docker or systemd: the Compose file read by a YAML parser (anchors resolved,
//! as Compose reads them), every CONFAB_* variable they set known to the binary,
//! no secret written in them, stop timeouts longer than the drain, and the
//! health check's route alive. (The nginx configuration runs for real in
//! nginx.rs and cluster_kill.rs.)

use std::{collections::BTreeSet, path::Path, process::Command};

use serde_json::Value;

use crate::smtp::python;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// deploy/docker-compose.yml as JSON, through PyYAML.
fn compose(py: &str) -> Value {
    let out = Command::new(py)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/docker-compose.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The CONFAB_* variables `confab --help` documents.
fn known_variables() -> BTreeSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    help.split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|w| w.starts_with("CONFAB_"))
        .map(str::to_owned)
        .collect()
}

/// Seconds in a Compose duration like "20s" or "1m".
fn seconds(d: &str) -> u64 {
    match d.strip_suffix('m') {
        Some(m) => m.parse::<u64>().unwrap() * 60,
        None => d.trim_end_matches('s').parse().unwrap(),
    }
}

/// The server's default drain (`--shutdown-grace-secs`).
const GRACE_SECS: u64 = 10;

#[test]
fn compose_runs_three_nodes_on_postgres_and_redis_behind_nginx_with_secrets_from_the_environment() {
    let Some(py) = python() else { return };
    let c = compose(&py);
    let known = known_variables();
    assert!(known.contains("CONFAB_REDIS_URL"), "help lists variables");
    let upstream = read("deploy/nginx/upstream.compose.conf");
    for node in ["confab1", "confab2", "confab3"] {
        let s = &c["services"][node];
        let env = s["environment"]
            .as_object()
            .unwrap_or_else(|| panic!("{node}"));
        for (name, value) in env {
            assert!(
                known.contains(name),
                "{node}: {name} is not a confab variable"
            );
            if name.contains("SECRET") || name.contains("PRIVATE") {
                assert!(
                    value.as_str().unwrap().starts_with("${"),
                    "{node}: {name} is written in the file"
                );
            }
        }
        for needed in [
            "CONFAB_DATABASE_URL",
            "CONFAB_REDIS_URL",
            "CONFAB_TRUSTED_PROXIES",
        ] {
            assert!(env.contains_key(needed), "{node}: {needed}");
        }
        assert!(
            seconds(s["stop_grace_period"].as_str().unwrap()) > GRACE_SECS,
            "{node}: Docker would SIGKILL before the drain ends"
        );
        assert!(s["ports"].is_null(), "{node}: only nginx is published");
        assert!(
            upstream.contains(&format!("server {node}:8080")),
            "nginx names {node}"
        );
    }
    for dep in ["postgres", "redis", "nginx"] {
        assert!(c["services"][dep].is_object(), "{dep}");
    }
    let mounts = c["services"]["nginx"]["volumes"].to_string();
    assert!(mounts.contains("./nginx/confab.conf"), "{mounts}");
}

#[test]
fn the_image_runs_as_a_user_with_a_health_check_and_systemd_outwaits_the_drain() {
    let docker = read("deploy/Dockerfile");
    let user = docker
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER line");
    assert_ne!(user.trim(), "root");
    assert!(docker.contains("HEALTHCHECK") && docker.contains("/readyz"));
    let unit = read("deploy/systemd/confab.service");
    let stop: u64 = unit
        .lines()
        .find_map(|l| l.strip_prefix("TimeoutStopSec="))
        .expect("TimeoutStopSec")
        .parse()
        .unwrap();
    assert!(
        stop > GRACE_SECS,
        "systemd would SIGKILL before the drain ends"
    );
    let known = known_variables();
    for l in unit.lines().filter_map(|l| l.strip_prefix("Environment=")) {
        let name = l.split('=').next().unwrap();
        assert!(known.contains(name), "{name}");
    }
}
