// Harnesses for kernel/mm/page_table.{h,cpp} against spec/kernel/mm/page_table.smt2: the checks
// map() makes before it touches the tables and the leaf entries map() and protect() write, for
// every address, size, frame and flag combination. The table walk that places those entries
// (and unmap, split, prune) is not covered here: proofs/UNVERIFIED.md.
#include "proofs/harness.h"

#include "kernel/mm/page_table.h"

using namespace kernel::mm;
namespace detail = kernel::mm::page_table::detail;

BW_SPEC(u8, pt_range_result, u64 virt, u64 size);
BW_SPEC(u8, pt_map_request_result, u64 virt, u64 phys, u64 size, bool user);
BW_SPEC(bool, pt_upper, u64 virt);
BW_SPEC(bool, pt_w_xor_x, u64 entry);
BW_SPEC(bool, pt_user_lower_half, u64 entry, u64 page);
BW_SPEC(bool, pt_leaf_ok, u64 entry, u64 target, u8 access, bool user, bool uncached, bool upper, bool large);
BW_SPEC(bool, pt_protect_ok, u64 new_entry, u64 old_entry, u8 access);

namespace {

u8 code(const lib::Result<void, MapError>& r) { return r.is_ok() ? 0xff : u8(r.error()); }

// Enum values as the C++ code can receive them (any declared enumerator).
Access any_access()
{
    u8 a = bw_nondet_u8();
    bw_assume(a <= u8(Access::ReadExecute));
    return Access(a);
}

} // namespace

// check_virtual_range (unmap's and protect's check) accepts exactly the ranges pt_range_result
// accepts, with its error otherwise.
extern "C" void harness_page_table_virtual_range()
{
    u64 virt = bw_nondet_u64(), size = bw_nondet_u64();
    bw_assert(code(detail::check_virtual_range(virt, size)) == spec_pt_range_result(virt, size), "pt_range_result");
}

// map(): its request check is pt_map_request_result; for an accepted request, the leaf written
// for any page (4 KiB or 2 MiB) of the range is pt_leaf_ok for that page's frame, satisfies W^X,
// and is user-accessible only in the lower half.
extern "C" void harness_page_table_map_leaf()
{
    u64 virt = bw_nondet_u64(), phys = bw_nondet_u64(), size = bw_nondet_u64();
    u8 p = bw_nondet_u8(), c = bw_nondet_u8();
    bw_assume(p <= u8(Privilege::User) && c <= u8(Caching::Uncached));
    Privilege privilege = Privilege(p);
    Caching caching = Caching(c);
    Access access = any_access();
    bool user = privilege == Privilege::User;
    auto r = detail::check_map_request(virt, phys, size, privilege);
    bw_assert(code(r) == spec_pt_map_request_result(virt, phys, size, user), "pt_map_request_result");
    if (!r.is_ok())
        return;
    // Any page of the range: map() writes the leaf for virt + done at phys + done, with `upper`
    // from virt (the whole range is in one half) and `large` where it uses a 2 MiB page.
    u64 done = bw_nondet_u64();
    bool large = bw_nondet_u8() != 0;
    bw_assume(done < size && (done & (page_size - 1)) == 0);
    u64 target = phys + done;
    bool upper = spec_pt_upper(virt);
    u64 e = detail::leaf_entry(target, access, privilege, caching, upper, large);
    bw_assert(spec_pt_leaf_ok(e, target, u8(access), user, caching == Caching::Uncached, spec_pt_upper(virt + done), large),
              "pt_leaf_ok");
    bw_assert(spec_pt_w_xor_x(e), "pt_w_xor_x");
    bw_assert(spec_pt_user_lower_half(e, virt + done), "pt_user_lower_half");
}

// protect(): the new entry has the new access's R/W and XD bits, every other bit of the old
// entry (frame, U/S, caching, PS, G, accessed, dirty), and W^X whatever the old entry held.
extern "C" void harness_page_table_protect_entry()
{
    u64 old_entry = bw_nondet_u64();
    Access access = any_access();
    u64 e = detail::protected_entry(old_entry, access);
    bw_assert(spec_pt_protect_ok(e, old_entry, u8(access)), "pt_protect_ok");
    bw_assert(spec_pt_w_xor_x(e), "pt_w_xor_x");
}
