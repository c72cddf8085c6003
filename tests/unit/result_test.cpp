#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "ddsafe/result.hpp"
#include "ddsafe/unique_fd.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;

TEST_CASE("Result: holds a value or an error, never both", "[result]") {
  Result<int> ok = 7;
  REQUIRE(ok);
  CHECK(*ok == 7);
  Result<int> bad = make_error(errc::lock_busy, "lock 'x'");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::lock_busy);
  CHECK(bad.error().message() == "lock 'x': lock is held by another process");
  Result<void> v;
  CHECK(v);
  Result<void> ve = make_error(errc::lock_lost, "c");
  CHECK_FALSE(ve);
}

TEST_CASE("Error: sys_error keeps errno in the generic category and names the path", "[result]") {
  errno = ENOSPC;
  const auto e = sys_error("write", "cfg.json");
  CHECK(e.code == std::errc::no_space_on_device);
  CHECK(e.message() == "write 'cfg.json': No space left on device");
}

TEST_CASE("UniqueFd: closes once, release gives the fd up, open_fd adds O_CLOEXEC", "[fd]") {
  test::TempDir dir;
  auto fd = open_fd(dir / "f", O_RDWR | O_CREAT);
  REQUIRE(fd);
  const int raw = fd->get();
  CHECK((::fcntl(raw, F_GETFD) & FD_CLOEXEC) != 0);
  UniqueFd moved = std::move(*fd);
  CHECK_FALSE(*fd);
  CHECK(moved.get() == raw);
  moved.reset();
  CHECK(::fcntl(raw, F_GETFD) == -1);
  auto missing = open_fd(dir / "no" / "f", O_RDONLY);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == std::errc::no_such_file_or_directory);
  CHECK(missing.error().context.find("no/f") != std::string::npos);
}

TEST_CASE("write_all and pread_some move every byte", "[fd]") {
  test::TempDir dir;
  auto fd = open_fd(dir / "f", O_RDWR | O_CREAT);
  REQUIRE(fd);
  const std::string data(100000, 'x');
  REQUIRE(write_all(fd->get(), data, "f"));
  auto back = pread_some(fd->get(), 200000, 0, "f");
  REQUIRE(back);
  CHECK(*back == data);
  REQUIRE(pwrite_all(fd->get(), std::string("yy"), 10, "f"));
  auto part = pread_some(fd->get(), 4, 9, "f");
  REQUIRE(part);
  CHECK(*part == "xyyx");
}
