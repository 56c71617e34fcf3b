/*
 * afmpeg guest compat: single-threaded <pthread.h> for OpenH264 only.
 *
 * What: the pthread types and functions OpenH264 2.3 references
 * (codec/common/src/WelsThreadLib.cpp), for a module with exactly one thread.
 * Mutex operations and condition-variable signals are no-ops; pthread_create
 * fails (EAGAIN); waiting on a condition variable aborts (traps), because in
 * a single thread nobody could ever signal it: an error, never a hang.
 * Why: Debian's wasi-libc (2022 snapshot, no wasi-threads) has no
 * <pthread.h>, and OpenH264 includes it unconditionally. OpenH264 starts
 * worker threads only when the encoder runs with more than one thread
 * (iMultipleThreadIdc > 1). FFmpeg passes its thread count (1 here: no
 * pthreads in the guest) or 0 = "auto", which OpenH264 resolves with
 * WelsQueryLogicalProcessInfo: 1 for __wasi__ (profiles/lgpl.d/patches/
 * openh264-0001-*.patch). So no thread is ever created; what remains are
 * lock/unlock calls that protect nothing in a single-threaded module. This
 * header sits in OpenH264's private include directory (build_openh264 in
 * guest/profiles/lgpl.sh); nothing else sees it. Same approach as
 * guest/compat/dav1d/pthread.h.
 */
#ifndef AFMPEG_COMPAT_OPENH264_PTHREAD_H
#define AFMPEG_COMPAT_OPENH264_PTHREAD_H
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h> /* wasi-libc declares the pthread_*_t types there */
#include <time.h>

#define PTHREAD_SCOPE_SYSTEM 0
#ifndef SCHED_FIFO
#define SCHED_FIFO 1
#endif

static inline int pthread_attr_init(pthread_attr_t *a) { (void)a; return 0; }
static inline int pthread_attr_destroy(pthread_attr_t *a) { (void)a; return 0; }
static inline int pthread_attr_setscope(pthread_attr_t *a, int s) { (void)a; (void)s; return 0; }
static inline int pthread_attr_setschedpolicy(pthread_attr_t *a, int p) { (void)a; (void)p; return 0; }
static inline int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg) {
  (void)t; (void)a; (void)f; (void)arg; return EAGAIN;
}
static inline int pthread_join(pthread_t t, void **r) { (void)t; (void)r; return ESRCH; }
static inline pthread_t pthread_self(void) { return (pthread_t)0; }

static inline int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a) { (void)m; (void)a; return 0; }
static inline int pthread_mutex_destroy(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_lock(pthread_mutex_t *m) { (void)m; return 0; }
static inline int pthread_mutex_unlock(pthread_mutex_t *m) { (void)m; return 0; }

static inline int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a) { (void)c; (void)a; return 0; }
static inline int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_signal(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_broadcast(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) { (void)c; (void)m; abort(); }
static inline int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t) {
  (void)c; (void)m; (void)t; return ETIMEDOUT;
}
#endif
