//! MPEG-DASH packaging: a manifest (`.mpd`) and fragmented-MP4 segments.

use super::hls::{check_segment_time, encoding_setters, execute_package, Encoding};
use super::Task;
use super::{base, join, missing, parent, stem};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, Time};
use crate::error::Result;
use crate::job::RunOptions;
use crate::{Filesystem, Runtime};

/// One representation (one stream) of a [`Dash`] package.
///
/// ```no_run
/// use afmpeg::tasks::{Dash, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let dash = Dash::new("/in.mp4", "/dash/manifest.mpd").run(&rt, &fs)?;
/// for r in &dash.representations {
///     let init = fs.read(&r.init)?;
///     println!("{}: init {} bytes, {} segments", r.id, init.len(), r.segments.len());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashRepresentation {
    /// Its `id` in the manifest (FFmpeg numbers them from 0 by output
    /// stream).
    pub id: String,
    /// The initialization segment (`ftyp` + `moov`).
    pub init: String,
    /// The media segments, in order.
    pub segments: Vec<String>,
}

/// What a [`Dash`] run wrote.
///
/// ```no_run
/// use afmpeg::tasks::{Dash, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let dash = Dash::new("/in.mp4", "/dash/manifest.mpd").run(&rt, &fs)?;
/// let mpd = String::from_utf8(fs.read(&dash.manifest)?).unwrap_or_default();
/// assert!(mpd.contains("<MPD"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashOutput {
    /// The manifest (`.mpd`).
    pub manifest: String,
    /// The representations, by id.
    pub representations: Vec<DashRepresentation>,
}

/// Packages `input` as video-on-demand MPEG-DASH (`-f dash`): a static
/// manifest and, per stream, an initialization segment and media segments
/// of about [`segment_duration`](Dash::segment_duration) each, addressed by
/// a `SegmentTemplate` with `$Number$`.
///
/// Re-encodes to H.264/AAC by default with a keyframe forced at every
/// segment boundary (see [`Hls`](super::Hls), which shares these settings);
/// with [`copy`](Dash::copy) segments are cut at the input's keyframes.
/// Segments are written next to the manifest as
/// `{manifest stem}-init-{id}.m4s` and `{manifest stem}-{id}-NNNNN.m4s`, so
/// several packages can share a directory. Needs the default (or full)
/// guest profile: lean has no DASH muxer.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{Dash, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let dash = Dash::new("/in.mp4", "/dash/manifest.mpd")
///     .segment_duration(Time::from_secs(4))
///     .run(&rt, &fs)?;
/// for r in &dash.representations {
///     println!("{}: {} + {} segments", r.id, r.init, r.segments.len());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dash {
    input: String,
    manifest: String,
    segment: Time,
    encoding: Encoding,
}

