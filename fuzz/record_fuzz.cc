// Fuzzes the TFRecord reader on arbitrary file contents, strict and skipping, and the offset scan:
// errors are fine, crashes and hangs are not; every returned payload lies inside the file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "base/file_util.h"
#include "corpus/record_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::string path = "/tmp/record_fuzz." + std::to_string(getpid());
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  for (bool skip : {false, true}) {
    electra::RecordReaderOptions o;
    o.skip_corrupt = skip;
    auto reader = electra::RecordReader::Open(path, o);
    if (!reader.ok()) continue;
    std::string payload;
    uint64_t offset = 0, total = 0;
    for (int i = 0; i < 100000; ++i) {
      auto more = (*reader)->Next(&payload, &offset);
      if (!more.ok() || !*more) break;
      total += payload.size() + 16;
      if (offset + payload.size() + 16 > size || total > size) __builtin_trap();
    }
  }
  auto offsets = electra::ScanRecordOffsets(path);
  if (offsets.ok()) {
    for (uint64_t o : *offsets) {
      if (o >= size) __builtin_trap();
    }
  }
  return 0;
}
