/*
 * The SVG renderer's per-frame writer as a Node addon: src/wasm/svg-frames.ts in C, function
 * for function, on the same memory layout, so that src/render/svg-frames-compiled.ts drives
 * either. It writes exactly the bytes of FrameWriter.frame (src/render/svg-frames.ts), which
 * stays the reference; test/svg-compiled.test.ts compares all three.
 *
 * Why, when the WebAssembly exists: a fresh process runs its first ~20,000 frames in V8's
 * baseline code while the optimizing compiler works on the module (~6 ms of compiling on
 * two cores), and the optimized code is then as fast as this. Compiled when the package is
 * installed, this runs at full speed from the first frame. Built only where a C compiler is
 * (scripts/build-native.js); elsewhere the WebAssembly writer does the work.
 *
 * Memory is the caller's ArrayBuffer, passed to every call. What the module keeps between
 * calls (the configuration, the columns, the heap) is kept in that buffer's first bytes,
 * unused by the layout, so that renders that take turns do not share state; each call copies
 * it into statics (which stores into the buffer cannot alias) and back. Statics are one
 * thread's: the loader uses the addon on the main thread only.
 *
 * Floating point must round as WebAssembly does: plain IEEE doubles, no fused multiply-add
 * (binding.gyp sets -ffp-contract=off).
 */
#include "svg-frames.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t u32;
typedef int32_t i32;
typedef uint64_t u64;
typedef double f64;

/* Digit tables, built by `init` (as the WebAssembly module's). */
#define PAIRS 1024u
#define QUADS (PAIRS + 200u)
#define POW10 (QUADS + 40000u)
#define SHA_W (POW10 + 21u * 8u)
/*
 * Six-digit times already written, by value (putSix): SIX_SLOTS records of 24 bytes, the
 * value's bits, then its text (at most 15 bytes) with its length in the last byte, 0 while
 * empty. Here only, not in the WebAssembly: see putSix. Used by big renders only
 * (`caching`): a small one would fault in more of its pages than the cache saves.
 */
#define SIX_BITS 12u
#define SIX_SLOTS (1u << SIX_BITS)
#define SIX_RECORD 24u
#define SIX_CACHE (SHA_W + 80u * 4u)
/* The same for coordinates (putFixed): 32-byte records, at most 23 bytes of text. */
#define FIXED_BITS 12u
#define FIXED_SLOTS (1u << FIXED_BITS)
#define FIXED_RECORD 32u
#define FIXED_CACHE (SIX_CACHE + SIX_SLOTS * SIX_RECORD)
#define DATA_END (FIXED_CACHE + FIXED_SLOTS * FIXED_RECORD)

#define SLOW 0u

enum {
  C_DATA_W = 0, C_DASH, C_RECT_X, C_CUT_END, C_CALL, C_CALLS, C_PRIMITIVE_OPEN, C_PRIMITIVE_CLOSE,
  C_COMMA_OWN, C_OWN, C_CALLS_IT, C_ESTIMATED, C_SAMPLES, C_COMMA, C_IN_ITSELF, C_IN_ITSELF_OF,
  C_IT_IS_IN, C_VIA_CALLER, C_UNIT_CUM, C_UNIT_END, C_UNIT_COMMA, C_UNIT_THOSE, C_QUOTE, C_DATA_N,
  C_TITLE, C_SPACE, C_TEXT_END
};

#define F_READY 0u
#define F_HEAD 4u
#define F_TEXT 12u
#define F_CUT 20u
#define F_UNITS 24u
#define F_SIZE 28u
#define F_SHARE 32u
#define FUNC_RECORD 40u

#define T_LABEL 0u
#define T_LABEL_UNITS 4u
#define T_NAME 8u
#define T_NAME_UNITS 12u
#define T_DATA_N 16u
#define TEXT_RECORD 20u

#define L_OPEN 0u
#define L_Y_WIDTH 8u
#define L_TEXT_Y 16u
#define LEVEL_RECORD 24u

#define INT_MAX_F 2147483647.0
#define FRAME_MAX (1024u + 12u * 25u + 320u)

