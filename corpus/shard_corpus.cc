#include "corpus/shard_corpus.h"

#include <cstdlib>

#include <google/protobuf/text_format.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "base/file_util.h"
#include "base/progress.h"
#include "corpus/example_builder.h"
#include "corpus/record_io.h"
#include "tokenizer/bert_tokenizer.h"
#include "tokenizer/utf8.h"

namespace electra {
namespace {

// FNV-1a 64 of a string, mixed with the seed: the builder's randomness for one input file.
uint64_t FileSeed(uint64_t seed, const std::string& path) {
  uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
  for (unsigned char c : path) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool IsBlank(absl::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\v' && c != '\f') return false;
  }
  return true;
}

struct Line {
  absl::string_view text;
  bool blank;
};

// Splits on '\n' (dropping a trailing '\r' and a leading UTF-8 byte-order mark).
std::vector<Line> SplitLines(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, IsBlank(line)});
    pos = end + 1;
  }
  return lines;
}

// Tokens of every line, stored flat per worker thread; `lines[i]` views line i's tokens.
struct TokenizedLines {
  std::vector<std::vector<int32_t>> storage;
  std::vector<absl::Span<const int32_t>> lines;
};

void TokenizeLines(const BertTokenizer& tokenizer, const std::vector<Line>& lines, int threads,
                   TokenizedLines* out) {
  if (threads < 1 || lines.size() < 1000) threads = 1;
  out->storage.assign(threads, {});
  out->lines.assign(lines.size(), {});
  std::vector<std::vector<size_t>> ends(threads);
  size_t chunk = (lines.size() + threads - 1) / threads;
  auto work = [&](int t) {
    size_t b = std::min(lines.size(), t * chunk), e = std::min(lines.size(), (t + 1) * chunk);
    std::vector<int32_t>& store = out->storage[t];
    size_t bytes = 0;
    for (size_t i = b; i < e; ++i) bytes += lines[i].text.size();
    store.reserve(bytes / 3 + 16);
    ends[t].reserve(e - b);
    for (size_t i = b; i < e; ++i) {
      if (!lines[i].blank) tokenizer.Tokenize(lines[i].text, &store);
      ends[t].push_back(store.size());
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }
  // Views are made after the workers finish: storage no longer moves.
  for (int t = 0; t < threads; ++t) {
    size_t b = std::min(lines.size(), t * chunk);
    size_t start = 0;
    for (size_t j = 0; j < ends[t].size(); ++j) {
      out->lines[b + j] = absl::Span<const int32_t>(out->storage[t].data() + start, ends[t][j] - start);
      start = ends[t][j];
    }
  }
}

// Everything one input file contributes: its examples, serialized and framed back to back.
struct FileResult {
  uint64_t bytes = 0, sentences = 0, documents = 0, tokens = 0, pad = 0;
  std::string framed;             // the file's records, in order
  std::vector<uint32_t> sizes;    // framed size of each record
};

// Reads, checks, tokenizes (with `threads`), packs and serializes one input file. The result
// depends only on the file, the options and the seed (not on `threads`).
absl::StatusOr<FileResult> ProcessFile(const std::string& path, const BertTokenizer& tokenizer,
                                       const ShardCorpusOptions& o, int threads) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  if (text->empty()) return absl::InvalidArgumentError(path + ": input file is empty");
  int64_t bad = FindInvalidUtf8(*text);
  if (bad >= 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: not UTF-8 text (invalid byte 0x%02x at byte offset %d); convert it first, e.g. "
        "iconv -f latin1 -t utf-8",
        path, static_cast<uint8_t>((*text)[bad]), bad));
  }
  FileResult r;
  r.bytes = text->size();
  std::vector<Line> lines = SplitLines(*text);
  TokenizedLines tokens;
  TokenizeLines(tokenizer, lines, threads, &tokens);
  const Vocab& vocab = tokenizer.vocab();
  ExampleBuilder builder(o.max_seq_length, vocab.cls_id(), vocab.sep_id(), FileSeed(o.seed, path));
  // Examples are built into a fixed set of slots and serialized a batch at a time (in parallel
  // pieces, concatenated in order), so memory stays bounded and the slots' buffers are reused.
  constexpr size_t kBatch = 2048;
  std::vector<PretrainingExample> examples(kBatch);
  size_t n = 0;        // examples waiting in `examples`
  uint64_t total = 0;  // examples in all
  std::vector<std::string> out(std::max(threads, 1));
  std::vector<std::vector<uint32_t>> sizes(out.size());
  std::vector<uint64_t> tok(out.size(), 0);
  auto flush = [&]() {
    int pieces = (threads <= 1 || n < 256) ? 1 : threads;
    size_t per = (n + pieces - 1) / pieces;
    auto work = [&](int c) {
      size_t b = std::min(n, c * per), e = std::min(n, (c + 1) * per);
      out[c].clear();
      sizes[c].clear();
      tok[c] = 0;
      for (size_t i = b; i < e; ++i) {
        size_t before = out[c].size();
        AppendExampleRecord(examples[i], &out[c]);
        sizes[c].push_back(static_cast<uint32_t>(out[c].size() - before));
        tok[c] += examples[i].length();
      }
    };
    if (pieces == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (int c = 1; c < pieces; ++c) pool.emplace_back(work, c);
      work(0);
      for (auto& t : pool) t.join();
    }
    for (int c = 0; c < pieces; ++c) {
      r.framed += out[c];
      r.sizes.insert(r.sizes.end(), sizes[c].begin(), sizes[c].end());
      r.tokens += tok[c];
    }
    total += n;
    n = 0;
  };
  auto added = [&]() {
    if (++n == kBatch) flush();
  };
  bool in_document = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].blank) {
      if (!o.blank_lines_separate_docs) continue;
      if (in_document) ++r.documents;
      in_document = false;
      if (builder.AddLine({}, true, &examples[n])) added();
      continue;
    }
    in_document = true;
    ++r.sentences;
    if (builder.AddLine(tokens.lines[i], false, &examples[n])) added();
  }
  if (in_document || !o.blank_lines_separate_docs) ++r.documents;
  if (builder.EndDocument(&examples[n])) added();
  if (n > 0) flush();
  r.pad = total * o.max_seq_length - r.tokens;
  return r;
}

