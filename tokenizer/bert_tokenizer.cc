#include "tokenizer/bert_tokenizer.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tokenizer/utf8.h"

namespace electra {

absl::StatusOr<std::unique_ptr<BertTokenizer>> BertTokenizer::Create(
    Vocab vocab, const NormalizerOptions& options) {
  const BertNormalizer* normalizer = &BertNormalizer::Get(options);
  return std::unique_ptr<BertTokenizer>(new BertTokenizer(std::move(vocab), normalizer));
}

absl::StatusOr<std::unique_ptr<BertTokenizer>> BertTokenizer::FromFile(
    const std::string& vocab_path, const NormalizerOptions& options) {
  absl::StatusOr<Vocab> vocab = Vocab::Load(vocab_path);
  if (!vocab.ok()) return vocab.status();
  return Create(*std::move(vocab), options);
}

BertTokenizer::BertTokenizer(Vocab vocab, const BertNormalizer* normalizer)
    : vocab_(std::move(vocab)), normalizer_(normalizer), wordpiece_(vocab_) {
  NormalizedChar buffer[BertNormalizer::kMaxOutput];
  for (int b = 0; b < 128; ++b) {
    int n = normalizer_->Map(static_cast<char32_t>(b), buffer);
    ascii_drop_[b] = n == 0;
    ascii_out_[b] = n == 0 ? 0 : static_cast<uint8_t>(buffer[0].cp);
    ascii_class_[b] = n == 0 ? CharClass::kWord : buffer[0].cls;
    ascii_punct_id_[b] = vocab_.unk_id();
    if (n == 1 && buffer[0].cls == CharClass::kPunct) {
      std::vector<int32_t> ids;
      wordpiece_.Tokenize(absl::string_view(buffer[0].utf8, buffer[0].utf8_len), 1, &ids);
      ascii_punct_id_[b] = ids.size() == 1 ? ids[0] : vocab_.unk_id();
    }
  }
}

void BertTokenizer::Tokenize(absl::string_view text, std::vector<int32_t>* ids) const {
  // Words are built in a reused buffer; a word longer than the buffer only needs its length
  // (it becomes [UNK] anyway past kMaxWordChars characters of up to 4 bytes).
  constexpr size_t kWordBytes = FastWordPiece::kMaxWordChars * 4 + 64;
  char word[kWordBytes];
  size_t word_len = 0;
  int chars = 0;
  auto flush = [&]() {
    if (word_len > 0) {
      if (chars > FastWordPiece::kMaxWordChars || word_len > kWordBytes) {
        ids->push_back(vocab_.unk_id());
      } else {
        wordpiece_.Tokenize(absl::string_view(word, word_len), chars, ids);
      }
    }
    word_len = 0;
    chars = 0;
  };
  auto append = [&](const char* bytes, size_t n) {
    if (word_len + n <= kWordBytes) std::memcpy(word + word_len, bytes, n);
    word_len += n;
    ++chars;
  };

  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  NormalizedChar buffer[BertNormalizer::kMaxOutput];
  while (p < end) {
    uint8_t b = *p;
    if (b < 0x80) {
      ++p;
      if (ascii_drop_[b]) continue;
      switch (ascii_class_[b]) {
        case CharClass::kWord: {
          char c = static_cast<char>(ascii_out_[b]);
          if (word_len < kWordBytes) word[word_len] = c;
          ++word_len;
          ++chars;
          break;
        }
        case CharClass::kSpace:
          flush();
          break;
        case CharClass::kPunct:
          flush();
          ids->push_back(ascii_punct_id_[b]);
          break;
      }
      continue;
    }
    char32_t cp;
    p += DecodeUtf8(p, end, &cp);
    int n;
    const NormalizedChar* mapped;
    if (cp < 0x10000) {
      mapped = normalizer_->MapBmp(cp, &n);
    } else {
      n = normalizer_->Map(cp, buffer);
      mapped = buffer;
    }
    for (int i = 0; i < n; ++i) {
      const NormalizedChar& c = mapped[i];
      if (c.cls == CharClass::kWord) {
        append(c.utf8, c.utf8_len);
      } else {
        flush();
        if (c.cls == CharClass::kPunct) {
          wordpiece_.Tokenize(absl::string_view(c.utf8, c.utf8_len), 1, ids);
        }
      }
    }
  }
  flush();
}

void TruncatePair(std::vector<int32_t>* a, std::vector<int32_t>* b, size_t max_tokens) {
  while (a->size() + b->size() > max_tokens) {
    if (a->size() > b->size()) {
      a->pop_back();
    } else {
      b->pop_back();
    }
  }
}

namespace {

// Pads with [PAD] (type 0, mask 0) up to max_length.
void PadTo(Encoding* e, int max_length, int32_t pad_id) {
  size_t n = static_cast<size_t>(std::max(max_length, 0));
  if (e->ids.size() >= n) return;
  e->ids.resize(n, pad_id);
  e->type_ids.resize(n, 0);
  e->mask.resize(n, 0);
}

}  // namespace

Encoding BertTokenizer::EncodeSingle(const std::vector<int32_t>& a, int max_length,
                                     bool pad) const {
  Encoding e;
  size_t keep = std::min(a.size(), static_cast<size_t>(std::max(0, max_length - 2)));
  e.ids.reserve(pad ? max_length : keep + 2);
  e.ids.push_back(vocab_.cls_id());
  e.ids.insert(e.ids.end(), a.begin(), a.begin() + keep);
  e.ids.push_back(vocab_.sep_id());
  e.type_ids.assign(e.ids.size(), 0);
  e.mask.assign(e.ids.size(), 1);
  if (pad) PadTo(&e, max_length, std::max(vocab_.pad_id(), 0));
  return e;
}

Encoding BertTokenizer::EncodePair(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                                   int max_length, bool pad) const {
  std::vector<int32_t> ta = a, tb = b;
  TruncatePair(&ta, &tb, static_cast<size_t>(std::max(0, max_length - 3)));
  Encoding e;
  e.ids.push_back(vocab_.cls_id());
  e.ids.insert(e.ids.end(), ta.begin(), ta.end());
  e.ids.push_back(vocab_.sep_id());
  e.type_ids.assign(e.ids.size(), 0);
  e.ids.insert(e.ids.end(), tb.begin(), tb.end());
  e.ids.push_back(vocab_.sep_id());
  e.type_ids.resize(e.ids.size(), 1);
  e.mask.assign(e.ids.size(), 1);
  if (pad) PadTo(&e, max_length, std::max(vocab_.pad_id(), 0));
  return e;
}

}  // namespace electra
