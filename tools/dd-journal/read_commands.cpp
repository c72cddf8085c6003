// dd-journal query, stats, tail and verify: the reading side of the journal.

#include <unistd.h>

#include <chrono>
#include <deque>
#include <thread>

#include <fmt/format.h>

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "dd-journal/commands.hpp"
#include "dd-journal/output.hpp"
#include "ddsafe/journal/follow.hpp"
#include "ddsafe/journal/journal.hpp"
#include "ddsafe/journal/query.hpp"
#include "ddsafe/journal/time.hpp"

namespace ddsafe::tools {
namespace {

using journal::Filter;
using journal::Record;

// How often tail -f looks for new records.
constexpr auto kFollowInterval = std::chrono::milliseconds(100);

struct ReadCli {
  std::optional<std::string> journal;
  std::vector<std::string> events;
  std::optional<std::string> since, until, path, path_prefix, host, tool;
  std::optional<std::int64_t> pid;
  std::vector<std::string> where;
  Format format = Format::table;
  std::optional<std::size_t> limit;
  bool count = false;
  bool reverse = false;
  std::string by = "event";
  std::size_t lines = 10;
  bool follow = false;

  [[nodiscard]] std::filesystem::path journal_path() const {
    return journal::resolve_path(journal ? std::optional<std::filesystem::path>(*journal)
                                         : std::nullopt);
  }
};

// A count: digits only (CLI11's own range check prints its bounds as huge floats).
CLI::Validator whole_number() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (!s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos)
          return {};
        return "want a whole number >= 0, got '" + s + "'";
      },
      "N");
}

void add_filter_flags(CLI::App& sub, ReadCli& cli) {
  add_journal_flag(sub, cli.journal);
  sub.add_option("--event", cli.events, "only this event type (repeatable: any of them)")
      ->type_name("EVENT")->allow_extra_args(false);
  sub.add_option("--since", cli.since, "only records at or after TIME: RFC 3339, a date, "
                                      "'today', 'yesterday', '1h', '2d', '@SECONDS'")
      ->type_name("TIME");
  sub.add_option("--until", cli.until, "only records before TIME (same forms)")->type_name("TIME");
  sub.add_option("--path", cli.path, "only records whose path is P")->type_name("P");
  sub.add_option("--path-prefix", cli.path_prefix, "only records whose path is P or below P")
      ->type_name("P");
  sub.add_option("--pid", cli.pid, "only records of this pid")->type_name("PID");
  sub.add_option("--host", cli.host, "only records of this host")->type_name("HOST");
  sub.add_option("--tool", cli.tool, "only records written by this tool")->type_name("TOOL");
  sub.add_option("--where", cli.where, "only records whose field KEY is VALUE (repeatable: all)")
      ->type_name("KEY=VALUE")->allow_extra_args(false);
}

void add_format_flag(CLI::App& sub, ReadCli& cli, const char* what) {
  sub.add_option_function<std::string>(
         "-o,--output", [&cli](const std::string& name) { cli.format = format_names().at(name); },
         what)
      ->check(CLI::IsMember({"json", "table", "tsv"}))
      ->type_name("json|table|tsv");
}

Result<Filter> to_filter(const ReadCli& cli) {
  Filter f;
  f.events = cli.events;
  const auto now = journal::now_us();
  if (cli.since) {
    auto t = journal::parse_time_expr(*cli.since, now);
    if (!t) return std::move(t).error();
    f.since_us = *t;
  }
  if (cli.until) {
    auto t = journal::parse_time_expr(*cli.until, now);
    if (!t) return std::move(t).error();
    f.until_us = *t;
  }
  f.path = cli.path;
  f.path_prefix = cli.path_prefix;
  f.pid = cli.pid;
  f.host = cli.host;
  f.tool = cli.tool;
  for (const auto& w : cli.where)
    if (auto ok = f.add_where(w); !ok) return std::move(ok).error();
  return f;
}

// Prints, counts or collects (for --reverse: the newest `limit`) the matching records.
struct Printer final : journal::FilterVisitor {
  Printer(const Filter& f, const ReadCli& cli) : FilterVisitor(f), cli_(cli) {}
  const ReadCli& cli_;
  std::uint64_t matched = 0;
  std::deque<std::string> kept;  // --reverse, tail: the last ones, oldest first
  std::optional<std::size_t> keep_last;

  bool on_match(const Record& r) override {
    ++matched;
    if (cli_.count) return !cli_.limit || matched < *cli_.limit;
    if (keep_last) {
      if (*keep_last == 0) return true;
      if (kept.size() == *keep_last) kept.pop_front();
      kept.push_back(format_record(r, cli_.format));
      return true;
    }
    if (!put(format_record(r, cli_.format))) return false;
    return !cli_.limit || matched < *cli_.limit;
  }
};

int read_failed(spdlog::logger& log, const Error& e) { return report(log, e); }

int run_query(const ReadCli& cli, const CommonCli& common) {
  auto log = make_logger("dd-journal", common.verbosity());
  auto filter = to_filter(cli);
  if (!filter) return report(*log, filter.error());
  auto files = journal::open_set(cli.journal_path());
  if (!files) return read_failed(*log, files.error());
  Printer p(*filter, cli);
  if (cli.reverse && !cli.count) p.keep_last = cli.limit.value_or(SIZE_MAX);
  if (!cli.count && !cli.reverse) put(record_header(cli.format));
  if (cli.limit == std::size_t{0}) return cli.count ? (put("0\n"), 0) : 0;
  auto read = journal::read_set(*files, p);
  if (!read) return read_failed(*log, read.error());
  if (cli.count) put(fmt::format("{}\n", p.matched));
  if (cli.reverse && !cli.count) {
    put(record_header(cli.format));
    for (auto it = p.kept.rbegin(); it != p.kept.rend(); ++it) put(*it);
  }
  log->info("read {} bytes: {} good, {} torn, {} garbage lines", read->bytes, read->good,
            read->torn, read->garbage);
  return 0;
}

