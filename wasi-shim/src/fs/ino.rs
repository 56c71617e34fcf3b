//! Inode numbers: what directory entries, fds and the tree's arena name
//! inodes by. On their own so that the tree and its directories can both
//! use them without importing each other.

/// An inode number, unique within one tree and never reused by it.
pub type Ino = u64;

/// The inode number of a tree's root directory.
pub const ROOT: Ino = 1;
