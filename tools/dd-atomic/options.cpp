#include "dd-atomic/options.hpp"

#include <fmt/format.h>

#include "common/parse.hpp"

namespace ddsafe::tools {
namespace {

Error usage(std::string what) { return make_error(errc::invalid_argument, std::move(what)); }

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

void add_atomic_flags(CLI::App& app, AtomicCli& cli) {
  app.add_option("file", cli.target, "the file to replace")->required()->type_name("FILE");
  app.add_option("--mode", cli.mode, "final mode (octal); default: the old file's, or "
                                     "0666 & ~umask for a new file")->type_name("OCTAL");
  app.add_flag("--no-sync", cli.no_sync, "rename without fsync (atomic, not durable)");
  app.add_flag("--lock", cli.lock, "hold the sidecar lock .FILE.lock around the whole run "
                                   "(safe read-modify-write)");
  app.add_option("-w,--wait,--timeout", cli.wait, "with --lock: give up after SECONDS "
                                                  "(default: wait as long as it takes)")
      ->type_name("SECONDS");
  app.add_option("--lock-file", cli.lock_file, "lock this file instead of .FILE.lock (for "
                                               "--lock and --fence-token)")->type_name("PATH");
  app.add_option("--fence-token", cli.fence_token, "commit only if the lock's token is still N "
                                                   "(e.g. $DD_LOCK_TOKEN under dd-lock)")
      ->type_name("N");
  app.add_flag("--backup{~}", cli.backup, "keep the previous version as FILE~ "
                                          "(--backup=SUFFIX: FILE+SUFFIX)")->type_name("[=SUFFIX]");
  app.add_option("--symlink", cli.symlink, "FILE is a symlink: follow (write through, keep the "
                                           "link), replace (the link) or refuse")
      ->check(CLI::IsMember({"follow", "replace", "refuse"}))->type_name("POLICY");
  app.add_option("--hardlink", cli.hardlink, "FILE has other hard links: refuse, or break them")
      ->check(CLI::IsMember({"refuse", "break"}))->type_name("POLICY");
  app.add_flag("--if-changed", cli.if_changed, "leave FILE alone (inode, mtime) when the new "
                                               "content is identical");
  app.add_flag("--allow-empty", cli.allow_empty, "let empty output replace a non-empty FILE");
  app.add_option("--validate", cli.validate, "refuse content that is not valid FORMAT (json)")
      ->check(CLI::IsMember({"json"}))->type_name("FORMAT");
  app.add_option("--check", cli.check, "run CMD ('{}' = the new version's path) before "
                                       "committing; commit only if it exits 0")
      ->type_name("CMD");
  app.add_option("--journal", cli.journal, "journal file (default $DD_JOURNAL, else "
                                           "$XDG_STATE_HOME/ddsafe/journal.jsonl); also "
                                           "records commits")->type_name("PATH");
  app.add_flag("--journal-commit", cli.journal_commit, "record atomic_commit events too");
}

Result<AtomicPlan> to_plan(const AtomicCli& cli) {
  AtomicPlan plan;
  plan.target = cli.target;
  plan.producer = cli.producer;
  auto& o = plan.options;
  o.tool = "dd-atomic";
  o.durability = cli.no_sync ? Durability::atomic : Durability::durable;
  o.symlinks = cli.symlink == "replace"  ? SymlinkPolicy::replace
               : cli.symlink == "refuse" ? SymlinkPolicy::refuse
                                         : SymlinkPolicy::follow;
  o.hard_links = cli.hardlink == "break" ? HardLinkPolicy::break_links : HardLinkPolicy::refuse;
  o.if_changed = cli.if_changed;
  o.allow_empty = cli.allow_empty;
  o.journal_commits = cli.journal_commit || cli.journal.has_value();
  if (cli.backup) {
    if (cli.backup->empty() || cli.backup->find('/') != std::string::npos)
      return usage(fmt::format("invalid value '{}' for --backup: want a suffix without '/'",
                               *cli.backup));
    o.backup_suffix = *cli.backup;
  }
  if (cli.mode) {
    auto m = parse_mode(*cli.mode, "--mode");
    if (!m) return m.error();
    o.mode = *m;
  }
  if (cli.wait && !cli.lock) return usage("-w/--wait needs --lock");
  if (cli.wait) {
    auto w = parse_seconds(*cli.wait, "-w");
    if (!w) return w.error();
    plan.lock_timeout = *w;
  }
  if (cli.fence_token) {
    auto t = parse_count(*cli.fence_token, "--fence-token", (std::uint64_t{1} << 63) - 1);
    if (!t) return t.error();
    plan.fence_token = *t;
  }
  if (cli.lock && cli.fence_token)
    return usage("--fence-token checks a lock held elsewhere; --lock fences with its own token");
  plan.lock = cli.lock;
  if (cli.lock_file) plan.lock_file = *cli.lock_file;
  plan.validate_json = cli.validate.has_value();
  if (cli.check && cli.check->find_first_not_of(" \t\n") == std::string::npos)
    return usage("--check needs a command");
  plan.check = cli.check;
  return plan;
}

std::string expand_check(const std::string& check, const std::string& path) {
  const auto quoted = shell_quote(path);
  std::string out;
  bool placed = false;
  for (std::size_t i = 0; i < check.size(); ++i) {
    if (check.compare(i, 2, "{}") == 0) {
      out += quoted;
      placed = true;
      ++i;
    } else {
      out += check[i];
    }
  }
  return placed ? out : out + " " + quoted;
}

}  // namespace ddsafe::tools
