/*
 * afmpeg guest compat: single-threaded <pthread.h> for dav1d only.
 *
 * What: the pthread types and the few functions dav1d 1.0 references, for a
 * module that has exactly one thread. Mutexes and condition-variable signals
 * are no-ops, pthread_once runs its routine once, pthread_create fails (EAGAIN)
 * and pthread_cond_wait aborts (traps) instead of pretending.
 * Why: Debian's wasi-libc (2022 snapshot, no wasi-threads) has no <pthread.h>,
 * and dav1d includes it unconditionally (src/thread.h). dav1d only creates
 * threads and waits on condition variables when it runs with more than one
 * thread (Dav1dContext n_tc > 1) or more than one frame in flight (n_fc > 1).
 * With n_threads = 0 (FFmpeg's default, "auto") dav1d asks
 * sysconf(_SC_NPROCESSORS_ONLN), which wasi-libc answers with 1, so n_tc =
 * n_fc = 1 and none of those paths run; the remaining lock/unlock calls
 * (picture pool, once-init) protect nothing in a single-threaded module. If
 * a user asks for threads (ffmpeg -threads N with N > 1), dav1d_open() fails
 * at pthread_create and FFmpeg reports that it cannot open the decoder: an
 * error, never a hang. This header is installed only into dav1d's private
 * include directory (guest/deps-full.sh build_dav1d); nothing else sees it.
 */
#ifndef AFMPEG_COMPAT_PTHREAD_H
#define AFMPEG_COMPAT_PTHREAD_H
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

typedef struct { int unused; } pthread_t;
typedef struct { size_t stack_size; } pthread_attr_t;
typedef struct { int unused; } pthread_mutex_t;
typedef struct { int unused; } pthread_mutexattr_t;
typedef struct { int unused; } pthread_cond_t;
typedef struct { int unused; } pthread_condattr_t;
typedef int pthread_once_t;

#define PTHREAD_ONCE_INIT 0
#define PTHREAD_MUTEX_INITIALIZER { 0 }
#define PTHREAD_COND_INITIALIZER { 0 }

static inline int pthread_attr_init(pthread_attr_t *attr) { attr->stack_size = 0; return 0; }
static inline int pthread_attr_destroy(pthread_attr_t *attr) { (void)attr; return 0; }
static inline int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
    attr->stack_size = size;
    return 0;
}

/* No second thread can exist in this module. */
static inline int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                                 void *(*func)(void *), void *arg)
{
    (void)thread; (void)attr; (void)func; (void)arg;
    return EAGAIN;
}
static inline int pthread_join(pthread_t thread, void **res)
{
    (void)thread; (void)res;
    return ESRCH;
}

static inline int pthread_once(pthread_once_t *once, void (*init)(void))
{
    if (!*once) {
        *once = 1;
        init();
    }
    return 0;
}

static inline int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    (void)m; (void)a;
    return 0;
}
static inline int pthread_mutex_destroy(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_lock(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_unlock(pthread_mutex_t *m) { (void)m; return 0; }

static inline int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
    (void)c; (void)a;
    return 0;
}
static inline int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_signal(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_broadcast(pthread_cond_t *c) { (void)c; return 0; }
/* Waiting with one thread would wait forever (dav1d calls it in a loop):
 * trap instead. dav1d only waits when n_tc > 1 or n_fc > 1, which cannot
 * happen here because pthread_create fails first. */
static inline int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    (void)c; (void)m;
    abort();
}

#endif
