/*
 * flameprof's optional Node addon, built on install where a C compiler is (binding.gyp,
 * scripts/build-native.js) and loaded by src/native/addon.ts: the SVG frame writer and the
 * write-behind thread. Without it, WebAssembly writes the same frames and output is written
 * synchronously.
 */
#include "svg-frames.h"
#include "write-behind.h"

NAPI_MODULE_INIT() {
  registerFrameWriter(env, exports);
  registerWriteBehind(env, exports);
  return exports;
}
