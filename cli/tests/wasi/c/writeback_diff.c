/* writeback_diff: the guest half of tests/cli_run_write_back.rs (`afmpeg run
 * --dir … --write-back`, the write-back as a diff). The harness prepares the
 * host tree, runs one mode, and compares the host tree before and after.
 *
 *   writeback_diff read    reads and stats everything it is told about and
 *                          lists the root: changes nothing
 *   writeback_diff change  creates new.txt, overwrites the first byte of
 *                          key (0600), writes one byte in the middle of
 *                          sparse.img, removes gone.txt and empty/, writes
 *                          through the symlink out.link (-> real/out.bin),
 *                          and makes an HLS-like output in hls/
 *   writeback_diff twice   writes a.txt through fd 3 and b.txt through fd 4
 *                          (one host directory mounted twice), then tries
 *                          to rename and hard-link a.txt from fd 3 to fd 4
 *                          (EXDEV expected)
 *   writeback_diff put NAME TEXT
 *                          creates or truncates NAME and writes TEXT to it
 *                          (run as another user: the owner kept on write-back)
 *
 * Not a conformance program: listed as special in tests/wasi_conformance.rs. */
#include "common.h"

static void pwrite_at(__wasi_fd_t dir, const char *path, uint64_t offset, const char *bytes) {
    __wasi_fd_t fd = xopen(dir, path, 0, 0);
    __wasi_ciovec_t iov = {(const uint8_t *)bytes, strlen(bytes)};
    __wasi_size_t n;
    int e = __wasi_fd_pwrite(fd, &iov, 1, offset, &n);
    if (e) die("fd_pwrite", e);
    xclose(fd);
}

int main(int argc, char **argv) {
    setup();
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "read") == 0) {
        char buf[256];
        CHECK("read_key", get_file(ROOT, "key", buf, sizeof buf) == 4, "key");
        CHECK("read_script", get_file(ROOT, "run.sh", buf, sizeof buf) > 0, "run.sh");
        CHECK("read_link", get_file(ROOT, "pair_b", buf, sizeof buf) > 0, "pair_b");
        __wasi_filestat_t st = xstat(ROOT, "sparse.img", 1);
        CHECK_EQ_U64("sparse_size", st.size, 1ull << 30);
        __wasi_fd_t d = xopen(ROOT, ".", __WASI_OFLAGS_DIRECTORY, 0);
        uint8_t dirbuf[4096];
        __wasi_size_t used;
        EXPECT_OK("readdir", __wasi_fd_readdir(d, dirbuf, sizeof dirbuf, 0, &used));
        xclose(d);
        /* An open for writing, closed without a write: no change. */
        __wasi_fd_t w = xopen(ROOT, "run.sh", 0, 0);
        xclose(w);
    } else if (strcmp(mode, "change") == 0) {
        put_file(ROOT, "new.txt", "created");
        pwrite_at(ROOT, "key", 0, "K");
        pwrite_at(ROOT, "sparse.img", 128ull << 20, "X");
        EXPECT_OK("unlink", __wasi_path_unlink_file(ROOT, "gone.txt"));
        EXPECT_OK("rmdir", __wasi_path_remove_directory(ROOT, "empty"));
        put_file(ROOT, "out.link", "through the link");
        xmkdir(ROOT, "hls");
        put_file(ROOT, "hls/seg0.ts", "segment 0");
        put_file(ROOT, "hls/seg1.ts", "segment 1");
        put_file(ROOT, "hls/out.m3u8", "#EXTM3U\nseg0.ts\nseg1.ts\n");
        ok("changed");
    } else if (strcmp(mode, "put") == 0 && argc > 3) {
        put_file(ROOT, argv[2], argv[3]);
        ok("put");
    } else if (strcmp(mode, "twice") == 0) {
        put_file(ROOT, "a.txt", "via fd 3");
        put_file(4, "b.txt", "via fd 4");
        EXPECT_ERRNO("rename_across", __wasi_path_rename(ROOT, "a.txt", 4, "moved.txt"),
                     __WASI_ERRNO_XDEV);
        EXPECT_ERRNO("link_across",
                     __wasi_path_link(ROOT, 0, "a.txt", 4, "linked.txt"), __WASI_ERRNO_XDEV);
    }
    return finish();
}
