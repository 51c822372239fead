# kernel/lib: logging, panic, the C/C++ runtime pieces a freestanding kernel needs, symbols.
list(APPEND BULWARK_KERNEL_SOURCES
  kernel/lib/log.cpp
  kernel/lib/panic.cpp
  kernel/lib/runtime.cpp
)
include(kernel/lib/symbols.cmake)
