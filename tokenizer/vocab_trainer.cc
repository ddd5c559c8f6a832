#include "tokenizer/vocab_trainer.h"

#include <algorithm>
#include <mutex>
#include <queue>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "base/progress.h"
#include "tokenizer/bert_tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace electra {
namespace {

// ForEachWord needs a tokenizer object; its vocabulary is irrelevant for word counting.
const BertTokenizer& WordSplitter(const NormalizerOptions& options) {
  static std::mutex mu;
  static absl::flat_hash_map<int, std::unique_ptr<BertTokenizer>>* cache =
      new absl::flat_hash_map<int, std::unique_ptr<BertTokenizer>>();
  int key = (options.lowercase ? 1 : 0) | (options.strip_accents ? 2 : 0);
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = (*cache)[key];
  if (!slot) {
    slot = BertTokenizer::Create(*Vocab::FromTokens({std::string(kUnkToken)}, "splitter"), options)
               .value();
  }
  return *slot;
}

void CountRange(const BertTokenizer& splitter, absl::string_view text, WordCounts* counts) {
  splitter.ForEachWord(text, [&](absl::string_view word, int) { ++(*counts)[word]; });
}

using Pair = uint64_t;  // (left id << 32) | right id
Pair MakePair(int32_t a, int32_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b); }

struct QueueEntry {
  int64_t count;
  Pair pair;
  bool operator<(const QueueEntry& o) const {
    if (count != o.count) return count < o.count;
    return pair > o.pair;  // on ties the smaller pair comes first
  }
};

}  // namespace

