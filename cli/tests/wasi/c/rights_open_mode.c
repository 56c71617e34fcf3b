/* The rights policy (wasi-shim/RATIONALE.md, "rights"): access follows the
 * open mode the requested rights express, the rights a program asked for when
 * it opened a directory do not bound what it can do through it, and only a
 * reduction the program made itself with fd_fdstat_set_rights is honoured.
 * The open patterns are those of Go's os.Root and Zig's std.fs. */
#include "common.h"

/* Go (syscall/fs_wasip1.go): O_RDONLY asks for the file rights minus these
 * write ones, O_DIRECTORY keeps only the directory part of that (RIGHTS_DIR
 * here); inheriting is every file right. */
#define GO_WRITE_RIGHTS                                                                 \
    (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |   \
     __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE)
#define DIR_ONLY_RIGHTS                                                                 \
    (__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_CREATE_FILE | \
     __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_GET)

static size_t read_all(__wasi_fd_t dir, const char *path, char *buf, size_t len) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, 0, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e) die(path, e);
    size_t n = xread(fd, buf, len);
    xclose(fd);
    return n;
}

static int write_one(__wasi_fd_t fd, const char *s, __wasi_size_t *n) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    return __wasi_fd_write(fd, &iov, 1, n);
}

int main(void) {
    setup();
    char buf[64];
    __wasi_size_t n;
    __wasi_fdstat_t st;
    __wasi_fd_t d, f;

    /* Go's os.Root: the root directory is opened read-only ... */
    EXPECT_OK("go_root_open_readonly",
              __wasi_path_open(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "subdir", __WASI_OFLAGS_DIRECTORY,
                               RIGHTS_DIR & ~GO_WRITE_RIGHTS, RIGHTS_ALL, 0, &d));
    EXPECT_OK("go_root_fdstat", __wasi_fd_fdstat_get(d, &st));
    CHECK("go_root_can_truncate_through",
          (st.fs_rights_base & __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE) != 0, "base rights %llx",
          (unsigned long long)st.fs_rights_base);
    /* ... and Root.Create is O_RDWR|O_CREAT|O_TRUNC through it. */
    EXPECT_OK("go_root_create_trunc",
              __wasi_path_open(d, 0, "a.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_ALL,
                               RIGHTS_ALL, 0, &f));
    EXPECT_OK("go_root_write", write_one(f, "root data", &n));
    CHECK_EQ_U64("go_root_write_n", n, 9);
    xclose(f);
    /* Root.WriteFile over an existing file: O_WRONLY|O_TRUNC. */
    EXPECT_OK("go_root_trunc_existing",
              __wasi_path_open(d, 0, "a.txt", __WASI_OFLAGS_TRUNC, GO_WRITE_RIGHTS, RIGHTS_ALL, 0, &f));
    EXPECT_OK("go_root_rewrite", write_one(f, "new", &n));
    xclose(f);
    CHECK_BYTES("go_root_contents", buf, read_all(d, "a.txt", buf, sizeof buf), "new", 3);
    EXPECT_OK("go_root_unlink", __wasi_path_unlink_file(d, "a.txt"));
    xclose(d);

    /* Zig's std.fs: a directory opened with only directory rights as its
     * inheriting rights still creates files that can be written. */
    EXPECT_OK("zig_dir_open",
              __wasi_path_open(ROOT, 0, "subdir", __WASI_OFLAGS_DIRECTORY, DIR_ONLY_RIGHTS, DIR_ONLY_RIGHTS,
                               0, &d));
    EXPECT_OK("zig_create",
              __wasi_path_open(d, 0, "z.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                               __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    EXPECT_OK("zig_created_fdstat", __wasi_fd_fdstat_get(f, &st));
    CHECK("zig_created_has_read_write",
          (st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)) ==
              (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
          "base rights %llx", (unsigned long long)st.fs_rights_base);
    EXPECT_OK("zig_write", write_one(f, "zig", &n));
    CHECK_EQ_U64("zig_write_n", n, 3);
    xclose(f);
    CHECK_BYTES("zig_contents", buf, read_all(d, "z.txt", buf, sizeof buf), "zig", 3);
    /* A directory opened through it passes on file rights too. */
    __wasi_fd_t dd;
    EXPECT_OK("zig_subdir_open",
              __wasi_path_open(d, 0, "deeper", __WASI_OFLAGS_DIRECTORY, DIR_ONLY_RIGHTS, DIR_ONLY_RIGHTS, 0,
                               &dd));
    EXPECT_OK("zig_nested_create",
              __wasi_path_open(dd, 0, "n.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    EXPECT_OK("zig_nested_write", write_one(f, "n", &n));
    xclose(f);
    xclose(dd);
    xclose(d);

    /* Go's O_RDONLY asks for every file right but its write ones, which name
     * PATH_FILESTAT_SET_SIZE, not FD_FILESTAT_SET_SIZE: still read-only
     * (os TestFileRDWRFlags/O_RDONLY). */
    EXPECT_OK("go_rdonly_open",
              __wasi_path_open(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "hello.txt", 0,
                               RIGHTS_ALL & ~GO_WRITE_RIGHTS, RIGHTS_ALL,
                               0, &f));
    EXPECT_ERRNO("go_rdonly_write_ebadf", write_one(f, "CONTENT", &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("go_rdonly_ftruncate_einval", __wasi_fd_filestat_set_size(f, 0), __WASI_ERRNO_INVAL);
    CHECK_EQ_U64("go_rdonly_reads", xread(f, buf, 5), 5);
    xclose(f);
    CHECK_BYTES("go_rdonly_unchanged", buf, read_all(ROOT, "hello.txt", buf, 5), "hello", 5);

    /* Open mode: read-only and write-only fds, whatever else was asked for. */
    EXPECT_OK("open_read_only_mode", __wasi_path_open(ROOT, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f));
    EXPECT_ERRNO("read_only_write_ebadf", write_one(f, "x", &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("read_only_ftruncate_einval", __wasi_fd_filestat_set_size(f, 0), __WASI_ERRNO_INVAL);
    CHECK_EQ_U64("read_only_reads", xread(f, buf, 5), 5);
    __wasi_filesize_t pos;
    EXPECT_OK("read_only_tell", __wasi_fd_tell(f, &pos));
    CHECK_EQ_U64("read_only_tell_pos", pos, 5);
    xclose(f);
    EXPECT_OK("open_write_only_mode", __wasi_path_open(ROOT, 0, "hello.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    __wasi_iovec_t riov = {(uint8_t *)buf, 4};
    EXPECT_ERRNO("write_only_read_ebadf", __wasi_fd_read(f, &riov, 1, &n), __WASI_ERRNO_BADF);
    xclose(f);

    /* Opening a directory for writing is EISDIR (Linux open(dir, O_RDWR)),
     * with or without O_DIRECTORY, and whatever its inheriting rights. */
    EXPECT_ERRNO("dir_write_eisdir",
                 __wasi_path_open(ROOT, 0, "subdir", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &f),
                 __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("dir_write_o_directory_eisdir",
                 __wasi_path_open(ROOT, 0, "subdir", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE,
                                  DIR_ONLY_RIGHTS, 0, &f),
                 __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("dir_ftruncate_right_eisdir",
                 __wasi_path_open(ROOT, 0, "subdir", 0, __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, 0, &f),
                 __WASI_ERRNO_ISDIR);

    /* A reduction the program made itself is honoured: dropping FD_WRITE from
     * a directory's inheriting rights leaves files opened through it
     * unwritable (the request is masked, not refused) ... */
    EXPECT_OK("narrow_dir_open",
              __wasi_path_open(ROOT, 0, "subdir", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, RIGHTS_ALL, 0, &d));
    EXPECT_OK("narrow_dir_fdstat", __wasi_fd_fdstat_get(d, &st));
    EXPECT_OK("narrow_inheriting",
              __wasi_fd_fdstat_set_rights(d, st.fs_rights_base, st.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE));
    EXPECT_OK("narrowed_open_for_write",
              __wasi_path_open(d, 0, "inner.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    __wasi_fdstat_t fst;
    EXPECT_OK("narrowed_file_fdstat", __wasi_fd_fdstat_get(f, &fst));
    CHECK_EQ_U64("narrowed_file_lacks_write", fst.fs_rights_base & __WASI_RIGHTS_FD_WRITE, 0);
    EXPECT_ERRNO("narrowed_write_ebadf", write_one(f, "x", &n), __WASI_ERRNO_BADF);
    xclose(f);
    /* ... also for a directory opened through it, and its files. */
    EXPECT_OK("narrowed_child_dir",
              __wasi_path_open(d, 0, "deeper", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, RIGHTS_ALL, 0, &dd));
    EXPECT_OK("narrowed_child_fdstat", __wasi_fd_fdstat_get(dd, &fst));
    CHECK_EQ_U64("narrowed_child_inheriting_lacks_write", fst.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE, 0);
    EXPECT_OK("narrowed_grandchild_open",
              __wasi_path_open(dd, 0, "leaf.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    EXPECT_ERRNO("narrowed_grandchild_write_ebadf", write_one(f, "x", &n), __WASI_ERRNO_BADF);
    xclose(f);
    xclose(dd);
    /* Dropping a directory's own path rights: EPERM for what they allowed. */
    EXPECT_OK("narrow_base",
              __wasi_fd_fdstat_set_rights(d, st.fs_rights_base & ~(__WASI_RIGHTS_PATH_CREATE_FILE |
                                                                   __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE),
                                          st.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE));
    EXPECT_ERRNO("narrowed_create_eperm",
                 __wasi_path_open(d, 0, "new.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &f),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("narrowed_trunc_eperm", __wasi_path_open(d, 0, "inner.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0, 0, &f),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("narrowed_cannot_regain_notcapable",
                 __wasi_fd_fdstat_set_rights(d, st.fs_rights_base, st.fs_rights_inheriting),
                 __WASI_ERRNO_NOTCAPABLE);
    /* (5 bytes: the detail of a failure stays on one line.) */
    CHECK_BYTES("narrowed_file_unchanged", buf, read_all(d, "inner.txt", buf, 5), "inner", 5);
    xclose(d);
    return finish();
}