/* The state kept in the buffer between calls: below PAIRS, which the layout leaves free. */
typedef struct {
  f64 width, total, pad, cellPx;
  u32 samples, constants, fills, funcs, flameLevels, invLevels, asciiEscapes, texts, scratch, heap, caching;
  u32 cLevel, cFunc, cColor, cX, cW, cCc, cNc, cTt, cCt, outPos;
} State;

_Static_assert(sizeof(State) <= PAIRS, "the state must fit below the digit tables");

static uint8_t *M;
static f64 width, total, pad, cellPx;
static int samples, caching, cachingTimes;
static u32 constants, fills, funcs, flameLevels, invLevels, asciiEscapes, texts, scratch, heap;
static u32 cLevel, cFunc, cColor, cX, cW, cCc, cNc, cTt, cCt, outPos;

static void loadState(void) {
  State s;
  memcpy(&s, M, sizeof s);
  width = s.width; total = s.total; pad = s.pad; cellPx = s.cellPx;
  samples = s.samples != 0; constants = s.constants; fills = s.fills; funcs = s.funcs;
  flameLevels = s.flameLevels; invLevels = s.invLevels; asciiEscapes = s.asciiEscapes;
  texts = s.texts; scratch = s.scratch; heap = s.heap; caching = s.caching != 0;
  cLevel = s.cLevel; cFunc = s.cFunc; cColor = s.cColor; cX = s.cX; cW = s.cW; cCc = s.cCc;
  cNc = s.cNc; cTt = s.cTt; cCt = s.cCt; outPos = s.outPos;
}

static void saveState(void) {
  State s = {width, total, pad, cellPx,
             (u32)samples, constants, fills, funcs, flameLevels, invLevels, asciiEscapes, texts, scratch, heap,
             (u32)caching, cLevel, cFunc, cColor, cX, cW, cCc, cNc, cTt, cCt, outPos};
  memcpy(M, &s, sizeof s);
}

static inline u32 ld8(u32 p) { return M[p]; }
static inline u32 ld16(u32 p) { uint16_t v; memcpy(&v, M + p, 2); return v; }
static inline u32 ld32(u32 p) { u32 v; memcpy(&v, M + p, 4); return v; }
static inline i32 ldi32(u32 p) { i32 v; memcpy(&v, M + p, 4); return v; }
static inline u64 ld64(u32 p) { u64 v; memcpy(&v, M + p, 8); return v; }
static inline f64 ldf(u32 p) { f64 v; memcpy(&v, M + p, 8); return v; }
static inline void st8(u32 p, u32 v) { M[p] = (uint8_t)v; }
static inline void st16(u32 p, u32 v) { uint16_t w = (uint16_t)v; memcpy(M + p, &w, 2); }
static inline void st32(u32 p, u32 v) { memcpy(M + p, &v, 4); }
static inline void st64(u32 p, u64 v) { memcpy(M + p, &v, 8); }
static inline void stf(u32 p, f64 v) { memcpy(M + p, &v, 8); }

/* Math.floor; the cast is exact below 2^52, where most values are. */
static inline f64 ffloor(f64 x) {
  if (x > -4503599627370496.0 && x < 4503599627370496.0) {
    f64 t = (f64)(int64_t)x;
    return t > x ? t - 1.0 : t;
  }
  return floor(x);
}

/* WebAssembly's f64.max(1, a): NaN stays NaN. */
static inline f64 maxOne(f64 a) { return a != a ? a : a > 1.0 ? a : 1.0; }

