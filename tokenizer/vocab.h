// A WordPiece vocabulary file (BERT's vocab.txt): one token per line, id = line number.
#ifndef ELECTRA_TOKENIZER_VOCAB_H_
#define ELECTRA_TOKENIZER_VOCAB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace electra {

inline constexpr absl::string_view kPadToken = "[PAD]";
inline constexpr absl::string_view kUnkToken = "[UNK]";
inline constexpr absl::string_view kClsToken = "[CLS]";
inline constexpr absl::string_view kSepToken = "[SEP]";
inline constexpr absl::string_view kMaskToken = "[MASK]";

class Vocab {
 public:
  // Reads `path`. Trailing whitespace on a line is ignored (as HF does). Errors name the file
  // and line: unreadable or empty file, invalid UTF-8, an empty token, a duplicate token,
  // no [UNK].
  static absl::StatusOr<Vocab> Load(const std::string& path);
  // The same checks on in-memory tokens; `source` names them in errors.
  static absl::StatusOr<Vocab> FromTokens(std::vector<std::string> tokens,
                                          const std::string& source);

  // Id of `token`, or -1.
  int32_t Find(absl::string_view token) const {
    auto it = ids_.find(token);
    return it == ids_.end() ? -1 : it->second;
  }
  const std::string& Token(int32_t id) const { return tokens_[id]; }
  int32_t size() const { return static_cast<int32_t>(tokens_.size()); }
  const std::vector<std::string>& tokens() const { return tokens_; }

  int32_t unk_id() const { return unk_id_; }
  // -1 when the vocabulary lacks the token.
  int32_t pad_id() const { return pad_id_; }
  int32_t cls_id() const { return cls_id_; }
  int32_t sep_id() const { return sep_id_; }
  int32_t mask_id() const { return mask_id_; }

  // FNV-1a 64 over the tokens and their order, as 16 hex digits: identifies the vocabulary
  // in shard specs and checkpoints.
  std::string Fingerprint() const;
  const std::string& source() const { return source_; }

 private:
  std::vector<std::string> tokens_;
  absl::flat_hash_map<std::string, int32_t> ids_;
  std::string source_;
  int32_t unk_id_ = -1, pad_id_ = -1, cls_id_ = -1, sep_id_ = -1, mask_id_ = -1;
};

}  // namespace electra

#endif  // ELECTRA_TOKENIZER_VOCAB_H_
