//! A typed builder for `ffmpeg` command lines.
//!
//! [`Command`] collects global options, [`InputFile`]s, an optional
//! `-filter_complex` graph and [`OutputFile`]s, then renders them to the argv
//! FFmpeg expects with [`Command::args`]. Before rendering it *validates*
//! the whole command and refuses — with a [`CommandError`] naming the
//! problem — anything FFmpeg would reject, silently ignore or quietly get
//! wrong: a duration together with an end time, an end before the seek
//! point, stream copy from an accurately seeked input, an output without
//! any stream, a CRF out of range, `-vf` on a stream fed by
//! `-filter_complex`, empty paths, NUL bytes, … It never clamps or rewrites
//! a value to make it fit.
//!
//! Builder methods never fail; everything is checked at once by
//! [`Command::validate`] (which [`Command::args`] calls). The only fallible
//! constructors are those of [`Time`], which refuse negative and non-finite
//! values, and [`ConcatList::render`].
//!
//! ```
//! use afmpeg::command::{Command, InputFile, OutputFile, SeekMode, Time};
//!
//! # fn main() -> Result<(), afmpeg::command::CommandError> {
//! let cmd = Command::new()
//!     .overwrite(true)
//!     .input(InputFile::path("/in.mkv").seek(Time::from_secs(10), SeekMode::Fast))
//!     .output(
//!         OutputFile::path("/clip.mp4")
//!             .duration(Time::from_secs_f64(2.5)?)
//!             .copy()
//!             .format_option("movflags", "+faststart"),
//!     );
//! assert_eq!(
//!     cmd.args()?,
//!     [
//!         "-y", "-ss", "10.000000", "-noaccurate_seek", "-i", "/in.mkv",
//!         "-t", "2.500000", "-c", "copy", "-movflags", "+faststart", "/clip.mp4",
//!     ]
//! );
//! # Ok(())
//! # }
//! ```
//!
//! Modules, one concept each: `types` (the error and the value types),
//! `validate` (checks and option plumbing shared by inputs and outputs),
//! `input`, `output`, `map` (`-map` specifiers), `concat_list` (the concat
//! demuxer's list format), `builder` ([`Command`] itself).

mod builder;
mod concat_list;
mod input;
mod map;
mod output;
mod types;
mod validate;

#[cfg(test)]
mod tests;

pub use builder::Command;
pub use concat_list::{ConcatEntry, ConcatList};
pub use input::InputFile;
pub use output::OutputFile;
pub use types::{CommandError, FileIndex, FrameRate, LogLevel, SeekMode, StreamType, Time};
