#pragma once

#include <memory>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "dd-lock/options.hpp"
#include "ddsafe/error.hpp"
#include "ddsafe/events.hpp"
#include "ddsafe/journal/journal.hpp"
#include "ddsafe/owner_record.hpp"
#include "ddsafe/run.hpp"

namespace ddsafe::tools {

/// Adds owner, acquired_at and ttl_ms of `r` to a --status object.
void add_owner(nlohmann::ordered_json& j, const OwnerRecord& r);

/// dd-lock on the etcd backend: --status, --break, or run the command under lock NAME.
int etcd_main(const LockCli& cli, const EtcdTarget& target, spdlog::logger& log,
              std::shared_ptr<spdlog::logger> shared);

/// After the command ran: logs an exec failure or terminated leftovers. Returns the exit
/// status when the command could not run at all.
std::optional<int> check_outcome(const RunOutcome& run, const RunRequest& req,
                                 spdlog::logger& log);

/// Journals `ev` (a lock_lost event, `stopped` added), says why, returns kExitLockLost.
int report_lost(journal::Journal& jnl, spdlog::logger& log, Event ev, const Error& lost,
                bool stopped);

}  // namespace ddsafe::tools
