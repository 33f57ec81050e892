// registry.h: the process-wide table of open logs, keyed by canonical directory path, so that a log
// opened by one thread (its writer) can be attached by any other thread for reading. Every thread
// that loads the addon shares this table: the addon's shared object is loaded once per process.
#pragma once

#include <memory>
#include <string>

#include "log.h"

// Creates the directory if needed, opens (recovers) the log and registers it. ALREADY_OPEN if it is.
Status registry_open(const std::string& dir, const LogConfig& cfg, std::shared_ptr<Log>* out);
// The open log at `dir`; NOT_OPEN if none, or if it is still being opened.
Status registry_attach(const std::string& dir, std::shared_ptr<Log>* out);
// Forgets `log` (after close or delete) so that the directory can be opened again.
void registry_remove(const Log* log);
