#include "tokenizer/utf8.h"

#include <cstring>

namespace electra {

int64_t FindInvalidUtf8(absl::string_view text) {
  const uint8_t* begin = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = begin + text.size();
  const uint8_t* p = begin;
  while (p < end) {
    // Eight ASCII bytes at a time.
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    if (*p < 0x80) {
      ++p;
      continue;
    }
    char32_t cp;
    size_t n = DecodeUtf8(p, end, &cp);
    if (cp == kReplacementChar && !(n == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] == 0xBD)) {
      return p - begin;
    }
    p += n;
  }
  return -1;
}

}  // namespace electra
