// Kernel self-tests, selected with `test=` on the command line (`test=all` runs every test that
// is expected to return; the crash tests run only when named, and end the machine on purpose).
#pragma once

#include "kernel/boot/cmdline.h"

namespace kernel::tests {

// Runs the selected tests, printing one line per test and a summary. Returns true when every
// selected test passed. Unknown test names count as failures (a typo must not look like a pass).
bool run_selftests(const boot::CommandLine&);

} // namespace kernel::tests
