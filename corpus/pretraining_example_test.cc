#include "corpus/pretraining_example.h"

#include "corpus/example.pb.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

PretrainingExample Sample() {
  PretrainingExample e;
  e.input_ids = {101, 7592, 1010, 102, 2088, 30000, 102, 0, 0};
  e.input_mask = {1, 1, 1, 1, 1, 1, 1, 0, 0};
  e.segment_ids = {0, 0, 0, 0, 1, 1, 1, 0, 0};
  return e;
}

TEST(PretrainingExampleTest, HandWrittenEncodingEqualsProtobuf) {
  EXPECT_EQ(SerializeExample(Sample()), SerializeExampleWithProtobuf(Sample()));
  PretrainingExample big;
  for (int i = 0; i < 512; ++i) {
    big.input_ids.push_back(i * 977 % 200000);
    big.input_mask.push_back(1);
    big.segment_ids.push_back(i > 300);
  }
  EXPECT_EQ(SerializeExample(big), SerializeExampleWithProtobuf(big));
}

TEST(PretrainingExampleTest, RoundTrip) {
  auto parsed = ParseExample(SerializeExample(Sample()), "test");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, Sample());
  EXPECT_EQ(parsed->length(), 7);
}

TEST(PretrainingExampleTest, ReadsUnpackedEncodingToo) {
  // TensorFlow writers may emit unpacked repeated fields; proto parsers accept both.
  tf::Example proto;
  auto& f = *proto.mutable_features()->mutable_feature();
  for (const char* name : {"input_ids", "input_mask", "segment_ids"}) {
    f[name].mutable_int64_list()->add_value(1);
    f[name].mutable_int64_list()->add_value(0);
  }
  auto parsed = ParseExample(proto.SerializeAsString(), "test");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->input_ids, (std::vector<int32_t>{1, 0}));
}

TEST(PretrainingExampleTest, MalformedExamplesNameTheProblem) {
  auto garbage = ParseExample("\xff\xff\xff", "f.tfrecord: record at byte offset 7");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(), "f.tfrecord: record at byte offset 7: not a tf.train.Example");

  tf::Example missing;
  (*missing.mutable_features()->mutable_feature())["input_ids"].mutable_int64_list()->add_value(1);
  auto m = ParseExample(missing.SerializeAsString(), "x");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("no 'input_mask' feature"), std::string::npos);

  tf::Example wrong_type = missing;
  (*wrong_type.mutable_features()->mutable_feature())["input_mask"].mutable_float_list()->add_value(1);
  auto w = ParseExample(wrong_type.SerializeAsString(), "x");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("'input_mask' is not an int64 list"), std::string::npos);

  PretrainingExample uneven = Sample();
  uneven.segment_ids.pop_back();
  auto u = ParseExample(SerializeExample(uneven), "x");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("'segment_ids' has 8 values but input_ids has 9"), std::string::npos);
}

}  // namespace
}  // namespace electra
