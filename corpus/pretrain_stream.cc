#include "corpus/pretrain_stream.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_util.h"
#include "corpus/shard_corpus.h"

namespace electra {
namespace {

constexpr size_t kOffsetCacheFiles = 64;

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Fisher-Yates with our own 64-bit engine, so the order is the same on every platform.
template <typename T>
void Shuffle(std::vector<T>* v, uint64_t seed) {
  std::mt19937_64 engine(seed);
  for (size_t i = v->size(); i > 1; --i) {
    size_t j = engine() % i;
    std::swap((*v)[i - 1], (*v)[j]);
  }
}

}  // namespace

uint64_t MixSeed(uint64_t seed, uint64_t a, uint64_t b) {
  return SplitMix(SplitMix(SplitMix(seed) ^ a) ^ (b * 0xD6E8FEB86659FD93ull));
}

absl::StatusOr<std::unique_ptr<PretrainStream>> PretrainStream::Open(
    const PretrainStreamOptions& options, int64_t start_batch) {
  if (options.files.empty()) return absl::InvalidArgumentError("no shard files");
  if (options.world_size < 1 || options.rank < 0 || options.rank >= options.world_size) {
    return absl::InvalidArgumentError(absl::StrCat("rank ", options.rank, " is not in [0, ",
                                                   options.world_size, ")"));
  }
  if (options.global_batch < 1 || options.global_batch % options.world_size != 0) {
    return absl::InvalidArgumentError(absl::StrCat("the global batch size ", options.global_batch,
                                                   " must be a positive multiple of the world size ",
                                                   options.world_size));
  }
  std::unique_ptr<PretrainStream> stream(new PretrainStream(options));
  absl::Status s = stream->Init();
  if (!s.ok()) return s;
  stream->next_to_make_ = stream->next_to_return_ = start_batch;
  if (options.prefetch > 0) stream->prefetcher_ = std::thread(&PretrainStream::PrefetchLoop, stream.get());
  return stream;
}

PretrainStream::~PretrainStream() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (prefetcher_.joinable()) prefetcher_.join();
}

