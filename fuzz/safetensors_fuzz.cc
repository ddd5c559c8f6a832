// Fuzzes safetensors parsing: an error, or entries whose tensors load with the promised shapes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = electra::SafetensorsFile::Parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!f.ok()) return 0;
  for (const auto& e : f->entries()) {
    if (e.end - e.begin > (1u << 24)) continue;  // keep each run's memory bounded
    auto t = f->Load(e.name);
    if (!t.ok() || t->sizes() != torch::IntArrayRef(e.shape)) __builtin_trap();
  }
  return 0;
}
