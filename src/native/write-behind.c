/*
 * Output written behind the render: the main thread hands each chunk to a thread of ours,
 * which writes it to the file while the main thread renders the next chunk into another
 * buffer (src/output.ts drives it; the renderers rotate through as many buffers as it asks).
 *
 * Why: writing 10 MB into the page cache takes ~3 ms, a third as long as rendering them, and
 * a synchronous write leaves the other core idle meanwhile. Node's own asynchronous writes
 * would need the event loop to say when a buffer is free again, and the render never yields
 * to it; here the main thread waits on a condition variable, and only when it is about to
 * overwrite a buffer that is still being written.
 *
 * The main thread keeps a reference to every chunk in the queue, so that the garbage
 * collector cannot free one under the writing thread, and drops it once the chunk is written.
 */
#include "write-behind.h"

#ifdef _WIN32
/* No pthreads: no write-behind thread, and src/output.ts writes synchronously. */
void registerWriteBehind(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}
#else

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* Chunks queued at most: more than any caller's ring of buffers. */
#define QUEUE 16u

typedef struct {
  const uint8_t *data;
  size_t length;
  napi_ref ref;
} Chunk;

typedef struct {
  int fd;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t work; /* the writing thread: a chunk was queued, or it is time to stop */
  pthread_cond_t done; /* the main thread: a chunk was written */
  Chunk queue[QUEUE];
  /* Chunks queued, written, and whose reference the main thread has dropped, since the start. */
  unsigned queued, written, released;
  /* The first failed write's errno; chunks after it are not written. */
  int error;
  int stopping, closed;
  /* The thread waits on `work` (after its naps): only then does queueing a chunk signal it. */
  int sleeping;
} Writer;

/*
 * With nothing to write, the thread naps NAPS times NAP_NS before it waits on `work` for as
 * long as it takes: waking a waiting thread is a futex call that cost the main thread ~8 us
 * a chunk on the benchmark's VM (~0.3 ms at 10 MB), and between chunks (~0.15 ms apart) it
 * rarely gets there, so a put signals only a thread that waits. A nap rather than a spin
 * leaves the core to V8's own threads; a timed wait rather than a sleep, so that stop(),
 * which always signals, is not kept waiting (a sleep had lengthened small outputs' ends).
 */
#define NAPS 40
#define NAP_NS 20000L

/* The clock of the naps' deadlines: `work`'s, which only Linux lets us choose. */
#ifdef __linux__
#define NAP_CLOCK CLOCK_MONOTONIC
#else
#define NAP_CLOCK CLOCK_REALTIME
#endif

static void *writeLoop(void *arg) {
  Writer *w = arg;
#if defined(__linux__) && defined(PR_SET_TIMERSLACK)
  /* Naps of 20 us, not the default slack's 50 us more. */
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
#endif
  pthread_mutex_lock(&w->lock);
  for (;;) {
    for (int naps = 0; w->written == w->queued && !w->stopping; naps++) {
      if (naps < NAPS) {
        /* A nap that stop() can cut short: it always signals `work`. */
        struct timespec until;
        clock_gettime(NAP_CLOCK, &until);
        until.tv_nsec += NAP_NS;
        if (until.tv_nsec >= 1000000000L) {
          until.tv_sec++;
          until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->work, &w->lock, &until);
      } else {
        w->sleeping = 1;
        pthread_cond_wait(&w->work, &w->lock);
        w->sleeping = 0;
      }
    }
    if (w->written == w->queued) break;
    Chunk c = w->queue[w->written % QUEUE];
    int failed = w->error != 0;
    pthread_mutex_unlock(&w->lock);
    int error = 0;
    /* write(2) may write less than asked (a full disk on the way to ENOSPC). */
    for (size_t off = 0; !failed && off < c.length;) {
      ssize_t n = write(w->fd, c.data + off, c.length - off);
      if (n >= 0) {
        off += (size_t)n;
      } else if (errno != EINTR) {
        error = errno;
        break;
      }
    }
    pthread_mutex_lock(&w->lock);
    if (error != 0 && w->error == 0) w->error = error;
    w->written++;
    pthread_cond_signal(&w->done);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

/* Drop the references of written chunks (main thread, lock held). */
static void release(napi_env env, Writer *w) {
  while (w->released != w->written) {
    napi_delete_reference(env, w->queue[w->released % QUEUE].ref);
    w->released++;
  }
}

/* Wait until at most `inFlight` chunks are unwritten (main thread, lock held). */
static void waitFor(napi_env env, Writer *w, unsigned inFlight) {
  while (w->queued - w->written > inFlight) pthread_cond_wait(&w->done, &w->lock);
  release(env, w);
}

/* Stop the thread once the queue is written. */
static void stop(napi_env env, Writer *w) {
  if (w->closed) return;
  pthread_mutex_lock(&w->lock);
  w->stopping = 1;
  pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  w->closed = 1;
  release(env, w);
}

static void destroy(Writer *w) {
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->work);
  pthread_cond_destroy(&w->done);
  free(w);
}

/* Collected: stopped already, unless its owner threw past writerClose. */
static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  stop(env, data);
  destroy(data);
}

