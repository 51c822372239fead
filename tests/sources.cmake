# Integration tests. Boot tests (label `boot`) run the real kernel under QEMU: KVM when /dev/kvm
# is usable, TCG otherwise. Exit statuses come from isa-debug-exit: 33 success, 35 failure, 37 panic.
set(BULWARK_KERNEL_ELF ${CMAKE_BINARY_DIR}/kernel/kernel.elf)
set(qemu_test ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/boot/qemu_test.py --kernel ${BULWARK_KERNEL_ELF})

# bulwark_boot_test(NAME ARGS...)
function(bulwark_boot_test name)
  add_test(NAME ${name} COMMAND ${qemu_test} ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS boot TIMEOUT 300)
endfunction()

# Self-tests on each machine type: frame allocator, paging (W^X, null page, guard pages), heap,
# timer, a caught page fault. The boot log must show the memory map and the devices found.
foreach(machine microvm q35 pc)
  set(extra "")
  if(machine STREQUAL "microvm")
    list(APPEND extra --expect "acpi: RSDP at 0x[0-9a-f]+ \\(revision 2\\), XSDT: .*APIC")
  else()
    list(APPEND extra --expect "pci: 00:00.0 8086:[0-9a-f]+ class 06.00 host bridge" --expect "pci: [0-9]+ devices via")
  endif()
  if(machine STREQUAL "q35")
    list(APPEND extra --expect "pci: ECAM at 0xb0000000")
  endif()
  bulwark_boot_test(boot_selftest_${machine} --machine ${machine} --append "test=all"
    --expect-exit 33
    --expect "mem: memory map from PVH start_info"
    --expect "usable"
    --expect "clock: TSC"
    --expect "selftest: frame_allocator +PASSED"
    --expect "selftest: paging +PASSED"
    --expect "selftest: heap +PASSED"
    --expect "selftest: timer +PASSED"
    --expect "selftest: page_fault +PASSED"
    --expect "selftest: 5 passed, 0 failed"
    --reject "PANIC" --reject "FAILED"
    ${extra})
endforeach()

# microvm without ACPI: QEMU names its virtio-mmio transports on the kernel command line, and
# the kernel identifies the device behind each (here an entropy device: no network involved).
bulwark_boot_test(boot_virtio_mmio_cmdline --machine microvm --machine-options acpi=off
  --qemu-arg=-device --qemu-arg=virtio-rng-device --append "test=heap"
  --expect-exit 33
  --expect "boot: command line \"test=heap virtio_mmio.device=[0-9]+@0x[0-9a-f]+:[0-9]+\""
  --expect "virtio-mmio: 0x[0-9a-f]+ irq [0-9]+: entropy device \\(id 4\\)"
  --expect "virtio-mmio: 1 transports on the command line, 1 with a device"
  --expect "acpi: no RSDP. continuing with PC defaults"
  --reject "PANIC")

# Without a test and without debug-exit, the kernel must power the machine off through ACPI
# (QEMU then exits 0 by itself).
foreach(machine microvm q35 pc)
  bulwark_boot_test(boot_acpi_poweroff_${machine} --machine ${machine} --no-debug-exit
    --expect-exit 0
    --expect "powering off via ACPI"
    --reject "PANIC")
endforeach()

# An uncaught fault gives a readable panic: the exception, CR2, registers and a symbolized
# backtrace naming the function that faulted.
bulwark_boot_test(boot_panic_report --machine q35 --append "test=panic"
  --expect-exit 37
  --expect "PANIC: unhandled page fault \\(#PF\\) in kernel mode"
  --expect "page fault at address 0x0000000000000000: page not present, write access by kernel"
  --expect "rip 0xffffffff8"
  --expect "Backtrace:"
  --expect "#0  +0xffffffff8[0-9a-f]+ kernel::tests::.*crash_null_dereference"
  --expect "kernel::tests::run_selftests")

# A kernel stack overflow hits the guard page; the #DF handler runs on its own IST stack.
bulwark_boot_test(boot_stack_overflow --machine microvm --append "test=stack_overflow"
  --expect-exit 37
  --expect "PANIC: unhandled double fault \\(#DF\\)"
  --expect "kernel stack overflow: CR2 is in the guard page below the boot stack"
  --expect "recurse_forever")

# The stack protector is live: overflowing a stack buffer is caught at function return.
bulwark_boot_test(boot_stack_smash --machine microvm --append "test=stack_smash"
  --expect-exit 37
  --expect "PANIC: stack smashing detected"
  --reject "went undetected")

# Unknown and malformed options are named and ignored; an unknown test name fails the run.
bulwark_boot_test(boot_bad_cmdline --machine microvm --append "log=loud bogus=1 test=heap,nosuchtest"
  --expect-exit 35
  --expect "ignoring command-line option \"log=loud\": malformed value"
  --expect "ignoring command-line option \"bogus=1\": unknown option"
  --expect "selftest: heap +PASSED"
  --expect "selftest: no such test 'nosuchtest'")

