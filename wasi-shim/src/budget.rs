//! What a run may write (its limits) and what it has written.

/// A per-run limit of the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Open fds (`EMFILE`).
    OpenFiles,
    /// Bytes written to files (`ENOSPC`).
    BytesWritten,
    /// Files, directories and links created (`ENOSPC`).
    FilesCreated,
    /// Captured stdout bytes.
    Stdout,
    /// Captured stderr bytes.
    Stderr,
    /// The run's wall-clock deadline passed while the guest slept in
    /// `poll_oneoff` (see [`WasiCtxBuilder::deadline`](crate::WasiCtxBuilder::deadline)). Always stops the
    /// guest, whatever `abort_on_limit` says: no errno could tell a sleeping
    /// program that its time is up.
    Deadline,
}

/// What a run may write to the filesystems, and what it has written.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteBudget {
    /// Most bytes the guest may write to files (`None`: unlimited).
    pub max_bytes: Option<u64>,
    /// Most inodes the guest may create (`None`: unlimited).
    pub max_files: Option<u64>,
    /// Bytes written so far.
    pub bytes: u64,
    /// Inodes created so far.
    pub files: u64,
}

impl WriteBudget {
    /// Charges `n` written bytes to the budget.
    pub(crate) fn charge_bytes(&mut self, n: u64) -> Result<(), Limit> {
        if let Some(max) = self.max_bytes {
            if self.bytes.saturating_add(n) > max {
                return Err(Limit::BytesWritten);
            }
        }
        self.bytes = self.bytes.saturating_add(n);
        Ok(())
    }

    /// Charges one created inode or name to the budget.
    pub(crate) fn charge_file(&mut self) -> Result<(), Limit> {
        if let Some(max) = self.max_files {
            if self.files >= max {
                return Err(Limit::FilesCreated);
            }
        }
        self.files += 1;
        Ok(())
    }
}
