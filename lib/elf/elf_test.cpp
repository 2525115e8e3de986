#include <rustos/elf/elf.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

using namespace rustos;
using namespace rustos::elf;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

ReadonlyBytes bytes(const std::vector<uint8_t>& v) { return ReadonlyBytes(v.data(), v.size()); }

// A minimal valid static executable: header, two program headers, one
// PT_LOAD covering the headers and the code.
std::vector<uint8_t> minimal_exec(uint16_t type = ET_EXEC) {
    std::vector<uint8_t> f(0x2000, 0);
    Ehdr eh{};
    std::memcpy(eh.ident,
                "\x7f"
                "ELF\x02\x01\x01",
                7);
    eh.type = type;
    eh.machine = EM_X86_64;
    eh.version = 1;
    eh.entry = 0x401000;
    eh.phoff = sizeof(Ehdr);
    eh.ehsize = sizeof(Ehdr);
    eh.phentsize = sizeof(Phdr);
    eh.phnum = 2;
    std::memcpy(f.data(), &eh, sizeof eh);
    Phdr load{PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x2000, 0x3000, 0x1000};
    Phdr stack{PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16};
    std::memcpy(f.data() + sizeof eh, &load, sizeof load);
    std::memcpy(f.data() + sizeof eh + sizeof load, &stack, sizeof stack);
    return f;
}

Phdr* phdr(std::vector<uint8_t>& f, int i) {
    return reinterpret_cast<Phdr*>(f.data() + sizeof(Ehdr) + i * sizeof(Phdr));
}
Ehdr* ehdr(std::vector<uint8_t>& f) { return reinterpret_cast<Ehdr*>(f.data()); }

std::string reason_of(const std::vector<uint8_t>& f) {
    auto r = parse_executable(bytes(f));
    return r.is_error() ? r.error().reason() : "ok";
}

} // namespace

TEST(Elf, MinimalExecutable) {
    auto f = minimal_exec();
    auto r = parse_executable(bytes(f));
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->type, ET_EXEC);
    EXPECT_EQ(r->entry, 0x401000u);
    EXPECT_EQ(r->load_count, 1u);
    EXPECT_EQ(r->phdr_vaddr, 0x400000u + sizeof(Ehdr)); // derived from the PT_LOAD
    EXPECT_EQ(r->min_vaddr, 0x400000u);
    EXPECT_EQ(r->max_vaddr, 0x403000u);
    EXPECT_FALSE(r->has_interp);
    EXPECT_FALSE(r->executable_stack);
}

TEST(Elf, RejectsWithNamedReasons) {
    auto f = minimal_exec();
    f[0] = 'x';
    EXPECT_EQ(reason_of(f), "ELF: bad magic (not an ELF file)");
    f = minimal_exec();
    f[4] = 1;
    EXPECT_EQ(reason_of(f), "ELF: not a 64-bit object (EI_CLASS)");
    f = minimal_exec();
    ehdr(f)->machine = 3;
    EXPECT_EQ(reason_of(f), "ELF: not an x86_64 object (e_machine)");
    f = minimal_exec(ET_REL);
    EXPECT_EQ(reason_of(f), "ELF: not an executable (e_type is neither ET_EXEC nor ET_DYN)");
    f = minimal_exec();
    ehdr(f)->phoff = 0x1ff0;
    EXPECT_EQ(reason_of(f), "ELF: program headers run past the end of the file");
    f = minimal_exec();
    phdr(f, 0)->filesz = 0x4000;
    EXPECT_EQ(reason_of(f), "ELF: PT_LOAD filesz larger than memsz");
    f = minimal_exec();
    phdr(f, 0)->memsz = phdr(f, 0)->filesz = 0x3000;
    EXPECT_EQ(reason_of(f), "ELF: PT_LOAD segment runs past the end of the file");
    f = minimal_exec();
    phdr(f, 0)->vaddr = 0x00007ffffffff000ull;
    EXPECT_EQ(reason_of(f), "ELF: PT_LOAD segment outside the user address range");
    f = minimal_exec();
    phdr(f, 0)->vaddr = 0xffffffffffff0000ull;
    EXPECT_EQ(reason_of(f), "ELF: PT_LOAD segment outside the user address range");
    f = minimal_exec();
    phdr(f, 0)->vaddr = 0x400100;
    EXPECT_EQ(reason_of(f), "ELF: PT_LOAD vaddr and offset disagree modulo the page size");
    f = minimal_exec();
    ehdr(f)->entry = 0x900000;
    EXPECT_EQ(reason_of(f), "ELF: entry point is not inside an executable PT_LOAD segment");
    f = minimal_exec();
    phdr(f, 0)->type = PT_NOTE;
    EXPECT_EQ(reason_of(f), "ELF: no PT_LOAD segment");
}

