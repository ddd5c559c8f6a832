// The shared shape of every binary's main(): usage text, flag parsing (unknown flags and
// stray positional arguments are errors that name them), and one Status-returning call whose
// error is printed as `<tool>: error: <message>` with exit code 1.
#ifndef ELECTRA_BASE_TOOL_MAIN_H_
#define ELECTRA_BASE_TOOL_MAIN_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace electra {

// Tunes the allocator for tensor work (base/allocator.h), then parses flags; returns the positional arguments (argv[0] excluded).
// A tool with OpenMP whose --threads is not 1 runs itself again with OMP_WAIT_POLICY=PASSIVE unless
// the environment sets OMP_WAIT_POLICY (idle spinning workers halve the speed beside OpenBLAS's
// threads; the .cc says why). Exits with status 1 and
// a message naming the flag on unknown flags or bad values; exits 1 on positional arguments
// when `allow_positional` is false.
std::vector<std::string> ParseToolFlags(int argc, char** argv, const std::string& usage,
                                        bool allow_positional = false);

// Runs `body`, prints its error (or a caught exception) and returns the process exit code: 0,
// 1 on an error, 130 when the work was cancelled on request (a signal) after saving its state.
int RunTool(const std::string& tool, const std::function<absl::Status()>& body);

// An InvalidArgument error naming the flag: "--<flag>: <message>".
absl::Status FlagError(const std::string& flag, const std::string& message);

}  // namespace electra

#endif  // ELECTRA_BASE_TOOL_MAIN_H_
