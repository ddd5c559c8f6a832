#include "base/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace electra {
namespace {

absl::Status ErrnoStatus(int err, absl::string_view what, const std::string& path) {
  std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, " is a directory, not a file"));
  }
  std::string data;
  if (fstat(fd, &st) == 0 && st.st_size > 0) data.reserve(st.st_size);
  char buffer[1 << 16];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return ErrnoStatus(err, "cannot read", path);
    }
    if (n == 0) break;
    data.append(buffer, n);
  }
  close(fd);
  return data;
}

absl::Status SyncDirectory(const std::string& dir) {
  int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open directory", dir);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0 && err != EINVAL) return ErrnoStatus(err, "cannot fsync directory", dir);
  return absl::OkStatus();
}

absl::StatusOr<AtomicFile> AtomicFile::Create(const std::string& path) {
  std::string tmp = absl::StrCat(path, ".tmp-", getpid());
  FILE* f = fopen(tmp.c_str(), "wb");
  if (f == nullptr) return ErrnoStatus(errno, "cannot create", tmp);
  return AtomicFile(path, tmp, f);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_path_(std::move(other.tmp_path_)),
      file_(other.file_),
      size_(other.size_) {
  other.file_ = nullptr;
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    Abandon();
    path_ = std::move(other.path_);
    tmp_path_ = std::move(other.tmp_path_);
    file_ = other.file_;
    size_ = other.size_;
    other.file_ = nullptr;
  }
  return *this;
}

AtomicFile::~AtomicFile() { Abandon(); }

void AtomicFile::Abandon() {
  if (file_ != nullptr) {
    fclose(file_);
    file_ = nullptr;
    unlink(tmp_path_.c_str());
  }
}

absl::Status AtomicFile::Append(absl::string_view data) {
  if (file_ == nullptr) return absl::FailedPreconditionError("write after commit: " + path_);
  if (!data.empty() && fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    return ErrnoStatus(errno, "cannot write", tmp_path_);
  }
  size_ += data.size();
  return absl::OkStatus();
}

absl::Status AtomicFile::Commit() {
  if (file_ == nullptr) return absl::FailedPreconditionError("double commit: " + path_);
  FILE* f = file_;
  file_ = nullptr;
  bool ok = fflush(f) == 0;
  int err = errno;
  if (ok && fsync(fileno(f)) != 0) {
    ok = false;
    err = errno;
  }
  if (fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    unlink(tmp_path_.c_str());
    return ErrnoStatus(err, "cannot write", tmp_path_);
  }
  if (rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    err = errno;
    unlink(tmp_path_.c_str());
    return ErrnoStatus(err, "cannot rename into", path_);
  }
  return SyncDirectory(Dirname(path_));
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  absl::StatusOr<AtomicFile> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  absl::Status s = file->Append(contents);
  if (!s.ok()) return s;
  return file->Commit();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

absl::Status MakeDirectories(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot create directory", dir);
  if (!IsDirectory(dir)) return absl::FailedPreconditionError(dir + " exists and is not a directory");
  return absl::OkStatus();
}

absl::Status RemoveAll(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot remove", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus(errno, "cannot list directory", dir);
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::vector<std::string>> ExpandFileList(absl::string_view spec) {
  std::vector<std::string> files;
  for (absl::string_view part : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    std::string pattern(part);
    if (pattern.find_first_of("*?[") == std::string::npos) {
      if (!PathExists(pattern)) return absl::NotFoundError("no such file: " + pattern);
      if (IsDirectory(pattern)) {
        return absl::InvalidArgumentError(pattern + " is a directory; name files or a glob");
      }
      files.push_back(pattern);
      continue;
    }
    glob_t g;
    int rc = glob(pattern.c_str(), 0, nullptr, &g);
    if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
      globfree(&g);
      return absl::NotFoundError("no files match " + pattern);
    }
    if (rc != 0) {
      globfree(&g);
      return absl::InternalError("cannot expand " + pattern);
    }
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      if (!IsDirectory(g.gl_pathv[i])) files.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  if (files.empty()) return absl::InvalidArgumentError("empty file list");
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::string JoinPath(absl::string_view a, absl::string_view b) {
  if (a.empty()) return std::string(b);
  if (!b.empty() && b.front() == '/') return std::string(b);
  if (a.back() == '/') return absl::StrCat(a, b);
  return absl::StrCat(a, "/", b);
}

std::string Basename(absl::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == absl::string_view::npos ? path : path.substr(slash + 1));
}

std::string Dirname(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace electra
