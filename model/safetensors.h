// safetensors files (HF's tensor format): an 8-byte little-endian header length N, N bytes of
// JSON {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
// "__metadata__": {...}}, then the raw little-endian tensor bytes (offsets relative to the end
// of the header).
#ifndef ELECTRA_MODEL_SAFETENSORS_H_
#define ELECTRA_MODEL_SAFETENSORS_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "absl/status/statusor.h"

namespace electra {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL"
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range inside the data section
};

class SafetensorsFile {
 public:
  // Reads and checks the whole file: truncation, a malformed header, unknown dtypes, byte
  // ranges that do not match the shape or lie outside the file are errors naming the file (and
  // the tensor).
  static absl::StatusOr<SafetensorsFile> Read(const std::string& path);
  static absl::StatusOr<SafetensorsFile> Parse(std::string bytes, const std::string& where);

  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const SafetensorsEntry* Find(const std::string& name) const;

  // The tensor as stored (its dtype), on the CPU, owning its memory.
  absl::StatusOr<torch::Tensor> Load(const std::string& name) const;

 private:
  std::string where_;
  std::string bytes_;
  size_t data_start_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// Writes tensors (moved to the CPU, contiguous; F32/F16/BF16/F64/I64/I32/U8/BOOL) in the given
// order, atomically (temporary file + rename). The header is padded with spaces to a multiple of
// 8 bytes, as the reference implementation does.
absl::Status WriteSafetensors(const std::string& path,
                              const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

// The serialized bytes (for tests and in-memory use).
absl::StatusOr<std::string> SerializeSafetensors(
    const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
    const std::map<std::string, std::string>& metadata = {});

}  // namespace electra

#endif  // ELECTRA_MODEL_SAFETENSORS_H_
