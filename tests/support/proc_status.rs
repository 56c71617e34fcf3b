//! Fields of `/proc/self/status` (Linux only): the process's resident and
//! peak memory, as the load test and the memory bench read them.
//!
//! Shared with `#[path = ".../tests/support/proc_status.rs"] mod proc_status;`
//! by `tests/support/load.rs` and `tools/memory.rs`.
#![allow(dead_code)]

/// A `/proc/self/status` memory field (`VmRSS`, `VmHWM`, …), in bytes; the
/// error says which step failed.
pub fn status_bytes(field: &str) -> Result<u64, String> {
    status_file_bytes("/proc/self/status", field)
}

/// [`status_bytes`] of another process (`/proc/PID/status`), e.g. a child
/// the pipe bench samples.
pub fn pid_status_bytes(pid: u32, field: &str) -> Result<u64, String> {
    status_file_bytes(&format!("/proc/{pid}/status"), field)
}

fn status_file_bytes(path: &str, field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("{field} in {path}"))
}
