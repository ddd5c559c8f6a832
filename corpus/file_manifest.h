// Manifests of file sizes and CRC-32Cs, so that a directory written once (a checkpoint, a model
// directory) can later be checked for silent damage: a flipped bit on a disk or a network file
// system, a file overwritten in place or cut short. safetensors and JSON carry no checksum of
// their own; TensorFlow's checkpoints store a CRC-32C per tensor and we store one per file.
//
// DIR/manifest.json (format version 1, docs/checkpoints.md):
//   {"format": "electra-cpp manifest", "format_version": 1, "checksum": "crc32c",
//    "files": [{"path": "config.json", "size": 693, "crc32c": "1a2b3c4d"}, ...]}
// Paths are relative to DIR ('/'-separated, no "..", no leading '/'). The CRC is the plain
// (unmasked) CRC-32C of the whole file, as `crc32c` tools compute it, in 8 lowercase hex digits.
//
// No LibTorch here: corpus/inspect verifies directories with this library alone.
#ifndef ELECTRA_CORPUS_FILE_MANIFEST_H_
#define ELECTRA_CORPUS_FILE_MANIFEST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace electra {

inline constexpr char kManifestName[] = "manifest.json";
inline constexpr int kManifestFormatVersion = 1;

struct FileDigest {
  uint64_t size = 0;
  uint32_t crc32c = 0;  // unmasked
  bool operator==(const FileDigest& o) const { return size == o.size && crc32c == o.crc32c; }
};

FileDigest DigestOf(absl::string_view bytes);

// "0x1a2b3c4d": how messages show a CRC.
std::string CrcString(uint32_t crc);

class FileManifest {
 public:
  // Records `path` (relative to the manifest's directory); a second Add of a path replaces it.
  void Add(const std::string& path, const FileDigest& digest);
  // Records every file of `other` under `prefix` ("discriminator/"), so a checkpoint's manifest
  // also covers the files its model directories list.
  void AddAll(const std::string& prefix, const FileManifest& other);
  const FileDigest* Find(absl::string_view path) const;
  const std::vector<std::pair<std::string, FileDigest>>& files() const { return files_; }
  uint64_t total_bytes() const;

  std::string ToJson() const;
  // Malformed JSON, an unknown format version and unsafe paths are errors naming `where`.
  static absl::StatusOr<FileManifest> Parse(absl::string_view json, const std::string& where);
  // Reads DIR/manifest.json: NotFound when there is none.
  static absl::StatusOr<FileManifest> ReadFrom(const std::string& dir);

 private:
  std::vector<std::pair<std::string, FileDigest>> files_;  // in the order written
};

// Writes DIR/name atomically (base/file_util.h) and records its digest in `manifest`. The digest
// is computed from `contents`, the very bytes handed to the writer, never by reading the file
// back: a second read would double the I/O of a checkpoint and could be served from the page
// cache anyway, so it would not prove what reached the disk.
absl::Status WriteRecorded(const std::string& dir, const std::string& name, absl::string_view contents,
                           FileManifest* manifest);

// Writes DIR/manifest.json atomically; returns the digest of the bytes written, so that an
// enclosing directory's manifest can list this one.
absl::StatusOr<FileDigest> WriteManifest(const std::string& dir, const FileManifest& manifest);

// DataLoss naming `path` when `bytes` (the file's contents, read by the caller) do not match
// `expected`: both sizes, or both CRCs.
absl::Status CheckDigest(const std::string& path, absl::string_view bytes, const FileDigest& expected);

// As CheckDigest, reading the file in blocks (memory stays small for any file size).
absl::Status VerifyFile(const std::string& path, const FileDigest& expected);

struct VerifySummary {
  bool has_manifest = false;  // false: nothing was verified
  int files = 0;
  uint64_t bytes = 0;
};

// Verifies every file that DIR/manifest.json lists. A directory without a manifest is not an
// error (has_manifest = false); the caller decides whether that deserves a note.
absl::StatusOr<VerifySummary> VerifyDirectory(const std::string& dir);

}  // namespace electra

#endif  // ELECTRA_CORPUS_FILE_MANIFEST_H_
