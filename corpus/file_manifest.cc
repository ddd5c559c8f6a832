#include "corpus/file_manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_util.h"
#include "corpus/crc32c.h"
#include "nlohmann/json.hpp"

namespace electra {
namespace {

constexpr char kFormatName[] = "electra-cpp manifest";

// A manifest comes from disk, possibly damaged or crafted: its paths must stay inside its
// directory, or inspect could be made to read (and report on) any file.
bool SafeRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

absl::Status Mismatch(const std::string& path, const FileDigest& found, const FileDigest& expected) {
  if (found.size != expected.size) {
    return absl::DataLossError(absl::StrFormat(
        "%s is %d bytes but its manifest records %d bytes (CRC32C %s): the file was cut short or "
        "written over after it was saved",
        path, found.size, expected.size, CrcString(expected.crc32c)));
  }
  return absl::DataLossError(absl::StrFormat(
      "%s: CRC32C %s over its %d bytes, but its manifest records %s: its contents changed after it "
      "was saved (a flipped bit or an overwrite)",
      path, CrcString(found.crc32c), found.size, CrcString(expected.crc32c)));
}

}  // namespace

FileDigest DigestOf(absl::string_view bytes) {
  return FileDigest{bytes.size(), crc32c::Value(bytes.data(), bytes.size())};
}

std::string CrcString(uint32_t crc) { return absl::StrFormat("0x%08x", crc); }

void FileManifest::Add(const std::string& path, const FileDigest& digest) {
  for (auto& [p, d] : files_) {
    if (p == path) {
      d = digest;
      return;
    }
  }
  files_.emplace_back(path, digest);
}

void FileManifest::AddAll(const std::string& prefix, const FileManifest& other) {
  for (const auto& [p, d] : other.files_) Add(prefix + p, d);
}

const FileDigest* FileManifest::Find(absl::string_view path) const {
  for (const auto& [p, d] : files_) {
    if (p == path) return &d;
  }
  return nullptr;
}

uint64_t FileManifest::total_bytes() const {
  uint64_t n = 0;
  for (const auto& f : files_) n += f.second.size;
  return n;
}

std::string FileManifest::ToJson() const {
  nlohmann::ordered_json j;
  j["format"] = kFormatName;
  j["format_version"] = kManifestFormatVersion;
  j["checksum"] = "crc32c";
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& [p, d] : files_) {
    nlohmann::ordered_json f;
    f["path"] = p;
    f["size"] = d.size;
    f["crc32c"] = absl::StrFormat("%08x", d.crc32c);
    files.push_back(f);
  }
  j["files"] = files;
  return j.dump(2) + "\n";
}

absl::StatusOr<FileManifest> FileManifest::Parse(absl::string_view text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError(where + ": not a JSON object (damaged manifest?)");
  // A field of another type than expected is damage, not an exception (fuzz/manifest_fuzz.cc).
  auto text_field = [&](const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  if (text_field("format") != kFormatName || !j.contains("files") || !j["files"].is_array()) {
    return absl::DataLossError(absl::StrCat(where, ": not a manifest (needs \"format\": \"", kFormatName,
                                            "\" and a \"files\" array)"));
  }
  if (!j["format_version"].is_number_integer() || j["format_version"].get<int>() != kManifestFormatVersion ||
      text_field("checksum") != "crc32c") {
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": manifest format version ", j["format_version"].dump(), " with checksum ",
        j["checksum"].dump(), " is not supported (this build reads version ", kManifestFormatVersion,
        ", crc32c); use a newer build"));
  }
  FileManifest m;
  int index = 0;
  for (const nlohmann::json& f : j["files"]) {
    std::string entry = absl::StrCat(where, ": files[", index++, "]");
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("size") ||
        !f["size"].is_number_unsigned() || !f.contains("crc32c") || !f["crc32c"].is_string()) {
      return absl::DataLossError(entry + " needs a \"path\" string, a \"size\" and a \"crc32c\" string");
    }
    std::string path = f["path"].get<std::string>();
    if (!SafeRelativePath(path)) {
      return absl::DataLossError(absl::StrCat(entry, ": path '", path, "' is not a plain relative path"));
    }
    std::string hex = f["crc32c"].get<std::string>();
    uint32_t crc = 0;
    bool digits = hex.size() == 8 && std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
    if (!digits || !absl::SimpleHexAtoi(hex, &crc)) {
      return absl::DataLossError(absl::StrCat(entry, ": crc32c '", hex, "' is not 8 hex digits"));
    }
    if (m.Find(path) != nullptr) return absl::DataLossError(absl::StrCat(entry, ": '", path, "' is listed twice"));
    m.files_.emplace_back(path, FileDigest{f["size"].get<uint64_t>(), crc});
  }
  return m;
}

absl::StatusOr<FileManifest> FileManifest::ReadFrom(const std::string& dir) {
  std::string path = JoinPath(dir, kManifestName);
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::Status WriteRecorded(const std::string& dir, const std::string& name, absl::string_view contents,
                           FileManifest* manifest) {
  FileDigest digest = DigestOf(contents);
  absl::Status s = WriteFileAtomically(JoinPath(dir, name), contents);
  if (s.ok()) manifest->Add(name, digest);
  return s;
}

absl::StatusOr<FileDigest> WriteManifest(const std::string& dir, const FileManifest& manifest) {
  std::string json = manifest.ToJson();
  absl::Status s = WriteFileAtomically(JoinPath(dir, kManifestName), json);
  if (!s.ok()) return s;
  return DigestOf(json);
}

absl::Status CheckDigest(const std::string& path, absl::string_view bytes, const FileDigest& expected) {
  FileDigest found = DigestOf(bytes);
  if (found == expected) return absl::OkStatus();
  return Mismatch(path, found, expected);
}

absl::Status VerifyFile(const std::string& path, const FileDigest& expected) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return absl::DataLossError(absl::StrCat(path, " is missing but its manifest lists it (",
                                              expected.size, " bytes)"));
    }
    return absl::DataLossError(absl::StrCat("cannot open ", path, ": ", std::strerror(err)));
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) != expected.size) {
    close(fd);
    // No need to read a file whose size already differs.
    return Mismatch(path, FileDigest{static_cast<uint64_t>(st.st_size), 0}, expected);
  }
  constexpr size_t kBlock = 1 << 20;
  std::unique_ptr<char[]> buffer(new char[kBlock]);
  FileDigest found;
  while (true) {
    ssize_t n = read(fd, buffer.get(), kBlock);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return absl::DataLossError(absl::StrFormat("cannot read %s at byte offset %d: %s", path, found.size,
                                                 std::strerror(err)));
    }
    if (n == 0) break;
    found.crc32c = crc32c::Extend(found.crc32c, buffer.get(), n);
    found.size += n;
  }
  close(fd);
  if (found == expected) return absl::OkStatus();
  return Mismatch(path, found, expected);
}

absl::StatusOr<VerifySummary> VerifyDirectory(const std::string& dir) {
  VerifySummary summary;
  if (!PathExists(JoinPath(dir, kManifestName))) return summary;
  absl::StatusOr<FileManifest> manifest = FileManifest::ReadFrom(dir);
  if (!manifest.ok()) return manifest.status();
  summary.has_manifest = true;
  for (const auto& [path, digest] : manifest->files()) {
    absl::Status s = VerifyFile(JoinPath(dir, path), digest);
    if (!s.ok()) return s;
    ++summary.files;
    summary.bytes += digest.size;
  }
  return summary;
}

}  // namespace electra
