//! The quality settings of the tasks that re-encode video (CRF, encoder
//! preset) and their builder setters, written once.

use crate::command::OutputFile;

/// CRF and encoder preset. A task gives them to its output in every mode:
/// with a stream copy the command's validation refuses them, so a setting
/// that cannot apply is an error, never silently dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Quality {
    pub(super) crf: Option<u8>,
    pub(super) preset: Option<String>,
}

impl Quality {
    /// `out` with `-crf` and `-preset` when they are set.
    pub(super) fn apply(&self, mut out: OutputFile) -> OutputFile {
        if let Some(crf) = self.crf {
            out = out.crf(crf);
        }
        if let Some(p) = &self.preset {
            out = out.preset(p);
        }
        out
    }
}

/// The `crf` and `preset` setters of `$task`, whose [`Quality`] is the
/// field path after it (`Concat.quality`, `Hls.encoding.quality`). `$when`
/// says when they apply (e.g. `"when re-encoding"`); `$new` is what follows
/// `afmpeg::tasks::$task::new` in the doc examples (the constructor's
/// arguments, and any setter the settings need).
macro_rules! quality_setters {
    ($task:ident $(. $field:ident)+, $when:literal, $new:literal) => {
        impl $task {
            #[doc = concat!("CRF ", $when, ".")]
            ///
            /// ```
            #[doc = concat!("let task = afmpeg::tasks::", stringify!($task), "::new", $new, ".crf(20);")]
            /// let args = task.command()?.args()?;
            /// assert!(args.windows(2).any(|w| w == ["-crf", "20"]), "{args:?}");
            /// # Ok::<(), afmpeg::command::CommandError>(())
            /// ```
            pub fn crf(mut self, crf: u8) -> $task {
                self$(.$field)+.crf = Some(crf);
                self
            }

            #[doc = concat!("Encoder preset ", $when, ".")]
            ///
            /// ```
            #[doc = concat!("let task = afmpeg::tasks::", stringify!($task), "::new", $new, ".preset(\"veryfast\");")]
            /// let args = task.command()?.args()?;
            /// assert!(args.windows(2).any(|w| w == ["-preset", "veryfast"]), "{args:?}");
            /// # Ok::<(), afmpeg::command::CommandError>(())
            /// ```
            pub fn preset(mut self, preset: impl Into<String>) -> $task {
                self$(.$field)+.preset = Some(preset.into());
                self
            }
        }
    };
}
pub(super) use quality_setters;
