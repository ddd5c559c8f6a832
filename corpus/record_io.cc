#include "corpus/record_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/crc32c.h"

namespace electra {
namespace {

constexpr size_t kWriteBuffer = 1 << 20;

uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian host (x86-64, aarch64)
}

uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void PutFixed64(uint64_t v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 8); }
void PutFixed32(uint32_t v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

void AppendRecord(absl::string_view payload, std::string* out) {
  uint64_t length = payload.size();
  char header[8];
  std::memcpy(header, &length, 8);
  PutFixed64(length, out);
  PutFixed32(crc32c::Mask(crc32c::Value(header, 8)), out);
  out->append(payload.data(), payload.size());
  PutFixed32(crc32c::Mask(crc32c::Value(payload.data(), payload.size())), out);
}

void FrameRecordInPlace(char* record, uint64_t length) {
  std::memcpy(record, &length, 8);
  uint32_t header_crc = crc32c::Mask(crc32c::Value(record, 8));
  std::memcpy(record + 8, &header_crc, 4);
  uint32_t data_crc = crc32c::Mask(crc32c::Value(record + kRecordHeaderBytes, length));
  std::memcpy(record + kRecordHeaderBytes + length, &data_crc, 4);
}

absl::StatusOr<std::unique_ptr<RecordWriter>> RecordWriter::Create(const std::string& path) {
  absl::StatusOr<AtomicFile> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<RecordWriter>(new RecordWriter(*std::move(file)));
}

absl::Status RecordWriter::Write(absl::string_view payload) {
  AppendRecord(payload, &buffer_);
  ++records_;
  if (buffer_.size() >= kWriteBuffer) return Flush();
  return absl::OkStatus();
}

absl::Status RecordWriter::WriteFramed(absl::string_view framed_records, uint64_t count) {
  buffer_.append(framed_records.data(), framed_records.size());
  records_ += count;
  if (buffer_.size() >= kWriteBuffer) return Flush();
  return absl::OkStatus();
}

absl::Status RecordWriter::Flush() {
  absl::Status s = file_.Append(buffer_);
  buffer_.clear();
  return s;
}

absl::Status RecordWriter::Close() {
  absl::Status s = Flush();
  if (!s.ok()) return s;
  return file_.Commit();
}

absl::StatusOr<std::unique_ptr<RecordAppender>> RecordAppender::Open(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat("cannot open ", path, " for appending: ", std::strerror(errno)));
  }
  return std::unique_ptr<RecordAppender>(new RecordAppender(path, fd));
}

RecordAppender::~RecordAppender() { close(fd_); }

