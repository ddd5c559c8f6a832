#include "corpus/record_io.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "corpus/crc32c.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

std::string Path(const std::string& name) { return JoinPath(testing::TempDir(), name); }

std::vector<std::string> Payloads() {
  return {"first", "", std::string(1000, 'x'), "fourth record", "last"};
}

std::string WriteRecords(const std::string& name) {
  std::string path = Path(name);
  auto w = RecordWriter::Create(path);
  EXPECT_TRUE(w.ok());
  for (const auto& p : Payloads()) EXPECT_TRUE((*w)->Write(p).ok());
  EXPECT_TRUE((*w)->Close().ok());
  return path;
}

absl::StatusOr<std::vector<std::string>> ReadAll(const std::string& path, bool skip = false,
                                                 RecordReader** keep = nullptr) {
  RecordReaderOptions o;
  o.skip_corrupt = skip;
  auto r = RecordReader::Open(path, o);
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  std::string payload;
  while (true) {
    auto more = (*r)->Next(&payload);
    if (!more.ok()) return more.status();
    if (!*more) break;
    out.push_back(payload);
  }
  return out;
}

TEST(RecordIoTest, RoundTrip) {
  std::string path = WriteRecords("round.tfrecord");
  auto records = ReadAll(path);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(*records, Payloads());
  auto offsets = ScanRecordOffsets(path);
  ASSERT_TRUE(offsets.ok());
  ASSERT_EQ(offsets->size(), 5u);
  auto reader = RecordReader::Open(path);
  std::string payload;
  ASSERT_TRUE((*reader)->ReadAt((*offsets)[3], &payload).ok());
  EXPECT_EQ(payload, "fourth record");
}

TEST(RecordIoTest, FramingMatchesTfRecord) {
  // uint64 length, masked crc of it, payload, masked crc of payload.
  std::string framed;
  AppendRecord("abc", &framed);
  ASSERT_EQ(framed.size(), 8u + 4 + 3 + 4);
  EXPECT_EQ(framed.substr(0, 8), std::string("\x03\0\0\0\0\0\0\0", 8));
  uint32_t data_crc;
  memcpy(&data_crc, framed.data() + 15, 4);
  EXPECT_EQ(data_crc, crc32c::Mask(crc32c::Value("abc", 3)));
}

TEST(RecordIoTest, UnclosedWriterLeavesNoFile) {
  std::string path = Path("unclosed.tfrecord");
  {
    auto w = RecordWriter::Create(path);
    ASSERT_TRUE((*w)->Write("x").ok());
  }
  EXPECT_FALSE(PathExists(path));
}

TEST(RecordIoTest, EveryFlippedByteIsDetectedWithItsOffset) {
  std::string path = WriteRecords("flip.tfrecord");
  std::string original = *ReadFile(path);
  for (size_t i = 0; i < original.size(); i += (i < 40 ? 1 : 97)) {
    std::string damaged = original;
    damaged[i] ^= 0x20;
    std::string bad = Path("flipped.tfrecord");
    ASSERT_TRUE(WriteFileAtomically(bad, damaged).ok());
    auto records = ReadAll(bad);
    ASSERT_FALSE(records.ok()) << "flip at " << i << " went unnoticed";
    EXPECT_EQ(records.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(records.status().message().find("flipped.tfrecord"), std::string::npos);
    EXPECT_NE(records.status().message().find("byte offset"), std::string::npos);
  }
}

TEST(RecordIoTest, TruncatedTailIsReportedAsTruncation) {
  std::string path = WriteRecords("trunc.tfrecord");
  std::string original = *ReadFile(path);
  auto offsets = *ScanRecordOffsets(path);
  for (size_t cut : {original.size() - 1, original.size() - 4, static_cast<size_t>(offsets[4] + 5)}) {
    std::string bad = Path("cut.tfrecord");
    ASSERT_TRUE(WriteFileAtomically(bad, original.substr(0, cut)).ok());
    auto records = ReadAll(bad);
    ASSERT_FALSE(records.ok());
    EXPECT_NE(records.status().message().find(absl::StrCat("truncated record at byte offset ", offsets[4])),
              std::string::npos)
        << records.status();
  }
}

TEST(RecordIoTest, SkipModeCountsCorruptRecordsAndResynchronises) {
  std::string path = WriteRecords("skip.tfrecord");
  std::string data = *ReadFile(path);
  auto offsets = *ScanRecordOffsets(path);
  data[offsets[2] + 20] ^= 1;  // inside the 1000-byte payload of record 2
  std::string bad = Path("skip_bad.tfrecord");
  ASSERT_TRUE(WriteFileAtomically(bad, data.substr(0, data.size() - 2)).ok());  // and cut the tail
  RecordReaderOptions o;
  o.skip_corrupt = true;
  auto r = RecordReader::Open(bad, o);
  std::vector<std::string> got;
  std::string payload;
  while (*(*r)->Next(&payload)) got.push_back(payload);
  EXPECT_EQ(got, (std::vector<std::string>{"first", "", "fourth record"}));
  EXPECT_EQ((*r)->skipped_records(), 2u);
  EXPECT_TRUE((*r)->truncated_tail());
}

TEST(RecordIoTest, MissingFileIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(RecordReader::Open(Path("none.tfrecord")).status()));
}

}  // namespace
}  // namespace electra