WordCounts CountWords(absl::string_view text, const NormalizerOptions& options, int threads) {
  const BertTokenizer& splitter = WordSplitter(options);
  WordCounts total;
  if (threads <= 1 || text.size() < (1 << 20)) {
    CountRange(splitter, text, &total);
    return total;
  }
  std::vector<absl::string_view> parts;
  size_t begin = 0;
  for (int i = 1; i <= threads; ++i) {
    size_t end = i == threads ? text.size() : text.find('\n', text.size() * i / threads);
    if (end == absl::string_view::npos) end = text.size();
    if (end < begin) end = begin;
    parts.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  std::vector<WordCounts> partial(parts.size());
  std::vector<std::thread> workers;
  for (size_t i = 0; i < parts.size(); ++i) {
    workers.emplace_back([&, i]() { CountRange(splitter, parts[i], &partial[i]); });
  }
  for (auto& w : workers) w.join();
  for (const WordCounts& p : partial) MergeWordCounts(p, &total);
  return total;
}

void MergeWordCounts(const WordCounts& from, WordCounts* into) {
  for (const auto& [word, count] : from) (*into)[word] += count;
}

TrainedVocab TrainWordPiece(const WordCounts& counts, const VocabTrainerOptions& options) {
  TrainedVocab result;
  std::vector<std::string>& tokens = result.tokens;
  absl::flat_hash_map<std::string, int32_t> ids;
  auto add = [&](const std::string& token) -> int32_t {
    auto [it, inserted] = ids.emplace(token, static_cast<int32_t>(tokens.size()));
    if (inserted) tokens.push_back(token);
    return it->second;
  };
  for (absl::string_view special : {kPadToken, kUnkToken, kClsToken, kSepToken, kMaskToken}) {
    add(std::string(special));
  }

  // Words in a fixed order, so the result does not depend on hash-map iteration.
  std::vector<std::pair<std::string, int64_t>> words(counts.begin(), counts.end());
  std::sort(words.begin(), words.end());
  result.distinct_words = static_cast<int64_t>(words.size());

  // The alphabet: every character (sorted by code point), then the continuation forms of
  // those that occur inside words.
  std::vector<std::vector<char32_t>> chars(words.size());
  std::vector<char32_t> all_chars, inner;
  for (size_t w = 0; w < words.size(); ++w) {
    result.total_words += words[w].second;
    const std::string& s = words[w].first;
    const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
    const uint8_t* end = p + s.size();
    while (p < end) {
      char32_t cp;
      p += DecodeUtf8(p, end, &cp);
      chars[w].push_back(cp);
    }
    all_chars.insert(all_chars.end(), chars[w].begin(), chars[w].end());
    inner.insert(inner.end(), chars[w].begin() + (chars[w].empty() ? 0 : 1), chars[w].end());
  }
  for (auto* v : {&all_chars, &inner}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  for (char32_t c : all_chars) {
    std::string s;
    AppendUtf8(c, &s);
    add(s);
  }
  for (char32_t c : inner) {
    std::string s = "##";
    AppendUtf8(c, &s);
    add(s);
  }
  result.alphabet_size = static_cast<int>(tokens.size()) - 5;

  // Words as symbol ids.
  std::vector<std::vector<int32_t>> symbols(words.size());
  std::vector<int64_t> word_count(words.size());
  for (size_t w = 0; w < words.size(); ++w) {
    word_count[w] = words[w].second;
    for (size_t i = 0; i < chars[w].size(); ++i) {
      std::string s = i == 0 ? "" : "##";
      AppendUtf8(chars[w][i], &s);
      symbols[w].push_back(ids.at(s));
    }
  }
  chars.clear();
  chars.shrink_to_fit();

  // Pair counts and where each pair occurs.
  absl::flat_hash_map<Pair, int64_t> pair_counts;
  absl::flat_hash_map<Pair, std::vector<int32_t>> where;
  for (size_t w = 0; w < symbols.size(); ++w) {
    for (size_t i = 0; i + 1 < symbols[w].size(); ++i) {
      Pair p = MakePair(symbols[w][i], symbols[w][i + 1]);
      pair_counts[p] += word_count[w];
      std::vector<int32_t>& list = where[p];
      if (list.empty() || list.back() != static_cast<int32_t>(w)) list.push_back(static_cast<int32_t>(w));
    }
  }
  std::priority_queue<QueueEntry> queue;
  for (const auto& [pair, count] : pair_counts) {
    if (count > 0) queue.push({count, pair});
  }

  const int target = options.vocab_size;
  Progress progress("build_vocab merges", std::max(0, target - static_cast<int>(tokens.size())),
                    "merges");
  std::vector<int32_t> merged;
  absl::flat_hash_map<Pair, int64_t> delta;
  while (static_cast<int>(tokens.size()) < target && !queue.empty()) {
    QueueEntry top = queue.top();
    queue.pop();
    auto it = pair_counts.find(top.pair);
    int64_t current = it == pair_counts.end() ? 0 : it->second;
    if (top.count != current) {
      if (current > 0) queue.push({current, top.pair});
      continue;
    }
    if (top.count < 1 || top.count < options.min_frequency) break;
    int32_t a = static_cast<int32_t>(top.pair >> 32);
    int32_t b = static_cast<int32_t>(top.pair & 0xffffffffu);
    std::string right = tokens[b];
    if (right.rfind("##", 0) == 0) right = right.substr(2);
    int32_t new_id = add(tokens[a] + right);
    ++result.merges;

    // Rewrite every word holding the pair; collect the pair-count changes.
    delta.clear();
    std::vector<int32_t> holders = std::move(where[top.pair]);
    where.erase(top.pair);
    for (int32_t w : holders) {
      std::vector<int32_t>& s = symbols[w];
      bool found = false;
      for (size_t i = 0; i + 1 < s.size(); ++i) {
        if (s[i] == a && s[i + 1] == b) {
          found = true;
          break;
        }
      }
      if (!found) continue;
      int64_t c = word_count[w];
      for (size_t i = 0; i + 1 < s.size(); ++i) delta[MakePair(s[i], s[i + 1])] -= c;
      merged.clear();
      for (size_t i = 0; i < s.size(); ++i) {
        if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
          merged.push_back(new_id);
          ++i;
        } else {
          merged.push_back(s[i]);
        }
      }
      s.assign(merged.begin(), merged.end());
      for (size_t i = 0; i + 1 < s.size(); ++i) {
        Pair p = MakePair(s[i], s[i + 1]);
        delta[p] += c;
        if (s[i] == new_id || s[i + 1] == new_id) {
          std::vector<int32_t>& list = where[p];
          if (list.empty() || list.back() != w) list.push_back(w);
        }
      }
    }
    for (const auto& [pair, change] : delta) {
      if (change == 0) continue;
      int64_t& count = pair_counts[pair];
      count += change;
      if (change > 0) queue.push({count, pair});
    }
    pair_counts.erase(top.pair);
    if (options.show_progress) progress.Update(result.merges);
  }
  if (options.show_progress) progress.Finish();
  return result;
}

absl::StatusOr<TrainedVocab> RunBuildVocab(const BuildVocabOptions& options) {
  if (options.inputs.empty()) return absl::InvalidArgumentError("no input files");
  WordCounts counts;
  size_t bytes = 0;
  Progress progress("build_vocab counting", static_cast<double>(options.inputs.size()), "files");
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    absl::StatusOr<std::string> text = ReadFile(options.inputs[i]);
    if (!text.ok()) return text.status();
    int64_t bad = FindInvalidUtf8(*text);
    if (bad >= 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: not UTF-8 text (invalid byte at offset %d)", options.inputs[i], bad));
    }
    bytes += text->size();
    WordCounts part = CountWords(*text, options.trainer.normalizer, options.trainer.threads);
    if (counts.empty()) {
      counts = std::move(part);
    } else {
      MergeWordCounts(part, &counts);
    }
    if (options.trainer.show_progress) progress.Update(i + 1);
  }
  if (options.trainer.show_progress) progress.Finish();
  if (counts.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no words in the input (", bytes, " bytes in ", options.inputs.size(),
        " file(s)): nothing to learn a vocabulary from"));
  }
  TrainedVocab vocab = TrainWordPiece(counts, options.trainer);
  std::string text;
  for (const std::string& t : vocab.tokens) absl::StrAppend(&text, t, "\n");
  absl::Status s = WriteFileAtomically(options.output, text);
  if (!s.ok()) return s;
  return vocab;
}

}  // namespace electra
