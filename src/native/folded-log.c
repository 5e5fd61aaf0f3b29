/*
 * The folded log's lines (src/render/log.ts) in C: the same bytes as its JavaScript loop,
 * which stays the reference and writes every line this leaves to it.
 *
 * Why: a fresh process runs the JavaScript loop in the interpreter for its first thousands of
 * lines, until the optimizing compiler has it: a 10 MB log took ~18 ms to render cold
 * against ~6 ms warm.
 *
 * Everything it works on is the caller's: the buffer (lines from 0 to `cap`, the current
 * path after it), the path's end at each level, the frames' columns, every function's label
 * as UTF-16, and the labels made UTF-8 on first use (the caller's cache, so renders that
 * take turns keep their own).
 */
#include "folded-log.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t u32;
typedef int32_t i32;

/* A typed array argument's data and length in elements. */
static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  return napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) == napi_ok && type == want;
}

/* `s` (UTF-16, `units` long) as UTF-8 at `out`, lone surrogates as U+FFFD, as TextEncoder does. */
static size_t utf8(const uint16_t *s, size_t units, uint8_t *out) {
  uint8_t *o = out;
  for (size_t k = 0; k < units; k++) {
    u32 c = s[k];
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && k + 1 < units && s[k + 1] >= 0xdc00 && s[k + 1] <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s[k + 1] - 0xdc00);
        k++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) {
      *o++ = (uint8_t)c;
    } else if (c < 0x800) {
      *o++ = (uint8_t)(0xc0 | (c >> 6));
      *o++ = (uint8_t)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      *o++ = (uint8_t)(0xe0 | (c >> 12));
      *o++ = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
      *o++ = (uint8_t)(0x80 | (c & 0x3f));
    } else {
      *o++ = (uint8_t)(0xf0 | (c >> 18));
      *o++ = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
      *o++ = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
      *o++ = (uint8_t)(0x80 | (c & 0x3f));
    }
  }
  return (size_t)(o - out);
}

/* Python's round(): JavaScript's Math.round (ties up), then ties to even. */
static double roundHalfEven(double x) {
  double r = floor(x);
  if (x - r >= 0.5) r += 1;
  if (r - x == 0.5 && fmod(r, 2.0) != 0) r -= 1;
  return r;
}

static uint8_t *putUint(uint8_t *o, u32 n) {
  char digits[10];
  int k = 0;
  do {
    digits[k++] = (char)('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (k > 0) *o++ = (uint8_t)digits[--k];
  return o;
}

#define ARGS 16

/*
 * foldedLines(buf, cap, pathCap, pos, limit, ends, labels16, labelStarts, utf8, utf8At,
 *             level, func, self, from, to, mult): lines for frames `from` to `to` from `pos`,
 * until `pos` reaches `limit`. Returns the next frame and the position, as next * 2^32 + pos.
 * Stops before a line that JavaScript must write: a count out of 0..2^31-1, a path or line
 * that needs a bigger buffer, a level past `ends`.
 *
 * labelStarts[f] to labelStarts[f + 1] is function f's label in `labels16`; utf8At[2f] is
 * where its UTF-8 starts in `utf8` (-1 until it is made) and utf8At[2f + 1] its length; the
 * last slot of utf8At is the bytes of `utf8` used.
 */
static napi_value FoldedLines(napi_env env, napi_callback_info info) {
  size_t argc = ARGS;
  napi_value argv[ARGS];
  uint8_t *buf, *utf8s;
  i32 *ends, *utf8At, *level, *func;
  uint16_t *labels16;
  u32 *starts;
  double *self;
  size_t bufLength, endsLength, labelsLength, startsLength, utf8Length, utf8AtLength, levelLength, funcLength, selfLength;
  double a[7];
  int ok = napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == ARGS &&
           typed(env, argv[0], napi_uint8_array, (void **)&buf, &bufLength) &&
           typed(env, argv[5], napi_int32_array, (void **)&ends, &endsLength) &&
           typed(env, argv[6], napi_uint16_array, (void **)&labels16, &labelsLength) &&
           typed(env, argv[7], napi_uint32_array, (void **)&starts, &startsLength) &&
           typed(env, argv[8], napi_uint8_array, (void **)&utf8s, &utf8Length) &&
           typed(env, argv[9], napi_int32_array, (void **)&utf8At, &utf8AtLength) &&
           typed(env, argv[10], napi_int32_array, (void **)&level, &levelLength) &&
           typed(env, argv[11], napi_int32_array, (void **)&func, &funcLength) &&
           typed(env, argv[12], napi_float64_array, (void **)&self, &selfLength);
  const int numbers[] = {1, 2, 3, 4, 13, 14, 15};
  for (int k = 0; ok && k < 7; k++) ok = napi_get_value_double(env, argv[numbers[k]], &a[k]) == napi_ok;
  size_t cap = (size_t)a[0], pathCap = (size_t)a[1], pos = (size_t)a[2], limit = (size_t)a[3];
  size_t i = (size_t)a[4], to = (size_t)a[5];
  double mult = a[6];
  size_t funcs = startsLength - 1;
  if (!ok || startsLength == 0 || cap + pathCap > bufLength || utf8AtLength != 2 * funcs + 1 || to > levelLength ||
      to > funcLength || to > selfLength || starts[funcs] > labelsLength || utf8Length < 3 * (size_t)starts[funcs]) {
    napi_throw_type_error(env, NULL, "flameprof log addon: foldedLines arguments out of shape");
    return NULL;
  }
  uint8_t *path = buf + cap;
  for (; i < to && pos < limit; i++) {
    i32 lvl = level[i];
    i32 f = func[i];
    if (lvl < 0 || (size_t)lvl >= endsLength || f < 0 || (size_t)f >= funcs) break;
    if (utf8At[2 * f] < 0) {
      utf8At[2 * f] = utf8At[2 * funcs];
      utf8At[2 * f + 1] = (i32)utf8(labels16 + starts[f], starts[f + 1] - starts[f], utf8s + utf8At[2 * f]);
      utf8At[2 * funcs] += utf8At[2 * f + 1];
    }
    const uint8_t *label = utf8s + utf8At[2 * f];
    size_t labelLength = (size_t)utf8At[2 * f + 1];
    size_t start = lvl == 0 ? 0 : (size_t)ends[lvl - 1];
    size_t end = lvl == 0 ? labelLength : start + 1 + labelLength;
    double count = roundHalfEven(self[i] * mult);
    /* The JavaScript loop's own limits: it grows the buffer, or writes a huge count its way. */
    if (!(count >= 0 && count <= 2147483647.0) || end > pathCap || pos + end + 12 > cap) break;
    if (lvl > 0) path[start++] = ';';
    memcpy(path + start, label, labelLength);
    ends[lvl] = (i32)end;
    memcpy(buf + pos, path, end);
    uint8_t *o = buf + pos + end;
    *o++ = ' ';
    o = putUint(o, (u32)count);
    *o++ = '\n';
    pos = (size_t)(o - buf);
  }
  napi_value r;
  napi_create_double(env, (double)i * 4294967296.0 + (double)pos, &r);
  return r;
}

void registerFoldedLog(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "foldedLines", NAPI_AUTO_LENGTH, FoldedLines, NULL, &f);
  napi_set_named_property(env, exports, "foldedLines", f);
}
