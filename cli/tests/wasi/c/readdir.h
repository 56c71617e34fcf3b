/* fd_readdir helpers shared by the readdir programs. */
#ifndef AFMPEG_READDIR_H
#define AFMPEG_READDIR_H
#include "common.h"

#define MAXENT 2100
typedef struct {
    char name[260];
    uint64_t next, ino;
    uint8_t type;
} ent_t;

/* Read every entry of dir fd from `cookie` on, with a buffer of bufsize bytes
 * (entries that do not fit are re-read from their cookie). Returns the
 * number of entries, or -errno. */
static int list_dir(__wasi_fd_t fd, __wasi_dircookie_t cookie, size_t bufsize, ent_t *out, int max) {
    uint8_t *buf = malloc(bufsize);
    int n = 0;
    for (;;) {
        __wasi_size_t used;
        int e = __wasi_fd_readdir(fd, buf, bufsize, cookie, &used);
        if (e) { free(buf); return -e; }
        size_t off = 0;
        int progressed = 0;
        while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + off, sizeof d);
            if (off + sizeof d + d.d_namlen > used) break; /* truncated entry */
            if (n >= max) { free(buf); return n; }
            size_t l = d.d_namlen < 259 ? d.d_namlen : 259;
            memcpy(out[n].name, buf + off + sizeof d, l);
            out[n].name[l] = 0;
            out[n].next = d.d_next;
            out[n].ino = d.d_ino;
            out[n].type = d.d_type;
            n++;
            cookie = d.d_next;
            off += sizeof d + d.d_namlen;
            progressed = 1;
        }
        if (used < bufsize) break; /* end of directory */
        if (!progressed) { free(buf); return -1000; } /* buffer too small for one entry */
    }
    free(buf);
    return n;
}

static int find_ent(const ent_t *e, int n, const char *name) {
    int count = 0;
    for (int i = 0; i < n; i++) count += strcmp(e[i].name, name) == 0;
    return count;
}
#endif
