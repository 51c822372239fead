// Kernel self-tests: they run on the booted kernel, against the real page tables, allocator,
// heap and timer, and check what host unit tests cannot: that the MMU enforces what we mapped.
#include "kernel/tests/selftest.h"

#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/stacks.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "kernel/mm/kernel_space.h"

namespace kernel::tests {

namespace {

// A test reports failures through this context; a test passes when it recorded none.
struct Context {
    lib::StringView test;
    unsigned failures { 0 };

    template<typename... Args> void check(bool condition, lib::StringView what, const Args&... args)
    {
        if (condition)
            return;
        ++failures;
        log::raw("    FAILED: ");
        log::raw(what, args...);
        log::raw("\n");
    }
};

// Page-fault error code bits (SDM vol. 3A §4.7).
constexpr u64 pf_present = 1 << 0;
constexpr u64 pf_write = 1 << 1;
constexpr u64 pf_fetch = 1 << 4;

// --- frame allocator --------------------------------------------------------------------------

void test_frame_allocator(Context& t)
{
    auto& frames = mm::frames();
    u64 before = frames.free_frames();
    auto a = frames.allocate(1);
    auto b = frames.allocate(16, 16);
    t.check(a.is_ok() && b.is_ok(), "allocations failed");
    if (a.is_error() || b.is_error())
        return;
    t.check(a.value() % mm::page_size == 0, "single frame {:#x} not page-aligned", a.value());
    t.check(b.value() % (16 * mm::page_size) == 0, "16-frame run {:#x} not 64 KiB-aligned", b.value());
    t.check(frames.free_frames() == before - 17, "free count {} after allocating 17 of {}", frames.free_frames(), before);
    // The frames are real memory, reachable through the physmap: write and read them back.
    auto* words = arch::phys_to_ptr<volatile u64>(b.value());
    for (usize i = 0; i < 16 * mm::page_size / 8; ++i)
        words[i] = i * 0x9e3779b97f4a7c15ull;
    bool intact = true;
    for (usize i = 0; i < 16 * mm::page_size / 8; ++i)
        intact = intact && words[i] == i * 0x9e3779b97f4a7c15ull;
    t.check(intact, "data written to allocated frames did not read back");
    t.check(frames.free(b.value(), 8).is_error(), "freeing half an allocation was accepted");
    t.check(frames.free(a.value(), 1).is_ok(), "free of a live frame failed");
    t.check(frames.free(a.value(), 1).is_error(), "double free was accepted");
    t.check(frames.free(b.value(), 16).is_ok(), "free of the 16-frame run failed");
    t.check(frames.free_frames() == before, "free count {} after freeing everything, expected {}", frames.free_frames(), before);
    t.check(frames.check_invariants(), "allocator invariants broken");
}

// --- paging: the MMU enforces W^X, the null page and guard pages --------------------------------

const volatile u64 g_rodata_word = 0x1234;
// `ret` in a writable data page: executing it must fault (NX).
volatile u8 g_data_code[16] = { 0xC3 };

void write_rodata(void*) { *const_cast<volatile u64*>(&g_rodata_word) = 1; }
void execute_data(void*) { reinterpret_cast<void (*)()>(const_cast<u8*>(&g_data_code[0]))(); }
void read_null(void*) { (void)*reinterpret_cast<volatile u64*>(0); }
void write_text(void* fn) { *reinterpret_cast<volatile u8*>(fn) = 0xCC; }
void write_guard(void*)
{
    *reinterpret_cast<volatile u64*>(arch::stack_guard_page(arch::KernelStack::Boot) + 64) = 1;
}
void read_user_half(void*) { (void)*reinterpret_cast<volatile u64*>(0x400000); }

void expect_page_fault(Context& t, lib::StringView what, void (*fn)(void*), void* arg, u64 address, u64 error_mask,
    u64 error_bits)
{
    arch::ProbeResult r = arch::probe_for_fault(fn, arg);
    if (!r.faulted) {
        t.check(false, "{}: did not fault", what);
        return;
    }
    t.check(r.vector == arch::vector::page_fault, "{}: vector {} instead of a page fault", what, r.vector);
    t.check(r.cr2 == address, "{}: CR2 {:#x}, expected {:#x}", what, r.cr2, address);
    t.check((r.error_code & error_mask) == error_bits, "{}: error code {:#x}", what, r.error_code);
    log::raw("    {}: page fault caught, CR2={:#x} error={:#x}\n", what, r.cr2, r.error_code);
}

void test_paging(Context& t)
{
    expect_page_fault(t, "write to rodata", write_rodata, nullptr, reinterpret_cast<u64>(&g_rodata_word),
        pf_present | pf_write | pf_fetch, pf_present | pf_write);
    expect_page_fault(t, "execute from data", execute_data, nullptr, reinterpret_cast<u64>(&g_data_code[0]),
        pf_present | pf_fetch, pf_present | pf_fetch);
    auto text = reinterpret_cast<void*>(&test_paging);
    expect_page_fault(t, "write to text", write_text, text, reinterpret_cast<u64>(text), pf_present | pf_write,
        pf_present | pf_write);
    expect_page_fault(t, "read null page", read_null, nullptr, 0, pf_present, 0);
    expect_page_fault(t, "write stack guard page", write_guard, nullptr,
        arch::stack_guard_page(arch::KernelStack::Boot) + 64, pf_present | pf_write, pf_write);
    expect_page_fault(t, "read lower half", read_user_half, nullptr, 0x400000, pf_present, 0);
    // And the page table itself agrees with what the MMU just did.
    auto& pt = mm::kernel_page_table();
    t.check(pt.check_invariants(), "kernel page table invariants broken");
    auto rodata = pt.translate(reinterpret_cast<u64>(&g_rodata_word));
    t.check(rodata.has_value() && rodata->access == mm::Access::Read, "rodata not mapped read-only");
    auto data = pt.translate(reinterpret_cast<u64>(&g_data_code[0]));
    t.check(data.has_value() && data->access == mm::Access::ReadWrite, "data not mapped RW (NX)");
    t.check(!pt.translate(0).has_value(), "null page is mapped");
    t.check(!pt.translate(arch::stack_guard_page(arch::KernelStack::DoubleFault)).has_value(),
        "double-fault stack guard page is mapped");
}

// --- heap -------------------------------------------------------------------------------------

void test_heap(Context& t)
{
    auto& heap = mm::heap();
    usize before = heap.bytes_in_use();
    constexpr usize count = 64;
    u8* blocks[count] = {};
    for (usize i = 0; i < count; ++i) {
        usize size = 8 + i * 37;
        blocks[i] = static_cast<u8*>(heap.allocate(size));
        t.check(blocks[i] != nullptr, "allocation {} of {} bytes failed", i, size);
        if (!blocks[i])
            return;
        t.check(reinterpret_cast<u64>(blocks[i]) % 16 == 0, "allocation {} misaligned", i);
        for (usize j = 0; j < size; ++j)
            blocks[i][j] = u8(i);
    }
    for (usize i = 0; i < count; ++i) {
        bool intact = true;
        for (usize j = 0; j < 8 + i * 37; ++j)
            intact = intact && blocks[i][j] == u8(i);
        t.check(intact, "allocation {} was overwritten", i);
    }
    void* big = heap.allocate(64 * 1024);
    t.check(big != nullptr, "64 KiB allocation failed");
    heap.free(big);
    for (usize i = 0; i < count; ++i)
        heap.free(blocks[i]);
    t.check(heap.bytes_in_use() == before, "{} bytes in use after freeing everything, expected {}",
        heap.bytes_in_use(), before);
    t.check(heap.check_invariants(), "heap invariants broken");
    // operator new/delete go to the same heap.
    auto* numbers = new u64[100];
    numbers[99] = 7;
    t.check(heap.bytes_in_use() > before, "operator new did not use the heap");
    delete[] numbers;
}

// --- time -------------------------------------------------------------------------------------

void test_timer(Context& t)
{
    t.check(arch::clock::tsc_hz() != 0, "TSC frequency unknown");
    t.check(arch::lapic::tick_hz() != 0, "LAPIC timer not running");
    if (arch::lapic::tick_hz() == 0)
        return; // halting below would wait forever
    u64 previous = arch::clock::monotonic_ns();
    u64 ticks_before = arch::lapic::ticks();
    bool monotonic = true;
    // Sleep until a few timer interrupts have arrived; each wake-up is an interrupt.
    for (int i = 0; i < 5; ++i) {
        arch::sti_hlt();
        u64 now = arch::clock::monotonic_ns();
        monotonic = monotonic && now >= previous;
        previous = now;
    }
    t.check(monotonic, "monotonic clock went backwards");
    t.check(arch::lapic::ticks() > ticks_before, "no timer interrupt arrived while halted");
    // 1000 back-to-back reads never decrease.
    u64 last = arch::clock::monotonic_ns();
    for (int i = 0; i < 1000; ++i) {
        u64 now = arch::clock::monotonic_ns();
        monotonic = monotonic && now >= last;
        last = now;
    }
    t.check(monotonic, "monotonic clock went backwards in a tight loop");
}

// --- a deliberate page fault, caught and reported ------------------------------------------------

void touch_unmapped(void* address) { *static_cast<volatile u64*>(address) = 0xdead; }

void test_page_fault(Context& t)
{
    // An address in the MMIO window that nothing maps.
    u64 address = arch::mmio_window_base + arch::mmio_window_size - 0x1000;
    expect_page_fault(t, "write to unmapped kernel address", touch_unmapped, reinterpret_cast<void*>(address), address,
        pf_present | pf_write, pf_write);
    // The kernel is still healthy afterwards: the next allocation works.
    auto frame = mm::frames().allocate(1);
    t.check(frame.is_ok(), "allocation after a caught fault failed");
    if (frame.is_ok())
        t.check(mm::frames().free(frame.value(), 1).is_ok(), "free after a caught fault failed");
}

// --- crash tests: run only when named; each ends the machine through panic() ---------------------

[[gnu::noinline]] void crash_null_dereference()
{
    log::info("selftest: dereferencing the null page on purpose");
    *reinterpret_cast<volatile u64*>(0) = 1;
}

// Recursion with a frame the compiler cannot elide; the depth check is never false in practice
// (the guard page stops it long before), it only keeps the function well-formed.
[[gnu::noinline]] u64 recurse_forever(u64 depth)
{
    volatile u8 pad[512];
    pad[0] = u8(depth);
    if (depth == ~0ull)
        return pad[0];
    return recurse_forever(depth + 1) + pad[0];
}

volatile usize g_smash_length = 64;

[[gnu::noinline]] void smash_stack()
{
    volatile char buffer[16];
    for (usize i = 0; i < g_smash_length; ++i)
        buffer[i] = 'A';
}

struct Test {
    lib::StringView name;
    void (*run)(Context&);
};

constexpr Test g_tests[] = {
    { "frame_allocator", test_frame_allocator },
    { "paging", test_paging },
    { "heap", test_heap },
    { "timer", test_timer },
    { "page_fault", test_page_fault },
};

} // namespace

bool run_selftests(const boot::CommandLine& cmdline)
{
    // Crash tests first: they do not return.
    for (lib::StringView name : cmdline.tests()) {
        if (name == "panic")
            crash_null_dereference();
        if (name == "stack_overflow") {
            log::info("selftest: overflowing the boot stack into its guard page on purpose");
            recurse_forever(0);
        }
        if (name == "stack_smash") {
            log::info("selftest: overflowing a stack buffer on purpose");
            smash_stack();
            log::error("selftest: stack smash went undetected");
            return false;
        }
    }
    unsigned passed = 0, failed = 0;
    for (const Test& test : g_tests) {
        if (!cmdline.has_test(test.name))
            continue;
        Context context { test.name };
        u64 start = arch::clock::monotonic_ns();
        test.run(context);
        u64 micros = (arch::clock::monotonic_ns() - start) / 1000;
        if (context.failures == 0) {
            ++passed;
            log::info("selftest: {:<16} PASSED ({} us)", test.name, micros);
        } else {
            ++failed;
            log::error("selftest: {:<16} FAILED ({} checks)", test.name, context.failures);
        }
    }
    for (lib::StringView name : cmdline.tests()) {
        bool known = name == "all" || name == "panic" || name == "stack_overflow" || name == "stack_smash";
        for (const Test& test : g_tests)
            known = known || name == test.name;
        if (!known) {
            ++failed;
            log::error("selftest: no such test '{}'", name);
        }
    }
    log::info("selftest: {} passed, {} failed", passed, failed);
    return failed == 0;
}

} // namespace kernel::tests