absl::Status PretrainStream::Init() {
  files_ = options_.files;
  std::sort(files_.begin(), files_.end());
  files_.erase(std::unique(files_.begin(), files_.end()), files_.end());

  // Record counts from the spec files beside the shards, when they describe these files.
  std::map<std::string, std::pair<uint64_t, uint64_t>> known;  // path -> (records, bytes)
  std::set<std::string> dirs;
  for (const auto& f : files_) dirs.insert(Dirname(f));
  for (const auto& dir : dirs) {
    absl::StatusOr<std::vector<std::string>> names = ListDirectory(dir);
    if (!names.ok()) continue;
    for (const auto& name : *names) {
      if (name.rfind("shard_spec-", 0) != 0 || name.find(".tmp-") != std::string::npos) continue;
      absl::StatusOr<ShardSpec> spec = ReadShardSpec(JoinPath(dir, name));
      if (!spec.ok()) return spec.status();
      for (const ShardFile& shard : spec->shards()) {
        known[JoinPath(dir, shard.name())] = {shard.records(), shard.bytes()};
      }
    }
  }

  counts_.resize(files_.size());
  readers_.resize(files_.size());
  offsets_.resize(files_.size());
  if (options_.skip_corrupt) verified_offsets_.resize(files_.size());
  for (size_t i = 0; i < files_.size(); ++i) {
    RecordReaderOptions ro;
    ro.skip_corrupt = options_.skip_corrupt;
    absl::StatusOr<std::unique_ptr<RecordReader>> reader = RecordReader::Open(files_[i], ro);
    if (!reader.ok()) return reader.status();
    readers_[i] = *std::move(reader);
    if (options_.skip_corrupt) {
      // A full check: only the valid records take part.
      std::string payload;
      uint64_t offset;
      while (true) {
        absl::StatusOr<bool> more = readers_[i]->Next(&payload, &offset);
        if (!more.ok()) return more.status();
        if (!*more) break;
        verified_offsets_[i].push_back(offset);
      }
      skipped_records_ += readers_[i]->skipped_records();
      counts_[i] = static_cast<int64_t>(verified_offsets_[i].size());
    } else {
      auto it = known.find(files_[i]);
      if (it != known.end() && it->second.second == readers_[i]->file_size()) {
        counts_[i] = static_cast<int64_t>(it->second.first);
      } else {
        absl::StatusOr<const std::vector<uint64_t>*> offsets = Offsets(static_cast<int>(i));
        if (!offsets.ok()) return offsets.status();
        counts_[i] = static_cast<int64_t>((*offsets)->size());
      }
    }
    total_records_ += counts_[i];
  }
  if (total_records_ == 0) {
    return absl::InvalidArgumentError(absl::StrCat("the shards hold no examples (", files_.size(), " file(s): ",
                                                   files_.front(), files_.size() > 1 ? ", ..." : "", ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<const std::vector<uint64_t>*> PretrainStream::Offsets(int file) {
  if (options_.skip_corrupt) return &verified_offsets_[file];
  std::lock_guard<std::mutex> lock(offsets_mu_);
  if (offsets_[file] == nullptr) {
    absl::StatusOr<std::vector<uint64_t>> scanned = ScanRecordOffsets(files_[file]);
    if (!scanned.ok()) return scanned.status();
    if (!counts_.empty() && counts_[file] != 0 &&
        static_cast<int64_t>(scanned->size()) != counts_[file]) {
      return absl::DataLossError(absl::StrFormat("%s holds %d records but its spec says %d",
                                                 files_[file], scanned->size(), counts_[file]));
    }
    offsets_[file] = std::make_shared<std::vector<uint64_t>>(*std::move(scanned));
    offsets_lru_.push_front(file);
    while (offsets_lru_.size() > kOffsetCacheFiles) {
      offsets_[offsets_lru_.back()].reset();
      offsets_lru_.pop_back();
    }
  }
  return offsets_[file].get();
}

std::pair<int, int64_t> PretrainStream::Locate(uint64_t position) {
  const int64_t n = total_records_;
  const int64_t epoch = static_cast<int64_t>(position / n);
  int64_t i = static_cast<int64_t>(position % n);
  std::lock_guard<std::mutex> lock(layout_mu_);
  if (epoch != layout_epoch_) {
    layout_epoch_ = epoch;
    file_order_.resize(files_.size());
    for (size_t f = 0; f < files_.size(); ++f) file_order_[f] = static_cast<int>(f);
    if (options_.shuffle) Shuffle(&file_order_, MixSeed(options_.seed, 1, epoch));
    prefix_.assign(files_.size() + 1, 0);
    for (size_t f = 0; f < files_.size(); ++f) prefix_[f + 1] = prefix_[f] + counts_[file_order_[f]];
    window_epoch_ = -1;
  }
  int64_t record = i;
  if (options_.shuffle && options_.shuffle_window > 1) {
    const int64_t s = options_.shuffle_window;
    int64_t w = i / s;
    if (w != window_index_ || epoch != window_epoch_) {
      window_epoch_ = epoch;
      window_index_ = w;
      int64_t size = std::min(s, n - w * s);
      window_perm_.resize(size);
      for (int64_t j = 0; j < size; ++j) window_perm_[j] = j;
      Shuffle(&window_perm_, MixSeed(options_.seed, 2 + epoch, w));
    }
    record = w * s + window_perm_[i - w * s];
  }
  size_t slot = std::upper_bound(prefix_.begin(), prefix_.end(), record) - prefix_.begin() - 1;
  return {file_order_[slot], record - prefix_[slot]};
}

absl::StatusOr<PretrainingExample> PretrainStream::ReadExample(uint64_t position) {
  auto [file, index] = Locate(position);
  absl::StatusOr<const std::vector<uint64_t>*> offsets = Offsets(file);
  if (!offsets.ok()) return offsets.status();
  uint64_t offset = (**offsets)[index];
  std::string payload;
  absl::Status s = readers_[file]->ReadAt(offset, &payload);
  if (!s.ok()) return s;
  absl::StatusOr<PretrainingExample> example =
      ParseExample(payload, absl::StrFormat("%s: record at byte offset %d", files_[file], offset));
  if (!example.ok()) return example.status();
  if (options_.max_seq_length > 0 &&
      static_cast<int>(example->input_ids.size()) != options_.max_seq_length) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: the record at byte offset %d has %d tokens but training uses max_seq_length %d "
        "(shard the corpus with --max_seq_length=%d or train with the shards' length)",
        files_[file], offset, example->input_ids.size(), options_.max_seq_length,
        options_.max_seq_length));
  }
  return example;
}

absl::StatusOr<StreamBatch> PretrainStream::MakeBatch(int64_t k) {
  StreamBatch batch;
  batch.index = k;
  const int64_t per_rank = options_.global_batch / options_.world_size;
  const uint64_t first = static_cast<uint64_t>(k) * options_.global_batch + options_.rank * per_rank;
  batch.examples.reserve(per_rank);
  for (int64_t j = 0; j < per_rank; ++j) {
    absl::StatusOr<PretrainingExample> e = ReadExample(first + j);
    if (!e.ok()) return e.status();
    batch.examples.push_back(*std::move(e));
    batch.positions.push_back(first + j);
  }
  return batch;
}

void PretrainStream::PrefetchLoop() {
  while (true) {
    int64_t k;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stop_ || static_cast<int>(queue_.size()) < options_.prefetch; });
      if (stop_) return;
      k = next_to_make_++;
    }
    absl::StatusOr<StreamBatch> batch = MakeBatch(k);
    bool failed = !batch.ok();
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      queue_.push_back(std::move(batch));
    }
    queue_cv_.notify_all();
    if (failed) return;
  }
}

absl::StatusOr<StreamBatch> PretrainStream::Next() {
  if (options_.prefetch <= 0) return MakeBatch(next_to_return_++);
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_cv_.wait(lock, [&] { return !queue_.empty(); });
  absl::StatusOr<StreamBatch> batch = std::move(queue_.front());
  queue_.pop_front();
  ++next_to_return_;
  lock.unlock();
  queue_cv_.notify_all();
  return batch;
}

}  // namespace electra
