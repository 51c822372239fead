// Fuzz target for the cpio newc reader (kernel/fs/cpio.h).
//
// Input format: the raw archive, any bytes, as the initrd would hold it.
//
// Oracle: an independent model of the format and of Bulwark's policy (written from man 5 cpio
// and kernel/fs/cpio.h, with 128-bit arithmetic instead of overflow checks) must agree exactly
// with CpioReader: the same entries in the same order (name and data as the same byte ranges of
// the input, type, permissions, ino, uid, gid, nlink, mtime), then the same end or the same error.
// Invariants: the walk ends within size / 112 + 1 steps; each entry advances the offset by at
// least 112 bytes to a multiple of 4 inside the input; every view lies inside the entry it came
// from; a finished reader keeps returning the same; a copy of the input reads the same.
#include "fuzz/fuzz.h"
#include "kernel/fs/cpio.h"

#include <cstring>
#include <string>
#include <vector>

using kernel::fs::CpioEntry;
using kernel::fs::CpioError;
using kernel::fs::CpioFileType;
using kernel::fs::CpioReader;

namespace {

struct ModelEntry {
    usize name_offset, name_length;
    CpioFileType type;
    u16 permissions;
    u32 ino, uid, gid, nlink, mtime;
    usize data_offset, data_length;
    usize next;
};

struct Model {
    std::vector<ModelEntry> entries;
    bool ended { false }; // trailer reached
    CpioError error { CpioError::Truncated };
};

bool hex_value(u8 c, u32& digit)
{
    if (c >= '0' && c <= '9')
        digit = c - '0';
    else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
    else
        return false;
    return true;
}

// Bulwark's name rule: "." or components joined by single '/', none empty, "." or "..".
bool relative_path_ok(const std::string& path)
{
    if (path.empty())
        return false;
    usize start = 0;
    while (true) {
        usize slash = path.find('/', start);
        std::string component = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (component.empty() || component == "." || component == "..")
            return false;
        if (slash == std::string::npos)
            return true;
        start = slash + 1;
    }
}

using u128 = unsigned __int128;
u128 align4(u128 x) { return (x + 3) / 4 * 4; }

Model model(const u8* p, usize n)
{
    Model m;
    usize pos = 0;
    auto fail = [&m](CpioError e) {
        m.error = e;
        return m;
    };
    while (true) {
        if (pos == n)
            return fail(CpioError::MissingTrailer);
        if (n - pos < 110)
            return fail(CpioError::Truncated);
        const u8* h = p + pos;
        if (std::memcmp(h, "070701", 6) != 0)
            return fail(CpioError::BadMagic);
        u32 f[13] = {};
        for (usize i = 0; i < 13; ++i) {
            for (usize j = 0; j < 8; ++j) {
                u32 digit;
                if (!hex_value(h[6 + 8 * i + j], digit))
                    return fail(CpioError::BadHexDigit);
                f[i] = f[i] * 16 + digit;
            }
        }
        u32 ino = f[0], mode = f[1], uid = f[2], gid = f[3], nlink = f[4], mtime = f[5], filesize = f[6],
            namesize = f[11];
        if (namesize == 0 || namesize > 4096)
            return fail(CpioError::BadNameSize);
        if (u128(pos) + 110 + namesize > n)
            return fail(CpioError::Truncated);
        const u8* name = h + 110;
        if (name[namesize - 1] != 0 || std::memchr(name, 0, namesize - 1) != nullptr)
            return fail(CpioError::BadName);
        std::string text(reinterpret_cast<const char*>(name), namesize - 1);
        if (text == "TRAILER!!!") {
            m.ended = true;
            return m;
        }
        usize skip = 0;
        if (text != ".") {
            if (text.size() >= 2 && text[0] == '.' && text[1] == '/')
                skip = 2;
            if (!relative_path_ok(text.substr(skip)))
                return fail(CpioError::BadName);
        }
        u32 type = mode & 0170000;
        if (mode > 0177777 || (type != 0100000 && type != 0040000 && type != 0120000))
            return fail(CpioError::BadFileType);
        if (type == 0040000 && filesize != 0)
            return fail(CpioError::BadDirectory);
        if (type == 0120000 && (filesize == 0 || filesize > 4096))
            return fail(CpioError::BadSymlink);
        u128 data_offset = align4(u128(pos) + 110 + namesize);
        u128 next = align4(data_offset + filesize);
        if (next > n)
            return fail(CpioError::Truncated);
        if (type == 0120000 && std::memchr(p + usize(data_offset), 0, filesize) != nullptr)
            return fail(CpioError::BadSymlink);
        ModelEntry e;
        e.name_offset = pos + 110 + skip;
        e.name_length = namesize - 1 - skip;
        e.type = type == 0100000 ? CpioFileType::Regular : type == 0040000 ? CpioFileType::Directory : CpioFileType::Symlink;
        e.permissions = u16(mode & 07777);
        e.ino = ino;
        e.uid = uid;
        e.gid = gid;
        e.nlink = nlink;
        e.mtime = mtime;
        e.data_offset = usize(data_offset);
        e.data_length = filesize;
        e.next = usize(next);
        m.entries.push_back(e);
        pos = usize(next);
    }
}

void check_agrees(const u8* base, usize size, const Model& m)
{
    CpioReader reader(lib::ReadonlyBytes(base, size));
    usize before = 0;
    for (usize step = 0;; ++step) {
        FUZZ_CHECK(step <= size / 112 + 1, "the walk ends within size / 112 + 1 steps");
        auto r = reader.next();
        if (r.is_error() || !r.value().has_value()) {
            FUZZ_CHECK(step == m.entries.size(), "as many entries as the model");
            if (r.is_error()) {
                FUZZ_CHECK(!m.ended && r.error() == m.error, "the same error as the model");
                FUZZ_CHECK(kernel::fs::cpio_error_name(r.error()) != "unknown cpio error", "every error has a name");
            } else {
                FUZZ_CHECK(m.ended, "the end (trailer) where the model ends");
            }
            FUZZ_CHECK(reader.offset() == before, "the end and an error do not move the reader");
            for (int again = 0; again < 2; ++again) {
                auto s = reader.next();
                FUZZ_CHECK(s.is_error() == r.is_error() && (s.is_error() ? s.error() == r.error() : !s.value().has_value()),
                    "a finished reader keeps returning the same");
                FUZZ_CHECK(reader.offset() == before, "a finished reader does not move");
            }
            return;
        }
        FUZZ_CHECK(step < m.entries.size(), "no entry the model does not have");
        const CpioEntry& e = *r.value();
        const ModelEntry& x = m.entries[step];
        auto name = reinterpret_cast<const u8*>(e.name.chars());
        FUZZ_CHECK(name >= base + before + 110 && e.name.length() <= usize(base + reader.offset() - name),
            "the name lies inside its entry");
        FUZZ_CHECK(usize(name - base) == x.name_offset && e.name.length() == x.name_length, "the model's name bytes");
        FUZZ_CHECK(std::memchr(name, 0, e.name.length()) == nullptr, "a name holds no NUL");
        FUZZ_CHECK(e.data.size() == x.data_length && (e.data.size() == 0 || usize(e.data.data() - base) == x.data_offset),
            "the model's data bytes");
        FUZZ_CHECK(e.data.size() == 0 || (e.data.data() >= name + e.name.length() && e.data.end() <= base + reader.offset()),
            "the data lies inside its entry, after the name");
        FUZZ_CHECK(e.type == x.type && e.permissions == x.permissions, "the model's type and permissions");
        FUZZ_CHECK(e.ino == x.ino && e.uid == x.uid && e.gid == x.gid && e.nlink == x.nlink && e.mtime == x.mtime,
            "the header's ino, uid, gid, nlink and mtime");
        FUZZ_CHECK(kernel::fs::cpio_file_type_name(e.type) != "?", "every type has a name");
        FUZZ_CHECK(reader.offset() == x.next, "the reader moves to the model's next header");
        FUZZ_CHECK(reader.offset() >= before + 112 && reader.offset() % 4 == 0 && reader.offset() <= size,
            "each entry advances at least 112 bytes to a multiple of 4 inside the archive");
        before = reader.offset();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Model m = model(data, size);
    check_agrees(data, size, m);
    // A copy at another address reads the same (nothing depends on the address).
    std::vector<u8> copy(data, data + size);
    check_agrees(copy.data(), copy.size(), m);
    return 0;
}
