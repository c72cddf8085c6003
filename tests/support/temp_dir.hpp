#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ddsafe::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Whole content of a file ("" if missing).
std::string read_file(const std::filesystem::path& p);
/// Names in `dir` that are dd-atomic temps (of any target): ".NAME~dd...".
std::vector<std::string> atomic_temps(const std::filesystem::path& dir);

/// Writes (replaces) a file's content.
void write_file(const std::filesystem::path& p, const std::string& content);

}  // namespace ddsafe::test
