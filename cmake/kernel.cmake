# Freestanding kernel build: same clang, kernel flags, linked by ld.lld with our linker script.
# The link runs twice: the first image's symbols become an embedded table in the second, so
# panics print a symbolized backtrace. The table sits last in the image, so code and data
# addresses are identical in both links (kernel/tools/gen_symbols.py checks this).

find_program(BULWARK_LLD NAMES ld.lld-14 ld.lld REQUIRED)
find_program(BULWARK_NM NAMES llvm-nm-14 llvm-nm REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(BULWARK_KERNEL_CXX_FLAGS
  --target=x86_64-unknown-none-elf
  -ffreestanding -fno-builtin -nostdlib -nostdinc++
  -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
  -mno-red-zone -mcmodel=kernel -fno-pic -fno-pie
  # No SSE/x87 state in kernel code: the kernel never saves it on entry.
  -mgeneral-regs-only
  -fno-omit-frame-pointer
  -fstack-protector-strong -mstack-protector-guard=global
  -ftrivial-auto-var-init=zero
  -enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang
  # Keep IR in the subset the verifier supports (DESIGN.md, Verification).
  -fno-vectorize -fno-slp-vectorize
  -O2 -g
  -Wall -Wextra -Werror -Wno-unused-parameter
  -DBULWARK_FREESTANDING=1 -DBULWARK_KERNEL=1)

# Verified units (proofs/): compiled once to bitcode with the kernel flags; the verifier reads that
# bitcode and the kernel links the object code generated from it, so the shipped IR is the proved IR.
set(BULWARK_VERIFIED_SOURCES kernel/boot/start_info.cpp net/tcp/acceptance.cpp kernel/mm/page_table.cpp net/wire/checksum.cpp net/wire/tcp.cpp net/wire/ethernet.cpp net/wire/arp.cpp net/wire/udp.cpp net/wire/icmp.cpp net/wire/ipv4.cpp
  net/wire/dhcp.cpp kernel/drivers/virtio/virtqueue.cpp kernel/mm/frame_allocator.cpp kernel/loader/elf.cpp
  kernel/fs/cpio.cpp kernel/mm/user_range.cpp kernel/lib/symbols.cpp)
string(TOUPPER "${CMAKE_BUILD_TYPE}" _bw_build_type)
separate_arguments(BULWARK_KERNEL_CONFIG_FLAGS UNIX_COMMAND "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_bw_build_type}}")

set(BULWARK_KERNEL_ASM_FLAGS --target=x86_64-unknown-none-elf -DBULWARK_KERNEL=1)

# bulwark_kernel_image(): call once, after every folder has appended to BULWARK_KERNEL_SOURCES.
function(bulwark_kernel_image)
  set(sources ${BULWARK_KERNEL_SOURCES} ${BULWARK_NET_SOURCES} ${BULWARK_LIB_SOURCES})
  list(REMOVE_ITEM sources ${BULWARK_VERIFIED_SOURCES})
  add_library(kernel_objs OBJECT ${sources})
  target_include_directories(kernel_objs PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(kernel_objs PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${BULWARK_KERNEL_CXX_FLAGS}>
    $<$<COMPILE_LANGUAGE:ASM>:${BULWARK_KERNEL_ASM_FLAGS}>)

  set(ld_script ${PROJECT_SOURCE_DIR}/kernel/arch/x86_64/linker.ld)
  set(gen ${PROJECT_SOURCE_DIR}/kernel/tools/gen_symbols.py)
  set(out ${CMAKE_BINARY_DIR}/kernel)
  # <build>/verified/<src>.bc (what proofs/ verifies) -> <build>/verified/<src>.o (what is linked).
  set(verified_objs "")
  foreach(src ${BULWARK_VERIFIED_SOURCES})
    set(bc ${CMAKE_BINARY_DIR}/verified/${src}.bc)
    set(obj ${CMAKE_BINARY_DIR}/verified/${src}.o)
    get_filename_component(dir ${bc} DIRECTORY)
    add_custom_command(OUTPUT ${bc}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
      COMMAND ${CMAKE_CXX_COMPILER} ${BULWARK_KERNEL_CONFIG_FLAGS} ${BULWARK_KERNEL_CXX_FLAGS} -std=c++20
              -I${PROJECT_SOURCE_DIR} -emit-llvm -MD -MF ${bc}.d -c ${PROJECT_SOURCE_DIR}/${src} -o ${bc}
      DEPENDS ${PROJECT_SOURCE_DIR}/${src} DEPFILE ${bc}.d VERBATIM)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_CXX_COMPILER} ${BULWARK_KERNEL_CONFIG_FLAGS} ${BULWARK_KERNEL_CXX_FLAGS}
              -Wno-unused-command-line-argument -c ${bc} -o ${obj}
      DEPENDS ${bc} VERBATIM)
    list(APPEND verified_objs ${obj})
  endforeach()
  add_custom_target(kernel_verified_objs DEPENDS ${verified_objs})

  set(ld_flags -nostdlib -static --no-pie -z max-page-size=4096 -z noexecstack
      --build-id=none -T ${ld_script})

  # Empty symbol table for the first link.
  add_custom_command(OUTPUT ${out}/symbols_empty.S
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${Python3_EXECUTABLE} ${gen} --empty --out ${out}/symbols_empty.S
    DEPENDS ${gen} VERBATIM)
  add_custom_command(OUTPUT ${out}/kernel.pass1.elf
    COMMAND ${CMAKE_C_COMPILER} ${BULWARK_KERNEL_ASM_FLAGS} -c ${out}/symbols_empty.S -o ${out}/symbols_empty.o
    COMMAND ${BULWARK_LLD} ${ld_flags} -o ${out}/kernel.pass1.elf $<TARGET_OBJECTS:kernel_objs> ${verified_objs} ${out}/symbols_empty.o
    DEPENDS kernel_objs $<TARGET_OBJECTS:kernel_objs> ${verified_objs} ${out}/symbols_empty.S ${ld_script}
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_command(OUTPUT ${out}/kernel.elf
    COMMAND ${Python3_EXECUTABLE} ${gen} --nm ${BULWARK_NM} --elf ${out}/kernel.pass1.elf --out ${out}/symbols.S
    COMMAND ${CMAKE_C_COMPILER} ${BULWARK_KERNEL_ASM_FLAGS} -c ${out}/symbols.S -o ${out}/symbols.o
    COMMAND ${BULWARK_LLD} ${ld_flags} -o ${out}/kernel.elf $<TARGET_OBJECTS:kernel_objs> ${verified_objs} ${out}/symbols.o
    COMMAND ${Python3_EXECUTABLE} ${gen} --nm ${BULWARK_NM} --check ${out}/kernel.pass1.elf ${out}/kernel.elf
    DEPENDS ${out}/kernel.pass1.elf ${gen}
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(kernel ALL DEPENDS ${out}/kernel.elf)
endfunction()
