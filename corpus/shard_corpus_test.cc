#include "corpus/shard_corpus.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "corpus/pretraining_example.h"
#include "corpus/record_io.h"
#include "gtest/gtest.h"
#include "tokenizer/bert_tokenizer.h"

namespace electra {
namespace {

const char kVocab[] = "data/vocab/bert-base-uncased-vocab.txt";

std::string Dir(const std::string& name) { return JoinPath(testing::TempDir(), name); }

std::vector<std::string> Books() {
  return *ExpandFileList("data/corpus/gutenberg/Alice*.txt,data/corpus/gutenberg/Frank*.txt,"
                         "data/corpus/gutenberg/The-Adventures-of-Tom*.txt");
}

ShardCorpusOptions Options(const std::string& out) {
  ShardCorpusOptions o;
  o.inputs = Books();
  o.vocab_path = kVocab;
  o.output_dir = out;
  o.num_shards = 3;
  o.show_progress = false;
  return o;
}

std::vector<PretrainingExample> ReadExamples(const std::string& dir) {
  std::vector<PretrainingExample> all;
  std::vector<std::string> names = *ListDirectory(dir);
  for (const auto& name : names) {
    if (name.rfind("pretrain_data.tfrecord-", 0) != 0) continue;
    auto reader = RecordReader::Open(JoinPath(dir, name));
    std::string payload;
    while (*(*reader)->Next(&payload)) all.push_back(*ParseExample(payload, name));
  }
  return all;
}

TEST(ShardCorpusTest, ByteIdenticalWhateverTheThreadCount) {
  ShardCorpusOptions one = Options(Dir("t1")), two = Options(Dir("t3"));
  two.threads = 3;
  auto a = RunShardCorpus(one);
  auto b = RunShardCorpus(two);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  for (int s = 0; s < 3; ++s) {
    std::string name = ShardFileName(s, 3);
    EXPECT_EQ(*ReadFile(JoinPath(one.output_dir, name)), *ReadFile(JoinPath(two.output_dir, name)));
  }
  EXPECT_EQ(a->examples(), b->examples());
}

TEST(ShardCorpusTest, SpecRecordsCountsAndSettings) {
  ShardCorpusOptions o = Options(Dir("spec"));
  auto spec = RunShardCorpus(o);
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto read = ReadShardSpec(JoinPath(o.output_dir, SpecFileName(0, 1)));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->examples(), spec->examples());
  EXPECT_EQ(read->vocab_fingerprint(), Vocab::Load(kVocab)->Fingerprint());
  EXPECT_EQ(read->max_seq_length(), 128u);
  uint64_t records = 0;
  for (const auto& shard : read->shards()) records += shard.records();
  EXPECT_EQ(records, read->examples());
  std::vector<PretrainingExample> examples = ReadExamples(o.output_dir);
  EXPECT_EQ(examples.size(), read->examples());
  uint64_t tokens = 0;
  for (const auto& e : examples) {
    ASSERT_EQ(e.input_ids.size(), 128u);
    EXPECT_EQ(e.input_ids[0], 101);  // [CLS]
    EXPECT_EQ(e.input_ids[e.length() - 1], 102);  // [SEP]
    tokens += e.length();
  }
  EXPECT_EQ(tokens, read->tokens());
  EXPECT_GT(read->documents(), 100u);
}

TEST(ShardCorpusTest, RoundTripKeepsEveryTokenInOrderWhenNothingIsCut) {
  // Short lines, no truncation possible: the examples' tokens (without [CLS]/[SEP]) are the
  // corpus's tokens in order.
  std::string text;
  for (int d = 0; d < 30; ++d) {
    for (int s = 0; s < 1 + d % 4; ++s) text += absl::StrCat("document ", d, " sentence ", s, " words.\n");
    text += "\n";
  }
  std::string in = Dir("small.txt");
  ASSERT_TRUE(WriteFileAtomically(in, text).ok());
  ShardCorpusOptions o = Options(Dir("roundtrip"));
  o.inputs = {in};
  o.num_shards = 1;
  auto spec = RunShardCorpus(o);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->documents(), 30u);
  auto tokenizer = *BertTokenizer::FromFile(kVocab, {});
  std::vector<int32_t> expected = tokenizer->Tokenize(text);
  std::vector<int32_t> got;
  for (const auto& e : ReadExamples(o.output_dir)) {
    for (int i = 0; i < e.length(); ++i) {
      if (e.input_ids[i] != 101 && e.input_ids[i] != 102) got.push_back(e.input_ids[i]);
    }
  }
  EXPECT_EQ(got, expected);
}

