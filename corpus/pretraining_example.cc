#include "corpus/pretraining_example.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/str_cat.h"
#include "corpus/example.pb.h"
#include "corpus/record_io.h"

namespace electra {
namespace {

void SetInts(const std::vector<int32_t>& values, tf::Feature* feature) {
  auto* list = feature->mutable_int64_list()->mutable_value();
  list->Reserve(static_cast<int>(values.size()));
  for (int32_t v : values) list->Add(v);
}

}  // namespace

int PretrainingExample::length() const {
  // The mask is 1s then 0s.
  return static_cast<int>(std::find(input_mask.begin(), input_mask.end(), 0) - input_mask.begin());
}

namespace {

// Protocol-buffer wire format, written directly (the hot path of the sharder): the bytes are
// exactly what deterministic serialization of the tf::Example proto gives (tested).
inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* PutVarint(uint64_t v, char* p) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

struct FeatureSizes {
  size_t packed, list, feature, entry;
};

FeatureSizes Sizes(absl::string_view name, const std::vector<int32_t>& values) {
  FeatureSizes s;
  s.packed = 0;
  for (int32_t v : values) s.packed += VarintSize(static_cast<uint64_t>(static_cast<int64_t>(v)));
  s.list = values.empty() ? 0 : 1 + VarintSize(s.packed) + s.packed;  // Int64List
  s.feature = 1 + VarintSize(s.list) + s.list;                         // Feature.int64_list (3)
  s.entry = 1 + VarintSize(name.size()) + name.size() + 1 + VarintSize(s.feature) + s.feature;
  return s;
}

// Writes one `feature` map entry {key: name, value: Feature{int64_list{value: [...]}}}.
char* PutIntFeature(absl::string_view name, const std::vector<int32_t>& values,
                    const FeatureSizes& s, char* p) {
  *p++ = 0x0a;  // Features.feature (1), length-delimited
  p = PutVarint(s.entry, p);
  *p++ = 0x0a;  // entry key (1)
  p = PutVarint(name.size(), p);
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  *p++ = 0x12;  // entry value (2)
  p = PutVarint(s.feature, p);
  *p++ = 0x1a;  // Feature.int64_list (3)
  p = PutVarint(s.list, p);
  if (values.empty()) return p;
  *p++ = 0x0a;  // Int64List.value (1), packed
  p = PutVarint(s.packed, p);
  for (int32_t v : values) {
    if (static_cast<uint32_t>(v) < 0x80) {
      *p++ = static_cast<char>(v);
    } else {
      p = PutVarint(static_cast<uint64_t>(static_cast<int64_t>(v)), p);
    }
  }
  return p;
}


constexpr absl::string_view kNames[3] = {"input_ids", "input_mask", "segment_ids"};

size_t SerializedSize(const PretrainingExample& example, FeatureSizes sizes[3], size_t* features) {
  const std::vector<int32_t>* values[3] = {&example.input_ids, &example.input_mask,
                                           &example.segment_ids};
  *features = 0;
  for (int i = 0; i < 3; ++i) {
    sizes[i] = Sizes(kNames[i], *values[i]);
    *features += 1 + VarintSize(sizes[i].entry) + sizes[i].entry;
  }
  return 1 + VarintSize(*features) + *features;
}

void SerializeInto(const PretrainingExample& example, const FeatureSizes sizes[3], size_t features,
                   char* p) {
  const std::vector<int32_t>* values[3] = {&example.input_ids, &example.input_mask,
                                           &example.segment_ids};
  *p++ = 0x0a;  // Example.features (1)
  p = PutVarint(features, p);
  for (int i = 0; i < 3; ++i) p = PutIntFeature(kNames[i], *values[i], sizes[i], p);
}

}  // namespace

std::string SerializeExample(const PretrainingExample& example) {
  FeatureSizes sizes[3];
  size_t features;
  std::string out;
  out.resize(SerializedSize(example, sizes, &features));
  SerializeInto(example, sizes, features, out.data());
  return out;
}

void AppendExampleRecord(const PretrainingExample& example, std::string* out) {
  FeatureSizes sizes[3];
  size_t features;
  size_t size = SerializedSize(example, sizes, &features);
  size_t start = out->size();
  out->resize(start + kRecordHeaderBytes + size + kRecordFooterBytes);
  char* p = out->data() + start;
  SerializeInto(example, sizes, features, p + kRecordHeaderBytes);
  FrameRecordInPlace(p, size);
}


std::string SerializeExampleWithProtobuf(const PretrainingExample& example) {
  tf::Example proto;
  auto* features = proto.mutable_features()->mutable_feature();
  SetInts(example.input_ids, &(*features)["input_ids"]);
  SetInts(example.input_mask, &(*features)["input_mask"]);
  SetInts(example.segment_ids, &(*features)["segment_ids"]);
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  proto.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

absl::StatusOr<PretrainingExample> ParseExample(absl::string_view payload, absl::string_view where) {
  tf::Example proto;
  if (!proto.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError(absl::StrCat(where, ": not a tf.train.Example"));
  }
  const auto& features = proto.features().feature();
  PretrainingExample example;
  size_t length = 0;
  for (auto [name, out] : {std::pair<const char*, std::vector<int32_t>*>{"input_ids", &example.input_ids},
                           {"input_mask", &example.input_mask},
                           {"segment_ids", &example.segment_ids}}) {
    auto it = features.find(name);
    if (it == features.end()) {
      return absl::DataLossError(absl::StrCat(where, ": the example has no '", name, "' feature"));
    }
    if (it->second.kind_case() != tf::Feature::kInt64List) {
      return absl::DataLossError(absl::StrCat(where, ": feature '", name, "' is not an int64 list"));
    }
    const auto& values = it->second.int64_list().value();
    out->assign(values.begin(), values.end());
    if (out == &example.input_ids) {
      length = out->size();
    } else if (out->size() != length) {
      return absl::DataLossError(absl::StrCat(where, ": feature '", name, "' has ", out->size(),
                                              " values but input_ids has ", length));
    }
  }
  if (length == 0) return absl::DataLossError(absl::StrCat(where, ": empty example"));
  return example;
}

}  // namespace electra