absl::Status PrepareOutputDir(const ShardCorpusOptions& options,
                              const std::vector<std::string>& names) {
  absl::Status s = MakeDirectories(options.output_dir);
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> existing = ListDirectory(options.output_dir);
  if (!existing.ok()) return existing.status();
  std::vector<std::string> clash;
  for (const std::string& name : *existing) {
    bool ours = std::find(names.begin(), names.end(), name) != names.end();
    bool shard_like = absl::StartsWith(name, "pretrain_data.tfrecord-") ||
                      absl::StartsWith(name, "shard_spec-");
    bool stale_tmp = absl::StrContains(name, ".tmp-");
    // One job owns the whole directory; with several, each job owns its own names.
    if (ours || (options.num_jobs == 1 && shard_like && !stale_tmp)) clash.push_back(name);
    if (stale_tmp) {
      for (const std::string& n : names) {
        if (absl::StartsWith(name, n + ".tmp-")) RemoveAll(JoinPath(options.output_dir, name)).IgnoreError();
      }
    }
  }
  if (clash.empty()) return absl::OkStatus();
  if (!options.overwrite) {
    return absl::AlreadyExistsError(absl::StrCat(
        options.output_dir, " already holds shards (", clash.front(),
        clash.size() > 1 ? absl::StrCat(" and ", clash.size() - 1, " more") : "",
        "); pass --overwrite to replace them or choose another --output_dir"));
  }
  for (const std::string& name : clash) {
    s = RemoveAll(JoinPath(options.output_dir, name));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

std::string ShardFileName(int index, int total) {
  return absl::StrFormat("pretrain_data.tfrecord-%05d-of-%05d", index, total);
}

std::string SpecFileName(int job_index, int num_jobs) {
  return absl::StrFormat("shard_spec-%05d-of-%05d.pbtxt", job_index, num_jobs);
}

std::vector<std::string> JobInputs(const std::vector<std::string>& inputs, int num_jobs,
                                   int job_index) {
  std::vector<std::string> mine;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (static_cast<int>(i % num_jobs) == job_index) mine.push_back(inputs[i]);
  }
  return mine;
}

absl::StatusOr<ShardSpec> ReadShardSpec(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  ShardSpec spec;
  if (!google::protobuf::TextFormat::ParseFromString(*text, &spec)) {
    return absl::DataLossError(path + ": not a valid shard spec (text-format ShardSpec)");
  }
  if (spec.format_version() != kShardFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": shard format version ", spec.format_version(), " is not supported (this build reads ",
        kShardFormatVersion, ")"));
  }
  return spec;
}

