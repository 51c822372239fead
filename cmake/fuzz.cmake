# Fuzz targets (DESIGN.md "Fuzzing: fuzz/"): each parser and state machine that meets untrusted
# input, compiled again from the same sources with fuzzing flags, around a libFuzzer entry point
# fuzz/<path>/<unit>_fuzz.cpp whose oracle checks the spec, not only "no crash".
#
# Included by the top-level CMakeLists.txt (engine `libfuzzer`: build/fuzz/<name>, and the ctest
# tier `fuzz`) and by fuzz/CMakeLists.txt, a standalone project for the other engines, which
# tools/fuzz.py and fuzz/build.sh configure:
#   afl       afl-clang-fast++, AFL++'s libFuzzer driver (build/fuzz-afl/fuzz/<name>)
#   coverage  clang source-based coverage, replaying the corpus (build/fuzz-coverage/fuzz/<name>)
#   ossfuzz   OSS-Fuzz/ClusterFuzzLite: $CXX and $CXXFLAGS as given, linked with $LIB_FUZZING_ENGINE
# Adding a target is one line at the end of this file; tools/fuzz.py, fuzz/build.sh and ctest
# pick it up from build/fuzz/targets.tsv.

set(BULWARK_FUZZ_ENGINE libfuzzer CACHE STRING "Fuzz engine flavour: libfuzzer, afl, coverage or ossfuzz")
set(BULWARK_FUZZ_SMOKE_SECONDS 10 CACHE STRING "Seconds of fuzzing in each fuzz_run_<name> ctest")
get_filename_component(BULWARK_FUZZ_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(BULWARK_FUZZ_OUT ${CMAKE_BINARY_DIR}/fuzz)
set(BULWARK_FUZZ_MANIFEST ${BULWARK_FUZZ_OUT}/targets.tsv)
file(WRITE ${BULWARK_FUZZ_MANIFEST} "# name\tbinary\tharness\tsources under test (;-separated, relative to the repository)\n")
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_library(bulwark_fuzz_flags INTERFACE)
target_compile_definitions(bulwark_fuzz_flags INTERFACE BULWARK_FUZZING=1)
target_include_directories(bulwark_fuzz_flags INTERFACE ${BULWARK_FUZZ_ROOT})
target_compile_features(bulwark_fuzz_flags INTERFACE cxx_std_20)
if(NOT BULWARK_FUZZ_ENGINE STREQUAL "ossfuzz")
  target_compile_options(bulwark_fuzz_flags INTERFACE -g -fno-omit-frame-pointer
    -Wall -Wextra -Werror -Wno-unused-parameter)
endif()
if(BULWARK_FUZZ_ENGINE STREQUAL "libfuzzer")
  target_compile_options(bulwark_fuzz_flags INTERFACE -O1
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
  target_link_options(bulwark_fuzz_flags INTERFACE -fsanitize=fuzzer,address,undefined)
elseif(BULWARK_FUZZ_ENGINE STREQUAL "afl")
  # Under afl-clang-fast++, -fsanitize=fuzzer links AFL++'s libAFLDriver (a main() that feeds
  # LLVMFuzzerTestOneInput from afl-fuzz) instead of libFuzzer.
  target_compile_options(bulwark_fuzz_flags INTERFACE -O1 -fsanitize=address,undefined -fno-sanitize-recover=all)
  target_link_options(bulwark_fuzz_flags INTERFACE -fsanitize=address,undefined -fsanitize=fuzzer)
elseif(BULWARK_FUZZ_ENGINE STREQUAL "coverage")
  # libFuzzer's main() replays the corpus (-runs=0); the profile counts every line it reached.
  target_compile_options(bulwark_fuzz_flags INTERFACE -O0 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping)
  target_link_options(bulwark_fuzz_flags INTERFACE -fsanitize=fuzzer -fprofile-instr-generate)
elseif(BULWARK_FUZZ_ENGINE STREQUAL "ossfuzz")
  # $CXXFLAGS reach CMAKE_CXX_FLAGS (compile and link) by themselves; the engine comes last.
  separate_arguments(bulwark_fuzz_engine_flags UNIX_COMMAND "$ENV{LIB_FUZZING_ENGINE}")
  target_link_options(bulwark_fuzz_flags INTERFACE ${bulwark_fuzz_engine_flags})
else()
  message(FATAL_ERROR "BULWARK_FUZZ_ENGINE must be libfuzzer, afl, coverage or ossfuzz (is ${BULWARK_FUZZ_ENGINE})")
endif()

# lib/ support every target links, with the same flags (VERIFY aborts, so fuzzers see it).
add_library(bulwark_fuzz_lib STATIC ${BULWARK_FUZZ_ROOT}/lib/format.cpp ${BULWARK_FUZZ_ROOT}/lib/host/verify_host.cpp)
target_link_libraries(bulwark_fuzz_lib PUBLIC bulwark_fuzz_flags)

# bulwark_fuzz_target(NAME SOURCES fuzz/<path>/<unit>_fuzz.cpp <sources under test>...)
# Paths are relative to the repository root. Builds build/fuzz/NAME (CMake target NAME_fuzz);
# with libFuzzer, registers the ctest tests `fuzz_replay_NAME` (every file of fuzz/corpus/NAME/
# and fuzz/regressions/NAME/) and `fuzz_run_NAME` (a short run on a copy of the corpus, in the
# build tree), both labelled `fuzz`.
function(bulwark_fuzz_target name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  list(GET ARG_SOURCES 0 harness)
  set(under_test ${ARG_SOURCES})
  list(REMOVE_AT under_test 0)
  list(TRANSFORM ARG_SOURCES PREPEND ${BULWARK_FUZZ_ROOT}/ OUTPUT_VARIABLE sources)

  add_executable(${name}_fuzz ${sources})
  target_link_libraries(${name}_fuzz PRIVATE bulwark_fuzz_flags bulwark_fuzz_lib)
  set_target_properties(${name}_fuzz PROPERTIES OUTPUT_NAME ${name} RUNTIME_OUTPUT_DIRECTORY ${BULWARK_FUZZ_OUT})
  file(APPEND ${BULWARK_FUZZ_MANIFEST} "${name}\t${BULWARK_FUZZ_OUT}/${name}\t${harness}\t${under_test}\n")

  if(BULWARK_FUZZ_ENGINE STREQUAL "libfuzzer")
    set(runner ${Python3_EXECUTABLE} ${BULWARK_FUZZ_ROOT}/fuzz/tools/ctest_fuzz.py
      --binary $<TARGET_FILE:${name}_fuzz> --corpus ${BULWARK_FUZZ_ROOT}/fuzz/corpus/${name}
      --regressions ${BULWARK_FUZZ_ROOT}/fuzz/regressions/${name} --dict ${BULWARK_FUZZ_ROOT}/fuzz/dict/${name}.dict)
    add_test(NAME fuzz_replay_${name} COMMAND ${runner} replay)
    add_test(NAME fuzz_run_${name} COMMAND ${runner} run --seconds ${BULWARK_FUZZ_SMOKE_SECONDS}
      --work ${BULWARK_FUZZ_OUT}/smoke/${name})
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz TIMEOUT 300)
    math(EXPR run_timeout "${BULWARK_FUZZ_SMOKE_SECONDS} + 120")
    set_tests_properties(fuzz_run_${name} PROPERTIES LABELS fuzz TIMEOUT ${run_timeout} DEPENDS fuzz_replay_${name})
  endif()
endfunction()

# The ACPI parser is several files (tables, madt, fadt, mcfg, aml): take them all.
file(GLOB bulwark_fuzz_acpi_sources CONFIGURE_DEPENDS RELATIVE ${BULWARK_FUZZ_ROOT} ${BULWARK_FUZZ_ROOT}/kernel/drivers/acpi/*.cpp)
list(FILTER bulwark_fuzz_acpi_sources EXCLUDE REGEX "_test\\.cpp$")

# One line per target: name, harness, the sources it exercises.
bulwark_fuzz_target(cmdline SOURCES fuzz/kernel/boot/cmdline_fuzz.cpp kernel/boot/cmdline.cpp)
bulwark_fuzz_target(start_info SOURCES fuzz/kernel/boot/start_info_fuzz.cpp kernel/boot/start_info.cpp kernel/mm/memory_map.cpp)
bulwark_fuzz_target(memory_map SOURCES fuzz/kernel/mm/memory_map_fuzz.cpp kernel/mm/memory_map.cpp)
bulwark_fuzz_target(frame_allocator SOURCES fuzz/kernel/mm/frame_allocator_fuzz.cpp kernel/mm/frame_allocator.cpp)
bulwark_fuzz_target(page_table SOURCES fuzz/kernel/mm/page_table_fuzz.cpp kernel/mm/page_table.cpp)
bulwark_fuzz_target(acpi_tables SOURCES fuzz/kernel/drivers/acpi/tables_fuzz.cpp ${bulwark_fuzz_acpi_sources})
bulwark_fuzz_target(symbols SOURCES fuzz/kernel/lib/symbols_fuzz.cpp kernel/lib/symbols.cpp)
bulwark_fuzz_target(elf SOURCES fuzz/kernel/loader/elf_fuzz.cpp kernel/loader/elf.cpp kernel/mm/user_range.cpp)
bulwark_fuzz_target(ethernet SOURCES fuzz/net/wire/ethernet_fuzz.cpp net/wire/ethernet.cpp)
bulwark_fuzz_target(arp SOURCES fuzz/net/wire/arp_fuzz.cpp net/wire/arp.cpp)
bulwark_fuzz_target(ipv4 SOURCES fuzz/net/wire/ipv4_fuzz.cpp net/wire/ipv4.cpp net/wire/checksum.cpp)
bulwark_fuzz_target(icmp SOURCES fuzz/net/wire/icmp_fuzz.cpp net/wire/icmp.cpp net/wire/checksum.cpp)
bulwark_fuzz_target(udp SOURCES fuzz/net/wire/udp_fuzz.cpp net/wire/udp.cpp net/wire/checksum.cpp)
bulwark_fuzz_target(tcp SOURCES fuzz/net/wire/tcp_fuzz.cpp net/wire/tcp.cpp net/wire/checksum.cpp)
bulwark_fuzz_target(dhcp SOURCES fuzz/net/wire/dhcp_fuzz.cpp net/wire/dhcp.cpp)
bulwark_fuzz_target(virtqueue SOURCES fuzz/kernel/drivers/virtio/virtqueue_fuzz.cpp kernel/drivers/virtio/virtqueue.cpp)

# The network stack's state machines (net/iface, net/tcp, net/socket over net/wire): every net/
# source except the unit tests, as BULWARK_NET_SOURCES lists them (not visible from fuzz/CMakeLists.txt).
file(GLOB bulwark_fuzz_net_sources CONFIGURE_DEPENDS RELATIVE ${BULWARK_FUZZ_ROOT}
  ${BULWARK_FUZZ_ROOT}/net/wire/*.cpp ${BULWARK_FUZZ_ROOT}/net/iface/*.cpp ${BULWARK_FUZZ_ROOT}/net/tcp/*.cpp ${BULWARK_FUZZ_ROOT}/net/socket/*.cpp)
list(FILTER bulwark_fuzz_net_sources EXCLUDE REGEX "_test\\.cpp$")
file(GLOB bulwark_fuzz_tcp_sources CONFIGURE_DEPENDS RELATIVE ${BULWARK_FUZZ_ROOT} ${BULWARK_FUZZ_ROOT}/net/tcp/*.cpp)
list(FILTER bulwark_fuzz_tcp_sources EXCLUDE REGEX "_test\\.cpp$")
bulwark_fuzz_target(receive_path SOURCES fuzz/net/iface/receive_path_fuzz.cpp ${bulwark_fuzz_net_sources})
bulwark_fuzz_target(segment_script SOURCES fuzz/net/tcp/segment_script_fuzz.cpp ${bulwark_fuzz_tcp_sources} net/wire/tcp.cpp net/wire/checksum.cpp)
bulwark_fuzz_target(dhcp_client SOURCES fuzz/net/iface/dhcp_client_fuzz.cpp ${bulwark_fuzz_net_sources})
bulwark_fuzz_target(kernel_http SOURCES fuzz/kernel/net/http_fuzz.cpp kernel/net/http.cpp)
bulwark_fuzz_target(cpio SOURCES fuzz/kernel/fs/cpio_fuzz.cpp kernel/fs/cpio.cpp)
