// Test helper for ParseToolFlags's OpenMP wait policy: a tool with a --threads flag and OpenMP
// that prints the OMP_WAIT_POLICY it runs under, the threads OpenMP gives it, and its arguments.
#include <omp.h>

#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "base/tool_main.h"

ABSL_FLAG(int, threads, 0, "Intra-op threads (0: the default).");
ABSL_FLAG(std::string, name, "", "Printed back.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "omp_wait_probe [--threads=N] [--name=S]");
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("OMP_WAIT_POLICY=%s max_threads=%d threads=%d name=%s\n", policy ? policy : "(unset)",
              omp_get_max_threads(), absl::GetFlag(FLAGS_threads), absl::GetFlag(FLAGS_name).c_str());
  return 0;
}
