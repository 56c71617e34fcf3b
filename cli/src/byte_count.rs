//! Byte counts on the command line (`64M`, `2GiB`).

/// Parses a byte count: a plain number, or one with a K/M/G/T suffix
/// (powers of 1024; an optional trailing `B` or `iB` is accepted).
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    parse_size::Config::new()
        .with_binary()
        .parse_size(s.trim())
        .map_err(|e| format!("not a byte count: {s:?} ({e})"))
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn byte_counts() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("64M"), Ok(64 << 20));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("1kB"), Ok(1024));
        assert!(parse_bytes("12Q").is_err());
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999T").is_err());
    }
}
