//! The server's CPU time, read from `/proc/PID/stat` (user + system, every
//! thread). On a shared 2-core machine wall-clock rates move with whatever else
//! runs; CPU time per message moves only with the work the server does for it.

use std::{io::Write, path::PathBuf, sync::OnceLock};

/// The kernel reports utime/stime in USER_HZ ticks, which the kernel fixes at
/// 100 per second for userspace on every architecture Linux exports it for.
const TICKS_PER_SEC: f64 = 100.0;

static SERVER: OnceLock<u32> = OnceLock::new();
static PERF_CONTROL: OnceLock<PathBuf> = OnceLock::new();

/// Tell the scenarios which process is the server (`--server-pid`).
pub fn watch(pid: u32) {
    let _ = SERVER.set(pid);
}

/// A `perf stat --control fifo:PATH -D -1` counting the server: its counters are
/// enabled for the measured window only (`--perf-control`), so that connection
/// set-up and resumes do not count against the deliveries.
pub fn control_perf(fifo: PathBuf) {
    let _ = PERF_CONTROL.set(fifo);
}

fn tell_perf(command: &str) {
    if let Some(path) = PERF_CONTROL.get() {
        let sent = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(format!("{command}\n").as_bytes()));
        if let Err(e) = sent {
            eprintln!("perf control {}: {e}", path.display());
        }
    }
}

/// The measured window begins: CPU so far, and perf counting from now.
pub fn window_start() -> Option<f64> {
    tell_perf("enable");
    now()
}

/// The window ends: perf stops counting; the CPU seconds spent since `before`.
pub fn window_end(before: Option<f64>) -> Option<f64> {
    tell_perf("disable");
    now().zip(before).map(|(a, b)| a - b)
}

/// The watched server's CPU seconds so far, if a server is watched and readable.
pub fn now() -> Option<f64> {
    SERVER.get().and_then(|&pid| seconds(pid))
}

/// CPU seconds (user + system, all threads) `pid` has used.
pub fn seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse(&stat)
}

/// Fields 14 and 15 of `/proc/PID/stat`. The name (field 2) may hold spaces and
/// parentheses, so fields are counted from the last `)`.
fn parse(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut f = rest.split_whitespace().skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_SEC)
}

/// CPU spent between two readings, per unit of work, in microseconds.
pub fn per(before: Option<f64>, after: Option<f64>, units: u64) -> Option<f64> {
    match (before, after) {
        (Some(b), Some(a)) if units > 0 => Some((a - b) * 1e6 / units as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_ticks_after_an_awkward_name() {
        let stat = "4242 (con fab) (x)) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 75 0 0 20 0 9 0";
        assert_eq!(parse(stat), Some(3.25));
    }

    #[test]
    fn our_own_process_has_a_cpu_time() {
        let spent = seconds(std::process::id()).expect("readable");
        assert!(spent >= 0.0);
        assert_eq!(per(Some(1.0), Some(1.5), 1000), Some(500.0));
        assert_eq!(per(None, Some(1.5), 1000), None);
    }
}
