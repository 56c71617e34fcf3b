/* Symlink loops and long chains -> ELOOP. */
#include "common.h"

int main(void) {
    setup();
    __wasi_fd_t fd;
    __wasi_filestat_t st;
    char a[32], b[32];
    EXPECT_OK("self_loop", __wasi_path_symlink("self", ROOT, "self"));
    EXPECT_ERRNO("open_self_loop_eloop", try_open(ROOT, "self", 0, 0, &fd), __WASI_ERRNO_LOOP);
    EXPECT_OK("loop_a", __wasi_path_symlink("loop_b", ROOT, "loop_a"));
    EXPECT_OK("loop_b", __wasi_path_symlink("loop_a", ROOT, "loop_b"));
    EXPECT_ERRNO("open_two_cycle_eloop", try_open(ROOT, "loop_a", 0, 0, &fd), __WASI_ERRNO_LOOP);
    EXPECT_ERRNO("stat_follow_loop_eloop",
                 __wasi_path_filestat_get(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loop_a", &st), __WASI_ERRNO_LOOP);
    EXPECT_OK("lstat_loop_ok", __wasi_path_filestat_get(ROOT, 0, "loop_a", &st));
    EXPECT_ERRNO("loop_as_intermediate_eloop", try_open(ROOT, "loop_a/x", 0, 0, &fd), __WASI_ERRNO_LOOP);
    EXPECT_ERRNO("loop_intermediate_create_eloop", try_open(ROOT, "loop_a/x", __WASI_OFLAGS_CREAT, 0, &fd),
                 __WASI_ERRNO_LOOP);
    EXPECT_ERRNO("mkdir_through_loop_eloop", __wasi_path_create_directory(ROOT, "loop_a/d"), __WASI_ERRNO_LOOP);
    EXPECT_ERRNO("creat_through_loop_eloop", try_open(ROOT, "self", __WASI_OFLAGS_CREAT, 0, &fd), __WASI_ERRNO_LOOP);
    /* Unlinking a looping symlink just removes it. */
    EXPECT_OK("unlink_loop", __wasi_path_unlink_file(ROOT, "self"));

    /* A directory loop: d/up -> "..", followed many times but resolves. */
    EXPECT_OK("mkdir_d", __wasi_path_create_directory(ROOT, "d"));
    EXPECT_OK("up_link", __wasi_path_symlink("..", ROOT, "d/up"));
    EXPECT_OK("stat_through_up_chain", __wasi_path_filestat_get(ROOT, 0, "d/up/d/up/d/up/d/up/hello.txt", &st));

    /* A chain of 20 links resolves; a chain of 60 exceeds Linux's 40. */
    put_file(ROOT, "end", "e");
    for (int i = 0; i < 60; i++) {
        snprintf(a, sizeof a, "c%d", i);
        if (i == 0) snprintf(b, sizeof b, "end");
        else snprintf(b, sizeof b, "c%d", i - 1);
        int e = __wasi_path_symlink(b, ROOT, a);
        if (e) die("chain", e);
    }
    EXPECT_OK("chain_20_resolves", try_open(ROOT, "c19", 0, 0, &fd));
    if (fd > 2) xclose(fd);
    EXPECT_ERRNO("chain_60_eloop", try_open(ROOT, "c59", 0, 0, &fd), __WASI_ERRNO_LOOP);
    return finish();
}
