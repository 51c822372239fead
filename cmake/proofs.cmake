# proofs/: the verifier (a host tool on LLVM 14 + Z3) and one linked bitcode module per verified unit:
# harness bitcode + the very bitcode the kernel's object for that unit is generated from
# (BULWARK_VERIFIED_SOURCES, cmake/kernel.cmake). tools/prove.py runs them and the mutants.
find_program(BULWARK_LLVM_CONFIG NAMES llvm-config-14 REQUIRED)
find_program(BULWARK_LLVM_LINK NAMES llvm-link-14 REQUIRED)
find_library(BULWARK_Z3 z3 REQUIRED)
execute_process(COMMAND ${BULWARK_LLVM_CONFIG} --includedir OUTPUT_VARIABLE llvm_include OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${BULWARK_LLVM_CONFIG} --ldflags --libs core analysis irreader bitreader support
  OUTPUT_VARIABLE llvm_libs OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REPLACE "\n" " " llvm_libs "${llvm_libs}")
separate_arguments(llvm_libs UNIX_COMMAND "${llvm_libs}")

# Not sanitized: LLVM's libraries are not built with ASan. Z3's C++ API needs exceptions.
add_executable(bulwark-verify proofs/verifier/main.cpp proofs/verifier/executor.cpp proofs/verifier/control.cpp
  proofs/verifier/memory.cpp proofs/verifier/instructions.cpp proofs/verifier/spec.cpp)
target_include_directories(bulwark-verify PRIVATE ${PROJECT_SOURCE_DIR} SYSTEM ${llvm_include})
target_compile_options(bulwark-verify PRIVATE -O1 -g -fexceptions -Wall -Wextra -Werror -Wno-unused-parameter)
target_link_libraries(bulwark-verify PRIVATE ${llvm_libs} ${BULWARK_Z3})
set_target_properties(bulwark-verify PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/proofs)

# A verified unit that calls into another verified unit also links that unit's verified bitcode
# (BULWARK_PROOF_LINKS_<src>): the callee runs as shipped, never assumed. Mutants link it too.
set(BULWARK_PROOF_LINKS_net/wire/ipv4.cpp net/wire/checksum.cpp)
set(BULWARK_PROOF_LINKS_net/wire/udp.cpp net/wire/checksum.cpp)
set(BULWARK_PROOF_LINKS_net/wire/icmp.cpp net/wire/checksum.cpp)
set(BULWARK_PROOF_LINKS_kernel/loader/elf.cpp kernel/mm/user_range.cpp)

set(proof_units "")
set(proof_links_json "")
foreach(src ${BULWARK_VERIFIED_SOURCES})
  string(REGEX REPLACE "\\.cpp$" "" unit ${src})
  set(harness ${PROJECT_SOURCE_DIR}/proofs/${unit}.cpp)
  if(NOT EXISTS ${harness})
    continue()
  endif()
  set(hbc ${CMAKE_BINARY_DIR}/proofs/${unit}.harness.bc)
  set(linked ${CMAKE_BINARY_DIR}/proofs/${unit}.bc)
  set(links "")
  foreach(dep ${BULWARK_PROOF_LINKS_${src}})
    if(NOT dep IN_LIST BULWARK_VERIFIED_SOURCES)
      message(FATAL_ERROR "BULWARK_PROOF_LINKS_${src}: ${dep} is not in BULWARK_VERIFIED_SOURCES")
    endif()
    list(APPEND links ${CMAKE_BINARY_DIR}/verified/${dep}.bc)
  endforeach()
  list(JOIN links "\", \"" links_json)
  if(links)
    list(APPEND proof_links_json "\"${unit}\": [\"${links_json}\"]")
  endif()
  get_filename_component(dir ${hbc} DIRECTORY)
  add_custom_command(OUTPUT ${hbc}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${CMAKE_CXX_COMPILER} ${BULWARK_KERNEL_CONFIG_FLAGS} ${BULWARK_KERNEL_CXX_FLAGS} -std=c++20
            -I${PROJECT_SOURCE_DIR} -emit-llvm -MD -MF ${hbc}.d -c ${harness} -o ${hbc}
    DEPENDS ${harness} DEPFILE ${hbc}.d VERBATIM)
  add_custom_command(OUTPUT ${linked}
    COMMAND ${BULWARK_LLVM_LINK} ${hbc} ${CMAKE_BINARY_DIR}/verified/${src}.bc ${links} -o ${linked}
    DEPENDS ${hbc} ${CMAKE_BINARY_DIR}/verified/${src}.bc ${links} VERBATIM)
  list(APPEND proof_units ${unit})
  list(APPEND proof_modules ${linked})
  add_test(NAME proof.${unit} COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/prove.py
           --build-dir ${CMAKE_BINARY_DIR} --unit ${unit})
  set_tests_properties(proof.${unit} PROPERTIES LABELS proof TIMEOUT 1200)
endforeach()
# The verifier's own tests (tools/verifier_selftest.py): harnesses with known verdicts and bad
# inputs it must refuse, compiled like every harness.
set(selftest_modules "")
foreach(case cases unsupported unknown_spec)
  set(src ${PROJECT_SOURCE_DIR}/proofs/selftest/${case}.cpp)
  set(bc ${CMAKE_BINARY_DIR}/proofs/selftest/${case}.bc)
  add_custom_command(OUTPUT ${bc}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/proofs/selftest
    COMMAND ${CMAKE_CXX_COMPILER} ${BULWARK_KERNEL_CONFIG_FLAGS} ${BULWARK_KERNEL_CXX_FLAGS} -std=c++20
            -I${PROJECT_SOURCE_DIR} -emit-llvm -MD -MF ${bc}.d -c ${src} -o ${bc}
    DEPENDS ${src} DEPFILE ${bc}.d VERBATIM)
  list(APPEND selftest_modules ${bc})
endforeach()
add_test(NAME proof.verifier-selftest COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/verifier_selftest.py
         --build-dir ${CMAKE_BINARY_DIR})
set_tests_properties(proof.verifier-selftest PROPERTIES LABELS proof TIMEOUT 600)

add_custom_target(proofs ALL DEPENDS bulwark-verify ${proof_modules} ${selftest_modules})

# What tools/prove.py needs to compile mutants exactly as the verified units are compiled.
set(proof_flags ${BULWARK_KERNEL_CONFIG_FLAGS} ${BULWARK_KERNEL_CXX_FLAGS} -std=c++20 -I${PROJECT_SOURCE_DIR})
list(JOIN proof_flags "\", \"" proof_flags_json)
list(JOIN proof_units "\", \"" proof_units_json)
list(JOIN proof_links_json ", " proof_links_json)
file(WRITE ${CMAKE_BINARY_DIR}/proofs/config.json "{
  \"cxx\": \"${CMAKE_CXX_COMPILER}\",
  \"llvm_link\": \"${BULWARK_LLVM_LINK}\",
  \"flags\": [\"${proof_flags_json}\"],
  \"units\": [\"${proof_units_json}\"],
  \"links\": {${proof_links_json}},
  \"source_dir\": \"${PROJECT_SOURCE_DIR}\"
}
")
