/* fd_readdir cookies stay valid while the directory changes (POSIX readdir
 * semantics: an entry neither added nor removed since the listing started is
 * returned exactly once; removed entries already returned do not shift the
 * rest). Also a large directory listed in small chunks. */
#include "readdir.h"

static ent_t first[MAXENT], rest[MAXENT], all[MAXENT];

int main(void) {
    setup();
    xmkdir(ROOT, "m");
    char p[64];
    for (int i = 0; i < 20; i++) {
        snprintf(p, sizeof p, "m/f%02d", i);
        put_file(ROOT, p, "x");
    }
    __wasi_fd_t d = xopen(ROOT, "m", __WASI_OFLAGS_DIRECTORY, 0);
    int n = list_dir(d, 0, 4096, all, MAXENT);
    CHECK_EQ_U64("initial_count", n, 22);

    /* Take the first 8 entries (".", "..", 6 files), then delete 3 of the
     * files already seen, and create 5 new files. */
    int k = 8;
    for (int i = 0; i < k; i++) first[i] = all[i];
    for (int i = 2; i < 5; i++) {
        snprintf(p, sizeof p, "m/%s", first[i].name);
        int e = __wasi_path_unlink_file(ROOT, p);
        if (e) die("unlink", e);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "m/new%d", i);
        put_file(ROOT, p, "y");
    }
    int m = list_dir(d, first[k - 1].next, 4096, rest, MAXENT);
    CHECK("resume_after_changes_ok", m >= 0, "errno %d", -m);
    /* Every original entry not yet seen (all[k..n]) appears exactly once. */
    int unseen_once = 1;
    for (int i = k; i < n; i++) if (find_ent(rest, m, all[i].name) != 1) unseen_once = 0;
    CHECK("unseen_entries_returned_once", unseen_once,
          "an entry that was not yet listed was skipped or duplicated after deleting earlier entries");
    int no_repeat = 1;
    for (int i = 0; i < k; i++) if (find_ent(rest, m, first[i].name)) no_repeat = 0;
    CHECK("seen_entries_not_repeated", no_repeat, "an entry listed before the cookie was listed again");

    /* Deleting an entry that was not yet listed: it is not returned. */
    int m2 = list_dir(d, 0, 4096, all, MAXENT);
    int cut = 5;
    const char *victim = all[m2 - 1].name;
    snprintf(p, sizeof p, "m/%s", victim);
    char vname[64];
    snprintf(vname, sizeof vname, "%s", victim);
    if (__wasi_path_unlink_file(ROOT, p)) die("unlink2", 0);
    int m3 = list_dir(d, all[cut - 1].next, 4096, rest, MAXENT);
    CHECK("removed_unseen_not_returned", m3 >= 0 && find_ent(rest, m3, vname) == 0, "removed entry %s returned", vname);
    int others = 1;
    for (int i = cut; i < m2 - 1; i++) if (find_ent(rest, m3, all[i].name) != 1) others = 0;
    CHECK("remaining_entries_after_removal", others, "an entry was lost after removing a later one");
    xclose(d);

    /* Large directory (1000 entries, names up to 255 bytes) in small chunks. */
    xmkdir(ROOT, "big");
    char longname[300];
    for (int i = 0; i < 1000; i++) {
        if (i % 100 == 0) {
            snprintf(longname, sizeof longname, "big/%03d", i);
            memset(longname + 7, 'L', 252); /* 3 + 252 = 255-byte name */
            longname[7 + 252] = 0;
            put_file(ROOT, longname, "");
        } else {
            snprintf(p, sizeof p, "big/e%04d", i);
            put_file(ROOT, p, "");
        }
    }
    __wasi_fd_t b = xopen(ROOT, "big", __WASI_OFLAGS_DIRECTORY, 0);
    int nb = list_dir(b, 0, 300, all, MAXENT);
    CHECK_EQ_U64("big_dir_count", nb, 1002);
    /* Count each eNNNN name (linear: the interpreter is slow in debug builds). */
    static int seen[1000];
    int seen_all = 1;
    for (int i = 0; i < nb; i++) {
        if (all[i].name[0] == 'e' && strlen(all[i].name) == 5) seen[atoi(all[i].name + 1) % 1000]++;
    }
    for (int i = 0; i < 1000; i++) {
        if (i % 100 == 0) continue;
        if (seen[i] != 1) seen_all = 0;
    }
    int long_ok = 0;
    for (int i = 0; i < nb; i++) long_ok += strlen(all[i].name) == 255;
    CHECK("big_dir_every_entry_once", seen_all, "missing or duplicated entries");
    CHECK_EQ_U64("big_dir_255_byte_names", long_ok, 10);
    xclose(b);
    return finish();
}
