//! WASI preview1 error numbers.
//!
//! Every syscall in this crate returns `Result<T, Errno>`; the binding layer
//! turns the `Err` side into the 16-bit value the guest sees. The names follow
//! the WASI spec (`acces`, `notcapable`, …) so that a reader can look them up.

use std::fmt;

macro_rules! errnos {
    ($( $(#[$doc:meta])* $name:ident = $val:expr, $msg:expr; )*) => {
        /// A WASI preview1 `errno` value (the spec's numbering).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        #[non_exhaustive]
        pub enum Errno {
            $( $(#[$doc])* #[doc = $msg] $name = $val, )*
        }

        impl Errno {
            /// The raw value the guest sees.
            pub const fn raw(self) -> u16 {
                self as u16
            }

            /// The errno with raw value `raw`, if it is one of the 77 defined ones.
            pub fn from_raw(raw: u16) -> Option<Errno> {
                match raw {
                    $( $val => Some(Errno::$name), )*
                    _ => None,
                }
            }

            /// A short human description (as `strerror` would give).
            pub const fn message(self) -> &'static str {
                match self {
                    $( Errno::$name => $msg, )*
                }
            }
        }
    };
}

errnos! {
    Success = 0, "No error occurred";
    Toobig = 1, "Argument list too long";
    Acces = 2, "Permission denied";
    Addrinuse = 3, "Address in use";
    Addrnotavail = 4, "Address not available";
    Afnosupport = 5, "Address family not supported";
    Again = 6, "Resource unavailable, or operation would block";
    Already = 7, "Connection already in progress";
    Badf = 8, "Bad file descriptor";
    Badmsg = 9, "Bad message";
    Busy = 10, "Device or resource busy";
    Canceled = 11, "Operation canceled";
    Child = 12, "No child processes";
    Connaborted = 13, "Connection aborted";
    Connrefused = 14, "Connection refused";
    Connreset = 15, "Connection reset";
    Deadlk = 16, "Resource deadlock would occur";
    Destaddrreq = 17, "Destination address required";
    Dom = 18, "Mathematics argument out of domain of function";
    Dquot = 19, "Reserved";
    Exist = 20, "File exists";
    Fault = 21, "Bad address";
    Fbig = 22, "File too large";
    Hostunreach = 23, "Host is unreachable";
    Idrm = 24, "Identifier removed";
    Ilseq = 25, "Illegal byte sequence";
    Inprogress = 26, "Operation in progress";
    Intr = 27, "Interrupted function";
    Inval = 28, "Invalid argument";
    Io = 29, "I/O error";
    Isconn = 30, "Socket is connected";
    Isdir = 31, "Is a directory";
    Loop = 32, "Too many levels of symbolic links";
    Mfile = 33, "File descriptor value too large";
    Mlink = 34, "Too many links";
    Msgsize = 35, "Message too large";
    Multihop = 36, "Reserved";
    Nametoolong = 37, "Filename too long";
    Netdown = 38, "Network is down";
    Netreset = 39, "Connection aborted by network";
    Netunreach = 40, "Network unreachable";
    Nfile = 41, "Too many files open in system";
    Nobufs = 42, "No buffer space available";
    Nodev = 43, "No such device";
    Noent = 44, "No such file or directory";
    Noexec = 45, "Executable file format error";
    Nolck = 46, "No locks available";
    Nolink = 47, "Reserved";
    Nomem = 48, "Not enough space";
    Nomsg = 49, "No message of the desired type";
    Noprotoopt = 50, "Protocol not available";
    Nospc = 51, "No space left on device";
    Nosys = 52, "Function not supported";
    Notconn = 53, "The socket is not connected";
    Notdir = 54, "Not a directory or a symbolic link to a directory";
    Notempty = 55, "Directory not empty";
    Notrecoverable = 56, "State not recoverable";
    Notsock = 57, "Not a socket";
    Notsup = 58, "Not supported, or operation not supported on socket";
    Notty = 59, "Inappropriate I/O control operation";
    Nxio = 60, "No such device or address";
    Overflow = 61, "Value too large to be stored in data type";
    Ownerdead = 62, "Previous owner died";
    Perm = 63, "Operation not permitted";
    Pipe = 64, "Broken pipe";
    Proto = 65, "Protocol error";
    Protonosupport = 66, "Protocol not supported";
    Prototype = 67, "Protocol wrong type for socket";
    Range = 68, "Result too large";
    Rofs = 69, "Read-only file system";
    Spipe = 70, "Invalid seek";
    Srch = 71, "No such process";
    Stale = 72, "Reserved";
    Timedout = 73, "Connection timed out";
    Txtbsy = 74, "Text file busy";
    Xdev = 75, "Cross-device link";
    Notcapable = 76, "Extension: Capabilities insufficient";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (errno {:?} = {})", self.message(), self, self.raw())
    }
}

impl std::error::Error for Errno {}

impl Errno {
    /// The errno a guest gets for a host I/O error: the host's errno when
    /// it has a WASI equivalent (a live host directory answers like the
    /// kernel under it), `EIO` otherwise.
    pub fn from_io(e: &std::io::Error) -> Errno {
        #[cfg(unix)]
        if let Some(raw) = e.raw_os_error() {
            return match raw {
                libc::EPERM => Errno::Perm,
                libc::ENOENT => Errno::Noent,
                libc::EBADF => Errno::Badf,
                libc::EACCES => Errno::Acces,
                libc::EBUSY => Errno::Busy,
                libc::EEXIST => Errno::Exist,
                libc::EXDEV => Errno::Xdev,
                libc::ENOTDIR => Errno::Notdir,
                libc::EISDIR => Errno::Isdir,
                libc::EINVAL => Errno::Inval,
                libc::EFBIG => Errno::Fbig,
                libc::ENOSPC => Errno::Nospc,
                libc::EDQUOT => Errno::Dquot,
                libc::ESPIPE => Errno::Spipe,
                libc::EROFS => Errno::Rofs,
                libc::EMLINK => Errno::Mlink,
                libc::ENAMETOOLONG => Errno::Nametoolong,
                libc::ENOTEMPTY => Errno::Notempty,
                libc::ELOOP => Errno::Loop,
                libc::EOVERFLOW => Errno::Overflow,
                libc::EMFILE | libc::ENFILE => Errno::Mfile,
                libc::ENOTSUP => Errno::Notsup,
                libc::ENODEV => Errno::Nodev,
                libc::ENXIO => Errno::Nxio,
                libc::ETXTBSY => Errno::Txtbsy,
                libc::EAGAIN => Errno::Again,
                libc::EINTR => Errno::Intr,
                libc::ESTALE => Errno::Stale,
                _ => Errno::Io,
            };
        }
        match e.kind() {
            std::io::ErrorKind::NotFound => Errno::Noent,
            std::io::ErrorKind::PermissionDenied => Errno::Acces,
            std::io::ErrorKind::AlreadyExists => Errno::Exist,
            _ => Errno::Io,
        }
    }
}

/// The result type of every syscall in this crate.
pub type Result<T, E = Errno> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_round_trips_for_every_defined_value() {
        for raw in 0..=76u16 {
            let e = Errno::from_raw(raw).expect("defined");
            assert_eq!(e.raw(), raw);
        }
        assert_eq!(Errno::from_raw(77), None);
        assert_eq!(Errno::Notcapable.raw(), 76);
        assert_eq!(Errno::Badf.raw(), 8);
    }
}
