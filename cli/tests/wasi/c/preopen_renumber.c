/* fd_prestat_get / fd_prestat_dir_name / fd_renumber / fd_close. */
#include "common.h"

int main(void) {
    setup();
    __wasi_prestat_t ps;
    char name[64];
    EXPECT_OK("prestat_fd3", __wasi_fd_prestat_get(3, &ps));
    CHECK_EQ_U64("prestat_fd3_is_dir", ps.tag, __WASI_PREOPENTYPE_DIR);
    CHECK_EQ_U64("prestat_fd3_name_len", ps.u.dir.pr_name_len, 8);
    memset(name, '#', sizeof name);
    EXPECT_OK("prestat_dir_name_fd3", __wasi_fd_prestat_dir_name(3, (uint8_t *)name, ps.u.dir.pr_name_len));
    CHECK_BYTES("fd3_name_is_sandbox", name, 8, "/sandbox", 8);
    CHECK("dir_name_no_overrun", name[8] == '#', "wrote past the name length");
    EXPECT_OK("prestat_dir_name_larger_buffer", __wasi_fd_prestat_dir_name(3, (uint8_t *)name, sizeof name));
    EXPECT_OK("prestat_fd4", __wasi_fd_prestat_get(4, &ps));
    EXPECT_OK("prestat_dir_name_fd4", __wasi_fd_prestat_dir_name(4, (uint8_t *)name, ps.u.dir.pr_name_len));
    CHECK_BYTES("fd4_name_is_other", name, ps.u.dir.pr_name_len, "/other", 6);
    EXPECT_ERRNO("prestat_fd5_ebadf", __wasi_fd_prestat_get(5, &ps), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("prestat_stdin_ebadf", __wasi_fd_prestat_get(0, &ps), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("prestat_stdout_ebadf", __wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF);
    /* An fd opened later is not a preopen. */
    __wasi_fd_t sub = xopen(ROOT, "subdir", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_ERRNO("prestat_opened_dir_ebadf", __wasi_fd_prestat_get(sub, &ps), __WASI_ERRNO_BADF);

    /* fd_renumber between files: `to` now refers to `from`'s file, `from` is closed. */
    char buf[32];
    __wasi_fd_t a = xopen(ROOT, "hello.txt", 0, 0);
    __wasi_fd_t b = xopen(ROOT, "subdir/inner.txt", 0, 0);
    __wasi_filesize_t pos;
    EXPECT_OK("seek_a", __wasi_fd_seek(a, 6, __WASI_WHENCE_SET, &pos));
    EXPECT_OK("renumber_file", __wasi_fd_renumber(a, b));
    CHECK_BYTES("renumber_keeps_offset_and_file", buf, xread(b, buf, sizeof buf), "world\n", 6);
    EXPECT_ERRNO("renumber_source_closed", __wasi_fd_close(a), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("renumber_bad_from", __wasi_fd_renumber(a, b), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("renumber_bad_to", __wasi_fd_renumber(b, 200), __WASI_ERRNO_BADF);
    EXPECT_OK("renumber_to_itself", __wasi_fd_renumber(b, b));
    EXPECT_OK("fd_valid_after_self_renumber", __wasi_fd_tell(b, &pos));

    /* Onto stdin: fd 0 now reads the file. */
    EXPECT_OK("seek_b0", __wasi_fd_seek(b, 0, __WASI_WHENCE_SET, &pos));
    EXPECT_OK("renumber_onto_stdin", __wasi_fd_renumber(b, 0));
    CHECK_BYTES("stdin_reads_file", buf, xread(0, buf, 5), "hello", 5);

    /* Onto a preopen: fd 4 becomes the subdir fd and is no longer a preopen. */
    EXPECT_OK("renumber_onto_preopen", __wasi_fd_renumber(sub, 4));
    EXPECT_ERRNO("renumbered_preopen_not_prestat", __wasi_fd_prestat_get(4, &ps), __WASI_ERRNO_BADF);
    CHECK_BYTES("fd4_is_subdir_now", buf, get_file(4, "inner.txt", buf, sizeof buf), "inner\n", 6);
    /* A preopen onto another fd. */
    __wasi_fd_t f = xopen(ROOT, "hello.txt", 0, 0);
    EXPECT_OK("renumber_preopen_onto_file_fd", __wasi_fd_renumber(3, f));
    CHECK_BYTES("moved_preopen_works", buf, get_file(f, "subdir/inner.txt", buf, sizeof buf), "inner\n", 6);
    EXPECT_ERRNO("old_preopen_fd_closed", __wasi_fd_fdstat_get(3, &(__wasi_fdstat_t){0}), __WASI_ERRNO_BADF);

    /* Closing: a closed fd is EBADF everywhere; closing twice is EBADF. */
    EXPECT_OK("close_moved_preopen", __wasi_fd_close(f));
    EXPECT_ERRNO("close_twice_ebadf", __wasi_fd_close(f), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("close_never_opened_ebadf", __wasi_fd_close(12345), __WASI_ERRNO_BADF);
    /* Lowest free fd is reused: fd 3 is free now. */
    __wasi_fd_t g = xopen(4, "inner.txt", 0, 0);
    CHECK_EQ_U64("lowest_free_fd_after_closing_preopen", g, 3);
    return finish();
}
