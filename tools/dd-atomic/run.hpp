#pragma once

#include <spdlog/logger.h>

#include "common/report.hpp"
#include "dd-atomic/options.hpp"
#include "ddsafe/events.hpp"

namespace ddsafe::tools {

/// Carries out a plan: sidecar lock, temp, producer or stdin, guards, validation, check,
/// commit. Returns dd-atomic's exit status (docs/exit-codes.md); every failure is reported on
/// `log` naming the file and the cause, leaves the target untouched and removes the temp.
int run_atomic(const AtomicPlan& plan, EventSink& events, spdlog::logger& log);

}  // namespace ddsafe::tools
