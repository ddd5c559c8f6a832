// inspect: verifies TFRecord files of pretraining examples and shows what they hold.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/tool_main.h"
#include "corpus/pretraining_example.h"
#include "corpus/record_io.h"
#include "tokenizer/vocab.h"

ABSL_FLAG(std::string, vocab, "", "Vocabulary to decode ids back to tokens (optional).");
ABSL_FLAG(int, show, 2, "Examples to print per file.");
ABSL_FLAG(bool, skip_corrupt, false, "Count corrupt records instead of stopping at the first.");

namespace electra {
namespace {

std::string Describe(const PretrainingExample& e, const Vocab* vocab) {
  std::string out;
  int n = e.length();
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    if (vocab != nullptr && e.input_ids[i] >= 0 && e.input_ids[i] < vocab->size()) {
      out += vocab->Token(e.input_ids[i]);
    } else {
      out += std::to_string(e.input_ids[i]);
    }
    if (i + 1 < n && e.segment_ids[i + 1] != e.segment_ids[i]) out += " |";
  }
  return absl::StrFormat("  %d tokens (of %d): %s", n, e.input_ids.size(), out);
}

absl::Status InspectFile(const std::string& path, const Vocab* vocab, int show, bool skip) {
  RecordReaderOptions options;
  options.skip_corrupt = skip;
  auto reader = RecordReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  std::string payload;
  uint64_t offset = 0, records = 0, tokens = 0, bad_examples = 0;
  std::vector<std::string> shown;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&payload, &offset);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++records;
    auto example = ParseExample(payload, absl::StrFormat("%s: record at byte offset %d", path, offset));
    if (!example.ok()) {
      if (!skip) return example.status();
      ++bad_examples;
      continue;
    }
    tokens += example->length();
    if (static_cast<int>(shown.size()) < show) shown.push_back(Describe(*example, vocab));
  }
  std::printf("%s: %llu records, %llu tokens, %llu bytes\n", path.c_str(), (unsigned long long)records,
              (unsigned long long)tokens, (unsigned long long)(*reader)->file_size());
  for (const auto& s : shown) std::printf("%s\n", s.c_str());
  if ((*reader)->skipped_records() > 0 || bad_examples > 0) {
    std::printf("  skipped: %llu corrupt record(s) (%llu bytes)%s, %llu undecodable example(s)\n",
                (unsigned long long)(*reader)->skipped_records(),
                (unsigned long long)(*reader)->skipped_bytes(),
                (*reader)->truncated_tail() ? " including a truncated tail" : "",
                (unsigned long long)bad_examples);
    return absl::DataLossError(absl::StrCat(path, ": corrupt records were skipped"));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace electra

int main(int argc, char** argv) {
  std::vector<std::string> files = electra::ParseToolFlags(
      argc, argv, "inspect [--vocab=PATH] [--show=N] [--skip_corrupt] FILE...", true);
  return electra::RunTool("inspect", [&]() -> absl::Status {
    if (files.empty()) return absl::InvalidArgumentError("no files given (usage: inspect FILE...)");
    if (absl::GetFlag(FLAGS_show) < 0) return electra::FlagError("show", "must be >= 0");
    std::unique_ptr<electra::Vocab> vocab;
    if (!absl::GetFlag(FLAGS_vocab).empty()) {
      auto v = electra::Vocab::Load(absl::GetFlag(FLAGS_vocab));
      if (!v.ok()) return v.status();
      vocab = std::make_unique<electra::Vocab>(*std::move(v));
    }
    absl::Status first_error;
    for (const auto& f : files) {
      absl::Status s = electra::InspectFile(f, vocab.get(), absl::GetFlag(FLAGS_show),
                                            absl::GetFlag(FLAGS_skip_corrupt));
      if (!s.ok()) {
        std::fprintf(stderr, "inspect: error: %s\n", std::string(s.message()).c_str());
        if (first_error.ok()) first_error = s;
      }
    }
    if (!first_error.ok()) return absl::DataLossError(absl::StrCat(
        "verification failed (first: ", first_error.message(), ")"));
    return absl::OkStatus();
  });
}
