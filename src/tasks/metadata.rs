//! Write global and stream metadata, and author chapters, through an
//! `ffmetadata` input.

use super::Task;
use super::{base, execute_with_side_file, Produced};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, Time};
use crate::error::Result;
use crate::job::RunOptions;
use crate::{Filesystem, Runtime};

/// A chapter to author: `[start, end)` and a title.
///
/// ```
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{ChapterSpec, Metadata};
/// let intro = ChapterSpec::new(Time::ZERO, Time::from_millis(1500), "Intro");
/// let text = Metadata::new("/in.mp4", "/out.mp4").chapter(intro).ffmetadata()?;
/// assert!(text.contains("[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Intro\n"), "{text}");
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterSpec {
    /// Start time.
    pub start: Time,
    /// End time; after `start`.
    pub end: Time,
    /// Title (any text; escaped for the ffmetadata format).
    pub title: String,
}

impl ChapterSpec {
    /// A chapter from `start` to `end` titled `title`.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{ChapterSpec, Metadata};
    /// let ch = ChapterSpec::new(Time::from_secs(30), Time::from_secs(95), "Beach");
    /// assert_eq!(ch.end, Time::from_secs(95));
    /// // A chapter must end after it starts.
    /// let backwards = ChapterSpec::new(Time::from_secs(9), Time::from_secs(3), "Oops");
    /// assert!(Metadata::new("/in.mp4", "/out.mp4").chapter(backwards).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(start: Time, end: Time, title: impl Into<String>) -> ChapterSpec {
        ChapterSpec {
            start,
            end,
            title: title.into(),
        }
    }
}

/// Escapes a key or value for the ffmetadata format: `=`, `;`, `#`, `\`
/// and line breaks get a backslash before them.
///
/// ```
/// use afmpeg::tasks::metadata::escape;
/// assert_eq!(escape("a=b;c#d\\e\nf"), "a\\=b\\;c\\#d\\\\e\\\nf");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '=' | ';' | '#' | '\\' | '\n' | '\r') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Refuses a value FFmpeg 5.1's ffmetadata reader cannot read back: one
/// ending in `\\` (escaped as `\\\\`, the reader takes the escaped backslash
/// for one escaping the line break, and swallows the next line — the next
/// tag or the `[CHAPTER]` header — into the value).
fn check_value(option: &str, value: &str) -> Result<(), CommandError> {
    if value.contains('\0') {
        return Err(CommandError::InvalidArgument {
            option: option.into(),
            value: value.into(),
            reason: "contains a NUL byte",
        });
    }
    if value.ends_with('\\') {
        return Err(CommandError::InvalidArgument {
            option: option.into(),
            value: value.into(),
            reason: "ends in a backslash, which FFmpeg 5.1's ffmetadata reader \
                     misreads (it swallows the next line)",
        });
    }
    Ok(())
}

/// Sets tags and authors chapters, copying every stream as it is.
///
/// Global tags and chapters go into an `;FFMETADATA1` file (see
/// [`ffmetadata`](Metadata::ffmetadata); written into the in-memory tree as
/// `{output}.ffmetadata` and removed after the run) that is added as a
/// second input; chapters come from it with `-map_chapters 1` (replacing
/// the input's, when any is authored). Global tags: by default the input's
/// are kept (`-map_metadata 0`) and the new ones set over them with
/// `-metadata`; with [`replace_tags`](Metadata::replace_tags) the output
/// has exactly the ffmetadata file's (`-map_metadata 1`). Stream tags are
/// set with `-metadata:s:…`.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{ChapterSpec, Metadata, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// Metadata::new("/in.mp4", "/tagged.mp4")
///     .tag("title", "Holiday; day 1")
///     .stream_tag("a:0", "language", "eng")
///     .chapter(ChapterSpec::new(Time::ZERO, Time::from_secs(30), "Arrival"))
///     .chapter(ChapterSpec::new(Time::from_secs(30), Time::from_secs(95), "Beach"))
///     .run(&rt, &fs)?;
/// let info = rt.probe(&fs, "/tagged.mp4")?;
/// assert_eq!(info.chapters[1].title.as_deref(), Some("Beach"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    input: String,
    output: String,
    tags: Vec<(String, String)>,
    stream_tags: Vec<(String, String, String)>,
    chapters: Vec<ChapterSpec>,
    replace_tags: bool,
    metadata_path: Option<String>,
}

