#include "tokenizer/bert_normalizer.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <mutex>

#include "tokenizer/utf8.h"

namespace electra {
namespace {

// The Unicode version of the category tables HF tokenizers uses (see the header).
constexpr int kCategoryUnicodeMajor = 8;

int8_t CategoryAsOfUnicode8(char32_t cp) {
  UVersionInfo age;
  u_charAge(static_cast<UChar32>(cp), age);
  if (age[0] > kCategoryUnicodeMajor) return U_UNASSIGNED;
  return u_charType(static_cast<UChar32>(cp));
}

bool IsControl(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  switch (CategoryAsOfUnicode8(cp)) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
      return true;
    default:
      return false;
  }
}

bool IsWhitespace(char32_t cp) {
  return cp == '\t' || cp == '\n' || cp == '\r' || u_isUWhiteSpace(static_cast<UChar32>(cp));
}

bool IsPunctuation(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
           (cp >= 123 && cp <= 126);
  }
  switch (CategoryAsOfUnicode8(cp)) {
    case U_CONNECTOR_PUNCTUATION:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

// Appends the UTF-16 code units of `cp`.
int ToUtf16(char32_t cp, UChar* out) {
  int len = 0;
  U16_APPEND_UNSAFE(out, len, static_cast<UChar32>(cp));
  return len;
}

// Splits UTF-16 into code points.
std::vector<char32_t> FromUtf16(const UChar* s, int len) {
  std::vector<char32_t> cps;
  for (int i = 0; i < len;) {
    UChar32 c;
    U16_NEXT(s, i, len, c);
    cps.push_back(static_cast<char32_t>(c));
  }
  return cps;
}

std::vector<char32_t> Decompose(char32_t cp) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* nfd = unorm2_getNFDInstance(&err);
  UChar buffer[32];
  int32_t len = unorm2_getDecomposition(nfd, static_cast<UChar32>(cp), buffer, 32, &err);
  if (U_FAILURE(err) || len < 0) return {cp};
  return FromUtf16(buffer, len);
}

std::vector<char32_t> Lowercase(char32_t cp) {
  UChar src[2];
  int src_len = ToUtf16(cp, src);
  UChar dest[16];
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = u_strToLower(dest, 16, src, src_len, "", &err);
  if (U_FAILURE(err)) return {cp};
  return FromUtf16(dest, len);
}

NormalizedChar MakeChar(char32_t cp) {
  NormalizedChar c;
  c.cp = cp;
  c.cls = BertNormalizer::Classify(cp);
  c.utf8_len = static_cast<uint8_t>(EncodeUtf8(cp, c.utf8));
  return c;
}

}  // namespace

bool IsCjkIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

CharClass BertNormalizer::Classify(char32_t cp) {
  if (IsWhitespace(cp)) return CharClass::kSpace;
  if (IsPunctuation(cp)) return CharClass::kPunct;
  return CharClass::kWord;
}

const BertNormalizer& BertNormalizer::Get(const NormalizerOptions& options) {
  static std::mutex mu;
  static std::unique_ptr<BertNormalizer> instances[4];
  int index = (options.lowercase ? 1 : 0) | (options.strip_accents ? 2 : 0);
  std::lock_guard<std::mutex> lock(mu);
  if (!instances[index]) instances[index] = std::make_unique<BertNormalizer>(options);
  return *instances[index];
}

BertNormalizer::BertNormalizer(const NormalizerOptions& options) : options_(options) {
  for (auto& page : pages_) page.store(nullptr, std::memory_order_relaxed);
}

const BertNormalizer::Page* BertNormalizer::BuildPage(uint32_t index) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Page* existing = pages_[index].load(std::memory_order_acquire);
  if (existing != nullptr) return existing;
  auto page = std::make_unique<Page>();
  page->pool.reserve(300);
  NormalizedChar buffer[kMaxOutput];
  for (uint32_t i = 0; i < 256; ++i) {
    char32_t cp = (index << 8) | i;
    int n = (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : Compute(cp, buffer);
    page->entries[i] = (static_cast<uint32_t>(page->pool.size()) << 8) | static_cast<uint32_t>(n);
    page->pool.insert(page->pool.end(), buffer, buffer + n);
  }
  const Page* result = page.get();
  owned_pages_.push_back(std::move(page));
  pages_[index].store(result, std::memory_order_release);
  return result;
}

int BertNormalizer::Map(char32_t cp, NormalizedChar* out) const {
  if (cp < 0x10000) {
    int n;
    const NormalizedChar* src = MapBmp(cp, &n);
    for (int i = 0; i < n; ++i) out[i] = src[i];
    return n;
  }
  return Compute(cp, out);
}

int BertNormalizer::Compute(char32_t cp, NormalizedChar* out) const {
  // 1. Cleaning.
  if (cp == 0 || cp == kReplacementChar || IsControl(cp)) return 0;
  if (IsWhitespace(cp)) {
    out[0] = MakeChar(' ');
    return 1;
  }
  // 2. CJK ideographs become separate words.
  bool cjk = IsCjkIdeograph(cp);
  // 3. Accent stripping.
  std::vector<char32_t> chars = options_.strip_accents ? Decompose(cp) : std::vector<char32_t>{cp};
  if (options_.strip_accents) {
    std::vector<char32_t> kept;
    for (char32_t c : chars) {
      if (CategoryAsOfUnicode8(c) != U_NON_SPACING_MARK) kept.push_back(c);
    }
    chars.swap(kept);
  }
  // 4. Lowercasing.
  if (options_.lowercase) {
    std::vector<char32_t> lowered;
    for (char32_t c : chars) {
      for (char32_t l : Lowercase(c)) lowered.push_back(l);
    }
    chars.swap(lowered);
  }
  int n = 0;
  if (cjk) out[n++] = MakeChar(' ');
  for (char32_t c : chars) {
    if (n >= kMaxOutput - 1) break;
    out[n++] = MakeChar(c);
  }
  if (cjk) out[n++] = MakeChar(' ');
  return n;
}

std::string BertNormalizer::Normalize(absl::string_view text) const {
  std::string out;
  out.reserve(text.size());
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  NormalizedChar buffer[kMaxOutput];
  while (p < end) {
    char32_t cp;
    p += DecodeUtf8(p, end, &cp);
    int n = Map(cp, buffer);
    for (int i = 0; i < n; ++i) out.append(buffer[i].utf8, buffer[i].utf8_len);
  }
  return out;
}

}  // namespace electra
