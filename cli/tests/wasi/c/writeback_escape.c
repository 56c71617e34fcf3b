/* writeback_escape: the guest half of the write-back escape tests
 * (tests/wasi_escape.rs, `afmpeg run --write-back`). It does what a hostile
 * guest would do to make the write-back follow a host symlink out of the
 * mount; the harness checks that nothing outside changed.
 *
 *   writeback_escape plant    creates the relative symlink `link -> ../victim`
 *   writeback_escape replace  replaces the symlink `link` by a directory
 *                             holding `secret.txt` (and `new.txt`)
 *
 * Without an argument it checks nothing (it is not a conformance program). */
#include "common.h"

int main(int argc, char **argv) {
    setup();
    if (argc > 1 && strcmp(argv[1], "plant") == 0) {
        EXPECT_OK("plant_relative_link", __wasi_path_symlink("../victim", ROOT, "link"));
    } else if (argc > 1 && strcmp(argv[1], "replace") == 0) {
        EXPECT_OK("unlink_link", __wasi_path_unlink_file(ROOT, "link"));
        EXPECT_OK("mkdir_link", __wasi_path_create_directory(ROOT, "link"));
        put_file(ROOT, "link/secret.txt", "guest");
        put_file(ROOT, "link/new.txt", "guest");
        ok("files_in_link");
    }
    return finish();
}
