// A minimal ZIP archive writer (stored entries, no compression): enough for the GLUE server's
// submission.zip, readable by every unzip. CRC-32 here is the IEEE polynomial ZIP uses.
#ifndef ELECTRA_GLUE_ZIP_WRITER_H_
#define ELECTRA_GLUE_ZIP_WRITER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace electra {

uint32_t Crc32Ieee(const std::string& data);

// Writes `path` (atomically) holding the given (name, contents) files at the archive's root.
absl::Status WriteZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace electra

#endif  // ELECTRA_GLUE_ZIP_WRITER_H_
