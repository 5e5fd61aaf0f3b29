/* The folded log's lines, added to the addon's exports (see folded-log.c). */
#ifndef FLAMEPROF_FOLDED_LOG_H
#define FLAMEPROF_FOLDED_LOG_H
#include <node_api.h>

void registerFoldedLog(napi_env env, napi_value exports);

#endif