impl Dash {
    /// DASH of `input` with the manifest at `manifest`, 4 s segments.
    ///
    /// ```
    /// use afmpeg::tasks::Dash;
    /// let args = Dash::new("/in.mp4", "/dash/manifest.mpd").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "dash"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-seg_duration", "4.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, manifest: impl Into<String>) -> Dash {
        Dash {
            input: input.into(),
            manifest: manifest.into(),
            segment: Time::from_secs(4),
            encoding: Encoding::default(),
        }
    }

    /// Target segment length (`-seg_duration`; default 4 s).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Dash;
    /// let args = Dash::new("/in.mp4", "/dash/manifest.mpd").segment_duration(Time::from_secs(2)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-seg_duration", "2.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn segment_duration(mut self, duration: Time) -> Dash {
        self.segment = duration;
        self
    }

    /// The start of every segment file name of this package.
    fn prefix(&self) -> String {
        stem(&self.manifest).to_owned()
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Dash;
    /// let args = Dash::new("/in.mp4", "/dash/manifest.mpd").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-init_seg_name", "manifest-init-$RepresentationID$.m4s"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/dash/manifest.mpd"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        check_segment_time(self.segment)?;
        let prefix = self.prefix();
        if prefix.contains('$') {
            return Err(CommandError::InvalidArgument {
                option: "manifest".into(),
                value: self.manifest.clone(),
                reason: "'$' would be read as a DASH template identifier",
            });
        }
        let out = self
            .encoding
            .apply(OutputFile::path(&self.manifest), self.segment)
            .format("dash")
            .format_option("seg_duration", self.segment.to_string())
            .format_option("use_template", "1")
            .format_option("use_timeline", "0")
            .format_option(
                "init_seg_name",
                format!("{prefix}-init-$RepresentationID$.m4s"),
            )
            .format_option(
                "media_seg_name",
                format!("{prefix}-$RepresentationID$-$Number%05d$.m4s"),
            );
        let cmd = base(LogLevel::Warning)
            .input(InputFile::path(&self.input))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }

    /// The representations whose segments are in `dir`, found by the names
    /// [`command`](Dash::command) gives them.
    fn representations(&self, fs: &Filesystem, dir: &str) -> Result<Vec<DashRepresentation>> {
        let init_prefix = format!("{}-init-", self.prefix());
        let media_prefix = format!("{}-", self.prefix());
        let names: Vec<String> = fs.read_dir(dir)?.into_iter().map(|e| e.name).collect();
        let mut reps: Vec<DashRepresentation> = names
            .iter()
            .filter_map(|n| n.strip_prefix(&init_prefix)?.strip_suffix(".m4s"))
            .map(|id| {
                let own = format!("{media_prefix}{id}-");
                let mut segments: Vec<String> = names
                    .iter()
                    .filter(|n| {
                        n.strip_prefix(&own)
                            .and_then(|rest| rest.strip_suffix(".m4s"))
                            .is_some_and(|num| num.bytes().all(|b| b.is_ascii_digit()))
                    })
                    .map(|n| join(dir, n))
                    .collect();
                // zero-padded numbers: name order is segment order
                segments.sort();
                DashRepresentation {
                    id: id.to_owned(),
                    init: join(dir, &format!("{init_prefix}{id}.m4s")),
                    segments,
                }
            })
            .collect();
        reps.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(reps)
    }
}

encoding_setters!(
    Dash,
    "segments cut at the input's keyframes; the codecs must go into MP4"
);

impl Task for Dash {
    type Output = DashOutput;

    /// Runs the task with `opts`; returns the manifest and, per
    /// representation, its segments.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<DashOutput> {
        let out = execute_package(rt, fs, opts, &self.command()?, &self.manifest, "manifest")?;
        let representations = self.representations(fs, parent(&self.manifest))?;
        if let Some(empty) = representations.iter().find(|r| r.segments.is_empty()) {
            return Err(missing(
                &out,
                &format!("representation {} has no media segment", empty.id),
            ));
        }
        if representations.is_empty() {
            return Err(missing(&out, "no segment written"));
        }
        Ok(DashOutput {
            manifest: self.manifest.clone(),
            representations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_argv() {
        let args = Dash::new("/i.mp4", "/d/show.mpd")
            .segment_duration(Time::from_secs(2))
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        for part in [
            "-force_key_frames expr:gte(t,n_forced*2.000000)",
            "-f dash",
            "-seg_duration 2.000000",
            "-init_seg_name show-init-$RepresentationID$.m4s",
            "-media_seg_name show-$RepresentationID$-$Number%05d$.m4s",
        ] {
            assert!(args.contains(part), "{part} not in {args}");
        }
        assert!(Dash::new("/i.mp4", "/d/a$b.mpd").command().is_err());
    }

    #[test]
    fn segments_found_by_name() {
        let fs = Filesystem::new();
        fs.create_dir_all("/d").unwrap();
        for n in [
            "show.mpd",
            "show-init-0.m4s",
            "show-0-00002.m4s",
            "show-0-00001.m4s",
            "show-init-1.m4s",
            "show-1-00001.m4s",
            "other-init-0.m4s",
            "other-0-00001.m4s",
        ] {
            fs.write(&format!("/d/{n}"), "x").unwrap();
        }
        let reps = Dash::new("/i", "/d/show.mpd")
            .representations(&fs, "/d")
            .unwrap();
        assert_eq!(
            reps,
            [
                DashRepresentation {
                    id: "0".into(),
                    init: "/d/show-init-0.m4s".into(),
                    segments: vec!["/d/show-0-00001.m4s".into(), "/d/show-0-00002.m4s".into()],
                },
                DashRepresentation {
                    id: "1".into(),
                    init: "/d/show-init-1.m4s".into(),
                    segments: vec!["/d/show-1-00001.m4s".into()],
                },
            ]
        );
    }
}
