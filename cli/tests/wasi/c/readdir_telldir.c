/* telldir/seekdir round trip (wasi-libc): telldir returns the readdir cookie
 * as a `long`, which is 32 bits on wasm32, and seekdir gives it back to
 * fd_readdir. A cookie wider than 31 bits comes back as another cookie, and
 * the listing resumes somewhere else. Also: resuming at a saved position
 * after the entry it followed was deleted, and after a later one was. */
#include "common.h"
#include <dirent.h>

#define N 12
#define TAKE 5

static char rest[N][16];

/* The names (without "." and "..") readdir returns from where `d` is, into
 * out; returns how many. */
static int read_names(DIR *d, char out[][16], int max) {
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n < max) snprintf(out[n], 16, "%s", e->d_name);
        n++;
    }
    return n;
}

/* Whether b[0..nb] is a[0..na] without the entry `skip` (NULL: none). */
static int same_without(char a[][16], int na, char b[][16], int nb, const char *skip) {
    int j = 0;
    for (int i = 0; i < na; i++) {
        if (skip && !strcmp(a[i], skip)) continue;
        if (j >= nb || strcmp(a[i], b[j])) return 0;
        j++;
    }
    return j == nb;
}

int main(void) {
    setup();
    xmkdir(ROOT, "td");
    char p[32];
    for (int i = 0; i < N; i++) {
        snprintf(p, sizeof p, "td/f%02d", i);
        put_file(ROOT, p, "x");
    }
    DIR *d = fdopendir(xopen(ROOT, "td", __WASI_OFLAGS_DIRECTORY, 0));
    if (!d) die("fdopendir", 0);

    long start = telldir(d);
    CHECK("telldir_at_start", start >= 0, "telldir %ld", start);

    /* Read TAKE names, remember the position after the last one. */
    char last[16] = "";
    int taken = 0;
    struct dirent *e;
    while (taken < TAKE && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(last, sizeof last, "%s", e->d_name);
        taken++;
    }
    if (taken != TAKE) die("readdir", 0);
    long loc = telldir(d);
    CHECK("telldir_fits_long", loc > 0, "telldir %ld", loc);
    int nrest = read_names(d, rest, N);
    CHECK_EQ_U64("rest_count", nrest, N - TAKE);

    /* Back to the saved position: the same names, in the same order. */
    static char again[N][16];
    seekdir(d, loc);
    int nagain = read_names(d, again, N);
    CHECK("seekdir_round_trip", same_without(rest, nrest, again, nagain, NULL),
          "%d names after seekdir(%ld), first \"%s\"", nagain, loc, nagain ? again[0] : "");

    /* The name the position follows is deleted: resume after it still. */
    snprintf(p, sizeof p, "td/%s", last);
    int err = __wasi_path_unlink_file(ROOT, p);
    if (err) die("unlink", err);
    seekdir(d, loc);
    nagain = read_names(d, again, N);
    CHECK("seekdir_after_deleting_followed_name", same_without(rest, nrest, again, nagain, NULL),
          "%d names after seekdir(%ld) with \"%s\" deleted, first \"%s\"", nagain, loc, last,
          nagain ? again[0] : "");

    /* A name after the position is deleted: everything else, once. */
    char later[16];
    snprintf(later, sizeof later, "%s", rest[2]);
    snprintf(p, sizeof p, "td/%s", later);
    err = __wasi_path_unlink_file(ROOT, p);
    if (err) die("unlink", err);
    seekdir(d, loc);
    nagain = read_names(d, again, N);
    CHECK("seekdir_after_deleting_later_name", same_without(rest, nrest, again, nagain, later),
          "%d names after seekdir(%ld) with \"%s\" deleted", nagain, loc, later);

    /* The start position lists the whole directory again. */
    static char all[N][16];
    seekdir(d, start);
    CHECK_EQ_U64("seekdir_start_count", read_names(d, all, N), N - 2);
    closedir(d);
    return finish();
}
