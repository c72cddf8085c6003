#include "support/etcd_cluster.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ddsafe::test {

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(s);
  return port;
}

namespace {

pid_t spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

EtcdCluster::EtcdCluster(int members, const std::filesystem::path& dir) {
  std::vector<int> peer_ports;
  std::string cluster;
  for (int i = 0; i < members; ++i) {
    endpoints_.push_back(fmt::format("127.0.0.1:{}", free_port()));
    peer_ports.push_back(free_port());
    cluster += fmt::format("{}m{}=http://127.0.0.1:{}", i ? "," : "", i, peer_ports.back());
  }
  for (int i = 0; i < members; ++i) {
    const auto d = dir / fmt::format("m{}", i);
    std::filesystem::create_directories(d);
    const auto client = "http://" + endpoint(i);
    const auto peer = fmt::format("http://127.0.0.1:{}", peer_ports[static_cast<std::size_t>(i)]);
    pids_.push_back(spawn({"etcd", "--name", fmt::format("m{}", i), "--data-dir",
                           (d / "data").string(), "--logger=zap",
                           "--log-outputs=" + (d / "log").string(), "--listen-client-urls",
                           client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                           "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster,
                           "--initial-cluster-state", "new", "--initial-cluster-token",
                           fmt::format("ddsafe-test-{}", ::getpid()), "--heartbeat-interval",
                           "50", "--election-timeout", "500", "--listen-metrics-urls",
                           fmt::format("http://127.0.0.1:{}", free_port())}));
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int i = 0; i < members; ++i) {
    for (;;) {
      if (etcd_lock_status(target("ready", {i}), "probe")) break;
      int st = 0;
      if (::waitpid(pids_[static_cast<std::size_t>(i)], &st, WNOHANG) != 0) {
        problem_ = fmt::format("etcd member {} exited at start (is etcd-server installed? "
                               "see {})", i, (dir / fmt::format("m{}", i) / "log").string());
        pids_[static_cast<std::size_t>(i)] = 0;
        return;
      }
      if (std::chrono::steady_clock::now() >= until) {
        problem_ = fmt::format("etcd member {} not ready within 20 s", i);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

EtcdCluster::~EtcdCluster() {
  for (int i = 0; i < static_cast<int>(pids_.size()); ++i) kill(i);
}

void EtcdCluster::kill(int i) {
  auto& pid = pids_[static_cast<std::size_t>(i)];
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid = 0;
}

EtcdTarget EtcdCluster::target(const std::string& prefix, std::vector<int> members) const {
  EtcdTarget t;
  t.prefix = prefix;
  if (members.empty())
    for (int i = 0; i < static_cast<int>(endpoints_.size()); ++i) members.push_back(i);
  for (int i : members) t.endpoints.push_back(endpoint(i));
  return t;
}

std::optional<int> EtcdCluster::leader() const {
  for (int i = 0; i < static_cast<int>(endpoints_.size()); ++i) {
    if (pids_[static_cast<std::size_t>(i)] <= 0) continue;
    const auto cmd = fmt::format(
        "ETCDCTL_API=3 etcdctl --endpoints={} endpoint status -w json 2>/dev/null", endpoint(i));
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) continue;
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
    auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_array() || j.empty()) continue;
    const auto& st = j[0].value("Status", nlohmann::json::object());
    const auto leader = st.value("leader", std::uint64_t{0});
    if (st.value("header", nlohmann::json::object()).value("member_id", std::uint64_t{0}) == leader)
      return i;
  }
  return std::nullopt;
}

}  // namespace ddsafe::test
