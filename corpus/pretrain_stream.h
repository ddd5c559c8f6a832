// The pretrainer's streaming dataset over TFRecord shards of pretraining examples.
//
// The examples form one endless stream, epoch after epoch. Each epoch visits every record once:
// the shard files in a shuffled order, then records permuted inside consecutive windows of
// `shuffle_window` records (the exact, restorable form of a shuffle buffer: memory and read
// locality are bounded by the window). Global batch k is stream positions [k*B, (k+1)*B);
// data-parallel rank r of W reads only its share [k*B + r*B/W, k*B + (r+1)*B/W), by random
// access. So the examples of global batch k do not depend on the world size, and the position
// to save for an exact resume is just k.
#ifndef ELECTRA_CORPUS_PRETRAIN_STREAM_H_
#define ELECTRA_CORPUS_PRETRAIN_STREAM_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/pretraining_example.h"
#include "corpus/record_io.h"

namespace electra {

struct PretrainStreamOptions {
  std::vector<std::string> files;  // shard files; sorted internally
  uint64_t seed = 0;
  int64_t global_batch = 128;
  int world_size = 1;
  int rank = 0;
  bool shuffle = true;
  int64_t shuffle_window = 10000;  // records
  int prefetch = 8;                // batches prepared ahead by a background thread (0 = none)
  bool skip_corrupt = false;       // skip corrupt records (found by a full check at open)
  int max_seq_length = 0;          // if > 0, examples of another length are an error
};

struct StreamBatch {
  int64_t index = 0;                        // global batch number k
  std::vector<PretrainingExample> examples;  // this rank's share, in stream order
  std::vector<uint64_t> positions;           // stream position of each example (global id)
};

class PretrainStream {
 public:
  // Opens the shards and positions the stream at global batch `start_batch`.
  static absl::StatusOr<std::unique_ptr<PretrainStream>> Open(const PretrainStreamOptions& options,
                                                              int64_t start_batch);
  ~PretrainStream();

  // The next batch of this rank (blocking while the prefetch thread prepares it).
  absl::StatusOr<StreamBatch> Next();

  int64_t records_per_epoch() const { return total_records_; }
  const std::vector<std::string>& files() const { return files_; }
  uint64_t skipped_records() const { return skipped_records_; }

  // Builds batch k of this rank directly (no prefetch; thread-safe).
  absl::StatusOr<StreamBatch> MakeBatch(int64_t k);

 private:
  explicit PretrainStream(PretrainStreamOptions options) : options_(std::move(options)) {}
  absl::Status Init();
  absl::StatusOr<PretrainingExample> ReadExample(uint64_t position);
  // The record (file, index within file) at stream position `position`.
  std::pair<int, int64_t> Locate(uint64_t position);
  absl::StatusOr<const std::vector<uint64_t>*> Offsets(int file);
  void PrefetchLoop();

  PretrainStreamOptions options_;
  std::vector<std::string> files_;
  std::vector<int64_t> counts_;
  std::vector<std::unique_ptr<RecordReader>> readers_;
  int64_t total_records_ = 0;
  uint64_t skipped_records_ = 0;

  // Per-epoch state, cached for the epoch being read.
  std::mutex layout_mu_;
  int64_t layout_epoch_ = -1;
  std::vector<int> file_order_;
  std::vector<int64_t> prefix_;  // prefix_[i] = records in file_order_[0..i)
  int64_t window_epoch_ = -1, window_index_ = -1;
  std::vector<int64_t> window_perm_;

  // Record offsets of recently used files (small LRU).
  std::mutex offsets_mu_;
  std::vector<std::shared_ptr<std::vector<uint64_t>>> offsets_;
  std::list<int> offsets_lru_;
  std::vector<std::vector<uint64_t>> verified_offsets_;  // skip_corrupt: all files, from the check

  // Prefetch.
  std::thread prefetcher_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<absl::StatusOr<StreamBatch>> queue_;
  int64_t next_to_make_ = 0;
  int64_t next_to_return_ = 0;
  bool stop_ = false;
};

// A 64-bit mix of (seed, a, b): SplitMix64 finalizer.
uint64_t MixSeed(uint64_t seed, uint64_t a, uint64_t b = 0);

}  // namespace electra

#endif  // ELECTRA_CORPUS_PRETRAIN_STREAM_H_
