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
    // Relative, and no component is empty, "." or ".." ("config..json" is a fine name).
    if (path.empty() || path[0] == '/') __builtin_trap();
    size_t start = 0;
    while (true) {
      size_t end = path.find('/', start);
      std::string part = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (part.empty() || part == "." || part == "..") __builtin_trap();
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  auto back = electra::FileManifest::Parse(m->ToJson(), "fuzz");
  if (!back.ok() || back->files() != m->files()) __builtin_trap();
  return 0;
}
