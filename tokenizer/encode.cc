#include "tokenizer/encode.h"

#include <unistd.h>

#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "base/progress.h"

namespace electra {
namespace {

// Encodes the complete lines of `text` into `out`.
void EncodeRange(const BertTokenizer& tokenizer, absl::string_view text, std::string* out) {
  std::vector<int32_t> ids;
  char digits[16];
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    ids.clear();
    tokenizer.Tokenize(text.substr(pos, end - pos), &ids);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) out->push_back(' ');
      char* e = absl::numbers_internal::FastIntToBuffer(ids[i], digits);
      out->append(digits, e - digits);
    }
    out->push_back('\n');
    pos = end + 1;
  }
}

absl::StatusOr<std::string> ReadStdin() {
  std::string data;
  char buffer[1 << 16];
  while (true) {
    ssize_t n = read(0, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError("cannot read standard input");
    }
    if (n == 0) break;
    data.append(buffer, n);
  }
  return data;
}

}  // namespace

void EncodeLines(const BertTokenizer& tokenizer, absl::string_view text, int threads,
                 std::string* out) {
  if (threads <= 1 || text.size() < (1 << 16)) {
    EncodeRange(tokenizer, text, out);
    return;
  }
  // Split at line boundaries into roughly 4 pieces per thread; threads take pieces in turn
  // and the pieces are concatenated in input order.
  size_t pieces = static_cast<size_t>(threads) * 4;
  std::vector<absl::string_view> parts;
  size_t begin = 0;
  for (size_t i = 1; i <= pieces && begin < text.size(); ++i) {
    size_t cut = i == pieces ? text.size() : text.size() * i / pieces;
    if (cut < begin) cut = begin;
    size_t nl = text.find('\n', cut == 0 ? 0 : cut - 1);
    size_t end = (nl == absl::string_view::npos || i == pieces) ? text.size() : nl + 1;
    if (end > begin) parts.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  std::vector<std::string> outputs(parts.size());
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t]() {
      for (size_t i = t; i < parts.size(); i += threads) {
        outputs[i].reserve(parts[i].size());
        EncodeRange(tokenizer, parts[i], &outputs[i]);
      }
    });
  }
  for (auto& w : workers) w.join();
  for (const std::string& o : outputs) out->append(o);
}

absl::Status RunEncode(const EncodeOptions& options) {
  NormalizerOptions normalizer;
  normalizer.lowercase = options.lowercase;
  normalizer.strip_accents = options.lowercase;
  absl::StatusOr<std::unique_ptr<BertTokenizer>> tokenizer =
      BertTokenizer::FromFile(options.vocab_path, normalizer);
  if (!tokenizer.ok()) return tokenizer.status();

  absl::StatusOr<std::string> text =
      options.input_path.empty() ? ReadStdin() : ReadFile(options.input_path);
  if (!text.ok()) return text.status();
  std::string source = options.input_path.empty() ? "standard input" : options.input_path;
  if (text->empty()) return absl::InvalidArgumentError(source + ": input is empty");

  // Blocks of whole lines keep memory bounded and show progress on large inputs.
  constexpr size_t kBlock = 32 << 20;
  Progress progress("encode", text->size() / 1e6, "MB");
  std::unique_ptr<AtomicFile> file;
  if (!options.output_path.empty()) {
    absl::StatusOr<AtomicFile> f = AtomicFile::Create(options.output_path);
    if (!f.ok()) return f.status();
    file = std::make_unique<AtomicFile>(*std::move(f));
  }
  std::string out;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = std::min(text->size(), pos + kBlock);
    if (end < text->size()) {
      size_t nl = text->find('\n', end);
      end = nl == std::string::npos ? text->size() : nl + 1;
    }
    out.clear();
    EncodeLines(**tokenizer, absl::string_view(*text).substr(pos, end - pos), options.threads,
                &out);
    if (file) {
      absl::Status s = file->Append(out);
      if (!s.ok()) return s;
    } else if (fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
      return absl::InternalError("cannot write to standard output");
    }
    pos = end;
    progress.Update(pos / 1e6);
  }
  progress.Finish();
  if (file) return file->Commit();
  if (fflush(stdout) != 0) return absl::InternalError("cannot write to standard output");
  return absl::OkStatus();
}

}  // namespace electra
