# kernel/loader: the ELF loader. The ELF parser is a pure unit, built into the kernel (verified:
# cmake/kernel.cmake BULWARK_VERIFIED_SOURCES) and unit-tested on the host.
list(APPEND BULWARK_KERNEL_SOURCES kernel/loader/elf.cpp)
bulwark_unit_test(elf_test SOURCES kernel/loader/elf.cpp kernel/mm/user_range.cpp kernel/loader/elf_test.cpp)

# Real executables for elf_test, of each kind Bulwark loads: musl static (ET_EXEC), musl
# static-PIE (ET_DYN, no PT_INTERP: rcrt1.o self-relocates; linked by lld, since Debian's
# `musl-gcc -static-pie` emits a PT_INTERP and a DT_NEEDED on libc.so) and glibc static-PIE (with
# a PT_TLS). ci/setup installs musl-tools.
find_program(BULWARK_MUSL_GCC musl-gcc REQUIRED)
find_path(BULWARK_MUSL_LIBDIR rcrt1.o PATHS /usr/lib/x86_64-linux-musl /usr/lib/musl/lib /usr/local/musl/lib
  NO_DEFAULT_PATH REQUIRED)
set(elf_testdata ${CMAKE_BINARY_DIR}/kernel/loader/testdata)
set(elf_hello ${PROJECT_SOURCE_DIR}/kernel/loader/testdata/hello.c)
add_custom_command(OUTPUT ${elf_testdata}/musl-static
  COMMAND ${CMAKE_COMMAND} -E make_directory ${elf_testdata}
  COMMAND ${BULWARK_MUSL_GCC} -static -O2 ${elf_hello} -o ${elf_testdata}/musl-static
  DEPENDS ${elf_hello} VERBATIM)
add_custom_command(OUTPUT ${elf_testdata}/musl-static-pie
  COMMAND ${CMAKE_COMMAND} -E make_directory ${elf_testdata}
  COMMAND ${BULWARK_MUSL_GCC} -fPIE -O2 -c ${elf_hello} -o ${elf_testdata}/hello-pie.o
  COMMAND ${BULWARK_LLD} -static -pie --no-dynamic-linker -z noexecstack -o ${elf_testdata}/musl-static-pie
          ${BULWARK_MUSL_LIBDIR}/rcrt1.o ${BULWARK_MUSL_LIBDIR}/crti.o ${elf_testdata}/hello-pie.o
          ${BULWARK_MUSL_LIBDIR}/libc.a ${BULWARK_MUSL_LIBDIR}/crtn.o
  DEPENDS ${elf_hello} VERBATIM)
add_custom_command(OUTPUT ${elf_testdata}/glibc-static-pie
  COMMAND ${CMAKE_COMMAND} -E make_directory ${elf_testdata}
  COMMAND ${CMAKE_C_COMPILER} -static-pie -O2 ${elf_hello} -o ${elf_testdata}/glibc-static-pie
  DEPENDS ${elf_hello} VERBATIM)
add_custom_target(elf_testdata DEPENDS ${elf_testdata}/musl-static ${elf_testdata}/musl-static-pie
  ${elf_testdata}/glibc-static-pie)
add_dependencies(elf_test elf_testdata)
target_compile_definitions(elf_test PRIVATE BULWARK_ELF_TESTDATA="${elf_testdata}")
