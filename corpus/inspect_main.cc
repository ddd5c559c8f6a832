// inspect: verifies TFRecord files of pretraining examples and shows what they hold, and verifies
// checkpoint and model directories against their manifests (sizes and CRC-32Cs).
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/match.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "corpus/file_manifest.h"
#include "corpus/pretraining_example.h"
#include "corpus/record_io.h"
#include "nlohmann/json.hpp"
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

// A checkpoint (step-N), a model directory, or a directory holding checkpoints (a run directory,
// its checkpoints/): every file is checked against its manifest, as record files are against
// their CRCs, so a checkpoint can be checked before a long job starts from it.
absl::Status InspectDirectory(const std::string& dir) {
  bool done = PathExists(JoinPath(dir, "DONE"));
  if (PathExists(JoinPath(dir, kManifestName))) {
    absl::StatusOr<VerifySummary> summary = VerifyDirectory(dir);
    if (!summary.ok()) return summary.status();
    bool checkpoint = PathExists(JoinPath(dir, "training_state.json"));
    if (checkpoint && !done) {
      return absl::DataLossError(absl::StrCat(dir, " has no DONE marker: an incomplete checkpoint (its write was "
                                              "interrupted); pretrain ignores it"));
    }
    std::printf("%s: %s, %d files, %llu bytes: every size and CRC32C matches %s\n", dir.c_str(),
                checkpoint ? "checkpoint" : "model directory", summary->files,
                (unsigned long long)summary->bytes, kManifestName);
    return absl::OkStatus();
  }
  std::string state_path = JoinPath(dir, "training_state.json");
  if (done && PathExists(state_path)) {
    // As pretrain judges it: a checkpoint whose training state names a manifest lost it.
    absl::StatusOr<std::string> text = ReadFile(state_path);
    if (!text.ok()) return text.status();
    nlohmann::json state = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!state.is_object()) return absl::DataLossError(state_path + ": not a JSON object");
    auto named = state.find("manifest");
    if (named != state.end() && named->is_string() && !named->get<std::string>().empty()) {
      return absl::DataLossError(absl::StrCat(JoinPath(dir, named->get<std::string>()),
                                              " is missing but training_state.json says it was written"));
    }
  }
  if (done || PathExists(JoinPath(dir, "config.json"))) {
    std::printf("%s: no %s (an HF model directory, or a checkpoint written before checkpoints recorded "
                "checksums): not verified\n", dir.c_str(), kManifestName);
    return absl::OkStatus();
  }
  std::string parent = PathExists(JoinPath(dir, "checkpoints")) ? JoinPath(dir, "checkpoints") : dir;
  absl::StatusOr<std::vector<std::string>> names = ListDirectory(parent);
  if (!names.ok()) return names.status();
  int checkpoints = 0, failed = 0;
  for (const std::string& name : *names) {
    // Temporary directories are incomplete writes or deletions that pretrain cleans up.
    if (!absl::StartsWith(name, "step-") || absl::StrContains(name, ".tmp-")) continue;
    ++checkpoints;
    absl::Status s = InspectDirectory(JoinPath(parent, name));
    if (!s.ok()) {
      std::fprintf(stderr, "inspect: error: %s\n", std::string(s.message()).c_str());
      ++failed;
    }
  }
  if (checkpoints == 0) {
    return absl::InvalidArgumentError(absl::StrCat(dir, " is a directory but neither a checkpoint, a model directory "
                                                   "nor a run directory (no ", kManifestName, ", DONE, config.json or step-*)"));
  }
  if (failed > 0) {
    return absl::DataLossError(absl::StrCat(failed, " of ", checkpoints, " checkpoint(s) in ", parent,
                                            " failed verification (see above)"));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace electra

int main(int argc, char** argv) {
  std::vector<std::string> files = electra::ParseToolFlags(
      argc, argv, "inspect [--vocab=PATH] [--show=N] [--skip_corrupt] FILE|DIR...\n"
      "  FILE: a record file; DIR: a checkpoint, model or run directory (verified against its manifest)",
      true);
  return electra::RunTool("inspect", [&]() -> absl::Status {
    if (files.empty()) return absl::InvalidArgumentError("no files given (usage: inspect FILE|DIR...)");
    if (absl::GetFlag(FLAGS_show) < 0) return electra::FlagError("show", "must be >= 0");
    std::unique_ptr<electra::Vocab> vocab;
    if (!absl::GetFlag(FLAGS_vocab).empty()) {
      auto v = electra::Vocab::Load(absl::GetFlag(FLAGS_vocab));
      if (!v.ok()) return v.status();
      vocab = std::make_unique<electra::Vocab>(*std::move(v));
    }
    absl::Status first_error;
    for (const auto& f : files) {
      absl::Status s = electra::IsDirectory(f)
                           ? electra::InspectDirectory(f)
                           : electra::InspectFile(f, vocab.get(), absl::GetFlag(FLAGS_show),
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
