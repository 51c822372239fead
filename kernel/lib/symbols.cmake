# Embedded kernel symbol table (blob written by kernel/tools/gen_symbols.py): a pure unit, built
# into the kernel and unit-tested on the host.
list(APPEND BULWARK_KERNEL_SOURCES kernel/lib/symbols.cpp)
bulwark_unit_test(symbols_test SOURCES kernel/lib/symbols.cpp kernel/lib/symbols_test.cpp)
