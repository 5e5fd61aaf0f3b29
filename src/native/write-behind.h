/* The write-behind thread's functions, added to the addon's exports (see write-behind.c). */
#ifndef FLAMEPROF_WRITE_BEHIND_H
#define FLAMEPROF_WRITE_BEHIND_H
#include <node_api.h>

void registerWriteBehind(napi_env env, napi_value exports);

#endif
