#include "model/safetensors.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "nlohmann/json.hpp"

namespace electra {
namespace {

struct DtypeInfo {
  const char* name;
  torch::Dtype dtype;
  int size;
};

constexpr DtypeInfo kDtypes[] = {
    {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kFloat64, 8}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
    {"U8", torch::kUInt8, 1},    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* ByName(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

const DtypeInfo* ByDtype(torch::Dtype dtype) {
  for (const auto& d : kDtypes) {
    if (dtype == d.dtype) return &d;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<SafetensorsFile> SafetensorsFile::Read(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  return Parse(*std::move(bytes), path);
}

absl::StatusOr<SafetensorsFile> SafetensorsFile::Parse(std::string bytes, const std::string& where) {
  auto corrupt = [&](const std::string& what) {
    return absl::DataLossError(absl::StrCat(where, ": ", what));
  };
  if (bytes.size() < 8) {
    return corrupt(absl::StrCat("truncated safetensors file (", bytes.size(),
                                " bytes; the header length alone takes 8)"));
  }
  uint64_t header_len;
  std::memcpy(&header_len, bytes.data(), 8);
  if (header_len > bytes.size() - 8) {
    return corrupt(absl::StrFormat("truncated safetensors file: the header claims %d bytes but only %d follow",
                                   header_len, bytes.size() - 8));
  }
  nlohmann::json header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + header_len,
                                                nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return corrupt("the safetensors header is not a JSON object");
  }
  SafetensorsFile file;
  file.where_ = where;
  file.data_start_ = 8 + header_len;
  const uint64_t data_size = bytes.size() - file.data_start_;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object()) return corrupt("__metadata__ is not an object");
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        if (!m.value().is_string()) return corrupt("__metadata__ values must be strings");
        file.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const nlohmann::json& v = it.value();
    std::string tensor = absl::StrCat("tensor '", it.key(), "'");
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets") ||
        !v["dtype"].is_string() || !v["shape"].is_array() || !v["data_offsets"].is_array() ||
        v["data_offsets"].size() != 2) {
      return corrupt(tensor + ": needs \"dtype\", \"shape\" and two \"data_offsets\"");
    }
    SafetensorsEntry e;
    e.name = it.key();
    e.dtype = v["dtype"].get<std::string>();
    const DtypeInfo* info = ByName(e.dtype);
    if (info == nullptr) return corrupt(tensor + ": unsupported dtype " + e.dtype);
    uint64_t elements = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) return corrupt(tensor + ": shape entries must be non-negative integers");
      e.shape.push_back(d.get<int64_t>());
      elements *= d.get<uint64_t>();
    }
    if (!v["data_offsets"][0].is_number_unsigned() || !v["data_offsets"][1].is_number_unsigned()) {
      return corrupt(tensor + ": data_offsets must be non-negative integers");
    }
    e.begin = v["data_offsets"][0].get<uint64_t>();
    e.end = v["data_offsets"][1].get<uint64_t>();
    if (e.begin > e.end || e.end > data_size) {
      return corrupt(absl::StrFormat("%s: bytes [%d, %d) lie outside the %d-byte data section (truncated file?)",
                                     tensor, e.begin, e.end, data_size));
    }
    if (e.end - e.begin != elements * info->size) {
      return corrupt(absl::StrFormat("%s: %d bytes stored but shape and %s need %d", tensor,
                                     e.end - e.begin, e.dtype, elements * info->size));
    }
    file.entries_.push_back(std::move(e));
  }
  file.bytes_ = std::move(bytes);
  return file;
}

const SafetensorsEntry* SafetensorsFile::Find(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

absl::StatusOr<torch::Tensor> SafetensorsFile::Load(const std::string& name) const {
  const SafetensorsEntry* e = Find(name);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat(where_, ": no tensor '", name, "'"));
  const DtypeInfo* info = ByName(e->dtype);
  torch::Tensor t = torch::empty(e->shape, torch::TensorOptions().dtype(info->dtype));
  if (e->end > e->begin) std::memcpy(t.data_ptr(), bytes_.data() + data_start_ + e->begin, e->end - e->begin);
  return t;
}

absl::StatusOr<std::string> SerializeSafetensors(
    const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
    const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header;
  if (!metadata.empty()) {
    nlohmann::ordered_json m;
    for (const auto& [k, v] : metadata) m[k] = v;
    header["__metadata__"] = m;
  }
  std::vector<torch::Tensor> cpu;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    const DtypeInfo* info = ByDtype(tensor.scalar_type());
    if (info == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", name, "': dtype ",
                                                     c10::toString(tensor.scalar_type()),
                                                     " cannot be stored in safetensors here"));
    }
    if (header.contains(name)) return absl::InvalidArgumentError("duplicate tensor name '" + name + "'");
    torch::Tensor c = tensor.detach().to(torch::kCPU).contiguous();
    uint64_t size = static_cast<uint64_t>(c.numel()) * info->size;
    nlohmann::ordered_json entry;
    entry["dtype"] = info->name;
    entry["shape"] = c.sizes().vec();
    entry["data_offsets"] = {offset, offset + size};
    header[name] = entry;
    offset += size;
    cpu.push_back(c);
  }
  std::string json = header.dump();
  while (json.size() % 8 != 0) json.push_back(' ');
  std::string out;
  out.reserve(8 + json.size() + offset);
  uint64_t len = json.size();
  out.append(reinterpret_cast<const char*>(&len), 8);
  out.append(json);
  for (const torch::Tensor& c : cpu) {
    out.append(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  }
  return out;
}

absl::Status WriteSafetensors(const std::string& path,
                              const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  absl::StatusOr<std::string> bytes = SerializeSafetensors(tensors, metadata);
  if (!bytes.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", bytes.status().message()));
  return WriteFileAtomically(path, *bytes);
}

}  // namespace electra