static inline u32 rotl32(u32 x, u32 r) { return (x << r) | (x >> (32u - r)); }
static inline u32 bswap32(u32 x) {
  return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

static void init(void) {
  for (u32 n = 0; n < 100; n++) st16(PAIRS + n * 2, (48 + n / 10) | ((48 + (n % 10)) << 8));
  for (u32 n = 0; n < 10000; n++) {
    st32(QUADS + n * 4, ld16(PAIRS + (n / 100) * 2) | (ld16(PAIRS + (n % 100) * 2) << 16));
  }
  f64 p = 1;
  for (u32 k = 0; k <= 20; k++) {
    stf(POW10 + k * 8, p);
    p *= 10;
  }
}

static inline u32 constant(u32 k) { return constants + k * 8; }

static inline u32 fragmentEnd(u32 pos) { return ((pos + 7) & ~7u) + 8; }

/*
 * 16 bytes at a time (the WebAssembly's 8), a frame's dozen fragments most in one copy: it
 * may read 15 bytes past a fragment (into the next, or the room after the heap) and write
 * as far past pos + n (into the output's slack, FRAME_MAX), which later writes overwrite.
 */
static inline u32 putBytes(u32 pos, u32 src, u32 n) {
  u32 k = 0;
  do {
    uint8_t w[16];
    memcpy(w, M + src + k, 16);
    memcpy(M + pos + k, w, 16);
    k += 16;
  } while (k < n);
  return pos + n;
}

static inline u32 putSlot(u32 pos, u32 slot) { return putBytes(pos, ld32(slot), ld32(slot + 4)); }

static inline u32 putByte(u32 pos, u32 b) {
  st8(pos, b);
  return pos + 1;
}

static int isWide(u32 c) {
  return c >= 0x1100 &&
         (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
          (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
          (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd));
}

static inline u32 surrogatePair(u32 s, u32 k, u32 units) {
  u32 c = ld16(s + k * 2);
  if (c < 0xd800 || c > 0xdbff || k + 1 >= units) return 0;
  u32 d = ld16(s + (k + 1) * 2);
  if (d < 0xdc00 || d > 0xdfff) return 0;
  return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
}

static u32 putCodePoint(u32 pos, u32 c) {
  if (c < 0x800) {
    pos = putByte(pos, 0xc0 | (c >> 6));
  } else {
    if (c < 0x10000) {
      pos = putByte(pos, 0xe0 | (c >> 12));
    } else {
      pos = putByte(pos, 0xf0 | (c >> 18));
      pos = putByte(pos, 0x80 | ((c >> 12) & 0x3f));
    }
    pos = putByte(pos, 0x80 | ((c >> 6) & 0x3f));
  }
  return putByte(pos, 0x80 | (c & 0x3f));
}

static u32 putEscaped(u32 pos, u32 s, u32 units) {
  for (u32 k = 0; k < units; k++) {
    u32 c = ld16(s + k * 2);
    if (c < 0x80) {
      pos = putSlot(pos, asciiEscapes + c * 8);
    } else if (c == 0xfffe || c == 0xffff) {
      pos = putCodePoint(pos, 0xfffd);
    } else {
      u32 pair = surrogatePair(s, k, units);
      if (pair != 0) k++;
      pos = putCodePoint(pos, pair != 0 ? pair : c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
    }
  }
  return pos;
}

static u32 putUtf8(u32 pos, u32 s, u32 units) {
  for (u32 k = 0; k < units; k++) {
    u32 c = ld16(s + k * 2);
    if (c < 0x80) {
      pos = putByte(pos, c);
    } else {
      u32 pair = surrogatePair(s, k, units);
      if (pair != 0) k++;
      pos = putCodePoint(pos, pair != 0 ? pair : c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
    }
  }
  return pos;
}

static int cutTable(u32 at, u32 name, u32 units) {
  u32 bytes = 0;
  st32(at, 0);
  for (u32 k = 0; k < units; k++) {
    u32 c = ld16(name + k * 2);
    if ((c >= 0xd800 && c <= 0xdfff) || isWide(c)) return 0;
    bytes += c < 0x80 ? ld32(asciiEscapes + c * 8 + 4) : c < 0x800 ? 2 : 3;
    st32(at + (k + 1) * 4, bytes);
  }
  return 1;
}

static f64 labelShare(u32 msg, u32 len) {
  u32 n = len;
  st8(msg + n++, 0x80);
  while ((n & 63) != 56) st8(msg + n++, 0);
  u64 bits = (u64)len * 8;
  st32(msg + n, bswap32((u32)(bits >> 32)));
  st32(msg + n + 4, bswap32((u32)bits));
  n += 8;
  u32 h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  u32 w[80];
  for (u32 block = 0; block < n; block += 64) {
    for (u32 t = 0; t < 16; t++) w[t] = bswap32(ld32(msg + block + t * 4));
    for (u32 t = 16; t < 80; t++) w[t] = rotl32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    u32 a = h0, b = h1, c = h2, d = h3, e = h4;
    for (u32 t = 0; t < 80; t++) {
      u32 f, k;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      u32 next = rotl32(a, 5) + f + e + k + w[t];
      e = d;
      d = c;
      c = rotl32(b, 30);
      b = a;
      a = next;
    }
    h0 += a;
    h1 += b;
    h2 += c;
    h3 += d;
    h4 += e;
  }
  return (f64)h0 / 4294967296.0;
}

static u32 digitCount(u32 n) {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

static inline u32 putPadded(u32 pos, u32 n, i32 width_) {
  u32 p = pos + (u32)width_;
  while (p - pos >= 4) {
    u32 q = n / 10000;
    p -= 4;
    st32(p, ld32(QUADS + (n - q * 10000) * 4));
    n = q;
  }
  if (p - pos >= 2) {
    u32 q = n / 100;
    p -= 2;
    st16(p, ld16(PAIRS + (n - q * 100) * 2));
    n = q;
  }
  if (p > pos) st8(pos, 48 + n);
  return pos + (u32)width_;
}

static inline u32 putUint(u32 pos, u32 n) { return putPadded(pos, n, (i32)digitCount(n)); }

static inline f64 pow10at(i32 k) { return ldf(POW10 + (u32)k * 8); }

static void prepare(u32 func) {
  u32 rec = funcs + func * FUNC_RECORD;
  u32 text = texts + func * TEXT_RECORD;
  u32 label = ld32(text + T_LABEL);
  u32 labelUnits = ld32(text + T_LABEL_UNITS);
  u32 name = ld32(text + T_NAME);
  u32 nameUnits = ld32(text + T_NAME_UNITS);
  int dataN = ld32(text + T_DATA_N) != 0;
  u32 at = heap;
  u32 pos = putSlot(at, constant(C_QUOTE));
  if (dataN) {
    pos = putSlot(pos, constant(C_DATA_N));
    pos = putUint(pos, nameUnits);
    pos = putSlot(pos, constant(C_QUOTE));
  }
  pos = putSlot(pos, constant(C_TITLE));
  pos = putEscaped(pos, label, labelUnits);
  pos = putSlot(pos, constant(C_SPACE));
  u32 headLength = pos - at;
  st32(rec + F_HEAD, at);
  st32(rec + F_HEAD + 4, headLength);
  at = fragmentEnd(pos);
  pos = putEscaped(at, name, nameUnits);
  pos = putSlot(pos, constant(C_TEXT_END));
  st32(rec + F_TEXT, at);
  st32(rec + F_TEXT + 4, pos - at);
  at = fragmentEnd(pos);
  st32(rec + F_CUT, cutTable(at, name, nameUnits) ? at : 0);
  heap = fragmentEnd(at + (nameUnits + 1) * 4);
  st32(rec + F_UNITS, nameUnits);
  st32(rec + F_SIZE, headLength + 6 * nameUnits + 16);
  stf(rec + F_SHARE, labelShare(scratch, putUtf8(scratch, label, labelUnits) - scratch));
  st32(rec + F_READY, 1);
}

static u32 fillSlot(u32 color, f64 share, int text) {
  u32 length = ld32(fills + color * 4);
  u32 index = (u32)ffloor((f64)length * share);
  return fills + 16 + ((color * 8 + index) * 2 + (text ? 1 : 0)) * 8;
}

static u32 putName(u32 pos, u32 rec, f64 cells) {
  f64 units = (f64)ld32(rec + F_UNITS);
  u32 cut = ld32(rec + F_CUT);
  if (cut == 0) {
    if (units * 2 <= cells) return putSlot(pos, rec + F_TEXT);
    return SLOW;
  }
  if (units <= cells) return putSlot(pos, rec + F_TEXT);
  u32 n = ld32(cut + ((u32)cells - 2) * 4);
  pos = putBytes(pos, ld32(rec + F_TEXT), n);
  return putSlot(pos, constant(C_CUT_END));
}

static f64 productError(f64 a, f64 b, f64 p) {
  const f64 SPLIT = 134217729.0;
  f64 t = SPLIT * a;
  f64 ah = t - (t - a);
  f64 al = a - ah;
  t = SPLIT * b;
  f64 bh = t - (t - b);
  f64 bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

static u32 putShare(u32 pos, f64 v) {
  f64 x = v / total;
  f64 pct = x * 100;
  f64 m = pct * 100;
  if (!(m >= 0 && m < 1e9)) return 0;
  f64 whole = ffloor(m);
  f64 d = m - whole - 0.5;
  if (d > -1e-6 && d < 1e-6) {
    d += productError(pct, 100, m);
    if (d == 0) d = fmod(whole, 2.0) == 0 ? -1 : 1;
  }
  u32 n = (u32)(d > 0 ? whole + 1 : whole);
  u32 cents = n % 100;
  pos = putUint(pos, (n - cents) / 100);
  pos = putByte(pos, 46);
  pos = putPadded(pos, cents, 2);
  return putByte(pos, 37);
}

static u32 putCount(u32 pos, f64 n) {
  if (!(n >= 0 && n <= INT_MAX_F) || ffloor(n) != n) return 0;
  return putUint(pos, (u32)n);
}

static u32 formatSix(u32 pos, f64 x) {
  if (ffloor(x) == x) return putCount(pos, x);
  f64 a = fabs(x);
  if (!(a >= 1e-15 && a < 999999.5)) return 0;
  i32 e;
  if (a >= 1e-6) {
    e = a >= 1 ? (a >= 1e3 ? (a >= 1e5 ? 5 : a >= 1e4 ? 4 : 3) : a >= 100 ? 2 : a >= 10 ? 1 : 0)
               : a >= 1e-3 ? (a >= 0.1 ? -1 : a >= 0.01 ? -2 : -3)
                           : a >= 1e-4 ? -4 : a >= 1e-5 ? -5 : -6;
  } else {
    e = -7;
    for (f64 p = 1e-7; a < p && e > -15; p /= 10) e--;
  }
  f64 m = a * pow10at(5 - e);
  if (m < 99999.5) {
    if (m > 99999.49) return 0;
    e--;
    m = a * pow10at(5 - e);
  } else if (m > 999999.49) {
    if (m < 999999.51) return 0;
    e++;
    m = a * pow10at(5 - e);
  }
  if (!(m >= 99999.51 && m <= 999999.49) || e > 5) return 0;
  f64 whole = ffloor(m);
  f64 d = m - whole - 0.5;
  if (d > -1e-6 && d < 1e-6) {
    d += productError(a, pow10at(5 - e), m);
    if (d == 0) d = 1;
  }
  u32 n = (u32)(d > 0 ? whole + 1 : whole);
  i32 len = 6;
  while (n % 10 == 0) {
    n /= 10;
    len--;
  }
  if (x < 0) pos = putByte(pos, 45);
  if (e < -6) {
    u32 p = (u32)pow10at(len - 1);
    u32 first = n / p;
    pos = putByte(pos, 48 + first);
    if (len > 1) {
      pos = putByte(pos, 46);
      pos = putPadded(pos, n - first * p, len - 1);
    }
    pos = putByte(pos, 101);
    pos = putByte(pos, 45);
    return putUint(pos, (u32)-e);
  }
  if (e < 0) {
    pos = putByte(pos, 48);
    pos = putByte(pos, 46);
    for (i32 z = -e - 1; z > 0; z--) pos = putByte(pos, 48);
    return putPadded(pos, n, len);
  }
  if (len <= e + 1) {
    pos = putPadded(pos, n, len);
    for (i32 z = e + 1 - len; z > 0; z--) pos = putByte(pos, 48);
    return pos;
  }
  u32 p = (u32)pow10at(len - e - 1);
  u32 hi = n / p;
  pos = putPadded(pos, hi, e + 1);
  pos = putByte(pos, 46);
  return putPadded(pos, n - hi * p, len - e - 1);
}

typedef u32 (*NumberFormat)(u32 pos, f64 x);

/*
 * x as `format` writes it, or copied from a direct-mapped cache of 2^bits records of
 * `record` bytes at `cache` (the value's bits, then its text in whole words with its length
 * in the record's last byte, 0 while empty), in big renders (`caching`). Why: formatting a
 * number takes 10-20 ns, five or six per frame, and many recur. In the inverted section a
 * caller edge's times recur in every path through it (96 % of a real dump's inverted
 * frames' times were seen before, 77 % of a synthetic one's), and its widths with them; a
 * frame's first child starts at its x (see putSix for the flame section's times). The
 * output has room for record - 8 bytes at pos (FRAME_MAX).
 */
static inline u32 putCached(u32 pos, f64 x, u32 cache, u32 bits, u32 record, NumberFormat format) {
  if (!caching) return format(pos, x);
  u64 key;
  memcpy(&key, &x, 8);
  u32 rec = cache + (u32)((key * 0x9e3779b97f4a7c15ull) >> (64u - bits)) * record;
  u32 length = ld8(rec + record - 1);
  if (length != 0 && ld64(rec) == key) {
    for (u32 k = 8; k < record; k += 8) st64(pos + k - 8, ld64(rec + k));
    return pos + length;
  }
  u32 end = format(pos, x);
  if (end != 0 && end - pos < record - 8) {
    st64(rec, key);
    for (u32 k = 8; k < record; k += 8) st64(rec + k, ld64(pos + k - 8));
    st8(rec + record - 1, end - pos);
  }
  return end;
}

/*
 * x as Python's %g (six significant digits). The flame section's times, shared out by the
 * estimator, are nearly all new (11 % had been seen in the 10 MB bench output, against 82 %
 * of the inverted section's): there a lookup costs more than it saves (`cachingTimes`).
 */
static u32 putSix(u32 pos, f64 x) {
  return cachingTimes ? putCached(pos, x, SIX_CACHE, SIX_BITS, SIX_RECORD, formatSix) : formatSix(pos, x);
}

static u32 formatFixed(u32 pos, f64 v);

/* v as a fixed-point decimal, nine places at most. */
static u32 putFixed(u32 pos, f64 v) { return putCached(pos, v, FIXED_CACHE, FIXED_BITS, FIXED_RECORD, formatFixed); }

static u32 formatFixed(u32 pos, f64 v) {
  if (!(v >= 0 && v < INT_MAX_F)) return 0;
  f64 whole = ffloor(v);
  f64 scaled = (v - whole) * 1e9;
  f64 frac = ffloor(scaled);
  if (scaled - frac >= 0.5) frac += 1;
  if (frac >= 1e9) {
    whole += 1;
    frac = 0;
  }
  pos = putUint(pos, (u32)whole);
  if (frac == 0) return pos;
  st8(pos, 46);
  u32 end = putPadded(pos + 1, (u32)frac, 9);
  while (ld8(end - 1) == 48) end--;
  return end;
}

static u32 putCalls(u32 pos, u32 i) {
  f64 nc = ldf(cNc + i * 8);
  f64 cc = ldf(cCc + i * 8);
  pos = putCount(pos, nc);
  if (pos == 0) return 0;
  pos = putSlot(pos, constant(nc == 1 ? C_CALL : C_CALLS));
  if (cc == nc) return pos;
  pos = putSlot(pos, constant(C_PRIMITIVE_OPEN));
  pos = putCount(pos, cc);
  if (pos == 0) return 0;
  return putSlot(pos, constant(C_PRIMITIVE_CLOSE));
}

static u32 putTimes(u32 pos, f64 tt, f64 ct) {
  pos = putSix(pos, tt);
  if (pos == 0) return 0;
  pos = putSlot(pos, constant(C_UNIT_CUM));
  return putSix(pos, ct);
}

static u32 putDetails(u32 pos, u32 i, int flame, i32 level, u32 color, f64 ct, f64 tt) {
  if (samples) {
    pos = putSix(pos, flame ? ct : tt);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_SAMPLES));
    if (flame) {
      pos = putSlot(pos, constant(C_COMMA));
      pos = putSix(pos, tt);
      if (pos == 0) return 0;
      return putSlot(pos, constant(C_IN_ITSELF));
    }
    if (level != 0) return putSlot(pos, constant(C_VIA_CALLER));
    pos = putSlot(pos, constant(C_IN_ITSELF_OF));
    pos = putSix(pos, ct);
    if (pos == 0) return 0;
    return putSlot(pos, constant(C_IT_IS_IN));
  }
  if (flame) {
    pos = putCalls(pos, i);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_COMMA_OWN));
    pos = putTimes(pos, tt, ct);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_UNIT_END));
    return color == 1 ? putSlot(pos, constant(C_ESTIMATED)) : pos;
  }
  if (level == 0) {
    pos = putSlot(pos, constant(C_OWN));
    pos = putTimes(pos, tt, ct);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_UNIT_COMMA));
    return putCalls(pos, i);
  }
  pos = putSlot(pos, constant(C_CALLS_IT));
  pos = putCalls(pos, i);
  if (pos == 0) return 0;
  pos = putSlot(pos, constant(C_COMMA_OWN));
  pos = putTimes(pos, tt, ct);
  if (pos == 0) return 0;
  return putSlot(pos, constant(C_UNIT_THOSE));
}

