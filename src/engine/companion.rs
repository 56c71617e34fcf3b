//! A module's companion data: files a guest profile's build ships beside
//! the module (`data/` in its cache entry) that the module opens at a fixed
//! path whatever the job. Today that is the default profile's font
//! (`data/fonts/`), which its `drawtext` and `subtitles` use when no font is
//! given; it is mounted read-only at [`FONT_DIR`] for every job
//! ([`crate::RuntimeBuilder::mount`]).

use crate::error::{Error, Result};
use std::path::Path;
use wasi_shim::fs::Filesystem;

/// Where the default profile's module looks for its font (guest patches
/// `ffmpeg-0001` and `ffmpeg-0002` of that profile).
///
/// ```
/// assert_eq!(afmpeg::engine::companion::FONT_DIR, "/usr/share/fonts/afmpeg");
/// ```
pub const FONT_DIR: &str = "/usr/share/fonts/afmpeg";

/// The fonts shipped beside the module file `module` (the regular files of
/// `data/fonts/` in its directory), as a filesystem to mount at
/// [`FONT_DIR`]; `None` when there is no such directory (the lean module,
/// a module copied without its data). A directory that cannot be read is
/// an [`Error::ModuleIo`].
pub(crate) fn fonts_beside(module: &Path) -> Result<Option<Filesystem>> {
    let Some(dir) = module.parent().map(|d| d.join("data/fonts")) else {
        return Ok(None);
    };
    if !dir.is_dir() {
        return Ok(None);
    }
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::ModuleIo { path, source }
    };
    let fs = Filesystem::new();
    for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
        let entry = entry.map_err(io(&dir))?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        fs.write(
            &format!("/{name}"),
            std::fs::read(&path).map_err(io(&path))?,
        )?;
    }
    Ok(Some(fs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_of_data_fonts_beside_the_module_are_mounted() {
        let dir = std::env::temp_dir().join(format!("afmpeg-companion-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("data/fonts/sub")).unwrap();
        std::fs::write(dir.join("ffmpeg.wasm"), b"\0asm").unwrap();
        std::fs::write(dir.join("data/fonts/DejaVuSans.ttf"), b"font bytes").unwrap();
        let fs = fonts_beside(&dir.join("ffmpeg.wasm"))
            .unwrap()
            .expect("fonts");
        assert_eq!(fs.read("/DejaVuSans.ttf").unwrap(), b"font bytes");
        assert!(!fs.exists("/sub"), "only regular files");
        std::fs::remove_dir_all(dir.join("data")).unwrap();
        assert!(fonts_beside(&dir.join("ffmpeg.wasm")).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
