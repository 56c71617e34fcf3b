/* proc_exit codes. argv[1] selects the mode, argv[2] the code:
 *   exit N    -> __wasi_proc_exit(N) after printing a line
 *   return N  -> return N from main (wasi-libc calls proc_exit(N))
 *   fallthrough -> _start returns normally (exit status 0)
 * Without arguments: proc_exit(0) from deep inside a call chain. */
#include "common.h"

static void deep(int n, int code) {
    if (n == 0) __wasi_proc_exit(code);
    deep(n - 1, code);
    printf("FAIL unreachable\n");
}

int main(int argc, char **argv) {
    setup();
    if (argc >= 3 && strcmp(argv[1], "exit") == 0) {
        printf("ok before_exit\n");
        fflush(stdout);
        __wasi_proc_exit((__wasi_exitcode_t)atoi(argv[2]));
    }
    if (argc >= 3 && strcmp(argv[1], "return") == 0) {
        printf("ok before_return\n");
        return atoi(argv[2]);
    }
    printf("ok before_deep_exit\n");
    printf("done 1 0\n");
    fflush(stdout);
    deep(100, 0);
    return 99;
}
