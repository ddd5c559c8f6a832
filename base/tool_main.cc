#include "base/tool_main.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "base/allocator.h"

namespace electra {

std::vector<std::string> ParseToolFlags(int argc, char** argv, const std::string& usage,
                                        bool allow_positional) {
  TuneAllocatorForTensors();
  absl::SetProgramUsageMessage(usage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> positional(rest.begin() + 1, rest.end());
  if (!allow_positional && !positional.empty()) {
    std::fprintf(stderr, "%s: error: unexpected argument '%s' (flags are --name=value; see --help)\n",
                 argv[0], positional[0].c_str());
    std::exit(1);
  }
  return positional;
}

int RunTool(const std::string& tool, const std::function<absl::Status()>& body) {
  absl::Status status;
  try {
    status = body();
  } catch (const std::exception& e) {
    status = absl::InternalError(e.what());
  }
  if (absl::IsCancelled(status)) {  // stopped on request (a signal), cleanly
    std::fprintf(stderr, "%s: %s\n", tool.c_str(), std::string(status.message()).c_str());
    return 130;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s: error: %s\n", tool.c_str(), std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}

absl::Status FlagError(const std::string& flag, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", message));
}

}  // namespace electra
