// Fuzzes manifest.json parsing (checkpoint and model-directory checksums): an error, or a
// manifest whose paths are safe and which round-trips through ToJson.
#include <cstddef>
#include <cstdint>
#include <string>

#include "corpus/file_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = electra::FileManifest::Parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!m.ok()) return 0;
  for (const auto& [path, digest] : m->files()) {
    if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos) __builtin_trap();
  }
  auto back = electra::FileManifest::Parse(m->ToJson(), "fuzz");
  if (!back.ok() || back->files() != m->files()) __builtin_trap();
  return 0;
}