absl::StatusOr<ShardSpec> RunShardCorpus(const ShardCorpusOptions& o) {
  if (o.num_shards < 1) return absl::InvalidArgumentError("--num_shards must be at least 1");
  if (o.max_seq_length < 5) return absl::InvalidArgumentError("--max_seq_length must be at least 5");
  if (o.num_jobs < 1 || o.job_index < 0 || o.job_index >= o.num_jobs) {
    return absl::InvalidArgumentError("--job_index must be in [0, --num_jobs)");
  }
  NormalizerOptions normalizer;
  normalizer.lowercase = normalizer.strip_accents = o.lowercase;
  absl::StatusOr<std::unique_ptr<BertTokenizer>> tokenizer =
      BertTokenizer::FromFile(o.vocab_path, normalizer);
  if (!tokenizer.ok()) return tokenizer.status();
  const Vocab& vocab = (*tokenizer)->vocab();
  if (vocab.cls_id() < 0 || vocab.sep_id() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(o.vocab_path, ": the vocabulary lacks [CLS] or [SEP], which every example needs"));
  }
  std::vector<std::string> inputs = JobInputs(o.inputs, o.num_jobs, o.job_index);
  if (inputs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("job ", o.job_index, " of ", o.num_jobs,
                                                   " has no input files (only ", o.inputs.size(),
                                                   " inputs)"));
  }

  const int total_shards = o.num_shards * o.num_jobs;
  std::vector<std::string> names;
  for (int s = 0; s < o.num_shards; ++s) names.push_back(ShardFileName(o.job_index * o.num_shards + s, total_shards));
  std::string spec_name = SpecFileName(o.job_index, o.num_jobs);
  names.push_back(spec_name);
  absl::Status status = PrepareOutputDir(o, names);
  if (!status.ok()) return status;

  std::vector<std::unique_ptr<RecordWriter>> writers;
  for (int s = 0; s < o.num_shards; ++s) {
    absl::StatusOr<std::unique_ptr<RecordWriter>> w = RecordWriter::Create(JoinPath(o.output_dir, names[s]));
    if (!w.ok()) return w.status();
    writers.push_back(*std::move(w));
  }

  ShardSpec spec;
  spec.set_format_version(kShardFormatVersion);
  spec.set_tool("shard_corpus");
  for (const auto& f : inputs) spec.add_inputs(f);
  // Absolute, so that a pretrainer started from another directory finds it.
  char* absolute = realpath(o.vocab_path.c_str(), nullptr);
  spec.set_vocab_path(absolute != nullptr ? absolute : o.vocab_path);
  free(absolute);
  spec.set_vocab_fingerprint(vocab.Fingerprint());
  spec.set_vocab_size(vocab.size());
  spec.set_max_seq_length(o.max_seq_length);
  spec.set_seed(o.seed);
  spec.set_blank_lines_separate_docs(o.blank_lines_separate_docs);
  spec.set_lowercase(o.lowercase);
  spec.set_num_shards(o.num_shards);
  spec.set_num_jobs(o.num_jobs);
  spec.set_job_index(o.job_index);

  uint64_t total_bytes = 0;
  Progress progress("shard_corpus", static_cast<double>(inputs.size()), "files");
  uint64_t next_writer = 0;
  uint64_t pad = 0;
  // Several files: whole files in parallel (one thread each), written in input order; one file:
  // its lines in parallel. Either way the bytes written do not depend on --threads.
  const bool by_file = o.threads > 1 && inputs.size() > 1;
  const int within = by_file ? 1 : o.threads;
  const size_t window = by_file ? static_cast<size_t>(o.threads) + 1 : 1;
  std::vector<std::optional<absl::StatusOr<FileResult>>> results(inputs.size());
  std::mutex mu;
  std::condition_variable cv;
  size_t next_to_start = 0, next_to_write = 0;
  bool abort = false;
  auto worker = [&]() {
    while (true) {
      size_t fi;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return abort || next_to_start >= inputs.size() || next_to_start < next_to_write + window; });
        if (abort || next_to_start >= inputs.size()) return;
        fi = next_to_start++;
      }
      absl::StatusOr<FileResult> r = ProcessFile(inputs[fi], **tokenizer, o, within);
      {
        std::lock_guard<std::mutex> lock(mu);
        results[fi] = std::move(r);
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  if (by_file) {
    for (int t = 0; t < o.threads; ++t) pool.emplace_back(worker);
  }
  auto stop_pool = [&]() {
    {
      std::lock_guard<std::mutex> lock(mu);
      abort = true;
    }
    cv.notify_all();
    for (auto& t : pool) t.join();
    pool.clear();
  };
  for (size_t fi = 0; fi < inputs.size(); ++fi) {
    absl::StatusOr<FileResult> r = absl::UnknownError("");
    if (by_file) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return results[fi].has_value(); });
      r = std::move(*results[fi]);
      results[fi].reset();
      next_to_write = fi + 1;
      lock.unlock();
      cv.notify_all();
    } else {
      r = ProcessFile(inputs[fi], **tokenizer, o, within);
    }
    if (!r.ok()) {
      stop_pool();
      return r.status();
    }
    total_bytes += r->bytes;
    spec.set_sentences(spec.sentences() + r->sentences);
    spec.set_documents(spec.documents() + r->documents);
    spec.set_tokens(spec.tokens() + r->tokens);
    spec.set_examples(spec.examples() + r->sizes.size());
    pad += r->pad;
    size_t offset = 0;
    for (uint32_t size : r->sizes) {
      status = writers[next_writer++ % writers.size()]->WriteFramed(absl::string_view(r->framed).substr(offset, size), 1);
      if (!status.ok()) {
        stop_pool();
        return status;
      }
      offset += size;
    }
    if (o.show_progress) progress.Update(static_cast<double>(fi + 1));
  }
  stop_pool();
  if (o.show_progress) progress.Finish();
  if (spec.examples() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no examples: the input (", inputs.size(), " file(s)) holds no text"));
  }
  spec.set_input_bytes(total_bytes);
  spec.set_padding_fraction(static_cast<double>(pad) / (static_cast<double>(spec.examples()) * o.max_seq_length));
  for (int s = 0; s < o.num_shards; ++s) {
    ShardFile* f = spec.add_shards();
    f->set_name(names[s]);
    f->set_records(writers[s]->records());
    f->set_bytes(writers[s]->bytes());
    status = writers[s]->Close();
    if (!status.ok()) return status;
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(spec, &text);
  text = "# Written by shard_corpus after all shards were complete (docs/record_format.md).\n" + text;
  status = WriteFileAtomically(JoinPath(o.output_dir, spec_name), text);
  if (!status.ok()) return status;
  return spec;
}

absl::StatusOr<ShardSpec> FindShardSpec(const std::vector<std::string>& files) {
  for (const auto& f : files) {
    auto names = ListDirectory(Dirname(f));
    if (!names.ok()) continue;
    for (const auto& n : *names) {
      if (n.rfind("shard_spec-", 0) == 0 && n.find(".tmp-") == std::string::npos) {
        return ReadShardSpec(JoinPath(Dirname(f), n));
      }
    }
  }
  return absl::NotFoundError("no shard spec beside the shards");
}

}  // namespace electra
