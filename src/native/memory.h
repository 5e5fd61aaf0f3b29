/* Memory on huge pages for the frame writer, added to the addon's exports (see memory.c). */
#ifndef FLAMEPROF_MEMORY_H
#define FLAMEPROF_MEMORY_H
#include <node_api.h>

void registerMemory(napi_env env, napi_value exports);

#endif
