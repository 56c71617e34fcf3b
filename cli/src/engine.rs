//! `--engine native|interpreter`: which tier runs FFmpeg, for every
//! subcommand that runs it (`AFMPEG_ENGINE` sets the default). `afmpeg run`
//! has its own `--engine` without the variable: it runs any module, and
//! only the compiled-in one can run on the native tier.

use afmpeg::{Engine, ModuleSource, Result, Runtime};
use clap::Args;

/// The `--engine` option.
#[derive(Debug, Clone, Copy, Args)]
pub struct EngineArg {
    /// Which tier runs FFmpeg: `native` (the module compiled in, with
    /// `make native`) or `interpreter`. Default: native when this build has
    /// it and the module is the one compiled in, else interpreter.
    #[arg(long, env = "AFMPEG_ENGINE", value_name = "ENGINE", value_parser = str::parse::<Engine>)]
    pub engine: Option<Engine>,
}

impl EngineArg {
    /// The runtime over the default FFmpeg module, on the chosen tier.
    pub fn default_runtime(self) -> Result<Runtime> {
        self.apply(Runtime::default_location_builder()?).build()
    }

    /// The runtime over the module file `path`, on the chosen tier, with
    /// the companion data beside it (the default profile's font).
    pub fn runtime(self, path: std::path::PathBuf) -> Result<Runtime> {
        self.apply(Runtime::builder(ModuleSource::File(path)).with_companion_data()?)
            .build()
    }

    fn apply(self, builder: afmpeg::RuntimeBuilder) -> afmpeg::RuntimeBuilder {
        match self.engine {
            Some(e) => builder.engine(e),
            None => builder,
        }
    }
}
