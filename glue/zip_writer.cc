#include "glue/zip_writer.h"

#include "base/file_util.h"

namespace electra {
namespace {

void Put16(uint16_t v, std::string* out) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>(v >> 8));
}
void Put32(uint32_t v, std::string* out) {
  Put16(static_cast<uint16_t>(v & 0xffff), out);
  Put16(static_cast<uint16_t>(v >> 16), out);
}

}  // namespace

uint32_t Crc32Ieee(const std::string& data) {
  static uint32_t table[256];
  static bool init = [] {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return true;
  }();
  (void)init;
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char ch : data) crc = table[(crc ^ ch) & 0xff] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

absl::Status WriteZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out, central;
  const uint16_t kDosTime = 0, kDosDate = (2020 - 1980) << 9 | 1 << 5 | 1;  // fixed: reproducible archives
  for (const auto& [name, data] : files) {
    uint32_t offset = static_cast<uint32_t>(out.size());
    uint32_t crc = Crc32Ieee(data);
    Put32(0x04034b50, &out);  // local file header
    Put16(20, &out);          // version needed
    Put16(0, &out);           // flags
    Put16(0, &out);           // method: stored
    Put16(kDosTime, &out);
    Put16(kDosDate, &out);
    Put32(crc, &out);
    Put32(static_cast<uint32_t>(data.size()), &out);
    Put32(static_cast<uint32_t>(data.size()), &out);
    Put16(static_cast<uint16_t>(name.size()), &out);
    Put16(0, &out);
    out += name;
    out += data;
    Put32(0x02014b50, &central);  // central directory header
    Put16(20, &central);          // version made by
    Put16(20, &central);
    Put16(0, &central);
    Put16(0, &central);
    Put16(kDosTime, &central);
    Put16(kDosDate, &central);
    Put32(crc, &central);
    Put32(static_cast<uint32_t>(data.size()), &central);
    Put32(static_cast<uint32_t>(data.size()), &central);
    Put16(static_cast<uint16_t>(name.size()), &central);
    Put16(0, &central);  // extra
    Put16(0, &central);  // comment
    Put16(0, &central);  // disk
    Put16(0, &central);  // internal attributes
    Put32(0, &central);  // external attributes
    Put32(offset, &central);
    central += name;
  }
  uint32_t central_offset = static_cast<uint32_t>(out.size());
  out += central;
  Put32(0x06054b50, &out);  // end of central directory
  Put16(0, &out);
  Put16(0, &out);
  Put16(static_cast<uint16_t>(files.size()), &out);
  Put16(static_cast<uint16_t>(files.size()), &out);
  Put32(static_cast<uint32_t>(central.size()), &out);
  Put32(central_offset, &out);
  Put16(0, &out);
  return WriteFileAtomically(path, out);
}

}  // namespace electra
