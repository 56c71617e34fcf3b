//! The guest's random source: the OS, or a seeded ChaCha20 stream.

use crate::errno::{Errno, Result};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// Where `random_get` and `/dev/urandom` take their bytes from.
#[derive(Debug, Clone)]
pub enum RandomSource {
    /// The host OS's secure random generator.
    Os,
    /// A ChaCha20 stream from a seed: identical bytes on every rerun.
    Seeded(Box<ChaCha20Rng>),
}

impl RandomSource {
    /// A deterministic source from `seed`.
    pub fn seeded(seed: u64) -> Self {
        RandomSource::Seeded(Box::new(ChaCha20Rng::seed_from_u64(seed)))
    }

    /// Fills `buf`.
    pub fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        match self {
            RandomSource::Os => getrandom::fill(buf).map_err(|_| Errno::Io),
            RandomSource::Seeded(rng) => {
                rng.fill_bytes(buf);
                Ok(())
            }
        }
    }
}
