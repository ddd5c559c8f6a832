// File helpers shared by every tool: whole-file reads with errors that name the file, and
// atomic writes (temporary file, fsync, rename) so a reader never sees a half-written output.
#ifndef ELECTRA_BASE_FILE_UTIL_H_
#define ELECTRA_BASE_FILE_UTIL_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace electra {

// Reads the whole file. NotFound / PermissionDenied / DataLoss errors name `path`.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `contents` to `path` atomically: `path.tmp-<pid>` is written, fsynced and renamed.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// Fsyncs the directory so a rename inside it survives a crash.
absl::Status SyncDirectory(const std::string& dir);

bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);

// Creates `dir` and its parents (like mkdir -p).
absl::Status MakeDirectories(const std::string& dir);

// Removes a file or a directory tree; missing paths are fine.
absl::Status RemoveAll(const std::string& path);

// Sorted entry names of `dir` (no "." / "..").
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir);

// Expands a comma-separated list of paths and shell globs (`*`, `?`, `[...]`) into sorted,
// de-duplicated existing files. A pattern matching nothing is a NotFound error naming it.
absl::StatusOr<std::vector<std::string>> ExpandFileList(absl::string_view spec);

std::string JoinPath(absl::string_view a, absl::string_view b);
std::string Basename(absl::string_view path);
std::string Dirname(absl::string_view path);

// A file written through a temporary name: Commit() fsyncs and renames it into place;
// destroying an uncommitted file removes the temporary, so nothing half-written remains.
class AtomicFile {
 public:
  static absl::StatusOr<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  absl::Status Append(absl::string_view data);
  absl::Status Commit();
  // Bytes appended so far.
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  AtomicFile(std::string path, std::string tmp_path, FILE* file)
      : path_(std::move(path)), tmp_path_(std::move(tmp_path)), file_(file) {}
  void Abandon();

  std::string path_;
  std::string tmp_path_;
  FILE* file_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace electra

#endif  // ELECTRA_BASE_FILE_UTIL_H_
