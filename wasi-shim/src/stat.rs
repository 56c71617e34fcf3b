//! What the guest sees of an inode: its WASI file type and its `filestat`.
//! The inode tree stores nodes; this is where they meet WASI's byte layout
//! ([`crate::abi`]).

use crate::abi::{filetype, Filestat};
use crate::errno::Result;
use crate::fs::tree::{Ino, Node, NodeKind, Tree};

/// The WASI file type of `node`.
pub fn filetype(node: &Node) -> u8 {
    match node.kind {
        NodeKind::File(_) => filetype::REGULAR_FILE,
        NodeKind::Dir(_) => filetype::DIRECTORY,
        NodeKind::Symlink(_) => filetype::SYMBOLIC_LINK,
        NodeKind::CharDevice(_) => filetype::CHARACTER_DEVICE,
    }
}

/// `stat` of inode `ino` of `tree`.
pub fn filestat(tree: &Tree, ino: Ino) -> Result<Filestat> {
    let n = tree.get(ino)?;
    Ok(Filestat {
        dev: tree.dev(),
        ino,
        filetype: filetype(n),
        nlink: n.nlink,
        size: n.size(),
        atim: n.atim,
        mtim: n.mtim,
        ctim: n.ctim,
    })
}