absl::Status RecordAppender::Write(absl::string_view payload) {
  std::string framed;
  AppendRecord(payload, &framed);
  size_t done = 0;
  while (done < framed.size()) {
    ssize_t n = write(fd_, framed.data() + done, framed.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::ResourceExhaustedError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RecordReader>> RecordReader::Open(const std::string& path,
                                                                 RecordReaderOptions options) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string message = absl::StrCat("cannot open ", path, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message) : absl::PermissionDeniedError(message);
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  return std::unique_ptr<RecordReader>(
      new RecordReader(path, fd, static_cast<uint64_t>(st.st_size), options));
}

RecordReader::~RecordReader() { close(fd_); }

bool RecordReader::ReadBytes(uint64_t offset, size_t n, char* out) const {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

absl::Status RecordReader::Check(uint64_t offset, std::string* payload, bool* truncated) const {
  *truncated = false;
  char header[kRecordHeaderBytes];
  if (offset + kRecordHeaderBytes > size_) {
    *truncated = true;
    return absl::DataLossError(absl::StrFormat(
        "truncated record at byte offset %d of %s: the file ends %d bytes into a %d-byte header",
        offset, path_, size_ - offset, kRecordHeaderBytes));
  }
  if (!ReadBytes(offset, kRecordHeaderBytes, header)) {
    return absl::DataLossError(absl::StrFormat("cannot read %s at byte offset %d", path_, offset));
  }
  if (crc32c::Unmask(DecodeFixed32(header + 8)) != crc32c::Value(header, 8)) {
    return absl::DataLossError(absl::StrFormat(
        "corrupt record at byte offset %d of %s: length checksum mismatch", offset, path_));
  }
  uint64_t length = DecodeFixed64(header);
  uint64_t end = offset + kRecordHeaderBytes + length + kRecordFooterBytes;
  if (length > size_ || end > size_) {
    *truncated = true;
    return absl::DataLossError(absl::StrFormat(
        "truncated record at byte offset %d of %s: its header promises %d payload bytes but the "
        "file ends %d bytes later",
        offset, path_, length, size_ - offset - kRecordHeaderBytes));
  }
  payload->resize(length + kRecordFooterBytes);
  if (!ReadBytes(offset + kRecordHeaderBytes, length + kRecordFooterBytes, payload->data())) {
    return absl::DataLossError(absl::StrFormat("cannot read %s at byte offset %d", path_, offset));
  }
  uint32_t expected = crc32c::Unmask(DecodeFixed32(payload->data() + length));
  payload->resize(length);
  if (crc32c::Value(payload->data(), length) != expected) {
    return absl::DataLossError(absl::StrFormat(
        "corrupt record at byte offset %d of %s: data checksum mismatch (%d-byte payload)", offset,
        path_, length));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RecordReader::Next(std::string* payload, uint64_t* offset) {
  while (position_ < size_) {
    bool truncated;
    absl::Status s = Check(position_, payload, &truncated);
    if (s.ok()) {
      if (offset != nullptr) *offset = position_;
      position_ += kRecordHeaderBytes + payload->size() + kRecordFooterBytes;
      return true;
    }
    if (!options_.skip_corrupt) return s;
    if (truncated) {
      truncated_tail_ = true;
      ++skipped_records_;
      skipped_bytes_ += size_ - position_;
      position_ = size_;
      return false;
    }
    // Resynchronise: the next offset where a complete, valid record starts.
    uint64_t start = position_;
    uint64_t next = position_ + 1;
    for (; next < size_; ++next) {
      bool t;
      if (Check(next, payload, &t).ok()) break;
    }
    ++skipped_records_;
    skipped_bytes_ += next - start;
    position_ = next;
  }
  return false;
}

absl::Status RecordReader::ReadAt(uint64_t offset, std::string* payload) const {
  bool truncated;
  return Check(offset, payload, &truncated);
}

absl::StatusOr<std::vector<uint64_t>> ScanRecordOffsets(const std::string& path) {
  absl::StatusOr<std::unique_ptr<RecordReader>> reader = RecordReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::vector<uint64_t> offsets;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError("cannot open " + path);
  uint64_t size = (*reader)->file_size();
  uint64_t pos = 0;
  char header[kRecordHeaderBytes];
  absl::Status status;
  while (pos < size) {
    if (pos + kRecordHeaderBytes > size || pread(fd, header, kRecordHeaderBytes, pos) != kRecordHeaderBytes) {
      status = absl::DataLossError(absl::StrFormat(
          "truncated record at byte offset %d of %s: the file ends inside a record header", pos, path));
      break;
    }
    if (crc32c::Unmask(DecodeFixed32(header + 8)) != crc32c::Value(header, 8)) {
      status = absl::DataLossError(absl::StrFormat(
          "corrupt record at byte offset %d of %s: length checksum mismatch", pos, path));
      break;
    }
    uint64_t length = DecodeFixed64(header);
    uint64_t end = pos + kRecordHeaderBytes + length + kRecordFooterBytes;
    if (length > size || end > size) {
      status = absl::DataLossError(absl::StrFormat(
          "truncated record at byte offset %d of %s: its header promises %d payload bytes but the "
          "file ends %d bytes later",
          pos, path, length, size - pos - kRecordHeaderBytes));
      break;
    }
    offsets.push_back(pos);
    pos = end;
  }
  close(fd);
  if (!status.ok()) return status;
  return offsets;
}

}  // namespace electra
