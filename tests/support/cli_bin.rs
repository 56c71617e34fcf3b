//! The `afmpeg` binary for the tools that run it (`tools/pipe.rs`,
//! `tools/mount_cost.rs`): `AFMPEG_BIN`, or the one cargo built beside the
//! tool's own directory (`target/<profile>/examples/NAME` ->
//! `target/<profile>/afmpeg`).

use std::path::{Path, PathBuf};

/// The binary, or what to do to get one.
pub fn afmpeg_bin() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("AFMPEG_BIN") {
        return Ok(p.into());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("afmpeg"))
        .ok_or("no target directory")?;
    if !bin.is_file() {
        return Err(format!(
            "{} is missing: build it (`cargo build --release -p afmpeg-cli --bin afmpeg`) or set AFMPEG_BIN",
            bin.display()
        ));
    }
    Ok(bin)
}
