// Fuzzes the tf.train.Example parser: an error or three equal-length feature lists; a parsed
// example re-serializes and parses back to itself.
#include <cstddef>
#include <cstdint>
#include <string>

#include "corpus/pretraining_example.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto e = electra::ParseExample(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!e.ok()) return 0;
  if (e->input_mask.size() != e->input_ids.size() || e->segment_ids.size() != e->input_ids.size()) __builtin_trap();
  auto again = electra::ParseExample(electra::SerializeExample(*e), "fuzz");
  if (!again.ok() || !(*again == *e)) __builtin_trap();
  return 0;
}
