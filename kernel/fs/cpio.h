// The initrd image format: cpio "newc" archives (man 5 cpio, "New ASCII Format"; Linux
// Documentation/driver-api/early-userspace/buffer-format.rst, "initramfs buffer format").
// A zero-copy reader: every name and file body it returns views the archive itself.
#pragma once

#include "lib/byte_order.h"
#include "lib/optional.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace kernel::fs {

// Layout of a newc entry, all offsets from the start of the archive:
//   header   110 ASCII bytes: magic "070701", then 13 fields of exactly 8 hex digits each
//   name     namesize bytes, the last one NUL
//   padding  zeros up to the next multiple of 4 (header + name together)
//   data     filesize bytes (a symlink's data is its target)
//   padding  zeros up to the next multiple of 4
// The archive ends with an entry named "TRAILER!!!".
namespace cpio {
inline constexpr usize header_len = 110;
// PATH_MAX: namesize counts the terminating NUL, so a name has at most 4095 characters.
inline constexpr u32 max_name_size = 4096;
// A symlink target, like a name, is at most PATH_MAX bytes.
inline constexpr u32 max_symlink_size = 4096;
namespace field {
inline constexpr lib::Field magic { 0, 6 };
inline constexpr lib::Field ino { 6, 8 };
inline constexpr lib::Field mode { 14, 8 };
inline constexpr lib::Field uid { 22, 8 };
inline constexpr lib::Field gid { 30, 8 };
inline constexpr lib::Field nlink { 38, 8 };
inline constexpr lib::Field mtime { 46, 8 };
inline constexpr lib::Field filesize { 54, 8 };
inline constexpr lib::Field devmajor { 62, 8 };
inline constexpr lib::Field devminor { 70, 8 };
inline constexpr lib::Field rdevmajor { 78, 8 };
inline constexpr lib::Field rdevminor { 86, 8 };
inline constexpr lib::Field namesize { 94, 8 };
inline constexpr lib::Field check { 102, 8 };
} // namespace field
static_assert(field::check.end() == header_len);
// st_mode bits (inode(7)).
inline constexpr u32 mode_type_mask = 0170000;
inline constexpr u32 mode_regular = 0100000;
inline constexpr u32 mode_directory = 0040000;
inline constexpr u32 mode_symlink = 0120000;
inline constexpr u32 mode_permission_mask = 07777;
// Every meaningful mode bit: type and permissions (st_mode is 16 bits wide).
inline constexpr u32 mode_mask = 0177777;
} // namespace cpio

enum class CpioError : u8 {
    Truncated,      // a header, name, padding or data runs past the end of the archive
    MissingTrailer, // the archive ends, at an entry boundary, before a "TRAILER!!!" entry
    BadMagic,       // not "070701" (the "070702" CRC variant, odc "070707" and binary are refused)
    BadHexDigit,    // a header field is not 8 hex digits
    BadNameSize,    // namesize 0, or over 4096 (PATH_MAX)
    BadName,        // not NUL-terminated, a NUL inside, or not "." or a clean relative path
    BadFileType,    // not a regular file, directory or symlink, or mode bits above 0177777
    BadDirectory,   // a directory with data (filesize not 0)
    BadSymlink,     // a symlink target that is empty, longer than 4096 bytes or holds a NUL
};

lib::StringView cpio_error_name(CpioError);

enum class CpioFileType : u8 { Regular, Directory, Symlink };

lib::StringView cpio_file_type_name(CpioFileType);

// One archive member. `name` and `data` view the archive (zero-copy): the entry must not outlive
// it.
struct CpioEntry {
    // "." (the root) or a relative path: components separated by single '/', none empty, "." or
    // "..". No NUL. A leading "./" in the archive (as `find . | cpio -o -H newc` writes) is
    // stripped here.
    lib::StringView name;
    CpioFileType type { CpioFileType::Regular };
    u16 permissions { 0 }; // mode & 07777: rwx for user, group, other, and setuid/setgid/sticky
    u32 ino { 0 };
    u32 uid { 0 };
    u32 gid { 0 };
    u32 nlink { 0 };
    u32 mtime { 0 };
    // The file body; a symlink's target (1..4096 bytes, no NUL); empty for a directory.
    lib::ReadonlyBytes data;
};

