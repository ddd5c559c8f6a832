// UTF-8 decoding with WHATWG error handling: each maximal invalid subsequence becomes one
// U+FFFD (so tokenization of invalid bytes matches what a browser or Node's TextDecoder sees).
#ifndef ELECTRA_TOKENIZER_UTF8_H_
#define ELECTRA_TOKENIZER_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace electra {

constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes one code point from [p, end) (p < end). Returns the number of bytes consumed
// (>= 1). On an invalid or truncated sequence sets *cp = U+FFFD and consumes the maximal
// subpart of a valid sequence (at least one byte), never the byte that broke it.
inline size_t DecodeUtf8(const uint8_t* p, const uint8_t* end, char32_t* cp) {
  uint8_t b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t need;
  char32_t value;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    *cp = kReplacementChar;
    return 1;
  }
  size_t i = 1;
  for (; i <= need; ++i) {
    if (p + i >= end) break;
    uint8_t b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
    value = (value << 6) | (b & 0x3F);
  }
  if (i <= need) {
    *cp = kReplacementChar;
    return i;
  }
  *cp = value;
  return need + 1;
}

// Appends the UTF-8 encoding of `cp` (a valid scalar value) to `out`; returns bytes written.
inline int EncodeUtf8(char32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

inline void AppendUtf8(char32_t cp, std::string* out) {
  char buf[4];
  out->append(buf, EncodeUtf8(cp, buf));
}

// Byte offset of the first invalid UTF-8 sequence in `text`, or -1 if it is all valid.
int64_t FindInvalidUtf8(absl::string_view text);

}  // namespace electra

#endif  // ELECTRA_TOKENIZER_UTF8_H_
