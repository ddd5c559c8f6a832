#include "base/tool_main.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "absl/flags/reflection.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "base/allocator.h"

namespace electra {
namespace {

// With more than one intra-op thread, libgomp's idle workers spin by default (OMP_WAIT_POLICY
// active), and beside OpenBLAS's own worker threads they take the cores the matrix products need:
// two threads then ran at half the speed of one (docs/benchmarks.md). libgomp reads the policy
// once, when it is loaded, so a tool with OpenMP whose --threads is not 1 and whose environment
// does not set OMP_WAIT_POLICY runs itself again, the same arguments and environment but for
// OMP_WAIT_POLICY=PASSIVE. Setting OMP_WAIT_POLICY (to anything) keeps the user's choice.
void UsePassiveOmpWaitForThreads(const std::vector<std::string>& original_args) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag("threads");
  if (flag == nullptr || flag->CurrentValue() == "1" || std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (dlsym(RTLD_DEFAULT, "omp_get_max_threads") == nullptr) return;  // no OpenMP in this binary
  std::vector<char*> args;
  for (const std::string& a : original_args) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", args.data());
  unsetenv("OMP_WAIT_POLICY");  // only reached when the exec failed: carry on with the default policy
}

}  // namespace

std::vector<std::string> ParseToolFlags(int argc, char** argv, const std::string& usage,
                                        bool allow_positional) {
  TuneAllocatorForTensors();
  absl::SetProgramUsageMessage(usage);
  const std::vector<std::string> original_args(argv, argv + argc);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  UsePassiveOmpWaitForThreads(original_args);
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