TEST(ShardCorpusTest, CrlfAndByteOrderMarkGiveTheSameExamples) {
  std::string lf = "One line here.\nAnother line.\n\nSecond document.\n";
  std::string crlf = "\xEF\xBB\xBFOne line here.\r\nAnother line.\r\n\r\nSecond document.\r\n";
  ASSERT_TRUE(WriteFileAtomically(Dir("lf.txt"), lf).ok());
  ASSERT_TRUE(WriteFileAtomically(Dir("crlf.txt"), crlf).ok());
  ShardCorpusOptions a = Options(Dir("lf")), b = Options(Dir("crlf"));
  a.inputs = {Dir("lf.txt")};
  b.inputs = {Dir("crlf.txt")};
  a.num_shards = b.num_shards = 1;
  a.seed = b.seed = 3;
  ASSERT_TRUE(RunShardCorpus(a).ok());
  ASSERT_TRUE(RunShardCorpus(b).ok());
  auto ea = ReadExamples(a.output_dir), eb = ReadExamples(b.output_dir);
  EXPECT_EQ(ea.size(), 2u);
  // Randomness is keyed by file name, which differs; the segmentation here leaves no choice.
  EXPECT_EQ(ea, eb);
}

TEST(ShardCorpusTest, JobsTogetherProduceTheSameExamplesAsOneJob) {
  ShardCorpusOptions one = Options(Dir("jobs1"));
  ASSERT_TRUE(RunShardCorpus(one).ok());
  std::string multi = Dir("jobs3");
  for (int j = 0; j < 3; ++j) {
    ShardCorpusOptions o = Options(multi);
    o.num_jobs = 3;
    o.job_index = j;
    o.num_shards = 2;
    auto spec = RunShardCorpus(o);
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_EQ(spec->inputs_size(), 1);
  }
  EXPECT_TRUE(PathExists(JoinPath(multi, ShardFileName(5, 6))));
  EXPECT_TRUE(PathExists(JoinPath(multi, SpecFileName(2, 3))));
  auto a = ReadExamples(one.output_dir), b = ReadExamples(multi);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b);
}

TEST(ShardCorpusTest, RefusesExistingShardsUnlessOverwrite) {
  ShardCorpusOptions o = Options(Dir("exists"));
  o.inputs = {Books()[0]};
  ASSERT_TRUE(RunShardCorpus(o).ok());
  std::string before = *ReadFile(JoinPath(o.output_dir, ShardFileName(0, 3)));
  auto again = RunShardCorpus(o);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(absl::IsAlreadyExists(again.status()));
  EXPECT_NE(again.status().message().find("--overwrite"), std::string::npos);
  EXPECT_EQ(*ReadFile(JoinPath(o.output_dir, ShardFileName(0, 3))), before);
  o.overwrite = true;
  o.num_shards = 2;
  ASSERT_TRUE(RunShardCorpus(o).ok());
  EXPECT_FALSE(PathExists(JoinPath(o.output_dir, ShardFileName(0, 3))));  // old set removed
  EXPECT_TRUE(PathExists(JoinPath(o.output_dir, ShardFileName(0, 2))));
}

TEST(ShardCorpusTest, BadInputsFailWithoutLeavingShards) {
  std::string empty = Dir("empty_input.txt"), latin = Dir("latin1.txt"), novocab = Dir("nocls.txt");
  ASSERT_TRUE(WriteFileAtomically(empty, "").ok());
  ASSERT_TRUE(WriteFileAtomically(latin, "caf\xe9 au lait\n").ok());
  ASSERT_TRUE(WriteFileAtomically(novocab, "[PAD]\n[UNK]\nhello\n").ok());
  struct Case {
    std::string name;
    std::function<void(ShardCorpusOptions*)> change;
    std::string message;
  } cases[] = {
      {"empty", [&](ShardCorpusOptions* o) { o->inputs = {empty}; }, "empty_input.txt: input file is empty"},
      {"latin1", [&](ShardCorpusOptions* o) { o->inputs = {latin}; },
       "latin1.txt: not UTF-8 text (invalid byte 0xe9 at byte offset 3)"},
      {"vocab", [&](ShardCorpusOptions* o) { o->vocab_path = novocab; }, "lacks [CLS] or [SEP]"},
      {"missing vocab", [&](ShardCorpusOptions* o) { o->vocab_path = Dir("none.txt"); }, "none.txt"},
  };
  for (const auto& c : cases) {
    ShardCorpusOptions o = Options(Dir("bad_" + std::to_string(&c - cases)));
    c.change(&o);
    auto r = RunShardCorpus(o);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << c.name << ": " << r.status();
    if (IsDirectory(o.output_dir)) {
      std::vector<std::string> left = *ListDirectory(o.output_dir);
      for (const auto& n : left) ADD_FAILURE() << c.name << " left " << n;
    }
  }
}

}  // namespace
}  // namespace electra
