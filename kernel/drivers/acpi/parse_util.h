// Internal helpers shared by the ACPI table parsers (ACPI 6.4 5.2.6 system description table
// header; 4.8.3.2.1 and 4.8.3.7 for SLP_TYPx). Not part of the API: include only from
// kernel/drivers/acpi/*.cpp.
#pragma once

#include "kernel/drivers/acpi/tables.h"

#include "lib/byte_order.h"
#include "lib/verify.h"

namespace kernel::drivers::acpi::detail {

constexpr u8 max_sleep_type = 7; // SLP_TYPx is a 3-bit field (4.8.3.2.1, 4.8.3.7).

inline u8 load_u8(lib::ReadonlyBytes bytes, lib::Field field)
{
    VERIFY(field.size == 1);
    return bytes[field.offset];
}

inline bool has_field(lib::ReadonlyBytes bytes, lib::Field field) { return bytes.contains_range(field.offset, field.size); }

// The bytes of `table` as TableView::checked() cuts them, once its signature is `signature` and
// it holds at least `min_size` bytes. Fails with: BadLength, BadChecksum, BadSignature, Truncated.
inline lib::Result<lib::ReadonlyBytes, AcpiError> checked_table(lib::ReadonlyBytes table, lib::StringView signature, usize min_size)
{
    TableView view = TRY(TableView::checked(table));
    if (view.signature() != signature)
        return AcpiError::BadSignature;
    lib::ReadonlyBytes t = view.bytes();
    if (t.size() < min_size)
        return AcpiError::Truncated;
    return t;
}

} // namespace kernel::drivers::acpi::detail
