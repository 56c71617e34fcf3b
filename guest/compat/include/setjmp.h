/*
 * afmpeg guest compat: minimal <setjmp.h> for wasm32-wasi (full profile only).
 *
 * What: setjmp() always returns 0; longjmp() aborts (traps the module).
 * Why: Debian's wasi-libc (2022 snapshot) ships no <setjmp.h>, and real
 * setjmp/longjmp on wasm needs the exception-handling proposal, which wasmi
 * does not implement. libvpx (encoder error paths) and FreeType (validator
 * and error recovery) include setjmp.h and use longjmp only to bail out of an
 * error. With this header a successful run behaves exactly as upstream; an
 * error that would have longjmp'ed ends the module with a trap instead of an
 * error return. Only the full profile's extra libraries see this header.
 */
#ifndef AFMPEG_COMPAT_SETJMP_H
#define AFMPEG_COMPAT_SETJMP_H
#include <stdlib.h>

typedef long jmp_buf[8];
typedef long sigjmp_buf[8];

#define setjmp(env) ((void)(env), 0)
#define _setjmp(env) ((void)(env), 0)
#define sigsetjmp(env, save) ((void)(env), (void)(save), 0)

static inline __attribute__((noreturn)) void afmpeg_compat_longjmp(void)
{
    abort();
}
#define longjmp(env, val) ((void)(env), (void)(val), afmpeg_compat_longjmp())
#define _longjmp(env, val) longjmp(env, val)
#define siglongjmp(env, val) longjmp(env, val)

#endif
