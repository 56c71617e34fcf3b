/* Escape suite, paths: nothing outside the preopen is reachable through
 * "..", absolute paths or symlinks (relative or absolute targets).
 * Layout (see Fixture in tests/support/wasi_programs.rs): the host dir holds
 * outside_sentinel.txt next to sandbox/ (fd 3) and other/ (fd 4). Escapes are
 * refused with EPERM (the wasi-testsuite expectation). */
#include "common.h"

static void no_open(const char *name, __wasi_fd_t dir, const char *path, __wasi_oflags_t of, int follow, int want) {
    __wasi_fd_t fd = 0;
    int e = __wasi_path_open(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, of,
                             (of & __WASI_OFLAGS_DIRECTORY) ? RIGHTS_DIR : RIGHTS_ALL, RIGHTS_ALL, 0, &fd);
    if (e == want) ok(name);
    else {
        char buf[64] = {0};
        if (e == 0) {
            __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
            __wasi_size_t n;
            (void)__wasi_fd_read(fd, &iov, 1, &n);
        }
        fail(name, "path_open(\"%s\") expected errno %d (%s) got %d (%s)%s%s", path, want, errname(want), e, errname(e),
             e == 0 ? ", read: " : "", buf);
    }
    if (e == 0) xclose(fd);
}

#define NO_OPEN(name, path) no_open(name, ROOT, path, 0, 1, __WASI_ERRNO_PERM)

