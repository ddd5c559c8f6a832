// TFRecord files: a sequence of records framed as
//   uint64 length (little-endian) | uint32 masked_crc32c(length bytes) |
//   payload[length]              | uint32 masked_crc32c(payload)
// (docs/record_format.md). Readable by TensorFlow's TFRecordDataset and any TFRecord reader.
#ifndef ELECTRA_CORPUS_RECORD_IO_H_
#define ELECTRA_CORPUS_RECORD_IO_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/file_util.h"

namespace electra {

constexpr size_t kRecordHeaderBytes = 12;
constexpr size_t kRecordFooterBytes = 4;

// Appends the framing of `payload` to `out`.
void AppendRecord(absl::string_view payload, std::string* out);
// Fills in the header and footer around a payload of `length` bytes already placed at
// record + kRecordHeaderBytes.
void FrameRecordInPlace(char* record, uint64_t length);

// Writes records to `path` through a temporary file; Close() makes the file appear complete
// under its name. Destroying an unclosed writer leaves nothing behind.
class RecordWriter {
 public:
  static absl::StatusOr<std::unique_ptr<RecordWriter>> Create(const std::string& path);
  absl::Status Write(absl::string_view payload);
  // Writes `count` consecutive records that AppendRecord() already framed (lets callers
  // frame in parallel).
  absl::Status WriteFramed(absl::string_view framed_records, uint64_t count);
  absl::Status Close();
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return file_.size() + buffer_.size(); }
  const std::string& path() const { return file_.path(); }

 private:
  explicit RecordWriter(AtomicFile file) : file_(std::move(file)) {}
  absl::Status Flush();

  AtomicFile file_;
  std::string buffer_;
  uint64_t records_ = 0;
};

// Appends records to a log file that grows while it is read (TensorBoard event files): each
// record is written whole and flushed.
class RecordAppender {
 public:
  static absl::StatusOr<std::unique_ptr<RecordAppender>> Open(const std::string& path);
  ~RecordAppender();
  absl::Status Write(absl::string_view payload);
  const std::string& path() const { return path_; }

 private:
  RecordAppender(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

struct RecordReaderOptions {
  // Skip corrupt records (resynchronising at the next valid record) and count them instead of
  // failing. A truncated final record is then counted and ends the file.
  bool skip_corrupt = false;
};

// Reads records in order, verifying both CRCs. Errors are DataLoss and name the file and the
// byte offset: "corrupt record ..." or "truncated record ...".
class RecordReader {
 public:
  static absl::StatusOr<std::unique_ptr<RecordReader>> Open(const std::string& path,
                                                            RecordReaderOptions options = {});
  ~RecordReader();

  // Reads the next record into `payload` (and its byte offset). Returns false at the end of the
  // file; an error status on corruption (unless skipping).
  absl::StatusOr<bool> Next(std::string* payload, uint64_t* offset = nullptr);

  // Reads the record that starts at `offset` (random access; thread-safe).
  absl::Status ReadAt(uint64_t offset, std::string* payload) const;

  const std::string& path() const { return path_; }
  uint64_t file_size() const { return size_; }
  uint64_t skipped_records() const { return skipped_records_; }
  uint64_t skipped_bytes() const { return skipped_bytes_; }
  bool truncated_tail() const { return truncated_tail_; }

 private:
  RecordReader(std::string path, int fd, uint64_t size, RecordReaderOptions options)
      : path_(std::move(path)), fd_(fd), size_(size), options_(options) {}

  // Checks the record at `offset`: OK with its payload size, or an error that says what is
  // wrong. `truncated` is set when the file ends inside the record.
  absl::Status Check(uint64_t offset, std::string* payload, bool* truncated) const;
  bool ReadBytes(uint64_t offset, size_t n, char* out) const;

  std::string path_;
  int fd_;
  uint64_t size_;
  RecordReaderOptions options_;
  uint64_t position_ = 0;
  uint64_t skipped_records_ = 0;
  uint64_t skipped_bytes_ = 0;
  bool truncated_tail_ = false;
};

// Byte offsets of every record of `path` (headers only, payload CRCs not checked), for random
// access. Errors as RecordReader's.
absl::StatusOr<std::vector<uint64_t>> ScanRecordOffsets(const std::string& path);

}  // namespace electra

#endif  // ELECTRA_CORPUS_RECORD_IO_H_
