//! Fields of `/proc/self/status` (Linux only): the process's resident and
//! peak memory, as the load test and the memory bench read them.
//!
//! Shared with `#[path = ".../tests/support/proc_status.rs"] mod proc_status;`
//! by `tests/support/load.rs` and `tools/memory.rs`.
#![allow(dead_code)]

/// A `/proc/self/status` memory field (`VmRSS`, `VmHWM`, …), in bytes; the
/// error says which step failed.
pub fn status_bytes(field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("reading /proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("{field} in /proc/self/status"))
}