// The raw header fields, decoded from hex.
struct CpioHeader {
    u32 ino { 0 }, mode { 0 }, uid { 0 }, gid { 0 }, nlink { 0 }, mtime { 0 }, filesize { 0 };
    u32 devmajor { 0 }, devminor { 0 }, rdevmajor { 0 }, rdevminor { 0 }, namesize { 0 }, check { 0 };
};

// The steps CpioReader::next repeats, separate so that proofs/kernel/fs/cpio.cpp can verify each.
namespace cpio::detail {

// The header at `offset`: magic, the 13 hex fields, namesize 1..4096 and the name inside the
// archive. Precondition: offset <= archive.size().
// Fails with: MissingTrailer (offset == archive.size()), Truncated (fewer than 110 bytes left, or
// the name runs past the end), BadMagic, BadHexDigit, BadNameSize.
lib::Result<CpioHeader, CpioError> parse_header(lib::ReadonlyBytes archive, usize offset);

struct CheckedName {
    bool trailer { false }; // the name is "TRAILER!!!": the archive ends here
    lib::StringView path;   // the name without its NUL, and without a leading "./"
};
// The name field: namesize bytes, the last one NUL and no other. Precondition: !field.is_empty().
// Fails with: BadName.
lib::Result<CheckedName, CpioError> check_name(lib::ReadonlyBytes field);

struct Layout {
    usize data_offset { 0 }; // after the header, the name and its padding
    usize data_size { 0 };   // filesize
    usize next { 0 };        // after the data and its padding: where the next header starts
};
// Where an entry's parts lie, and what its mode and size may be, from its header fields.
// Computed without overflow for every input.
// Fails with: BadFileType, BadDirectory, BadSymlink (empty or over 4096 bytes), Truncated.
lib::Result<Layout, CpioError> layout(usize archive_size, usize offset, u32 mode, u32 namesize, u32 filesize);

} // namespace cpio::detail

// Walks a newc archive from its first byte, one entry per next(), up to the trailer.
//
// Policy for a read-only image filesystem, on top of the format:
// - Only regular files, directories and symlinks. Device nodes, FIFOs and sockets are refused:
//   device files come from the kernel, never from the image.
// - Names are "." or relative paths (see CpioEntry::name); absolute names, "//", a trailing '/'
//   and "." or ".." components are refused, so no entry can name a place outside the root.
// - A directory carries no data; a symlink's target is 1..4096 bytes without NUL.
// - devmajor, devminor, rdevmajor, rdevminor and check must be valid hex and are otherwise
//   ignored (newc's check is 0; only the CRC format fills it in). The trailer is recognized by
//   its name alone; its other fields are not looked at beyond being valid hex.
// - Padding bytes are skipped, not checked for zero (as Linux's initramfs unpacker does); they
//   must lie inside the archive. Anything after the trailer is not read: GNU cpio pads archives
//   to 512-byte blocks. Unlike Linux, a second archive concatenated after the trailer is not read.
// FIXME: hard links (entries sharing ino with nlink > 1, whose data comes with the last one) and
// duplicate names are not resolved here, nor is "." required to be a directory; the image
// filesystem that builds the tree must.
class CpioReader {
public:
    explicit CpioReader(lib::ReadonlyBytes archive) : m_archive(archive) { }

    // The next entry, or nullopt once the trailer has been read. After nullopt or an error the
    // reader is finished and keeps returning the same.
    // Fails with: every CpioError (see detail::parse_header, check_name and layout; BadSymlink
    // also for a target holding a NUL).
    lib::Result<lib::Optional<CpioEntry>, CpioError> next();
    // Bytes consumed so far: where the next header starts.
    usize offset() const { return m_offset; }

private:
    lib::Result<lib::Optional<CpioEntry>, CpioError> read_entry();

    enum class State : u8 { Reading, End, Failed };

    lib::ReadonlyBytes m_archive;
    // Invariant: m_offset <= m_archive.size() and m_offset % 4 == 0. Each entry read_entry returns
    // advances it by at least 112 bytes (the header, a name of at least one byte, padding), to a
    // multiple of 4 that layout() has checked lies inside the archive; nothing else moves it. So an
    // archive of n bytes yields fewer than n / 112 + 1 entries and the walk never leaves it.
    usize m_offset { 0 };
    State m_state { State::Reading };
    CpioError m_error { CpioError::Truncated }; // meaningful when m_state == Failed
};

} // namespace kernel::fs
