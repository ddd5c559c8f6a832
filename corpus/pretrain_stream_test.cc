#include "corpus/pretrain_stream.h"

#include <map>
#include <set>

#include "base/file_util.h"
#include "corpus/record_io.h"
#include "corpus/shard_corpus.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

// Shards of synthetic examples whose first token is a unique id, without spec files (the
// stream then scans the files) or with them.
std::vector<std::string> MakeShards(const std::string& dir, int files, int per_file) {
  EXPECT_TRUE(MakeDirectories(dir).ok());
  std::vector<std::string> paths;
  int id = 0;
  for (int f = 0; f < files; ++f) {
    std::string path = JoinPath(dir, ShardFileName(f, files));
    auto w = RecordWriter::Create(path);
    for (int i = 0; i < per_file + f; ++i) {  // unequal file sizes
      PretrainingExample e;
      e.input_ids = {id++, 7, 0, 0};
      e.input_mask = {1, 1, 0, 0};
      e.segment_ids = {0, 0, 0, 0};
      EXPECT_TRUE((*w)->Write(SerializeExample(e)).ok());
    }
    EXPECT_TRUE((*w)->Close().ok());
    paths.push_back(path);
  }
  return paths;
}

PretrainStreamOptions Options(const std::vector<std::string>& files, int64_t batch) {
  PretrainStreamOptions o;
  o.files = files;
  o.seed = 42;
  o.global_batch = batch;
  o.shuffle_window = 7;
  o.prefetch = 2;
  return o;
}

std::vector<int> Ids(const StreamBatch& b) {
  std::vector<int> ids;
  for (const auto& e : b.examples) ids.push_back(e.input_ids[0]);
  return ids;
}

TEST(PretrainStreamTest, EachEpochVisitsEveryRecordOnceInAShuffledOrder) {
  auto files = MakeShards(JoinPath(testing::TempDir(), "epochs"), 4, 10);  // 10+11+12+13 = 46
  auto stream = PretrainStream::Open(Options(files, 46), 0);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ((*stream)->records_per_epoch(), 46);
  std::vector<int> first = Ids(*(*stream)->Next()), second = Ids(*(*stream)->Next());
  EXPECT_EQ(std::set<int>(first.begin(), first.end()).size(), 46u);
  EXPECT_EQ(std::set<int>(second.begin(), second.end()).size(), 46u);
  EXPECT_NE(first, second);  // a new order each epoch
  std::vector<int> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(first, sorted);
}

TEST(PretrainStreamTest, GlobalBatchesDoNotDependOnTheWorldSize) {
  auto files = MakeShards(JoinPath(testing::TempDir(), "world"), 3, 9);
  auto single = *PretrainStream::Open(Options(files, 8), 0);
  std::vector<std::unique_ptr<PretrainStream>> ranks;
  for (int r = 0; r < 4; ++r) {
    PretrainStreamOptions o = Options(files, 8);
    o.world_size = 4;
    o.rank = r;
    ranks.push_back(*PretrainStream::Open(o, 0));
  }
  for (int k = 0; k < 10; ++k) {  // crosses epoch boundaries (30 records)
    StreamBatch whole = *single->Next();
    std::vector<int> joined;
    for (auto& rank : ranks) {
      StreamBatch part = *rank->Next();
      EXPECT_EQ(part.index, k);
      EXPECT_EQ(part.examples.size(), 2u);
      for (int id : Ids(part)) joined.push_back(id);
    }
    EXPECT_EQ(joined, Ids(whole)) << "batch " << k;
  }
}

TEST(PretrainStreamTest, RestartAtBatchKContinuesExactly) {
  auto files = MakeShards(JoinPath(testing::TempDir(), "resume"), 2, 13);
  auto a = *PretrainStream::Open(Options(files, 5), 0);
  std::vector<std::vector<int>> run;
  for (int k = 0; k < 12; ++k) run.push_back(Ids(*a->Next()));
  auto b = *PretrainStream::Open(Options(files, 5), 7);
  for (int k = 7; k < 12; ++k) {
    StreamBatch batch = *b->Next();
    EXPECT_EQ(batch.index, k);
    EXPECT_EQ(Ids(batch), run[k]);
  }
}

TEST(PretrainStreamTest, CorruptRecordIsAnErrorNamingFileAndOffsetOrIsSkipped) {
  auto files = MakeShards(JoinPath(testing::TempDir(), "corrupt"), 2, 6);
  std::string data = *ReadFile(files[1]);
  auto offsets = *ScanRecordOffsets(files[1]);
  data[offsets[3] + 14] ^= 0x40;  // inside the payload of record 3
  ASSERT_TRUE(WriteFileAtomically(files[1], data).ok());
  PretrainStreamOptions o = Options(files, 13);  // the whole epoch in one batch
  o.prefetch = 0;
  auto strict = *PretrainStream::Open(o, 0);
  auto batch = strict->Next();
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().message().find(files[1]), std::string::npos);
  EXPECT_NE(batch.status().message().find("byte offset " + std::to_string(offsets[3])),
            std::string::npos)
      << batch.status();
  o.skip_corrupt = true;
  o.global_batch = 12;
  auto lenient = *PretrainStream::Open(o, 0);
  EXPECT_EQ(lenient->records_per_epoch(), 12);
  EXPECT_EQ(lenient->skipped_records(), 1u);
  ASSERT_TRUE(lenient->Next().ok());
}

TEST(PretrainStreamTest, RejectsBadSettings) {
  auto files = MakeShards(JoinPath(testing::TempDir(), "settings"), 1, 4);
  PretrainStreamOptions o = Options(files, 6);
  o.world_size = 4;
  EXPECT_FALSE(PretrainStream::Open(o, 0).ok());  // 6 is not a multiple of 4
  o = Options(files, 4);
  o.max_seq_length = 128;
  o.prefetch = 0;
  auto s = *PretrainStream::Open(o, 0);
  auto b = s->Next();
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("max_seq_length 128"), std::string::npos);
  o.files = {JoinPath(testing::TempDir(), "missing.tfrecord")};
  EXPECT_TRUE(absl::IsNotFound(PretrainStream::Open(o, 0).status()));
}

}  // namespace
}  // namespace electra