TEST(Elf, Interpreter) {
    auto f = minimal_exec(ET_DYN);
    const char interp[] = "/lib64/ld-linux-x86-64.so.2";
    std::memcpy(f.data() + 0x800, interp, sizeof interp);
    *phdr(f, 1) = Phdr{PT_INTERP, PF_R, 0x800, 0, 0, sizeof interp, sizeof interp, 1};
    auto r = parse_executable(bytes(f));
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_TRUE(r->has_interp);
    EXPECT_EQ(std::string(r->interp.data(), r->interp.size()), interp);

    f[0x800 + sizeof interp - 1] = 'x';
    EXPECT_EQ(reason_of(f), "ELF: PT_INTERP path is not NUL-terminated");
}

TEST(Elf, RealStaticPrograms) {
    for (const char* path : {"/bin/busybox", RUSTOS_BINARY_DIR "/apps/tests/threads"}) {
        auto f = read_file(path);
        ASSERT_FALSE(f.empty()) << path;
        auto r = parse_executable(bytes(f));
        ASSERT_FALSE(r.is_error()) << path << ": " << r.error().reason();
        EXPECT_EQ(r->type, ET_EXEC) << path;
        EXPECT_FALSE(r->has_interp) << path;
        EXPECT_GE(r->load_count, 2u) << path;
    }
}

TEST(Elf, DynamicProgramNamesItsInterpreter) {
    auto f = read_file("/bin/ls");
    ASSERT_FALSE(f.empty());
    auto r = parse_executable(bytes(f));
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_EQ(r->type, ET_DYN);
    ASSERT_TRUE(r->has_interp);
    EXPECT_EQ(std::string(r->interp.data(), r->interp.size()), "/lib64/ld-linux-x86-64.so.2");
}

// Every truncation that cuts into loadable data is refused cleanly (ASan
// checks that nothing reads past the end); cutting only symbols or debug
// information after the last PT_LOAD leaves a loadable program.
TEST(Elf, TruncatedFilesAreRefused) {
    auto full = read_file(RUSTOS_BINARY_DIR "/apps/tests/hello");
    ASSERT_GT(full.size(), 4096u);
    auto image = parse_executable(bytes(full));
    ASSERT_FALSE(image.is_error());
    uint64_t loaded_end = 0;
    for (size_t i = 0; i < image->load_count; ++i)
        loaded_end = std::max(loaded_end, image->loads[i].offset + image->loads[i].filesz);
    std::vector<size_t> cuts;
    for (size_t n = 0; n < 4096; n += 7)
        cuts.push_back(n);
    for (size_t n = 4096; n < loaded_end; n += loaded_end / 97)
        cuts.push_back(n);
    cuts.push_back(loaded_end - 1);
    for (size_t n : cuts) {
        std::vector<uint8_t> part(full.begin(), full.begin() + n);
        EXPECT_TRUE(parse_executable(bytes(part)).is_error()) << "accepted a file cut at " << n;
    }
}

TEST(Elf, RandomCorruptionNeverCrashes) {
    auto base = minimal_exec();
    std::mt19937 rng(1234);
    for (int i = 0; i < 20000; ++i) {
        auto f = base;
        int flips = 1 + int(rng() % 8);
        for (int k = 0; k < flips; ++k)
            f[rng() % 256] = uint8_t(rng());
        (void)parse_executable(bytes(f)); // must not crash or read out of bounds
    }
}