static u32 frame(u32 pos, u32 i, int flame, u32 end) {
  u32 func = ld32(cFunc + i * 4);
  u32 rec = funcs + func * FUNC_RECORD;
  if (ld32(rec + F_READY) == 0) prepare(func);
  if ((u64)pos + FRAME_MAX + ld32(rec + F_SIZE) > (u64)end) return SLOW;

  i32 level = ldi32(cLevel + i * 4);
  f64 x = (ldf(cX + i * 8) * width) / total;
  f64 rawW = (ldf(cW + i * 8) * width) / total;
  f64 w = maxOne(rawW - 1);
  f64 textX = x + pad;
  f64 avail = w - pad - 2;
  f64 cells = ffloor(avail / cellPx);
  u32 row = (flame ? flameLevels : invLevels) + (u32)level * LEVEL_RECORD;
  f64 ct = ldf(cCt + i * 8);
  f64 tt = ldf(cTt + i * 8);
  u32 color = ld8(cColor + i);

  pos = putSlot(pos, row + L_OPEN);
  if (w != rawW - 1) {
    pos = putSlot(pos, constant(C_DATA_W));
    pos = putFixed(pos, rawW);
    if (pos == 0) return SLOW;
  }
  pos = putSlot(pos, rec + F_HEAD);
  pos = putShare(pos, flame ? ct : tt);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, constant(C_DASH));
  pos = putDetails(pos, i, flame, level, color, ct, tt);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, constant(C_RECT_X));
  pos = putFixed(pos, x);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, row + L_Y_WIDTH);
  pos = putFixed(pos, w);
  if (pos == 0) return SLOW;
  int text = !(cells < 3);
  pos = putSlot(pos, fillSlot(color, ldf(rec + F_SHARE), text));
  if (!text) return pos;
  pos = putFixed(pos, textX);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, row + L_TEXT_Y);
  return putName(pos, rec, cells);
}

