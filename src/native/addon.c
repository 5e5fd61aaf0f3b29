/*
 * flameprof's optional Node addon, built on install where a C compiler is (binding.gyp,
 * scripts/build-native.js) and loaded by src/native/addon.ts: the SVG frame writer, the
 * write-behind thread, the folded log's lines and memory on huge pages. Without it,
 * WebAssembly writes the same frames, JavaScript the same log, output is written
 * synchronously and renders run in ordinary memory.
 */
#include "folded-log.h"
#include "memory.h"
#include "svg-frames.h"
#include "write-behind.h"

NAPI_MODULE_INIT() {
  registerFrameWriter(env, exports);
  registerWriteBehind(env, exports);
  registerFoldedLog(env, exports);
  registerMemory(env, exports);
  return exports;
}
