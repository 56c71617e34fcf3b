/* The host fixture directory tree is visible with its contents; a second
 * preopen is separate. */
#include "common.h"
#include "readdir.h"

static ent_t ents[MAXENT];

int main(void) {
    setup();
    char buf[64];
    CHECK_BYTES("hello_txt", buf, get_file(ROOT, "hello.txt", buf, sizeof buf), "hello world\n", 12);
    CHECK_BYTES("inner_txt", buf, get_file(ROOT, "subdir/inner.txt", buf, sizeof buf), "inner\n", 6);
    CHECK_BYTES("leaf_txt", buf, get_file(ROOT, "subdir/deeper/leaf.txt", buf, sizeof buf), "leaf\n", 5);
    CHECK_EQ_U64("empty_dir_is_dir", xstat(ROOT, "empty_dir", 0).filetype, __WASI_FILETYPE_DIRECTORY);
    int n = list_dir(ROOT, 0, 4096, ents, MAXENT);
    CHECK_EQ_U64("root_entry_count", n, 6);
    CHECK("root_entries", find_ent(ents, n, "hello.txt") && find_ent(ents, n, "subdir") && find_ent(ents, n, "empty_dir")
          && find_ent(ents, n, "abs_links"), "missing fixture entries");
    /* Host symlinks are imported as symlinks, targets verbatim, even
     * absolute ones (which a guest could not create). */
    __wasi_size_t rn = 0;
    EXPECT_OK("readlink_imported_absolute", __wasi_path_readlink(ROOT, "abs_links/outside", (uint8_t *)buf, sizeof buf, &rn));
    CHECK_BYTES("imported_absolute_target", buf, rn, "/outside_sentinel.txt", 21);
    CHECK_BYTES("other_preopen_secret", buf, get_file(4, "secret.txt", buf, sizeof buf), "OTHER-SECRET\n", 13);
    CHECK("preopens_are_separate", !exists(4, "hello.txt") && !exists(ROOT, "secret.txt"), "trees mixed");
    /* libc sees the preopens by their guest names. */
    FILE *f = fopen("/sandbox/subdir/inner.txt", "r");
    CHECK("libc_fopen_absolute_guest_path", f && fgets(buf, sizeof buf, f) && strcmp(buf, "inner\n") == 0, "fopen failed");
    if (f) fclose(f);
    f = fopen("/other/secret.txt", "r");
    CHECK("libc_fopen_other_preopen", f != NULL, "fopen /other/secret.txt failed");
    if (f) fclose(f);
    f = fopen("/sandbox/created_by_libc", "w");
    CHECK("libc_fopen_write", f && fputs("libc\n", f) >= 0 && fclose(f) == 0, "fopen(w) failed");
    CHECK_BYTES("libc_write_visible", buf, get_file(ROOT, "created_by_libc", buf, sizeof buf), "libc\n", 5);
    return finish();
}
