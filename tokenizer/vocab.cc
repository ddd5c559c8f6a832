#include "tokenizer/vocab.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "tokenizer/utf8.h"

namespace electra {

absl::StatusOr<Vocab> Vocab::Load(const std::string& path) {
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) return data.status();
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start < data->size()) {
    size_t end = data->find('\n', start);
    if (end == std::string::npos) end = data->size();
    tokens.emplace_back(data->substr(start, end - start));
    start = end + 1;
  }
  return FromTokens(std::move(tokens), path);
}

absl::StatusOr<Vocab> Vocab::FromTokens(std::vector<std::string> tokens,
                                        const std::string& source) {
  if (tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": empty vocabulary (no tokens)"));
  }
  Vocab vocab;
  vocab.source_ = source;
  vocab.ids_.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string& token = tokens[i];
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r')) {
      token.pop_back();
    }
    int64_t bad = FindInvalidUtf8(token);
    if (bad >= 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: token is not valid UTF-8 (byte %d of the line)", source, i + 1, bad));
    }
    if (token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s:%d: empty token (blank line in the vocabulary)", source, i + 1));
    }
    auto [it, inserted] = vocab.ids_.emplace(token, static_cast<int32_t>(i));
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: duplicate token '%s' (first on line %d)", source, i + 1, token, it->second + 1));
    }
  }
  vocab.tokens_ = std::move(tokens);
  vocab.unk_id_ = vocab.Find(kUnkToken);
  if (vocab.unk_id_ < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": vocabulary has no [UNK] token; WordPiece needs one"));
  }
  vocab.pad_id_ = vocab.Find(kPadToken);
  vocab.cls_id_ = vocab.Find(kClsToken);
  vocab.sep_id_ = vocab.Find(kSepToken);
  vocab.mask_id_ = vocab.Find(kMaskToken);
  return vocab;
}

std::string Vocab::Fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  for (const std::string& t : tokens_) {
    for (unsigned char c : t) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= '\n';
    h *= 1099511628211ull;
  }
  return absl::StrFormat("%016x", h);
}

}  // namespace electra
