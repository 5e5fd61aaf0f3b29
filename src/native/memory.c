/*
 * The frame writer's memory for a big render, on transparent huge pages where the kernel
 * offers them (src/render/svg-frames-compiled.ts asks for it).
 *
 * Why: a fresh process meets every page of that memory for the first time during the render,
 * and each 4 KiB page costs a fault: ~2.7 us on the machine the benchmark runs on, ~400
 * faults (~1.1 ms) for a 10 MB SVG, a tenth of the render. One 2 MiB page costs one fault and
 * ~0.25 ms of zeroing. Small renders touch few pages and keep an ordinary ArrayBuffer.
 *
 * Where there is no madvise(MADV_HUGEPAGE) (Windows, macOS) nothing is registered and the
 * caller allocates as before; where the kernel declines huge pages the mapping behaves as
 * ordinary memory.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "memory.h"

#ifdef _WIN32
void registerMemory(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}
#else

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_HUGEPAGE
void registerMemory(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}
#else

#define HUGE_PAGE ((size_t)2 << 20)

/*
 * A mapping handed out, until both the owner gave it back (hugeMemoryFree) and the garbage
 * collector let go of its ArrayBuffer: Node runs that finalizer only once the event loop
 * turns, which a synchronous caller may not let it do for many renders.
 */
typedef struct Mapping {
  uint8_t *start;
  size_t size;
  int mapped;
  struct Mapping *next;
} Mapping;

/* Mappings not yet finalized. Touched on the main thread only (finalizers run there too). */
static Mapping *mappings;

static void unmap(Mapping *m) {
  if (m->mapped) munmap(m->start, m->size);
  m->mapped = 0;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  Mapping *m = hint;
  unmap(m);
  for (Mapping **at = &mappings; *at != NULL; at = &(*at)->next) {
    if (*at == m) {
      *at = m->next;
      break;
    }
  }
  free(m);
}

/*
 * hugeMemory(bytes): a zeroed ArrayBuffer of `bytes` bytes on whole huge pages, aligned to
 * one; undefined if it could not be mapped or Node does not take outside memory.
 */
static napi_value HugeMemory(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double requested;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_double(env, argv[0], &requested) != napi_ok || !(requested >= 1 && requested <= 1073741824.0)) {
    napi_throw_type_error(env, NULL, "flameprof memory: hugeMemory(bytes), 1 to 1 GiB");
    return NULL;
  }
  size_t bytes = (size_t)requested;
  size_t size = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  Mapping *m = malloc(sizeof *m);
  if (m == NULL) return NULL;
  /* Mapped a huge page too big, then trimmed to an aligned start: mmap aligns only to 4 KiB. */
  uint8_t *raw = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    free(m);
    return NULL;
  }
  uintptr_t start = ((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
  if (start > (uintptr_t)raw) munmap(raw, start - (uintptr_t)raw);
  uintptr_t rawEnd = (uintptr_t)raw + size + HUGE_PAGE;
  if (rawEnd > start + size) munmap((void *)(start + size), rawEnd - (start + size));
  *m = (Mapping){(uint8_t *)start, size, 1, NULL};
  /* Refused (THP disabled): ordinary pages, as an ArrayBuffer would have. */
  (void)madvise(m->start, size, MADV_HUGEPAGE);
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, m->start, bytes, finalize, m, &buffer) != napi_ok) {
    /* Embedders with V8's sandbox take no outside memory: the caller allocates its own. */
    unmap(m);
    free(m);
    return NULL;
  }
  m->next = mappings;
  mappings = m;
  return buffer;
}

/*
 * hugeMemoryFree(buffer): unmap a buffer from hugeMemory now, detached first so that no view
 * of it can reach the memory afterwards. Only once nothing reads it, the write-behind thread
 * included. Freeing one twice, or another buffer, is a TypeError.
 */
static napi_value HugeMemoryFree(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "flameprof memory: hugeMemoryFree(ArrayBuffer)");
    return NULL;
  }
  Mapping *m = mappings;
  while (m != NULL && !(m->mapped && m->start == data && data != NULL)) m = m->next;
  if (m == NULL || napi_detach_arraybuffer(env, argv[0]) != napi_ok) {
    napi_throw_type_error(env, NULL, "flameprof memory: hugeMemoryFree takes a buffer from hugeMemory, once");
    return NULL;
  }
  unmap(m);
  return NULL;
}

void registerMemory(napi_env env, napi_value exports) {
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"hugeMemory", HugeMemory}, {"hugeMemoryFree", HugeMemoryFree}};
  for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
    napi_value f;
    napi_create_function(env, fns[k].name, NAPI_AUTO_LENGTH, fns[k].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[k].name, f);
  }
}
#endif
#endif