int run_stats(const ReadCli& cli, const CommonCli& common) {
  auto log = make_logger("dd-journal", common.verbosity());
  auto filter = to_filter(cli);
  if (!filter) return report(*log, filter.error());
  static const std::map<std::string, journal::GroupBy> kBy{
      {"event", journal::GroupBy::event}, {"path", journal::GroupBy::path},
      {"host", journal::GroupBy::host},   {"tool", journal::GroupBy::tool},
      {"hour", journal::GroupBy::hour}};
  auto groups = journal::group_records(cli.journal_path(), *filter, kBy.at(cli.by));
  if (!groups) return read_failed(*log, groups.error());
  if (cli.limit && groups->size() > *cli.limit) groups->resize(*cli.limit);
  print_groups(stdout, *groups, cli.by, cli.format);
  return 0;
}

// Reads the set to its end, keeping the last `lines` matches; the live file's incomplete last line
// stays in the feeder for the follower.
Result<std::optional<journal::SetFile>> read_tail(std::vector<journal::SetFile> files,
                                                  Printer& p, journal::LineFeeder& feeder) {
  journal::ReadStats stats;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto go = feeder.feed(files[i].fd.get(), files[i].path, p, stats);
    if (!go) return std::move(go).error();
    if (i + 1 < files.size()) feeder.finish(stats);
  }
  if (files.empty()) return std::optional<journal::SetFile>();
  return std::optional<journal::SetFile>(std::move(files.back()));
}

int run_tail(const ReadCli& cli, const CommonCli& common) {
  auto log = make_logger("dd-journal", common.verbosity());
  auto filter = to_filter(cli);
  if (!filter) return report(*log, filter.error());
  const auto path = cli.journal_path();
  auto files = journal::open_set(path);
  // Like tail -F, following a journal that does not exist yet waits for it.
  if (!files && !(cli.follow && files.error().code == std::errc::no_such_file_or_directory))
    return read_failed(*log, files.error());
  Printer p(*filter, cli);
  p.keep_last = cli.lines;
  journal::LineFeeder feeder;
  auto live = read_tail(files ? std::move(*files) : std::vector<journal::SetFile>(), p, feeder);
  if (!live) return read_failed(*log, live.error());
  put(record_header(cli.format));
  for (const auto& line : p.kept) put(line);
  if (!cli.follow) return 0;
  p.keep_last.reset();
  journal::Follower follower(path, std::move(*live), std::move(feeder));
  for (;;) {
    std::fflush(stdout);
    auto go = follower.poll(p);
    if (!go) return read_failed(*log, go.error());
    if (!*go || std::ferror(stdout)) return 0;
    std::this_thread::sleep_for(kFollowInterval);
  }
}

}  // namespace

Command add_tail(CLI::App& app, const CommonCli& common) {
  auto cli = std::make_shared<ReadCli>();
  auto* sub = app.add_subcommand("tail", "print the last records; with -f, follow new ones "
                                         "across rotation (never a partial line)");
  add_filter_flags(*sub, *cli);
  add_format_flag(*sub, *cli, "output format (default table)");
  sub->add_option("-n,--lines", cli->lines, "print the last N matching records (default 10)")
      ->check(whole_number())->type_name("N");
  sub->add_flag("-f,--follow", cli->follow, "keep printing records as they are appended");
  return {sub, [cli, &common] { return run_tail(*cli, common); }};
}

Command add_query(CLI::App& app, const CommonCli& common) {
  auto cli = std::make_shared<ReadCli>();
  auto* sub = app.add_subcommand("query", "print the records that match every filter given, "
                                          "oldest first, over the rotated files");
  add_filter_flags(*sub, *cli);
  add_format_flag(*sub, *cli, "output format (default table; json prints the records' lines)");
  sub->add_flag("-c,--count", cli->count, "print only the number of matching records");
  sub->add_option("--limit", cli->limit, "stop after N records")
      ->check(whole_number())->type_name("N");
  sub->add_flag("-r,--reverse", cli->reverse, "newest first (with --limit: the newest N)");
  return {sub, [cli, &common] { return run_query(*cli, common); }};
}

Command add_stats(CLI::App& app, const CommonCli& common) {
  auto cli = std::make_shared<ReadCli>();
  auto* sub = app.add_subcommand("stats", "count matching records per event, path, host, tool "
                                          "or hour, with first and last seen");
  add_filter_flags(*sub, *cli);
  add_format_flag(*sub, *cli, "output format (default table)");
  sub->add_option("--by", cli->by, "group by event (default), path, host, tool or hour")
      ->check(CLI::IsMember({"event", "path", "host", "tool", "hour"}))
      ->type_name("FIELD");
  sub->add_option("--limit", cli->limit, "only the first N groups (the largest)")
      ->check(whole_number())->type_name("N");
  return {sub, [cli, &common] { return run_stats(*cli, common); }};
}

}  // namespace ddsafe::tools
