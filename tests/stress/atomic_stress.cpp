// Stress for atomic files: dd-atomic SIGKILLed at random moments while replacing a JSON file,
// and concurrent read-modify-write through `dd-atomic --lock` and through update_file().

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ddsafe/atomic_file.hpp"
#include "stress/stress_support.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using ddsafe::test::ChildProcess;
using ddsafe::test::read_file;
using ddsafe::test::TempDir;
using ddsafe::test::write_file;
namespace fs = std::filesystem;

extern char** environ;

namespace {

// Starts argv (argv[0] an absolute path) with cwd `dir`; returns its pid.
pid_t spawn_in(const fs::path& dir, const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(120);
    ::execve(args[0], args.data(), environ);
    ::_exit(121);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

// The producer dd-atomic runs: the old generation + 1 (the state carries ~256 KiB of padding,
// so the copy takes a while and a kill can land anywhere in it).
std::string producer_script() {
  return "jq -c '.gen += 1' state.json";
}

std::optional<long> generation_of(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("gen") || !j["gen"].is_number_integer()) return {};
  return j["gen"].get<long>();
}

// The direct children of `pid` (the producer of a dd-atomic).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  const auto text = read_file(fmt::format("/proc/{}/task/{}/children", pid, pid));
  std::istringstream in(text);
  pid_t c;
  while (in >> c) out.push_back(c);
  return out;
}

}  // namespace

TEST_CASE("dd-atomic SIGKILLed at random moments: the file is always the old or the new",
          "[atomic][stress]") {
  const auto soak = ddsafe::stress::soak();
  const int runs = 500 * soak.factor;
  TempDir dir;
  const auto state = dir / "state.json";
  write_file(state, nlohmann::json{{"gen", 0}, {"pad", std::string(256 * 1024, 'p')}}.dump());
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_us(0, 40000);
  long gen = 0;
  int killed = 0, committed = 0;
  for (int i = 0; i < runs; ++i) {
    const pid_t pid = spawn_in(dir.path(), {DDSAFE_DD_ATOMIC, "--validate", "json", "state.json",
                                            "--", "/bin/sh", "-c", producer_script()});
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    const int victim = static_cast<int>(rng() % 3);  // dd-atomic, its producer, or both
    if (victim != 0)
      for (pid_t c : children_of(pid)) (void)::kill(c, SIGKILL);
    if (victim != 1) (void)::kill(pid, SIGKILL);
    const int st = wait_status(pid);
    const auto now = generation_of(read_file(state));
    INFO("run " << i << " wait status " << st);
    REQUIRE(now.has_value());  // always parses: never torn, never empty
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) REQUIRE(*now == gen + 1);
    REQUIRE((*now == gen || *now == gen + 1));
    committed += *now == gen + 1;
    killed += WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0);
    gen = *now;
  }
  // A later successful run leaves no temp behind: it sweeps what the killed ones left.
  const pid_t last = spawn_in(dir.path(), {DDSAFE_DD_ATOMIC, "state.json", "--", "/bin/sh", "-c",
                                           producer_script()});
  const int st = wait_status(last);
  REQUIRE(WIFEXITED(st));
  REQUIRE(WEXITSTATUS(st) == 0);
  CHECK(*generation_of(read_file(state)) == gen + 1);
  CHECK(ddsafe::test::atomic_temps(dir.path()).empty());
  WARN(runs << " runs: " << committed << " committed, " << killed << " killed or failed");
  CHECK(committed > 0);
  CHECK(killed > 0);
}

TEST_CASE("4 processes x 500 `dd-atomic --lock cfg.json -- jq '.n += 1' cfg.json` end at 2000",
          "[atomic][stress]") {
  const auto soak = ddsafe::stress::soak();
  const int per_process = 500 * soak.factor;
  TempDir dir;
  write_file(dir / "cfg.json", R"({"n":0})");
  ddsafe::stress::SharedArray<ddsafe::stress::ErrorBox> errors;
  std::vector<ChildProcess> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < per_process; ++i) {
        const pid_t pid = spawn_in(dir.path(), {DDSAFE_DD_ATOMIC, "--lock", "cfg.json", "--",
                                                "/bin/sh", "-c", "exec jq -c '.n += 1' cfg.json"});
        const int st = wait_status(pid);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) errors->set(fmt::format("status {}", st));
      }
      return 0;
    });
  for (auto& w : workers) REQUIRE(w.exit_code(std::chrono::minutes(10)) == 0);
  INFO(errors->get());
  REQUIRE(errors->count.load() == 0);
  const auto n = nlohmann::json::parse(read_file(dir / "cfg.json"))["n"].get<int>();
  CHECK(n == 4 * per_process);
  CHECK(ddsafe::test::atomic_temps(dir.path()).empty());
}

TEST_CASE("update_file: 4 processes x 2500 increments, one updater at a time, none lost",
          "[atomic][stress]") {
  const auto soak = ddsafe::stress::soak();
  const int per_process = 2500 * soak.factor;
  TempDir dir;
  const auto counter = dir / "counter";
  write_file(counter, "0");
  struct Witness {
    std::atomic<int> inside{0};
    std::atomic<int> max_inside{0};
  };
  ddsafe::stress::SharedArray<Witness> witness;
  ddsafe::stress::SharedArray<ddsafe::stress::ErrorBox> errors;
  auto increment = [&](const std::optional<std::string>& old) -> Result<std::string> {
    const int now = witness->inside.fetch_add(1) + 1;
    ddsafe::stress::raise_to(witness->max_inside, now);
    ddsafe::stress::busy_work(200);
    const long value = old ? std::stol(*old) : 0;
    witness->inside.fetch_sub(1);
    return std::to_string(value + 1);
  };
  std::vector<ChildProcess> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < per_process; ++i)
        if (auto r = update_file(counter, increment); !r) errors->set(r.error().message());
      return 0;
    });
  for (auto& w : workers) REQUIRE(w.exit_code(std::chrono::minutes(10)) == 0);
  INFO(errors->get());
  REQUIRE(errors->count.load() == 0);
  CHECK(witness->max_inside.load() == 1);
  CHECK(read_file(counter) == std::to_string(4 * per_process));
  CHECK(ddsafe::test::atomic_temps(dir.path()).empty());
}
