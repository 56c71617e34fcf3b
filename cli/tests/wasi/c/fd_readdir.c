/* fd_readdir: ".", ".." first, types, inode numbers, cookies, buffer edge cases. */
#include "readdir.h"

static ent_t ents[MAXENT];

int main(void) {
    setup();
    xmkdir(ROOT, "rd");
    put_file(ROOT, "rd/file_a", "a");
    put_file(ROOT, "rd/file_b", "bb");
    xmkdir(ROOT, "rd/sub");
    int e = __wasi_path_symlink("file_a", ROOT, "rd/link");
    if (e) die("symlink", e);
    __wasi_fd_t d = xopen(ROOT, "rd", __WASI_OFLAGS_DIRECTORY, 0);

    int n = list_dir(d, 0, 4096, ents, MAXENT);
    CHECK("readdir_ok", n >= 0, "fd_readdir failed: %d", -n);
    if (n < 0) return finish();
    CHECK_EQ_U64("entry_count", n, 6);
    CHECK("dot_first", n > 0 && strcmp(ents[0].name, ".") == 0, "first entry \"%s\"", n > 0 ? ents[0].name : "");
    CHECK("dotdot_second", n > 1 && strcmp(ents[1].name, "..") == 0, "second entry \"%s\"", n > 1 ? ents[1].name : "");
    CHECK("dot_is_directory", n > 0 && ents[0].type == __WASI_FILETYPE_DIRECTORY, "type %d", ents[0].type);
    CHECK("dotdot_is_directory", n > 1 && ents[1].type == __WASI_FILETYPE_DIRECTORY, "type %d", ents[1].type);
    int each_once = 1;
    const char *names[] = {"file_a", "file_b", "sub", "link"};
    for (int i = 0; i < 4; i++) if (find_ent(ents, n, names[i]) != 1) each_once = 0;
    CHECK("each_entry_once", each_once, "an entry is missing or duplicated");
    int types_ok = 1, ino_ok = 1;
    for (int i = 2; i < n; i++) {
        char path[300];
        snprintf(path, sizeof path, "rd/%s", ents[i].name);
        __wasi_filestat_t st = xstat(ROOT, path, 0);
        if (st.filetype != ents[i].type) types_ok = 0;
        if (st.ino != ents[i].ino) ino_ok = 0;
    }
    CHECK("d_type_matches_filestat", types_ok, "d_type differs from path_filestat_get (nofollow)");
    CHECK("d_ino_matches_filestat", ino_ok, "d_ino differs from path_filestat_get");
    __wasi_filestat_t self = xfstat(d);
    CHECK("dot_ino_is_dir_ino", ents[0].ino == self.ino, "\".\" ino %llu, dir ino %llu",
          (unsigned long long)ents[0].ino, (unsigned long long)self.ino);
    int lt = find_ent(ents, n, "link");
    for (int i = 0; i < n; i++) if (strcmp(ents[i].name, "link") == 0) lt = ents[i].type;
    CHECK_EQ_U64("symlink_d_type", lt, __WASI_FILETYPE_SYMBOLIC_LINK);

    /* Resuming from each entry's d_next yields exactly the rest. */
    int resume_ok = 1;
    for (int i = 0; i < n; i++) {
        static ent_t rest[MAXENT];
        int m = list_dir(d, ents[i].next, 4096, rest, MAXENT);
        if (m != n - i - 1) { resume_ok = 0; break; }
        for (int j = 0; j < m; j++) if (strcmp(rest[j].name, ents[i + 1 + j].name)) resume_ok = 0;
    }
    CHECK("resume_from_every_cookie", resume_ok, "listing from d_next of entry i did not yield entries i+1..");

    /* Same result with a tiny buffer (entries re-read after truncation). */
    static ent_t small[MAXENT];
    int m = list_dir(d, 0, 30, small, MAXENT);
    int same = m == n;
    for (int i = 0; same && i < n; i++) same = strcmp(small[i].name, ents[i].name) == 0;
    CHECK("small_buffer_same_listing", same, "30-byte buffer listing differs (%d vs %d entries)", m, n);

    /* A truncated last entry: bufused == buf_len exactly. */
    uint8_t buf[4096];
    __wasi_size_t used_full;
    EXPECT_OK("readdir_full", __wasi_fd_readdir(d, buf, sizeof buf, 0, &used_full));
    int trunc_ok = 1;
    for (__wasi_size_t len = 1; len < used_full; len += 7) {
        __wasi_size_t used;
        if (__wasi_fd_readdir(d, buf, len, 0, &used) || used != len) { trunc_ok = 0; break; }
    }
    CHECK("truncated_fills_buffer", trunc_ok, "a buffer smaller than the listing must be filled completely");
    __wasi_size_t used0 = 99;
    EXPECT_OK("zero_length_buffer", __wasi_fd_readdir(d, buf, 0, 0, &used0));
    CHECK_EQ_U64("zero_length_bufused", used0, 0);
    /* A cookie past the end gives an empty listing. */
    __wasi_size_t used_end = 99;
    EXPECT_OK("cookie_at_end", __wasi_fd_readdir(d, buf, sizeof buf, ents[n - 1].next, &used_end));
    CHECK_EQ_U64("cookie_at_end_empty", used_end, 0);

    /* Empty directory: just "." and "..". */
    __wasi_fd_t ed = xopen(ROOT, "empty_dir", __WASI_OFLAGS_DIRECTORY, 0);
    int k = list_dir(ed, 0, 4096, small, MAXENT);
    CHECK("empty_dir_only_dots", k == 2 && !strcmp(small[0].name, ".") && !strcmp(small[1].name, ".."),
          "%d entries", k);
    xclose(ed);

    /* The preopen itself can be listed, and lists the fixture. */
    k = list_dir(ROOT, 0, 4096, small, MAXENT);
    CHECK("preopen_lists_fixture", k > 2 && find_ent(small, k, "hello.txt") == 1 && find_ent(small, k, "subdir") == 1,
          "%d entries", k);

    /* fd_readdir on a regular file -> ENOTDIR. */
    __wasi_fd_t f = xopen(ROOT, "rd/file_a", 0, 0);
    __wasi_size_t u;
    EXPECT_ERRNO("readdir_on_file_enotdir", __wasi_fd_readdir(f, buf, sizeof buf, 0, &u), __WASI_ERRNO_NOTDIR);
    xclose(f);
    EXPECT_ERRNO("readdir_bad_fd", __wasi_fd_readdir(99, buf, sizeof buf, 0, &u), __WASI_ERRNO_BADF);
    xclose(d);
    return finish();
}
