// Unit and property tests for the cpio newc reader (kernel/fs/cpio.h).
#include "kernel/fs/cpio.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

using kernel::fs::CpioEntry;
using kernel::fs::CpioError;
using kernel::fs::CpioFileType;
using kernel::fs::CpioReader;
namespace cpio = kernel::fs::cpio;

namespace {

constexpr u32 S_REG = 0100000, S_DIR = 0040000, S_LNK = 0120000;

std::string str(lib::StringView v) { return std::string(v.chars(), v.length()); }
std::string str(lib::ReadonlyBytes b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

// The 13 header fields in archive order, and the magic.
struct Header {
    std::string magic { "070701" };
    u32 ino { 1 }, mode { S_REG | 0644 }, uid { 0 }, gid { 0 }, nlink { 1 }, mtime { 0 }, filesize { 0 };
    u32 devmajor { 0 }, devminor { 0 }, rdevmajor { 0 }, rdevminor { 0 }, namesize { 0 }, check { 0 };
};

std::string hex8(u32 v)
{
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", v);
    return buf;
}

void pad4(std::string& out)
{
    while (out.size() % 4 != 0)
        out.push_back('\0');
}

// Appends one entry: `h` as given (namesize as given, unless 0: then the name's size with a NUL),
// the raw name bytes (the caller adds the NUL), padding, data, padding.
void append_raw(std::string& out, Header h, const std::string& raw_name, const std::string& data)
{
    if (h.namesize == 0)
        h.namesize = u32(raw_name.size());
    out += h.magic;
    for (u32 v : { h.ino, h.mode, h.uid, h.gid, h.nlink, h.mtime, h.filesize, h.devmajor, h.devminor, h.rdevmajor,
                   h.rdevminor, h.namesize, h.check })
        out += hex8(v);
    out += raw_name;
    pad4(out);
    out += data;
    pad4(out);
}

struct Member {
    Member() = default;
    Member(std::string name_, u32 mode_ = S_REG | 0644, std::string data_ = "", u32 ino_ = 1, u32 uid_ = 0, u32 gid_ = 0,
           u32 nlink_ = 1, u32 mtime_ = 0)
        : name(name_), mode(mode_), data(data_), ino(ino_), uid(uid_), gid(gid_), nlink(nlink_), mtime(mtime_)
    {
    }
    std::string name; // as stored, without the NUL
    u32 mode { S_REG | 0644 };
    std::string data;
    u32 ino { 1 }, uid { 0 }, gid { 0 }, nlink { 1 }, mtime { 0 };
};

void append(std::string& out, const Member& m)
{
    Header h;
    h.ino = m.ino;
    h.mode = m.mode;
    h.uid = m.uid;
    h.gid = m.gid;
    h.nlink = m.nlink;
    h.mtime = m.mtime;
    h.filesize = u32(m.data.size());
    append_raw(out, h, m.name + std::string(1, '\0'), m.data);
}

void append_trailer(std::string& out)
{
    Header h;
    h.ino = 0;
    h.mode = 0;
    h.nlink = 1;
    append_raw(out, h, std::string("TRAILER!!!") + '\0', "");
}

std::string archive(const std::vector<Member>& members, bool trailer = true)
{
    std::string out;
    for (const Member& m : members)
        append(out, m);
    if (trailer)
        append_trailer(out);
    return out;
}

lib::ReadonlyBytes bytes(const std::string& s) { return { reinterpret_cast<const u8*>(s.data()), s.size() }; }

struct Walk {
    const std::string* archive { nullptr }; // what the entries view; kept alive for the whole run
    std::vector<CpioEntry> entries;
    bool ok { false };
    CpioError error { CpioError::Truncated };
};

// Reads to the end or the first error; checks that the reader then stays finished.
Walk walk(const std::string& text)
{
    static std::deque<std::string> archives;
    archives.push_back(text);
    const std::string& a = archives.back();
    Walk w;
    w.archive = &a;
    CpioReader reader(bytes(a));
    for (usize steps = 0; steps <= a.size() / 112 + 1; ++steps) {
        auto r = reader.next();
        if (r.is_error()) {
            w.error = r.error();
            auto again = reader.next();
            EXPECT_TRUE(again.is_error() && again.error() == w.error);
            return w;
        }
        if (!r.value().has_value()) {
            w.ok = true;
            auto again = reader.next();
            EXPECT_TRUE(again.is_ok() && !again.value().has_value());
            return w;
        }
        w.entries.push_back(*r.value());
    }
    ADD_FAILURE() << "the walk did not end";
    return w;
}

CpioError error_of(const std::string& a)
{
    Walk w = walk(a);
    EXPECT_FALSE(w.ok);
    return w.error;
}

// One member (then the trailer), refused with `e`.
void expect_refused(const Member& m, CpioError e)
{
    SCOPED_TRACE(m.name);
    EXPECT_EQ(error_of(archive({ m })), e);
}

void expect_accepted(const Member& m, const std::string& name)
{
    SCOPED_TRACE(m.name);
    Walk w = walk(archive({ m }));
    ASSERT_TRUE(w.ok) << kernel::fs::cpio_error_name(w.error).chars();
    ASSERT_EQ(w.entries.size(), 1u);
    EXPECT_EQ(str(w.entries[0].name), name);
}

bool inside(const std::string& a, const void* p, usize n)
{
    auto b = reinterpret_cast<const char*>(p);
    return b >= a.data() && b <= a.data() + a.size() && n <= usize(a.data() + a.size() - b);
}

} // namespace

TEST(Cpio, EmptyArchiveHasNoTrailer)
{
    EXPECT_EQ(error_of(""), CpioError::MissingTrailer);
}

TEST(Cpio, TrailerOnly)
{
    Walk w = walk(archive({}));
    EXPECT_TRUE(w.ok);
    EXPECT_TRUE(w.entries.empty());
}

TEST(Cpio, TypicalArchive)
{
    std::string a = archive({
        { ".", S_DIR | 0755, "", 100, 0, 0, 2, 1700000000 },
        { "./etc", S_DIR | 0755, "", 101, 0, 0, 2, 1700000001 },
        { "./etc/nginx.conf", S_REG | 0644, "worker_processes 1;\n", 102, 1000, 1000, 1, 1700000002 },
        { "./bin", S_LNK | 0777, "usr/bin", 103 },
        { "./empty", S_REG | 04755, "", 104 },
    });
    Walk w = walk(a);
    ASSERT_TRUE(w.ok);
    ASSERT_EQ(w.entries.size(), 5u);
    EXPECT_EQ(str(w.entries[0].name), ".");
    EXPECT_EQ(w.entries[0].type, CpioFileType::Directory);
    EXPECT_EQ(w.entries[0].permissions, 0755);
    EXPECT_EQ(w.entries[0].ino, 100u);
    EXPECT_EQ(w.entries[0].nlink, 2u);
    EXPECT_EQ(w.entries[0].mtime, 1700000000u);
    EXPECT_EQ(str(w.entries[1].name), "etc");
    EXPECT_EQ(str(w.entries[2].name), "etc/nginx.conf");
    EXPECT_EQ(w.entries[2].type, CpioFileType::Regular);
    EXPECT_EQ(w.entries[2].uid, 1000u);
    EXPECT_EQ(w.entries[2].gid, 1000u);
    EXPECT_EQ(str(w.entries[2].data), "worker_processes 1;\n");
    EXPECT_EQ(str(w.entries[3].name), "bin");
    EXPECT_EQ(w.entries[3].type, CpioFileType::Symlink);
    EXPECT_EQ(str(w.entries[3].data), "usr/bin");
    EXPECT_EQ(w.entries[4].permissions, 04755);
    EXPECT_TRUE(w.entries[4].data.is_empty());
    for (const CpioEntry& e : w.entries) {
        EXPECT_TRUE(inside(*w.archive, e.name.chars(), e.name.length())) << "zero-copy: the name views the archive";
        EXPECT_TRUE(e.data.is_empty() || inside(*w.archive, e.data.data(), e.data.size())) << "the data views the archive";
    }
}

TEST(Cpio, NamesWithoutDotSlashPrefix)
{
    Walk w = walk(archive({ { "etc", S_DIR | 0755 }, { "etc/hosts", S_REG | 0644, "127.0.0.1 localhost\n" } }));
    ASSERT_TRUE(w.ok);
    ASSERT_EQ(w.entries.size(), 2u);
    EXPECT_EQ(str(w.entries[1].name), "etc/hosts");
}

TEST(Cpio, UpperCaseHexAccepted)
{
    std::string a;
    Header h;
    h.filesize = 0;
    h.mode = S_REG | 0644;
    h.uid = 0xABCDEF;
    append_raw(a, h, std::string("f") + '\0', "");
    for (usize i = 6; i < cpio::header_len; ++i)
        a[i] = char(std::toupper(a[i]));
    append_trailer(a);
    Walk w = walk(a);
    ASSERT_TRUE(w.ok);
    EXPECT_EQ(w.entries[0].uid, 0xABCDEFu);
}

TEST(Cpio, AfterTrailerNothingIsRead)
{
    // GNU cpio pads to 512 bytes; garbage after the trailer is not looked at either.
    std::string a = archive({ { "a", S_REG | 0644, "x" } });
    a += std::string(512 - a.size() % 512, '\0');
    Walk w = walk(a);
    EXPECT_TRUE(w.ok);
    a += "garbage that is not a header";
    EXPECT_TRUE(walk(a).ok);
}

TEST(Cpio, BadMagic)
{
    for (const char* magic : { "070702", "070707", "070700", "171701", "07O701" }) {
        std::string a;
        Header h;
        h.magic = magic;
        append_raw(a, h, std::string("f") + '\0', "");
        append_trailer(a);
        EXPECT_EQ(error_of(a), CpioError::BadMagic) << magic;
    }
    // Old binary format (magic 070707 as a 16-bit word).
    std::string binary("\xc7\x71", 2);
    binary += std::string(200, '\0');
    EXPECT_EQ(error_of(binary), CpioError::BadMagic);
}

TEST(Cpio, BadHexDigitInEveryField)
{
    std::string good;
    append(good, { "f", S_REG | 0644, "" });
    append_trailer(good);
    ASSERT_TRUE(walk(good).ok);
    for (usize i = 6; i < cpio::header_len; ++i) {
        for (char c : { 'g', 'G', ' ', 'x', '-', '+', '\0', '/', ':', '@', '`' }) {
            std::string a = good;
            a[i] = c;
            EXPECT_EQ(error_of(a), CpioError::BadHexDigit) << "offset " << i << " char " << int(c);
        }
    }
}

TEST(Cpio, NameSize)
{
    for (u32 namesize : { 0u, 4097u, 0xffffffffu }) {
        std::string a;
        Header h;
        h.namesize = namesize;
        append_raw(a, h, std::string("f") + '\0', "");
        append_trailer(a);
        // namesize 0 is "take it from the name" in append_raw; write it over.
        if (namesize == 0)
            a.replace(94, 8, hex8(0));
        EXPECT_EQ(error_of(a), CpioError::BadNameSize) << namesize;
    }
    // The largest name: 4095 characters and the NUL.
    std::string longest(4095, 'a');
    for (usize i = 100; i < longest.size(); i += 100)
        longest[i] = '/';
    expect_accepted({ longest, S_REG | 0644 }, longest);
    expect_refused({ longest + "b", S_REG | 0644 }, CpioError::BadNameSize);
}

TEST(Cpio, NameMustBeTerminatedOnce)
{
    std::string a;
    Header h;
    append_raw(a, h, "ab", ""); // no NUL: namesize 2 covers "ab"
    append_trailer(a);
    EXPECT_EQ(error_of(a), CpioError::BadName);
    a.clear();
    append_raw(a, h, std::string("a\0b\0", 4), "");
    append_trailer(a);
    EXPECT_EQ(error_of(a), CpioError::BadName);
    a.clear();
    append_raw(a, h, std::string("\0", 1), ""); // the empty name
    append_trailer(a);
    EXPECT_EQ(error_of(a), CpioError::BadName);
}

TEST(Cpio, NamePolicy)
{
    for (const char* good : { "a", "a/b", "a.b", ".a", "..a", "a..", "...", "a/.b/c", "a b", "-" })
        expect_accepted({ good, S_REG | 0644 }, good);
    expect_accepted({ ".", S_DIR | 0755 }, ".");
    expect_accepted({ "./a/b", S_REG | 0644 }, "a/b");
    expect_accepted({ "./...", S_REG | 0644 }, "...");
    for (const char* bad : { "/", "/etc/passwd", "a//b", "a/", "./", "./.", "././a", ".//a", "..", "../a", "a/..",
                             "a/../b", "a/./b", "a/.", "//a", "./../a", ".." }) {
        expect_refused({ bad, S_REG | 0644 }, CpioError::BadName);
    }
}

TEST(Cpio, FileTypes)
{
    for (u32 mode : { 0020644u /* char device */, 0060644u /* block device */, 0010644u /* fifo */,
                      0140777u /* socket */, 0u, 0070000u, 0170000u, 0030000u, S_REG | 0x10000u, S_REG | 0x80000000u }) {
        SCOPED_TRACE(mode);
        expect_refused({ "dev", mode, "" }, CpioError::BadFileType);
    }
    expect_accepted({ "f", S_REG | 07777 }, "f");
}

TEST(Cpio, DirectoryHasNoData)
{
    expect_refused({ "d", S_DIR | 0755, "x" }, CpioError::BadDirectory);
}

TEST(Cpio, SymlinkTargets)
{
    expect_refused({ "l", S_LNK | 0777, "" }, CpioError::BadSymlink);
    expect_refused({ "l", S_LNK | 0777, std::string("a\0b", 3) }, CpioError::BadSymlink);
    expect_refused({ "l", S_LNK | 0777, std::string("ab\0", 3) }, CpioError::BadSymlink);
    expect_refused({ "l", S_LNK | 0777, std::string(4097, 'a') }, CpioError::BadSymlink);
    Walk w = walk(archive({ { "l", S_LNK | 0777, std::string(4096, 'a') } }));
    ASSERT_TRUE(w.ok);
    EXPECT_EQ(w.entries[0].data.size(), 4096u);
    // Absolute and dotted targets are fine: they are resolved later, inside the image root.
    expect_accepted({ "l", S_LNK | 0777, "/usr/../bin" }, "l");
}

TEST(Cpio, MissingTrailerAndTruncation)
{
    std::string a = archive({ { "a", S_REG | 0644, "hello" } }, false);
    EXPECT_EQ(error_of(a), CpioError::MissingTrailer);
    std::string full = archive({ { "a", S_REG | 0644, "hello" } });
    // Every cut inside an entry or inside the trailer's header and name.
    usize trailer_name_end = a.size() + cpio::header_len + 11;
    for (usize cut = 1; cut < trailer_name_end; ++cut) {
        CpioError e = error_of(full.substr(0, cut));
        EXPECT_EQ(e, cut == a.size() ? CpioError::MissingTrailer : CpioError::Truncated) << cut;
    }
    // The trailer's own padding need not be there.
    EXPECT_TRUE(walk(full.substr(0, trailer_name_end)).ok);
}

TEST(Cpio, FileSizePastTheEnd)
{
    std::string a;
    Header h;
    h.filesize = 0xffffffff;
    append_raw(a, h, std::string("f") + '\0', "");
    append_trailer(a);
    EXPECT_EQ(error_of(a), CpioError::Truncated);
}

TEST(Cpio, PaddingBoundaries)
{
    // Name sizes 1..8 and data sizes 0..8 cover every padding amount of both.
    for (usize n = 1; n <= 8; ++n) {
        for (usize d = 0; d <= 8; ++d) {
            std::string name(n, 'n'), data(d, 'd');
            std::string a = archive({ { name, S_REG | 0644, data }, { name + "2", S_REG | 0600, data } });
            Walk w = walk(a);
            ASSERT_TRUE(w.ok) << n << " " << d;
            ASSERT_EQ(w.entries.size(), 2u);
            EXPECT_EQ(str(w.entries[0].name), name);
            EXPECT_EQ(str(w.entries[0].data), data);
            EXPECT_EQ(str(w.entries[1].name), name + "2");
            EXPECT_EQ(str(w.entries[1].data), data);
            EXPECT_EQ((w.entries[1].name.chars() - w.archive->data() - 110) % 4, 0) << "each header starts at a multiple of 4";
        }
    }
}

TEST(Cpio, OffsetAdvancesByThePaddedEntry)
{
    std::string a = archive({ { "abc", S_REG | 0644, "12345" } });
    CpioReader reader(bytes(a));
    EXPECT_EQ(reader.offset(), 0u);
    ASSERT_TRUE(reader.next().is_ok());
    EXPECT_EQ(reader.offset(), 116u /* 110 + 4 -> 116 */ + 8u /* 5 -> 8 */);
    auto end = reader.next();
    ASSERT_TRUE(end.is_ok());
    EXPECT_FALSE(end.value().has_value());
}

TEST(Cpio, ManyEntries)
{
    std::vector<Member> members;
    for (u32 i = 0; i < 2000; ++i)
        members.push_back({ "f" + std::to_string(i), S_REG | 0644, std::string(i % 13, char('a' + i % 26)), i + 1 });
    Walk w = walk(archive(members));
    ASSERT_TRUE(w.ok);
    ASSERT_EQ(w.entries.size(), members.size());
    for (usize i = 0; i < members.size(); ++i) {
        EXPECT_EQ(str(w.entries[i].name), members[i].name);
        EXPECT_EQ(str(w.entries[i].data), members[i].data);
        EXPECT_EQ(w.entries[i].ino, members[i].ino);
    }
}

TEST(Cpio, ErrorNames)
{
    for (int e = 0; e <= int(CpioError::BadSymlink); ++e)
        EXPECT_NE(str(kernel::fs::cpio_error_name(CpioError(e))), "unknown cpio error");
    EXPECT_EQ(str(kernel::fs::cpio_file_type_name(CpioFileType::Symlink)), "symlink");
}

namespace {

// A valid relative path of 1..4 components from a small alphabet that makes "." and ".." likely.
std::string gen_path()
{
    usize components = *rc::gen::inRange<usize>(1, 5);
    std::string path;
    for (usize i = 0; i < components; ++i) {
        std::string c;
        do {
            c = *rc::gen::container<std::string>(*rc::gen::inRange<usize>(1, 6), rc::gen::element('a', '.', 'Z', '-'));
        } while (c == "." || c == "..");
        path += (i ? "/" : "") + c;
    }
    return path;
}

Member gen_member()
{
    Member m;
    m.name = gen_path();
    int kind = *rc::gen::inRange(0, 3);
    u32 perms = *rc::gen::inRange<u32>(0, 010000);
    if (kind == 0) {
        m.mode = S_REG | perms;
        m.data = *rc::gen::container<std::string>(*rc::gen::inRange<usize>(0, 40), rc::gen::arbitrary<char>());
    } else if (kind == 1) {
        m.mode = S_DIR | perms;
    } else {
        m.mode = S_LNK | perms;
        m.data = *rc::gen::container<std::string>(*rc::gen::inRange<usize>(1, 20), rc::gen::inRange<char>(1, 127));
    }
    if (*rc::gen::arbitrary<bool>())
        m.name = "./" + m.name;
    m.ino = *rc::gen::arbitrary<u32>();
    m.uid = *rc::gen::arbitrary<u32>();
    m.gid = *rc::gen::arbitrary<u32>();
    m.nlink = *rc::gen::arbitrary<u32>();
    m.mtime = *rc::gen::arbitrary<u32>();
    return m;
}

std::vector<Member> gen_members()
{
    usize n = *rc::gen::inRange<usize>(0, 8);
    std::vector<Member> members;
    for (usize i = 0; i < n; ++i)
        members.push_back(gen_member());
    return members;
}

} // namespace

RC_GTEST_PROP(CpioProperty, BuilderRoundTrip, ())
{
    std::vector<Member> members = gen_members();
    std::string a = archive(members);
    Walk w = walk(a);
    RC_ASSERT(w.ok);
    RC_ASSERT(w.entries.size() == members.size());
    for (usize i = 0; i < members.size(); ++i) {
        const Member& m = members[i];
        const CpioEntry& e = w.entries[i];
        std::string name = m.name.rfind("./", 0) == 0 ? m.name.substr(2) : m.name;
        RC_ASSERT(str(e.name) == name);
        RC_ASSERT(str(e.data) == m.data);
        RC_ASSERT(e.permissions == (m.mode & 07777));
        RC_ASSERT(e.type == ((m.mode & 0170000) == S_REG ? CpioFileType::Regular
                                : (m.mode & 0170000) == S_DIR ? CpioFileType::Directory : CpioFileType::Symlink));
        RC_ASSERT(e.ino == m.ino && e.uid == m.uid && e.gid == m.gid && e.nlink == m.nlink && e.mtime == m.mtime);
        RC_ASSERT(inside(*w.archive, e.name.chars(), e.name.length()));
    }
}

// Every proper prefix of a valid archive that cuts before the trailer's name ends is refused:
// Truncated, or MissingTrailer at an entry boundary. The prefix is copied into a buffer of its
// own size, so ASan would catch a read past it.
RC_GTEST_PROP(CpioProperty, TruncationIsAnError, ())
{
    std::string a = archive(gen_members());
    usize trailer_name_end = a.size() - 124 + 110 + 11; // the trailer entry is 124 bytes
    usize cut = *rc::gen::inRange<usize>(0, trailer_name_end);
    std::vector<u8> prefix(a.begin(), a.begin() + cut);
    CpioReader reader(lib::ReadonlyBytes(prefix.data(), prefix.size()));
    for (usize steps = 0; steps < 20; ++steps) {
        auto r = reader.next();
        if (r.is_error()) {
            RC_ASSERT(r.error() == CpioError::Truncated || r.error() == CpioError::MissingTrailer);
            return;
        }
        RC_ASSERT(r.value().has_value());
        RC_ASSERT(reader.offset() <= prefix.size());
    }
    RC_FAIL("the walk did not end");
}

// Any bytes at all: the walk ends within size / 112 + 1 steps, every step advances by at least 112
// bytes to a multiple of 4, and every view lies inside the input.
RC_GTEST_PROP(CpioProperty, AnyBytesStayInside, ())
{
    std::string a = *rc::gen::arbitrary<bool>() ? *rc::gen::arbitrary<std::string>() : archive(gen_members());
    // Flip a few bytes of it.
    usize flips = a.empty() ? 0 : *rc::gen::inRange<usize>(0, 4);
    for (usize i = 0; i < flips; ++i)
        a[*rc::gen::inRange<usize>(0, a.size())] = *rc::gen::arbitrary<char>();
    std::vector<u8> copy(a.begin(), a.end());
    CpioReader reader(lib::ReadonlyBytes(copy.data(), copy.size()));
    usize before = 0;
    for (usize steps = 0; steps <= copy.size() / 112 + 1; ++steps) {
        auto r = reader.next();
        if (r.is_error() || !r.value().has_value()) {
            RC_ASSERT(reader.offset() == before);
            return;
        }
        RC_ASSERT(reader.offset() >= before + 112 && reader.offset() % 4 == 0 && reader.offset() <= copy.size());
        const CpioEntry& e = *r.value();
        auto begin = reinterpret_cast<const char*>(copy.data());
        RC_ASSERT(e.name.chars() >= begin + before + 110 && e.name.end() <= begin + reader.offset());
        RC_ASSERT(e.data.data() >= copy.data() + before && e.data.end() <= copy.data() + reader.offset());
        before = reader.offset();
    }
    RC_FAIL("the walk did not end");
}
