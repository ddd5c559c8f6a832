#!/usr/bin/env bash
# ParseToolFlags runs an OpenMP tool again with OMP_WAIT_POLICY=PASSIVE when its --threads is not 1
# (idle spinning OpenMP workers halved the speed beside OpenBLAS's threads), with the same
# arguments; never with --threads=1, and never over a policy the environment sets.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
PROBE=$(bin base/omp_wait_probe)
out() { env -u OMP_WAIT_POLICY "$@"; }
expect_eq "--threads=2: PASSIVE, the arguments kept" "$(out "$PROBE" --threads=2 --name='a b')" \
  "OMP_WAIT_POLICY=PASSIVE max_threads=$(out "$PROBE" --threads=2 | sed 's/.*max_threads=\([0-9]*\).*/\1/') threads=2 name=a b"
expect_eq "--threads=0 (the default count): PASSIVE" "$(out "$PROBE" | cut -d' ' -f1)" "OMP_WAIT_POLICY=PASSIVE"
expect_eq "--threads=1: unchanged" "$(out "$PROBE" --threads=1 | cut -d' ' -f1)" "OMP_WAIT_POLICY=(unset)"
expect_eq "a policy the environment sets is kept" "$(OMP_WAIT_POLICY=active "$PROBE" --threads=2 | cut -d' ' -f1)" \
  "OMP_WAIT_POLICY=active"
expect_error "a bad flag is still named (before any re-run)" "Unknown command line flag 'thread'" "$PROBE" --thread=2
finish
