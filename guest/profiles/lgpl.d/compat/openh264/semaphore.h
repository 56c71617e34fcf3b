/*
 * afmpeg guest compat: single-threaded <semaphore.h> for OpenH264 only.
 *
 * What: counting semaphores for a module with exactly one thread. post adds
 * one; trywait/timedwait take one or fail at once (EAGAIN/ETIMEDOUT: no other
 * thread could post while we wait); sem_wait on zero aborts (traps) instead of
 * hanging for ever.
 * Why: wasi-libc declares sem_* in its <semaphore.h> but its libc.a has no
 * definitions (no threads), and OpenH264's events are semaphores
 * (WelsThreadLib.cpp). This header shadows wasi-libc's in OpenH264's private
 * include directory only; see pthread.h beside it for why no thread runs.
 */
#ifndef AFMPEG_COMPAT_OPENH264_SEMAPHORE_H
#define AFMPEG_COMPAT_OPENH264_SEMAPHORE_H
#include <errno.h>
#include <stdlib.h>
#include <time.h>

typedef struct { unsigned value; } sem_t;

static inline int sem_init(sem_t *s, int pshared, unsigned value) { (void)pshared; s->value = value; return 0; }
static inline int sem_destroy(sem_t *s) { (void)s; return 0; }
static inline int sem_post(sem_t *s) { s->value++; return 0; }
static inline int sem_getvalue(sem_t *s, int *v) { *v = (int)s->value; return 0; }
static inline int sem_trywait(sem_t *s) {
  if (s->value == 0) { errno = EAGAIN; return -1; }
  s->value--; return 0;
}
static inline int sem_timedwait(sem_t *s, const struct timespec *t) {
  (void)t;
  if (s->value == 0) { errno = ETIMEDOUT; return -1; }
  s->value--; return 0;
}
static inline int sem_wait(sem_t *s) {
  if (s->value == 0) abort();
  s->value--; return 0;
}
#endif
