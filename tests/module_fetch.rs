//! `ModuleSource::Url`: a module fetched over HTTP, pinned by SHA-256, kept
//! in a verified cache. A minimal HTTP/1.1 responder on 127.0.0.1 (loopback
//! only) serves the module and counts the requests it answered.

#![cfg(feature = "fetch")]

use afmpeg::engine::fetch::{sha256_hex, UrlSource};
use afmpeg::wasi_shim::stdio::{Capture, Output};
use afmpeg::wasi_shim::WasiCtx;
use afmpeg::{Error, ExecLimits, ModuleSource, Runtime};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

const GREETING: &[u8] = b"hello from a url\n";

/// A WASI command that writes [`GREETING`] to stdout.
fn hello_module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write"
                (func $fd_write (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "hello from a url\n")
            (func (export "_start")
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 17))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    )
    .expect("valid WAT")
}

/// What the server answers to every request.
#[derive(Clone)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    /// Send the body with `Transfer-Encoding: chunked` (no `Content-Length`).
    chunked: bool,
}

impl Reply {
    fn ok(body: Vec<u8>) -> Self {
        Reply {
            status: 200,
            body,
            chunked: false,
        }
    }
}

/// A one-connection-at-a-time HTTP/1.1 responder on 127.0.0.1.
struct Server {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(reply: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                h.fetch_add(1, Ordering::SeqCst);
                // The client may hang up early (a size cap): ignore write errors.
                let _ = answer(conn, &reply);
            }
        });
        Server {
            addr,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/ffmpeg.wasm", self.addr)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Stops accepting and closes the listener: later requests are refused.
    fn shut_down(&mut self) {
        if let Some(t) = self.thread.take() {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(self.addr); // wakes `accept`
            t.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn answer(mut conn: TcpStream, reply: &Reply) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    assert!(
        head.starts_with(b"GET /ffmpeg.wasm HTTP/1.1\r\n"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let reason = if reply.status == 200 {
        "OK"
    } else {
        "Not Found"
    };
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nConnection: close\r\nContent-Type: application/wasm\r\n",
        reply.status
    );
    if reply.chunked {
        out.push_str("Transfer-Encoding: chunked\r\n\r\n");
        conn.write_all(out.as_bytes())?;
        for chunk in reply.body.chunks(16) {
            conn.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
            conn.write_all(chunk)?;
            conn.write_all(b"\r\n")?;
        }
        conn.write_all(b"0\r\n\r\n")?;
    } else {
        out.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
        conn.write_all(out.as_bytes())?;
        conn.write_all(&reply.body)?;
    }
    conn.flush()?;
    conn.shutdown(std::net::Shutdown::Write)
}

/// Runs the module and returns its stdout.
fn run_stdout(rt: &Runtime) -> Vec<u8> {
    let out = Capture::with_cap(1 << 16);
    let ctx = WasiCtx::builder()
        .arg("hello")
        .stdout(Output::Capture(out.clone()))
        .build()
        .unwrap();
    let (exit, _ctx) = rt.run_wasi(ctx, &ExecLimits::default());
    assert_eq!(exit.expect("the module runs").code, 0);
    out.contents()
}

fn load(src: &UrlSource) -> afmpeg::Result<Runtime> {
    Runtime::new(src.clone().into())
}

/// Every file in the cache directory (none when it does not exist).
fn cache_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A source for `server`'s URL pinned to `module`'s digest, cached in `cache`.
fn pinned(server: &Server, module: &[u8], cache: impl Into<std::path::PathBuf>) -> UrlSource {
    UrlSource::new(server.url(), &sha256_hex(module))
        .unwrap()
        .with_cache_dir(cache)
}

#[test]
fn correct_pin_loads_runs_and_caches() {
    let module = hello_module();
    let server = Server::start(Reply::ok(module.clone()));
    let cache = tempfile::tempdir().unwrap();
    let src = pinned(&server, &module, cache.path());

    let rt = load(&src).unwrap();
    assert_eq!(run_stdout(&rt), GREETING);
    assert_eq!(server.hits(), 1);
    // Exactly one entry, named by the pin, holding the module: no temp files left.
    assert_eq!(
        cache_files(cache.path()),
        vec![format!("{}.wasm", sha256_hex(&module))]
    );
    assert_eq!(std::fs::read(src.cache_path().unwrap()).unwrap(), module);

    // A second load is served from the cache.
    let rt = load(&src).unwrap();
    assert_eq!(run_stdout(&rt), GREETING);
    assert_eq!(server.hits(), 1);
}

#[test]
fn module_source_url_shorthand_uses_the_pin() {
    let module = hello_module();
    let server = Server::start(Reply::ok(module.clone()));
    let cache = tempfile::tempdir().unwrap();
    let src = pinned(&server, &module, cache.path());
    let source: ModuleSource = src.into();
    assert_eq!(source.origin(), server.url());
    assert!(format!("{source:?}").contains(&sha256_hex(&module)));
    assert_eq!(run_stdout(&Runtime::new(source).unwrap()), GREETING);
    assert!(matches!(
        ModuleSource::url(server.url(), &sha256_hex(&module)),
        Ok(ModuleSource::Url(_))
    ));
}

#[test]
fn wrong_pin_is_a_checksum_mismatch_and_nothing_is_cached() {
    let module = hello_module();
    let server = Server::start(Reply::ok(module.clone()));
    let cache = tempfile::tempdir().unwrap();
    let pin = sha256_hex(b"some other module");
    let src = UrlSource::new(server.url(), &pin)
        .unwrap()
        .with_cache_dir(cache.path());
    match load(&src) {
        Err(Error::ChecksumMismatch {
            url,
            expected,
            actual,
        }) => {
            assert_eq!(url, server.url());
            assert_eq!(expected, pin);
            assert_eq!(actual, sha256_hex(&module));
        }
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
    assert_eq!(server.hits(), 1);
    assert!(
        cache_files(cache.path()).is_empty(),
        "{:?}",
        cache_files(cache.path())
    );
}

/// Serves the module (`chunked` or with a length), loads it with a cap one byte below its
/// size, and checks that it is refused as too large, reporting `size` as
/// the size it knew, with nothing cached.
fn refused_above_the_cap(chunked: bool, size: Option<u64>) {
    let module = hello_module();
    let server = Server::start(Reply {
        status: 200,
        body: module.clone(),
        chunked,
    });
    let cache = tempfile::tempdir().unwrap();
    let cap = module.len() as u64 - 1;
    let src = pinned(&server, &module, cache.path()).with_max_bytes(cap);
    match load(&src) {
        Err(Error::ModuleTooLarge {
            limit, size: got, ..
        }) => {
            assert_eq!(limit, cap);
            assert_eq!(got, size);
        }
        other => panic!("expected ModuleTooLarge, got {other:?}"),
    }
    assert!(cache_files(cache.path()).is_empty());
}

#[test]
fn declared_size_above_the_cap_is_refused() {
    refused_above_the_cap(false, Some(hello_module().len() as u64));
}

#[test]
fn streamed_size_above_the_cap_is_refused() {
    // A chunked body declares no size.
    refused_above_the_cap(true, None);
}

#[test]
fn a_module_exactly_at_the_cap_loads() {
    let module = hello_module();
    for chunked in [false, true] {
        let server = Server::start(Reply {
            status: 200,
            body: module.clone(),
            chunked,
        });
        let cache = tempfile::tempdir().unwrap();
        let src = pinned(&server, &module, cache.path()).with_max_bytes(module.len() as u64);
        assert_eq!(
            run_stdout(&load(&src).unwrap()),
            GREETING,
            "chunked: {chunked}"
        );
    }
}

#[test]
fn a_corrupted_cache_entry_is_discarded_and_fetched_again() {
    let module = hello_module();
    let server = Server::start(Reply::ok(module.clone()));
    let cache = tempfile::tempdir().unwrap();
    let src = pinned(&server, &module, cache.path());
    load(&src).unwrap();
    assert_eq!(server.hits(), 1);
    let entry = src.cache_path().unwrap();

    // Same length, one bit flipped in the greeting: still valid wasm that
    // would run and print something else if it were used.
    let mut corrupted = module.clone();
    let at = corrupted.windows(5).position(|w| w == b"hello").unwrap();
    corrupted[at] ^= 0x20;
    std::fs::write(&entry, &corrupted).unwrap();
    let rt = load(&src).unwrap();
    assert_eq!(run_stdout(&rt), GREETING);
    assert_eq!(server.hits(), 2, "the corrupted entry must be re-fetched");
    assert_eq!(
        std::fs::read(&entry).unwrap(),
        module,
        "the entry is repaired"
    );

    // A truncated (empty) entry too.
    std::fs::write(&entry, b"").unwrap();
    assert_eq!(run_stdout(&load(&src).unwrap()), GREETING);
    assert_eq!(server.hits(), 3);
    assert_eq!(std::fs::read(&entry).unwrap(), module);
    assert_eq!(cache_files(cache.path()).len(), 1);
}

#[test]
fn a_verified_cache_entry_is_used_when_the_server_is_gone() {
    let module = hello_module();
    let mut server = Server::start(Reply::ok(module.clone()));
    let cache = tempfile::tempdir().unwrap();
    let src = pinned(&server, &module, cache.path());
    load(&src).unwrap();
    server.shut_down();
    assert_eq!(server.hits(), 1);

    assert_eq!(run_stdout(&load(&src).unwrap()), GREETING);

    // Re-verified on read: once corrupted, the cache cannot stand in for
    // the server, and the failure is a fetch error, not the bad bytes.
    let entry = src.cache_path().unwrap();
    std::fs::write(&entry, b"\0asm\x01\0\0\0").unwrap();
    match load(&src) {
        Err(Error::Fetch {
            url, status: None, ..
        }) => assert_eq!(url, server.url()),
        other => panic!("expected a network error, got {other:?}"),
    }
    assert!(!entry.exists(), "the corrupted entry is deleted");
}

#[test]
fn http_404_is_a_fetch_error_with_its_status() {
    let module = hello_module();
    let server = Server::start(Reply {
        status: 404,
        body: b"no such module\n".to_vec(),
        chunked: false,
    });
    let cache = tempfile::tempdir().unwrap();
    let src = pinned(&server, &module, cache.path());
    match load(&src) {
        Err(
            e @ Error::Fetch {
                status: Some(404), ..
            },
        ) => {
            let msg = e.to_string();
            assert!(msg.contains("404") && msg.contains(&server.url()), "{msg}");
        }
        other => panic!("expected Fetch with status 404, got {other:?}"),
    }
    assert_eq!(server.hits(), 1);
    assert!(cache_files(cache.path()).is_empty());
}

#[test]
fn a_malformed_pin_is_refused_before_any_request() {
    let server = Server::start(Reply::ok(hello_module()));
    for pin in [
        "",
        "deadbeef",
        &"z".repeat(64),
        &format!("sha256:{}", "0".repeat(64)),
    ] {
        match UrlSource::new(server.url(), pin) {
            Err(Error::InvalidPin { pin: p, .. }) => assert_eq!(p, pin),
            other => panic!("{pin:?}: expected InvalidPin, got {other:?}"),
        }
        assert!(matches!(
            ModuleSource::url(server.url(), pin),
            Err(Error::InvalidPin { .. })
        ));
    }
    assert_eq!(server.hits(), 0);
}

#[test]
fn pinned_bytes_that_are_not_wasm_are_refused_at_compile() {
    let body = b"<html>a login page</html>".to_vec();
    let server = Server::start(Reply::ok(body.clone()));
    let cache = tempfile::tempdir().unwrap();
    let src = UrlSource::new(server.url(), &sha256_hex(&body))
        .unwrap()
        .with_cache_dir(cache.path());
    match load(&src) {
        Err(Error::InvalidModule { origin, .. }) => assert_eq!(origin, server.url()),
        other => panic!("expected InvalidModule, got {other:?}"),
    }
}

#[test]
fn an_unwritable_cache_is_a_cache_error() {
    let module = hello_module();
    let server = Server::start(Reply::ok(module.clone()));
    let cache = tempfile::tempdir().unwrap();
    // A file where the cache directory should be.
    let blocker = cache.path().join("not-a-dir");
    std::fs::write(&blocker, b"").unwrap();
    let src = pinned(&server, &module, &blocker);
    assert!(
        matches!(load(&src), Err(Error::ModuleCache { .. })),
        "{:?}",
        load(&src).err()
    );
}