impl Metadata {
    /// Copy `input` to `output` with new metadata.
    ///
    /// ```
    /// use afmpeg::tasks::Metadata;
    /// let args = Metadata::new("/in.mp4", "/out.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c", "copy"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-i", "/out.mp4.ffmetadata"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, output: impl Into<String>) -> Metadata {
        Metadata {
            input: input.into(),
            output: output.into(),
            tags: Vec::new(),
            stream_tags: Vec::new(),
            chapters: Vec::new(),
            replace_tags: false,
            metadata_path: None,
        }
    }

    /// A global tag (`title`, `artist`, `comment`, …).
    ///
    /// ```
    /// use afmpeg::tasks::Metadata;
    /// let meta = Metadata::new("/in.mp4", "/out.mp4").tag("title", "Holiday; day 1");
    /// assert_eq!(meta.ffmetadata()?, ";FFMETADATA1\ntitle=Holiday\\; day 1\n");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Metadata {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// A stream tag; `stream` is an output stream specifier such as `a:0`.
    ///
    /// ```
    /// use afmpeg::tasks::Metadata;
    /// let args = Metadata::new("/in.mp4", "/out.mp4").stream_tag("a:0", "language", "eng").command()?.args()?;
    /// assert!(args.iter().any(|a| a == "language=eng"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream_tag(
        mut self,
        stream: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Metadata {
        self.stream_tags
            .push((stream.into(), key.into(), value.into()));
        self
    }

    /// Author a chapter; chapters are written in the order added.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{ChapterSpec, Metadata};
    /// let meta = Metadata::new("/in.mp4", "/out.mp4")
    ///     .chapter(ChapterSpec::new(Time::ZERO, Time::from_secs(30), "Arrival"))
    ///     .chapter(ChapterSpec::new(Time::from_secs(30), Time::from_secs(95), "Beach"));
    /// let args = meta.command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map_chapters", "1"]), "{args:?}");
    /// assert_eq!(meta.ffmetadata()?.matches("[CHAPTER]").count(), 2);
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn chapter(mut self, chapter: ChapterSpec) -> Metadata {
        self.chapters.push(chapter);
        self
    }

    /// Drop the input's global tags: the output has only those set here.
    ///
    /// ```
    /// use afmpeg::tasks::Metadata;
    /// let args = Metadata::new("/in.mp4", "/out.mp4").replace_tags().command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map_metadata", "1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn replace_tags(mut self) -> Metadata {
        self.replace_tags = true;
        self
    }

    /// Where the ffmetadata file is written during the run.
    ///
    /// ```
    /// use afmpeg::tasks::Metadata;
    /// let args = Metadata::new("/in.mp4", "/out.mp4").metadata_path("/tmp/meta.txt").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-i", "/tmp/meta.txt"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn metadata_path(mut self, path: impl Into<String>) -> Metadata {
        self.metadata_path = Some(path.into());
        self
    }

    fn side_file(&self) -> String {
        self.metadata_path
            .clone()
            .unwrap_or_else(|| format!("{}.ffmetadata", self.output))
    }

    /// The `;FFMETADATA1` text: global tags, then one `[CHAPTER]` section
    /// per chapter with `TIMEBASE=1/1000`, `START`, `END` (milliseconds)
    /// and `title`. Refuses empty keys, chapters that do not end after
    /// they start, and tag values or titles that end in a backslash (FFmpeg
    /// 5.1's reader would swallow the next line into them).
    ///
    /// ```
    /// use afmpeg::tasks::Metadata;
    /// let text = Metadata::new("/in.mp4", "/out.mp4").tag("artist", "Ann").ffmetadata()?;
    /// assert_eq!(text, ";FFMETADATA1\nartist=Ann\n");
    /// assert!(Metadata::new("/in.mp4", "/out.mp4").tag("", "x").ffmetadata().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn ffmetadata(&self) -> Result<String, CommandError> {
        let mut text = String::from(";FFMETADATA1\n");
        for (key, value) in &self.tags {
            if key.is_empty() || key.contains('\0') {
                return Err(CommandError::InvalidArgument {
                    option: "metadata".into(),
                    value: key.clone(),
                    reason: "a tag key must be non-empty, without NUL bytes",
                });
            }
            check_value("metadata", value)?;
            text.push_str(&format!("{}={}\n", escape(key), escape(value)));
        }
        for ch in &self.chapters {
            if ch.end <= ch.start {
                return Err(CommandError::EndNotAfterSeek {
                    target: crate::command::FileIndex::Output(0),
                    seek: ch.start,
                    end: ch.end,
                });
            }
            check_value("chapter title", &ch.title)?;
            // Rounded to the millisecond time base.
            let ms = |t: Time| t.as_micros().saturating_add(500) / 1000;
            text.push_str(&format!(
                "\n[CHAPTER]\nTIMEBASE=1/1000\nSTART={}\nEND={}\ntitle={}\n",
                ms(ch.start),
                ms(ch.end),
                escape(&ch.title)
            ));
        }
        Ok(text)
    }

    /// The command this task runs (the ffmetadata file must exist when it
    /// runs; [`run`](Metadata::run) writes it).
    ///
    /// ```
    /// use afmpeg::tasks::Metadata;
    /// let args = Metadata::new("/in.mp4", "/out.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "ffmetadata"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map_metadata", "0"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/out.mp4"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        self.ffmetadata()?;
        let mut out = OutputFile::path(&self.output).map("0").copy();
        if self.replace_tags {
            out = out.map_metadata(1);
        } else {
            out = out.map_metadata(0);
            for (key, value) in &self.tags {
                out = out.metadata(key, value);
            }
        }
        if self.chapters.is_empty() {
            out = out.map_chapters(0);
        } else {
            out = out.map_chapters(1);
        }
        for (stream, key, value) in &self.stream_tags {
            out = out.stream_metadata(stream, key, value);
        }
        let cmd = base(LogLevel::Warning)
            .input(InputFile::path(&self.input))
            .input(InputFile::path(self.side_file()).format("ffmetadata"))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