static napi_value errnoValue(napi_env env, int error) {
  napi_value v;
  napi_create_int32(env, error, &v);
  return v;
}

static int getWriter(napi_env env, napi_value v, Writer **out) {
  void *data;
  if (napi_get_value_external(env, v, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "flameprof write-behind: expected a writer");
    return 0;
  }
  *out = data;
  return 1;
}

/* writerOpen(fd): a writer with its thread started. */
static napi_value WriterOpen(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "flameprof write-behind: writerOpen(fd)");
    return NULL;
  }
  Writer *w = calloc(1, sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "flameprof write-behind: out of memory");
    return NULL;
  }
  w->fd = fd;
  pthread_mutex_init(&w->lock, NULL);
#ifdef __linux__
  pthread_condattr_t monotonic;
  pthread_condattr_init(&monotonic);
  pthread_condattr_setclock(&monotonic, NAP_CLOCK);
  pthread_cond_init(&w->work, &monotonic);
  pthread_condattr_destroy(&monotonic);
#else
  pthread_cond_init(&w->work, NULL);
#endif
  pthread_cond_init(&w->done, NULL);
  if (pthread_create(&w->thread, NULL, writeLoop, w) != 0) {
    destroy(w);
    return NULL; /* undefined: the caller writes synchronously */
  }
  napi_value external;
  napi_create_external(env, w, finalize, NULL, &external);
  return external;
}

/*
 * writerPut(writer, chunk, inFlight): queue the chunk (a typed array), then wait until at most
 * `inFlight` queued chunks are unwritten. Returns 0, or the errno of a failed write.
 */
static napi_value WriterPut(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Writer *w;
  uint32_t inFlight;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 || !getWriter(env, argv[0], &w)) return NULL;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      napi_get_value_uint32(env, argv[2], &inFlight) != napi_ok || inFlight >= QUEUE || w->closed) {
    napi_throw_type_error(env, NULL, "flameprof write-behind: writerPut(writer, Uint8Array, inFlight < 16) on an open writer");
    return NULL;
  }
  napi_ref ref;
  napi_create_reference(env, argv[1], 1, &ref);
  pthread_mutex_lock(&w->lock);
  waitFor(env, w, QUEUE - 1);
  w->queue[w->queued % QUEUE] = (Chunk){data, length, ref};
  w->queued++;
  if (w->sleeping) pthread_cond_signal(&w->work);
  waitFor(env, w, inFlight);
  int error = w->error;
  pthread_mutex_unlock(&w->lock);
  return errnoValue(env, error);
}

/* writerClose(writer): write what is queued, stop the thread. Returns 0, or the errno of a failed write. */
static napi_value WriterClose(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Writer *w;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || !getWriter(env, argv[0], &w)) return NULL;
  stop(env, w);
  return errnoValue(env, w->error);
}

void registerWriteBehind(napi_env env, napi_value exports) {
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"writerOpen", WriterOpen}, {"writerPut", WriterPut}, {"writerClose", WriterClose}};
  for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
    napi_value f;
    napi_create_function(env, fns[k].name, NAPI_AUTO_LENGTH, fns[k].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[k].name, f);
  }
}
#endif
