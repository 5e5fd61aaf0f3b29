/*
 * flameprof's optional Node addon, built on install where a C compiler is (binding.gyp,
 * scripts/build-native.js) and loaded by src/native/addon.ts: the SVG frame writer, the
 * write-behind thread and the folded log's lines. Without it, WebAssembly writes the same
 * frames, JavaScript the same log, and output is written synchronously.
 */
#include "folded-log.h"
#include "svg-frames.h"
#include "write-behind.h"

NAPI_MODULE_INIT() {
  registerFrameWriter(env, exports);
  registerWriteBehind(env, exports);
  registerFoldedLog(env, exports);
  return exports;
}