static u32 writeFrames(u32 from, u32 to, int flame, u32 pos, u32 limit, u32 end) {
  u32 i = from;
  cachingTimes = caching && !flame;
  while (i < to && pos < limit) {
    u32 next = frame(pos, i, flame, end);
    if (next == SLOW) break;
    pos = next;
    i++;
  }
  outPos = pos;
  return i;
}

/* ---- The Node-API surface: each call names its memory first. ---- */

#define MAX_ARGS 20

/* The arguments as doubles, after the buffer, which becomes M; 0 (and a thrown error) on misuse. */
static int args(napi_env env, napi_callback_info info, size_t want, int buffer, f64 *out) {
  size_t argc = MAX_ARGS;
  napi_value argv[MAX_ARGS];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != want) {
    napi_throw_type_error(env, NULL, "flameprof frames addon: wrong number of arguments");
    return 0;
  }
  size_t k = 0;
  if (buffer) {
    void *data;
    size_t length;
    if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok || length < DATA_END) {
      napi_throw_type_error(env, NULL, "flameprof frames addon: expected its memory");
      return 0;
    }
    M = (uint8_t *)data;
    k = 1;
  }
  for (; k < argc; k++) {
    if (napi_get_value_double(env, argv[k], &out[k - (buffer ? 1 : 0)]) != napi_ok) {
      napi_throw_type_error(env, NULL, "flameprof frames addon: expected a number");
      return 0;
    }
  }
  return 1;
}

