// cpio newc reader (man 5 cpio "New ASCII Format"; Linux Documentation/driver-api/early-userspace/
// buffer-format.rst). Verified: spec/kernel/fs/cpio.smt2, proofs/kernel/fs/cpio.cpp.
#include "kernel/fs/cpio.h"

namespace kernel::fs {

lib::StringView cpio_error_name(CpioError error)
{
    switch (error) {
    case CpioError::Truncated:
        return "cpio entry runs past the end of the archive";
    case CpioError::MissingTrailer:
        return "cpio archive ends without a TRAILER!!! entry";
    case CpioError::BadMagic:
        return "not a cpio newc header (magic is not 070701)";
    case CpioError::BadHexDigit:
        return "cpio header field is not 8 hex digits";
    case CpioError::BadNameSize:
        return "cpio name size is 0 or over 4096";
    case CpioError::BadName:
        return "cpio name is not a NUL-terminated relative path";
    case CpioError::BadFileType:
        return "cpio entry is not a regular file, directory or symlink";
    case CpioError::BadDirectory:
        return "cpio directory entry has data";
    case CpioError::BadSymlink:
        return "cpio symlink target is empty, too long or holds a NUL";
    }
    return "unknown cpio error";
}

lib::StringView cpio_file_type_name(CpioFileType type)
{
    switch (type) {
    case CpioFileType::Regular:
        return "regular";
    case CpioFileType::Directory:
        return "directory";
    case CpioFileType::Symlink:
        return "symlink";
    }
    return "?";
}

namespace cpio::detail {

namespace {

constexpr u8 magic[6] = { '0', '7', '0', '7', '0', '1' };

// Eight hex digits at f.offset of the 110-byte header `h`, most significant first. Written without
// branches (selects only) so the 104 digits of a header do not fork the verifier's paths: `bad`
// collects a nonzero bit for any character that is not 0-9, a-f or A-F.
u32 hex_field(const u8* h, lib::Field f, u32& bad)
{
    u32 value = 0;
    for (usize i = 0; i < 8; ++i) {
        u32 c = h[f.offset + i];
        u32 digit = c - '0';             // 0..9 exactly for '0'..'9' (wraps otherwise)
        u32 letter = (c | 0x20) - 'a';   // 0..5 exactly for 'a'..'f' and 'A'..'F'
        u32 is_digit = digit < 10 ? 1 : 0;
        u32 is_letter = letter < 6 ? 1 : 0;
        bad |= 1 ^ (is_digit | is_letter);
        value = (value << 4) | (is_digit != 0 ? digit : letter + 10);
    }
    return value;
}

// Bytes from `x` up to the next multiple of 4 (0..3).
constexpr usize pad4(usize x) { return (4 - (x & 3)) & 3; }

// "." or "..".
bool is_dot_component(lib::StringView component)
{
    return component == "." || component == "..";
}

// Components separated by single '/', none empty, "." or "..": so no leading or trailing '/',
// no "//", and the empty path is refused.
bool is_relative_path(lib::StringView path)
{
    usize start = 0;
    // Each pass looks at one character or the end; the loop runs path.length() + 1 times.
    for (usize i = 0; i <= path.length(); ++i) {
        if (i < path.length() && path[i] != '/')
            continue;
        lib::StringView component = path.substring(start, i - start);
        if (component.is_empty() || is_dot_component(component))
            return false;
        start = i + 1;
    }
    return true;
}

} // namespace

lib::Result<CpioHeader, CpioError> parse_header(lib::ReadonlyBytes archive, usize offset)
{
    VERIFY(offset <= archive.size());
    usize remaining = archive.size() - offset;
    if (remaining == 0)
        return CpioError::MissingTrailer;
    if (remaining < header_len)
        return CpioError::Truncated;
    // The 110 header bytes, read through a pointer once their range is checked.
    const u8* h = archive.slice(offset, header_len).data();
    for (usize i = 0; i < field::magic.size; ++i) {
        if (h[i] != magic[i])
            return CpioError::BadMagic;
    }
    u32 bad = 0;
    CpioHeader header;
    header.ino = hex_field(h, field::ino, bad);
    header.mode = hex_field(h, field::mode, bad);
    header.uid = hex_field(h, field::uid, bad);
    header.gid = hex_field(h, field::gid, bad);
    header.nlink = hex_field(h, field::nlink, bad);
    header.mtime = hex_field(h, field::mtime, bad);
    header.filesize = hex_field(h, field::filesize, bad);
    header.devmajor = hex_field(h, field::devmajor, bad);
    header.devminor = hex_field(h, field::devminor, bad);
    header.rdevmajor = hex_field(h, field::rdevmajor, bad);
    header.rdevminor = hex_field(h, field::rdevminor, bad);
    header.namesize = hex_field(h, field::namesize, bad);
    header.check = hex_field(h, field::check, bad);
    if (bad != 0)
        return CpioError::BadHexDigit;
    if (header.namesize == 0 || header.namesize > max_name_size)
        return CpioError::BadNameSize;
    if (header.namesize > remaining - header_len)
        return CpioError::Truncated;
    return header;
}

lib::Result<CheckedName, CpioError> check_name(lib::ReadonlyBytes field)
{
    VERIFY(!field.is_empty());
    usize length = field.size() - 1;
    if (field[length] != 0)
        return CpioError::BadName;
    for (usize i = 0; i < length; ++i) {
        if (field[i] == 0)
            return CpioError::BadName;
    }
    lib::StringView name(reinterpret_cast<const char*>(field.data()), length);
    if (name == "TRAILER!!!")
        return CheckedName { true, name };
    if (name == ".")
        return CheckedName { false, name };
    if (name.starts_with("./"))
        name = name.substring(2);
    if (!is_relative_path(name))
        return CpioError::BadName;
    return CheckedName { false, name };
}

lib::Result<Layout, CpioError> layout(usize archive_size, usize offset, u32 mode, u32 namesize, u32 filesize)
{
    u32 type = mode & mode_type_mask;
    if ((mode & ~mode_mask) != 0 || (type != mode_regular && type != mode_directory && type != mode_symlink))
        return CpioError::BadFileType;
    if (type == mode_directory && filesize != 0)
        return CpioError::BadDirectory;
    if (type == mode_symlink && (filesize == 0 || filesize > max_symlink_size))
        return CpioError::BadSymlink;
    // Each part must lie inside the archive: the header, the name, its padding, the data, its
    // padding. Each starts where the one before ends, which the check before placed inside the
    // archive, so no sum below can wrap.
    auto inside = [archive_size](usize start, usize length) {
        return start <= archive_size && length <= archive_size - start;
    };
    if (!inside(offset, header_len))
        return CpioError::Truncated;
    usize name_offset = offset + header_len;
    if (!inside(name_offset, namesize))
        return CpioError::Truncated;
    usize name_end = name_offset + namesize;
    if (!inside(name_end, pad4(name_end)))
        return CpioError::Truncated;
    Layout out;
    out.data_offset = name_end + pad4(name_end);
    if (!inside(out.data_offset, filesize))
        return CpioError::Truncated;
    out.data_size = filesize;
    usize data_end = out.data_offset + filesize;
    if (!inside(data_end, pad4(data_end)))
        return CpioError::Truncated;
    out.next = data_end + pad4(data_end);
    return out;
}

} // namespace cpio::detail

lib::Result<lib::Optional<CpioEntry>, CpioError> CpioReader::next()
{
    if (m_state == State::Reading) {
        auto entry = read_entry();
        if (entry.is_ok() && entry.value().has_value())
            return entry;
        if (entry.is_ok()) {
            m_state = State::End;
        } else {
            m_state = State::Failed;
            m_error = entry.error();
        }
    }
    if (m_state == State::End)
        return lib::Optional<CpioEntry>();
    return m_error;
}

lib::Result<lib::Optional<CpioEntry>, CpioError> CpioReader::read_entry()
{
    using namespace cpio;
    CpioHeader header = TRY(detail::parse_header(m_archive, m_offset));
    // parse_header checked 1 <= namesize and that the name lies inside the archive.
    detail::CheckedName name = TRY(detail::check_name(m_archive.slice(m_offset + header_len, header.namesize)));
    if (name.trailer)
        return lib::Optional<CpioEntry>();
    detail::Layout where = TRY(detail::layout(m_archive.size(), m_offset, header.mode, header.namesize, header.filesize));
    lib::ReadonlyBytes data = m_archive.slice(where.data_offset, where.data_size);

    CpioEntry entry;
    u32 type = header.mode & mode_type_mask;
    if (type == mode_symlink) {
        // A target is a path: a NUL would end it early for anyone reading it as a C string.
        for (usize i = 0; i < data.size(); ++i) {
            if (data[i] == 0)
                return CpioError::BadSymlink;
        }
        entry.type = CpioFileType::Symlink;
    } else if (type == mode_directory) {
        entry.type = CpioFileType::Directory;
    } else {
        entry.type = CpioFileType::Regular;
    }
    entry.name = name.path;
    entry.permissions = u16(header.mode & mode_permission_mask);
    entry.ino = header.ino;
    entry.uid = header.uid;
    entry.gid = header.gid;
    entry.nlink = header.nlink;
    entry.mtime = header.mtime;
    entry.data = data;
    m_offset = where.next;
    return lib::Optional<CpioEntry>(entry);
}

} // namespace kernel::fs