# Net tier: the stack (bulwark-netd on a TAP device) against the real Linux stack and real
# clients, in a network namespace each test creates. Exit 77 = skipped (no namespaces/TAP here).
if(TARGET bulwark-netd)
  set(netns_test ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/net/netns_test.py --netd $<TARGET_FILE:bulwark-netd>)
  add_test(NAME net_linux_peer COMMAND ${netns_test})
  add_test(NAME net_linux_peer_impaired COMMAND ${netns_test} --impair loss=5,reorder=10,duplicate=1)
  set_tests_properties(net_linux_peer net_linux_peer_impaired PROPERTIES
    LABELS net SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL TRUE)
endif()

# virtio-net + the kernel's network stack under test=net, over QEMU user networking (slirp, with
# restrict=on) and hostfwd to a free 127.0.0.1 port: curl must get the page and a TCP echo must
# come back intact. The address comes from slirp's DHCP (ip=dhcp, the default). microvm uses
# virtio-mmio version 2; q35 a modern-only virtio-pci device with MSI-X. Each also has a
# virtio-rng device, whose bytes must reach the entropy pool.
set(net_boot_test ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/boot/net_boot_test.py --kernel ${BULWARK_KERNEL_ELF})
add_test(NAME boot_net_virtio_mmio COMMAND ${net_boot_test} --transport mmio
  --expect "virtio-net: virtio-mmio 0x[0-9a-f]+: MAC 52:54:00:12:34:56, link up.*mergeable rx, event idx"
  --expect "entropy: sources: .*virtio-rng \\(64 bytes mixed in\\)"
  --expect "net: address 10\\.0\\.2\\.15/24 \\(DHCP\\)")
add_test(NAME boot_net_virtio_pci COMMAND ${net_boot_test} --transport pci
  --expect "virtio-net: virtio-pci 0x[0-9a-f]+: MAC 52:54:00:12:34:56, link up.*interrupts: MSI-X"
  --expect "entropy: sources: .*virtio-rng \\(64 bytes mixed in\\)"
  --expect "net: address 10\\.0\\.2\\.15/24 \\(DHCP\\)")
# A static address from the command line (slirp accepts any address in 10.0.2.0/24).
add_test(NAME boot_net_static_ip COMMAND ${net_boot_test} --transport mmio --append "ip=10.0.2.20/24,gw=10.0.2.2"
  --guest-address 10.0.2.20 --expect "net: address 10\\.0\\.2\\.20/24[^ ]" --expect "static address")
set_tests_properties(boot_net_virtio_mmio boot_net_virtio_pci boot_net_static_ip PROPERTIES LABELS "boot;net" TIMEOUT 300)

# The kernel's test=net service (virtio-net-pci on q35) on a TAP device in a network namespace
# the test creates: bwlin0 (Linux, 10.77.0.1) <-> bulwark-linkd <-> bwvm0 <-> QEMU. ping, curl,
# ab -n 2000 -c 100 (and -k) with 0 failures, 1 MiB echo, /bytes/N and POST /sink with CRC-32;
# the impaired run drops 5%, reorders 10% and duplicates 1% (tc netem when present, else linkd).
# Exit 77 = skipped (not root, no namespaces, /dev/net/tun or QEMU).
if(TARGET bulwark-linkd)
  set(qemu_netns_test ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/net/qemu_netns_test.py
    --kernel ${BULWARK_KERNEL_ELF} --linkd $<TARGET_FILE:bulwark-linkd>)
  add_test(NAME net_kernel_virtio COMMAND ${qemu_netns_test})
  add_test(NAME net_kernel_virtio_impaired COMMAND ${qemu_netns_test} --impair loss=5,reorder=10,duplicate=1)
  set_tests_properties(net_kernel_virtio net_kernel_virtio_impaired PROPERTIES
    LABELS net SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL TRUE)
endif()

# Whole-system fuzzing (tools/netfuzz.py): mutated frames from the net/wire corpora sent to the
# kernel's test=net service in the namespace topology above; after every 200-frame batch the
# kernel must answer ping and HTTP and its console must show no PANIC. A failing batch is saved
# in the build tree (build/netfuzz/) with its replay command. Exit 77 = skipped.
if(TARGET bulwark-linkd)
  add_test(NAME fuzz_system_short COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/netfuzz.py
    --time 30 --kernel ${BULWARK_KERNEL_ELF} --linkd $<TARGET_FILE:bulwark-linkd>
    --save-dir ${CMAKE_BINARY_DIR}/netfuzz)
  set_tests_properties(fuzz_system_short PROPERTIES
    LABELS "fuzz;net" SKIP_RETURN_CODE 77 TIMEOUT 300 RUN_SERIAL TRUE)
endif()
