// addon_send.h: what the two binding files share (addon.cc owns the per-thread state).
#pragma once

#include <napi.h>

#include <memory>

#include "log/mapping.h"

// The segment mapping whose JS ArrayBuffer has its bytes at `data` (addon.cc's MappingBuffers), or
// null if `data` is not such a buffer's start (any other Buffer, or a mapping the cache let go of).
std::shared_ptr<Mapping> MappingOfBuffer(Napi::Env env, const void* data);

// Adds sendAnswer and cancelSend (addon_send.cc) to the addon's exports.
void RegisterSend(Napi::Env env, Napi::Object exports);
