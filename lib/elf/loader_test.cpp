#include <rustos/elf/loader.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>

using namespace rustos;
using namespace rustos::elf;

namespace {

// An address space made of byte pages, recording every mapping.
class FakeTarget final : public LoadTarget {
public:
    // When set, map_file maps from these bytes (copy-on-write in a real
    // target: here a copy) as a page cache would.
    const std::vector<uint8_t>* file = nullptr;
    int file_maps = 0;

    struct Mapping {
        uint64_t start, len;
        uint32_t prot;
        rustos::abi::MapKind kind;
    };
    std::vector<Mapping> maps;
    std::map<uint64_t, std::vector<uint8_t>> pages;

    ErrorOr<void> map(uint64_t vaddr, uint64_t len, uint32_t prot,
                      rustos::abi::MapKind kind) override {
        if (vaddr % kPageSize || len % kPageSize || len == 0)
            return Error(EINVAL, "unaligned");
        for (auto& m : maps)
            if (vaddr < m.start + m.len && m.start < vaddr + len)
                return Error(EEXIST, "overlap");
        maps.push_back({vaddr, len, prot, kind});
        return {};
    }
    ErrorOr<bool> map_file(uint64_t vaddr, uint64_t len, uint32_t prot, uint64_t offset) override {
        if (!file)
            return false;
        if (offset % kPageSize)
            return Error(EINVAL, "unaligned offset");
        TRY(map(vaddr, len, prot, rustos::abi::MapKind::Image));
        for (uint64_t i = 0; i < len; ++i)
            byte(vaddr + i) = offset + i < file->size() ? (*file)[offset + i] : 0;
        ++file_maps;
        return true;
    }
    // The protection of the page holding a, or ~0u when unmapped.
    uint32_t prot_at(uint64_t a) const {
        for (auto& m : maps)
            if (a >= m.start && a < m.start + m.len)
                return m.prot;
        return ~0u;
    }
    ErrorOr<void> write(uint64_t vaddr, const uint8_t* data, uint64_t len) override {
        for (uint64_t i = 0; i < len; ++i) {
            if (!mapped(vaddr + i))
                return Error(EFAULT, "write outside a mapping");
            byte(vaddr + i) = data[i];
        }
        return {};
    }
    bool mapped(uint64_t a) const {
        for (auto& m : maps)
            if (a >= m.start && a < m.start + m.len)
                return true;
        return false;
    }
    uint8_t& byte(uint64_t a) {
        auto& p = pages[a / kPageSize];
        if (p.empty())
            p.resize(kPageSize);
        return p[a % kPageSize];
    }
    uint64_t word(uint64_t a) {
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v |= uint64_t(byte(a + i)) << (8 * i);
        return v;
    }
};

std::vector<uint8_t> read_file(const char* path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

} // namespace

TEST(ElfLoader, StaticProgramAndItsStack) {
    auto file = read_file("/bin/busybox");
    ASSERT_FALSE(file.empty());
    ReadonlyBytes bytes(file.data(), file.size());
    auto image = parse_executable(bytes);
    ASSERT_FALSE(image.is_error());
    FakeTarget t;
    auto loaded = load_image(bytes, image.value(), 0, t);
    ASSERT_FALSE(loaded.is_error()) << loaded.error().reason();
    EXPECT_EQ(loaded->entry, image->entry);
    EXPECT_TRUE(t.mapped(loaded->entry));
    EXPECT_EQ(loaded->end % kPageSize, 0u);
    // The first bytes of the first segment are the ELF header itself.
    EXPECT_EQ(t.byte(image->loads[0].vaddr), 0x7f);
    EXPECT_EQ(t.byte(image->loads[0].vaddr + 1), 'E');

    StringView argv[] = {"busybox", "echo", "hi"};
    StringView envp[] = {"PATH=/bin"};
    uint8_t random[16] = {1, 2, 3};
    StackSpec spec;
    spec.argv = argv;
    spec.envp = envp;
    spec.execfn = "/bin/busybox";
    spec.program = &loaded.value();
    spec.random16 = random;
    std::vector<uint8_t> scratch(kInitialStackBytes);
    auto rsp = setup_stack(spec, t, {scratch.data(), scratch.size()});
    ASSERT_FALSE(rsp.is_error()) << rsp.error().reason();
    EXPECT_EQ(rsp.value() % 16, 0u);
    EXPECT_EQ(t.word(rsp.value()), 3u); // argc
    EXPECT_TRUE(t.mapped(kStackTop - kStackSize));
    EXPECT_FALSE(t.mapped(kStackTop));
    // Find AT_ENTRY and AT_BASE in the auxv.
    uint64_t a = rsp.value() + 8 * (1 + 3 + 1 + 1 + 1);
    std::map<uint64_t, uint64_t> aux;
    for (; t.word(a) != rustos::abi::AT_NULL; a += 16)
        aux[t.word(a)] = t.word(a + 8);
    EXPECT_EQ(aux[rustos::abi::AT_ENTRY], loaded->entry);
    EXPECT_EQ(aux[rustos::abi::AT_BASE], 0u);
    EXPECT_EQ(aux[rustos::abi::AT_PHDR], loaded->phdr);
    EXPECT_EQ(aux[rustos::abi::AT_PAGESZ], kPageSize);
}

TEST(ElfLoader, DynamicProgramWithInterpreter) {
    auto prog = read_file("/bin/ls");
    auto interp = read_file("/lib64/ld-linux-x86-64.so.2");
    ASSERT_FALSE(prog.empty());
    ASSERT_FALSE(interp.empty());
    ReadonlyBytes pb(prog.data(), prog.size()), ib(interp.data(), interp.size());
    auto pimg = parse_executable(pb);
    auto iimg = parse_executable(ib);
    ASSERT_FALSE(pimg.is_error());
    ASSERT_FALSE(iimg.is_error()) << iimg.error().reason();
    FakeTarget t;
    auto p = load_image(pb, pimg.value(), kPieBase, t);
    auto i = load_image(ib, iimg.value(), kInterpBase, t);
    ASSERT_FALSE(p.is_error());
    ASSERT_FALSE(i.is_error()) << i.error().reason();
    EXPECT_GE(p->entry, kPieBase);
    EXPECT_GE(i->entry, kInterpBase);
    StringView argv[] = {"ls"};
    uint8_t random[16] = {};
    StackSpec spec;
    spec.argv = argv;
    spec.execfn = "/bin/ls";
    spec.program = &p.value();
    spec.interpreter = &i.value();
    spec.random16 = random;
    std::vector<uint8_t> scratch(kInitialStackBytes);
    auto rsp = setup_stack(spec, t, {scratch.data(), scratch.size()});
    ASSERT_FALSE(rsp.is_error());
    uint64_t a = rsp.value() + 8 * (1 + 1 + 1 + 0 + 1);
    std::map<uint64_t, uint64_t> aux;
    for (; t.word(a) != rustos::abi::AT_NULL; a += 16)
        aux[t.word(a)] = t.word(a + 8);
    EXPECT_EQ(aux[rustos::abi::AT_BASE], kInterpBase);
    EXPECT_EQ(aux[rustos::abi::AT_ENTRY], p->entry); // the program's, not the interpreter's
}

TEST(ElfLoader, OverlappingTargetFailsCleanly) {
    auto file = read_file("/bin/busybox");
    ReadonlyBytes bytes(file.data(), file.size());
    auto image = parse_executable(bytes);
    FakeTarget t;
    ASSERT_FALSE(t.map(0x400000, kPageSize, PROT_READ, rustos::abi::MapKind::Anonymous).is_error());
    auto loaded = load_image(bytes, image.value(), 0, t);
    ASSERT_TRUE(loaded.is_error());
    EXPECT_EQ(loaded.error().code(), EEXIST);
}

// Segments mapped from the page cache hold exactly what copying them
// gives: the same bytes (file data, zeroed .bss, a page two segments
// share) and the same protections, for a static and a dynamic program.
TEST(ElfLoader, MappingFromTheFileMatchesCopying) {
    for (const char* path : {"/bin/busybox", "/bin/ls", "/lib64/ld-linux-x86-64.so.2"}) {
        SCOPED_TRACE(path);
        auto file = read_file(path);
        ASSERT_FALSE(file.empty());
        ReadonlyBytes bytes(file.data(), file.size());
        auto image = parse_executable(bytes);
        ASSERT_FALSE(image.is_error()) << image.error().reason();
        uint64_t bias = image->type == ET_DYN ? kPieBase : 0;
        FakeTarget copied, mapped;
        mapped.file = &file;
        auto a = load_image(bytes, image.value(), bias, copied);
        auto b = load_image(bytes, image.value(), bias, mapped);
        ASSERT_FALSE(a.is_error()) << a.error().reason();
        ASSERT_FALSE(b.is_error()) << b.error().reason();
        EXPECT_GT(mapped.file_maps, 0);
        EXPECT_EQ(a->entry, b->entry);
        EXPECT_EQ(a->end, b->end);
        for (auto& m : copied.maps)
            for (uint64_t addr = m.start; addr < m.start + m.len; addr += kPageSize) {
                ASSERT_TRUE(mapped.mapped(addr)) << std::hex << addr;
                EXPECT_EQ(copied.prot_at(addr), mapped.prot_at(addr)) << std::hex << addr;
            }
        // Inside the segments (outside them, a page's rest may hold the
        // file's neighbouring bytes, as it does on Linux).
        for (size_t k = 0; k < image->load_count; ++k) {
            const LoadSegment& seg = image->loads[k];
            for (uint64_t addr = bias + seg.vaddr; addr < bias + seg.vaddr + seg.memsz; ++addr)
                ASSERT_EQ(copied.byte(addr), mapped.byte(addr)) << std::hex << addr;
        }
        for (auto& m : mapped.maps)
            EXPECT_TRUE(copied.mapped(m.start)) << std::hex << m.start;
    }
}
