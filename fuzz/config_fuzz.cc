// Fuzzes config.json parsing: an error or a configuration that validates and round-trips.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = electra::ConfigFromJson(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!c.ok()) return 0;
  if (!c->Validate("fuzz").ok()) __builtin_trap();
  auto back = electra::ConfigFromJson(electra::ConfigToJson(*c), "fuzz");
  if (!back.ok() || !(*back == *c)) __builtin_trap();
  return 0;
}