impl Task for Metadata {
    type Output = Produced;

    /// Runs the task with `opts`.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Produced> {
        let text = self.ffmetadata()?;
        let cmd = self.command()?;
        let out = execute_with_side_file(rt, fs, &cmd, opts, &self.side_file(), text)?;
        Produced::find(fs, &self.output, &out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffmetadata_text() {
        let m = Metadata::new("/i", "/o.mp4")
            .tag("title", "A=B")
            .chapter(ChapterSpec::new(
                Time::ZERO,
                Time::from_micros(1_500_400),
                "One; #1 \\ x\ny",
            ));
        assert_eq!(
            m.ffmetadata().unwrap(),
            ";FFMETADATA1\ntitle=A\\=B\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\n\
             title=One\\; \\#1 \\\\ x\\\ny\n"
        );
        let bad = Metadata::new("/i", "/o").chapter(ChapterSpec::new(
            Time::from_secs(2),
            Time::from_secs(1),
            "x",
        ));
        assert!(bad.command().is_err());
    }

    #[test]
    fn trailing_backslash_is_refused() {
        let reason = |m: Metadata| match m.command() {
            Err(CommandError::InvalidArgument { option, reason, .. }) => (option, reason),
            other => panic!("{other:?}"),
        };
        let (option, why) = reason(Metadata::new("/i", "/o").tag("title", "C:\\"));
        assert_eq!(option, "metadata");
        assert!(why.contains("ends in a backslash"), "{why}");
        let (option, _) = reason(Metadata::new("/i", "/o").chapter(ChapterSpec::new(
            Time::ZERO,
            Time::from_secs(1),
            "a\\\\",
        )));
        assert_eq!(option, "chapter title");
        // A backslash anywhere else round-trips (escaped).
        assert!(Metadata::new("/i", "/o").tag("t", "a\\b").command().is_ok());
    }

    #[test]
    fn argv() {
        let args = Metadata::new("/i.mp4", "/o.mp4")
            .tag("title", "t")
            .chapter(ChapterSpec::new(Time::ZERO, Time::from_secs(1), "c"))
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        assert!(
            args.contains("-f ffmetadata -i /o.mp4.ffmetadata -map 0 -c copy -map_metadata 0 -map_chapters 1 -metadata title=t /o.mp4"),
            "{args}"
        );
    }
}
