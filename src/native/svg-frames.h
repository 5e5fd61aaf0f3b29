/* The SVG frame writer's functions, added to the addon's exports (see svg-frames.c). */
#ifndef FLAMEPROF_SVG_FRAMES_H
#define FLAMEPROF_SVG_FRAMES_H
#include <node_api.h>

void registerFrameWriter(napi_env env, napi_value exports);

#endif