static napi_value number(napi_env env, f64 v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static napi_value Init(napi_env env, napi_callback_info info) {
  f64 a[1];
  if (!args(env, info, 1, 1, a)) return NULL;
  init();
  State s;
  memset(&s, 0, sizeof s);
  memcpy(M, &s, sizeof s);
  return NULL;
}

static napi_value Configure(napi_env env, napi_callback_info info) {
  f64 a[MAX_ARGS];
  if (!args(env, info, 16, 1, a)) return NULL;
  loadState();
  width = a[0]; total = a[1]; pad = a[2]; cellPx = a[3]; samples = a[4] != 0;
  constants = (u32)a[5]; fills = (u32)a[6]; funcs = (u32)a[7]; flameLevels = (u32)a[8];
  invLevels = (u32)a[9]; asciiEscapes = (u32)a[10]; texts = (u32)a[11]; scratch = (u32)a[12];
  heap = (u32)a[13]; caching = a[14] != 0;
  saveState();
  return NULL;
}

static napi_value Section(napi_env env, napi_callback_info info) {
  f64 a[MAX_ARGS];
  if (!args(env, info, 10, 1, a)) return NULL;
  loadState();
  cLevel = (u32)a[0]; cFunc = (u32)a[1]; cColor = (u32)a[2]; cX = (u32)a[3]; cW = (u32)a[4];
  cCc = (u32)a[5]; cNc = (u32)a[6]; cTt = (u32)a[7]; cCt = (u32)a[8];
  saveState();
  return NULL;
}

static napi_value WriteFrames(napi_env env, napi_callback_info info) {
  f64 a[MAX_ARGS];
  if (!args(env, info, 7, 1, a)) return NULL;
  loadState();
  u32 next = writeFrames((u32)a[0], (u32)a[1], a[2] != 0, (u32)a[3], (u32)a[4], (u32)a[5]);
  saveState();
  return number(env, next);
}

static napi_value Position(napi_env env, napi_callback_info info) {
  f64 a[1];
  if (!args(env, info, 1, 1, a)) return NULL;
  loadState();
  return number(env, outPos);
}

static napi_value LabelShare16(napi_env env, napi_callback_info info) {
  f64 a[MAX_ARGS];
  if (!args(env, info, 3, 1, a)) return NULL;
  loadState();
  u32 label = (u32)a[0];
  u32 units = (u32)a[1];
  return number(env, labelShare(scratch, putUtf8(scratch, label, units) - scratch));
}

static napi_value IsWide(napi_env env, napi_callback_info info) {
  f64 a[1];
  if (!args(env, info, 1, 0, a)) return NULL;
  return number(env, isWide((u32)a[0]));
}

void registerFrameWriter(napi_env env, napi_value exports) {
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"init", Init}, {"configure", Configure}, {"section", Section}, {"writeFrames", WriteFrames},
             {"position", Position}, {"labelShare16", LabelShare16}, {"isWide", IsWide}};
  for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
    napi_value f;
    napi_create_function(env, fns[k].name, NAPI_AUTO_LENGTH, fns[k].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[k].name, f);
  }
  const struct {
    const char *name;
    u32 value;
  } records[] = {{"DATA_END", DATA_END}, {"FUNC_RECORD", FUNC_RECORD}, {"TEXT_RECORD", TEXT_RECORD},
                 {"LEVEL_RECORD", LEVEL_RECORD}};
  for (size_t k = 0; k < sizeof records / sizeof records[0]; k++) {
    napi_set_named_property(env, exports, records[k].name, number(env, records[k].value));
  }
}
