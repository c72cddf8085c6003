// Plan assembly: whatever fails, the containment is all there or nothing is launched.

#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "dd-launch/generators.hpp"
#include "dd-launch/plan.hpp"

using namespace ddsafe;
using namespace ddsafe::launch;

namespace {

bool has(const std::vector<std::string>& argv, const std::string& word) {
  return std::find(argv.begin(), argv.end(), word) != argv.end();
}

// The flags each mandatory layer puts on a bubblewrap command line (as root and not).
void require_containment(const Plan& p, const std::vector<std::string>& argv) {
  RC_ASSERT(has(argv, "--die-with-parent"));
  RC_ASSERT(has(argv, "--new-session"));
  RC_ASSERT(has(argv, "--unshare-pid") || has(argv, "--unshare-all"));
  RC_ASSERT(has(argv, "--cap-drop"));
  RC_ASSERT(has(argv, "--unshare-net") || (has(argv, "--unshare-all") && !has(argv, "--share-net")));
  if (p.launcher_is_root) {
    RC_ASSERT(has(argv, "--bounding-set=-all"));
    RC_ASSERT(has(argv, "--no-new-privs"));
    RC_ASSERT(has(argv, "--reuid=" + std::to_string(*p.uid)));
  }
  RC_ASSERT(p.pids_max > 0);
  RC_ASSERT(p.timeout.count() > 0);
}

}  // namespace

TEST_CASE("launch plan: failing generators drop features, never containment", "[launch]") {
  rc::prop("any set of failing generators", [] {
    LaunchRequest req;
    req.need_cgroup = false;  // the cgroup itself is created (and tested) by the launcher
    const auto binds = *rc::gen::inRange(0, 4);
    for (int i = 0; i < binds; ++i) req.binds.push_back({"/", "/mnt/b" + std::to_string(i), false});
    if (*rc::gen::arbitrary<bool>()) req.env.push_back({"A", "1"});
    auto gens = standard_generators(req);
    const auto failing = *rc::gen::container<std::vector<bool>>(gens.size(), rc::gen::arbitrary<bool>());
    bool mandatory_failed = false;
    std::set<std::string> dropped_names;
    for (std::size_t i = 0; i < gens.size(); ++i) {
      if (!failing[i]) continue;
      mandatory_failed = mandatory_failed || gens[i].mandatory;
      if (!gens[i].mandatory) dropped_names.insert(gens[i].name);
      // Fails half-way: it has already touched the plan when it gives up.
      gens[i].apply = [](Plan& p) -> Result<void> {
        p.binds.push_back({"/half", "/half", true});
        p.env.push_back({"HALF", "1"});
        return make_error(errc::invalid_argument, "made to fail");
      };
    }
    Plan base;
    base.launcher_is_root = ::geteuid() == 0;
    base.session_id = "s-1";
    base.session_dir = "/state/s-1/work";
    base.command = {"true"};
    auto a = assemble(base, gens);
    if (mandatory_failed) {
      RC_ASSERT(!a);
      RC_ASSERT(a.error().context.find("mandatory layer") != std::string::npos);
      return;
    }
    RC_ASSERT(bool(a));
    std::set<std::string> got;
    for (const auto& d : a->dropped) got.insert(d.feature);
    RC_ASSERT(got == dropped_names);
    auto argv = render_bwrap(a->plan, 3);
    RC_ASSERT(bool(argv));
    require_containment(a->plan, *argv);
    RC_ASSERT(!has(*argv, "/half"));  // nothing of a failed generator survives
    std::size_t kept_binds = 0;
    for (std::size_t i = 0; i < gens.size(); ++i)
      if (!failing[i] && gens[i].name.starts_with("bind ")) ++kept_binds;
    RC_ASSERT(a->plan.binds.size() == kept_binds);
  });
}

TEST_CASE("launch plan: a plan missing any mandatory layer is never rendered", "[launch]") {
  LaunchRequest req;
  req.need_cgroup = false;
  Plan base;
  base.launcher_is_root = ::geteuid() == 0;
  base.session_dir = "/state/s-1/work";
  base.command = {"true"};
  auto a = assemble(base, standard_generators(req));
  REQUIRE(a);
  REQUIRE(render_bwrap(a->plan, -1));
  const std::vector<std::pair<const char*, void (*)(Plan&)>> strip = {
      {"no_new_privs", [](Plan& p) { p.no_new_privs = false; }},
      {"drop_caps", [](Plan& p) { p.drop_caps = false; }},
      {"no_network", [](Plan& p) { p.no_network = false; }},
      {"pids_limit", [](Plan& p) { p.pids_max = 0; }},
      {"timeout", [](Plan& p) { p.timeout = std::chrono::milliseconds(0); }},
      {"unprivileged_uid", [](Plan& p) { p.uid = 0; }},
  };
  for (const auto& [layer, remove] : strip) {
    Plan p = a->plan;
    remove(p);
    auto bw = render_bwrap(p, -1);
    REQUIRE_FALSE(bw);
    CHECK(bw.error().context.find(layer) != std::string::npos);
    CHECK_FALSE(render_engine(p, Engine::podman));
  }
}