int main(void) {
    setup();
    __wasi_filestat_t st;
    /* ".." chains. */
    NO_OPEN("dotdot_sentinel", "../outside_sentinel.txt");
    NO_OPEN("dotdot_via_subdir", "subdir/../../outside_sentinel.txt");
    NO_OPEN("dotdot_deep_chain", "subdir/deeper/../../../outside_sentinel.txt");
    NO_OPEN("dotdot_into_other_preopen", "../other/secret.txt");
    NO_OPEN("dotdot_many", "../../../../../../../../../../etc/passwd");
    NO_OPEN("dotdot_transient_return", "../sandbox/hello.txt");
    no_open("dotdot_dir", ROOT, "..", __WASI_OFLAGS_DIRECTORY, 1, __WASI_ERRNO_PERM);
    no_open("dotdot_slash_dir", ROOT, "subdir/../..", __WASI_OFLAGS_DIRECTORY, 1, __WASI_ERRNO_PERM);
    no_open("dotdot_creat", ROOT, "../escaped_file", __WASI_OFLAGS_CREAT, 1, __WASI_ERRNO_PERM);
    EXPECT_ERRNO("dotdot_mkdir", __wasi_path_create_directory(ROOT, "../escaped_dir"), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("dotdot_stat", __wasi_path_filestat_get(ROOT, 0, "../outside_sentinel.txt", &st), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("dotdot_set_times",
                 __wasi_path_filestat_set_times(ROOT, 0, "../outside_sentinel.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("dotdot_unlink", __wasi_path_unlink_file(ROOT, "../outside_sentinel.txt"), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("dotdot_rmdir", __wasi_path_remove_directory(ROOT, "../other"), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("dotdot_symlink_location", __wasi_path_symlink("x", ROOT, "../escaped_link"), __WASI_ERRNO_PERM);
    uint8_t rb[64];
    __wasi_size_t rn;
    EXPECT_ERRNO("dotdot_readlink", __wasi_path_readlink(ROOT, "../outside_sentinel.txt", rb, sizeof rb, &rn),
                 __WASI_ERRNO_PERM);

    /* Absolute paths. */
    NO_OPEN("absolute_sentinel", "/outside_sentinel.txt");
    NO_OPEN("absolute_guest_name", "/sandbox/hello.txt");
    no_open("absolute_root_dir", ROOT, "/", __WASI_OFLAGS_DIRECTORY, 1, __WASI_ERRNO_PERM);
    no_open("absolute_creat", ROOT, "/escaped_abs", __WASI_OFLAGS_CREAT, 1, __WASI_ERRNO_PERM);
    EXPECT_ERRNO("absolute_mkdir", __wasi_path_create_directory(ROOT, "/escaped_abs_dir"), __WASI_ERRNO_PERM);

    /* Symlinks whose targets leave the preopen: a relative one can be
     * created (symlinkat does not look at the target), an absolute one
     * cannot; following either is refused. The fixture's abs_links/ holds
     * absolute links imported from the host. */
    EXPECT_OK("make_rel_escape_link", __wasi_path_symlink("../outside_sentinel.txt", ROOT, "rel_esc"));
    EXPECT_ERRNO("make_abs_link_refused", __wasi_path_symlink("/outside_sentinel.txt", ROOT, "abs_esc"),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("make_abs_inside_link_refused", __wasi_path_symlink("/sandbox/hello.txt", ROOT, "abs_inside"),
                 __WASI_ERRNO_PERM);
    EXPECT_OK("make_dotdot_dir_link", __wasi_path_symlink("..", ROOT, "updir"));
    EXPECT_OK("make_other_link", __wasi_path_symlink("../other", ROOT, "otherlink"));
    EXPECT_OK("make_nested_escape", __wasi_path_symlink("../../outside_sentinel.txt", ROOT, "subdir/nested_esc"));
    NO_OPEN("follow_rel_escape", "rel_esc");
    NO_OPEN("follow_abs_escape", "abs_links/outside");
    NO_OPEN("follow_abs_inside_refused", "abs_links/inside");
    NO_OPEN("intermediate_dotdot_link", "updir/outside_sentinel.txt");
    NO_OPEN("intermediate_other_link", "otherlink/secret.txt");
    NO_OPEN("nested_escape", "subdir/nested_esc");
    no_open("creat_through_escape_link", ROOT, "updir/created_outside", __WASI_OFLAGS_CREAT, 1, __WASI_ERRNO_PERM);
    EXPECT_ERRNO("mkdir_through_escape_link", __wasi_path_create_directory(ROOT, "updir/mk"), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("stat_follow_escape", __wasi_path_filestat_get(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "rel_esc", &st),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("stat_follow_abs", __wasi_path_filestat_get(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_links/outside", &st),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("set_times_follow_escape",
                 __wasi_path_filestat_set_times(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "rel_esc", 0, 0,
                                                __WASI_FSTFLAGS_MTIM_NOW),
                 __WASI_ERRNO_PERM);
    /* O_CREAT through an escaping dangling-looking symlink must not create outside. */
    no_open("creat_through_abs_link", ROOT, "abs_links/new", __WASI_OFLAGS_CREAT, 1, __WASI_ERRNO_PERM);
    EXPECT_OK("make_rel_new_link", __wasi_path_symlink("../escape_created", ROOT, "rel_new"));
    no_open("creat_through_rel_link", ROOT, "rel_new", __WASI_OFLAGS_CREAT, 1, __WASI_ERRNO_PERM);
    /* Not following the last component: the link itself is fine. */
    EXPECT_OK("lstat_escape_link", __wasi_path_filestat_get(ROOT, 0, "rel_esc", &st));
    CHECK_EQ_U64("lstat_escape_link_type", st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    EXPECT_OK("readlink_escape_link", __wasi_path_readlink(ROOT, "rel_esc", rb, sizeof rb, &rn));
    CHECK_BYTES("readlink_escape_text", rb, rn, "../outside_sentinel.txt", 23);
    no_open("open_nofollow_escape_link_eloop", ROOT, "rel_esc", 0, 0, __WASI_ERRNO_LOOP);
    /* A loop through ".." links. */
    EXPECT_OK("make_loop_up", __wasi_path_symlink("updir/loop_up", ROOT, "loop_up"));
    no_open("loop_via_updir", ROOT, "loop_up", 0, 1, __WASI_ERRNO_PERM);

    /* The sentinel is also unreachable from the second preopen. */
    no_open("other_dotdot_sentinel", 4, "../outside_sentinel.txt", 0, 1, __WASI_ERRNO_PERM);
    no_open("other_dotdot_sandbox", 4, "../sandbox/hello.txt", 0, 1, __WASI_ERRNO_PERM);
    /* From a subdirectory fd. */
    __wasi_fd_t sub = xopen(ROOT, "subdir/deeper", __WASI_OFLAGS_DIRECTORY, 0);
    no_open("subfd_dotdot_chain", sub, "../../../outside_sentinel.txt", 0, 1, __WASI_ERRNO_PERM);
    no_open("subfd_dotdot_many", sub, "../../../../../../outside_sentinel.txt", 0, 1, __WASI_ERRNO_PERM);
    xclose(sub);
    return finish();
}
