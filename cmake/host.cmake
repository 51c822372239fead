# Host build: unit tests and tools, always with ASan+UBSan (no separate "debug" flavour to forget).
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)
include(GoogleTest)

add_library(bulwark_host_flags INTERFACE)
target_compile_options(bulwark_host_flags INTERFACE
  -g -O1 -fno-omit-frame-pointer
  -fsanitize=address,undefined -fno-sanitize-recover=all
  -Wall -Wextra -Werror -Wno-unused-parameter)
target_link_options(bulwark_host_flags INTERFACE -fsanitize=address,undefined)
target_include_directories(bulwark_host_flags INTERFACE ${PROJECT_SOURCE_DIR})

find_path(RAPIDCHECK_INCLUDE rapidcheck.h REQUIRED)
find_library(RAPIDCHECK_LIBRARY rapidcheck REQUIRED)

# bulwark_unit_test(NAME SOURCES a.cpp b_test.cpp ...)
# One GoogleTest binary; every TEST becomes its own ctest test labelled `unit`.
function(bulwark_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE bulwark_host_flags bulwark_lib_host
    GTest::gtest GTest::gtest_main ${RAPIDCHECK_LIBRARY} Threads::Threads)
  target_include_directories(${name} PRIVATE ${RAPIDCHECK_INCLUDE})
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
