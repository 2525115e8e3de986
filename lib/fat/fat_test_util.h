// Helpers for the FAT tests: temporary directories, running dosfstools and
// mtools, checking volumes with fsck.fat. Header-only, used by *_test.cpp.
#pragma once

#include <rustos/fat/volume.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace rustos::fat::test {

struct CommandResult {
    int status = -1;    // exit status, or -1 if it did not exit normally
    std::string output; // stdout and stderr
};

inline std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// Runs a shell command with the tools' directories on PATH and a UTF-8
// locale (mtools converts names with it).
inline CommandResult run(const std::string& command) {
    std::string full =
        "PATH=\"$PATH:/usr/sbin:/sbin\" LC_ALL=C.UTF-8 MTOOLS_SKIP_CHECK=1 " + command + " 2>&1";
    CommandResult result;
    FILE* pipe = popen(full.c_str(), "r");
    if (!pipe)
        return result;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        result.output.append(buffer, n);
    int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

inline bool have_tool(const std::string& name) {
    return run("command -v " + quote(name) + " >/dev/null").status == 0;
}

inline bool have_fat_tools() {
    static const bool found = [] {
        for (const char* tool : {"mkfs.fat", "fsck.fat", "mcopy", "mdir", "mtype", "mmd"})
            if (!have_tool(tool))
                return false;
        return true;
    }();
    return found;
}

#define FAT_REQUIRE_TOOLS()                                                                        \
    do {                                                                                           \
        if (!::rustos::fat::test::have_fat_tools())                                                \
            GTEST_SKIP() << "dosfstools/mtools not installed (mkfs.fat, fsck.fat, mcopy, mdir, "   \
                            "mtype, mmd); ./x installs them";                                      \
    } while (0)

class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/rustos-fat-XXXXXX";
        char* made = mkdtemp(pattern);
        if (made)
            m_path = made;
    }
    ~TempDir() {
        if (!m_path.empty())
            run("rm -rf " + quote(m_path));
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

inline std::vector<uint8_t> read_host_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::vector<uint8_t> bytes(in ? size_t(in.tellg()) : 0);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
    return bytes;
}

inline void write_host_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline std::vector<uint8_t> pattern_bytes(size_t size, uint32_t seed) {
    std::vector<uint8_t> bytes(size);
    std::mt19937 rng(seed);
    for (auto& b : bytes)
        b = uint8_t(rng());
    return bytes;
}

// mkfs.fat -F 32; `kib` KiB, `sectors_per_cluster`, `sector_size` bytes.
inline ::testing::AssertionResult make_image(const std::string& path, uint32_t kib,
                                             uint32_t sectors_per_cluster,
                                             uint32_t sector_size = 512) {
    CommandResult r = run("mkfs.fat -F 32 -S " + std::to_string(sector_size) + " -s " +
                          std::to_string(sectors_per_cluster) + " -i 12345678 -C " + quote(path) +
                          " " + std::to_string(kib));
    if (r.status != 0)
        return ::testing::AssertionFailure() << "mkfs.fat failed: " << r.output;
    return ::testing::AssertionSuccess();
}

// fsck.fat -n must exit 0 and print nothing but its banner, the summary
// line and the "fewer clusters than FAT32 should have" warning of small
// test volumes.
inline ::testing::AssertionResult fsck_clean(const std::string& image) {
    CommandResult r = run("fsck.fat -n " + quote(image));
    std::istringstream lines(r.output);
    std::string line, unexpected;
    while (std::getline(lines, line)) {
        bool benign = line.rfind("fsck.fat ", 0) == 0 ||
                      line.find(" files, ") != std::string::npos ||
                      line.find("less than the required minimum") != std::string::npos ||
                      line.find("according to fat_length and fat32_length") != std::string::npos ||
                      line.find("This may lead to problems on some systems") != std::string::npos;
        if (!benign)
            unexpected += line + "\n";
    }
    if (r.status != 0 || !unexpected.empty())
        return ::testing::AssertionFailure()
               << "fsck.fat -n " << image << " (exit " << r.status << "):\n"
               << r.output;
    return ::testing::AssertionSuccess();
}

// `mdir -/ -b`: every path mtools sees on the image, directories with a
// trailing '/'.
inline std::set<std::string> mtools_paths(const std::string& image) {
    CommandResult r = run("mdir -/ -b -i " + quote(image) + " ::/");
    std::set<std::string> paths;
    std::istringstream lines(r.output);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind("::/", 0) == 0)
            paths.insert(line.substr(2));
    return paths;
}

// A volume over a host image file; the volume goes (and syncs) before its device.
struct Mounted {
    std::unique_ptr<FileBlockDevice> device;
    std::unique_ptr<Volume> volume;

    Mounted() = default;
    Mounted(Mounted&& other) = default;
    Mounted& operator=(Mounted&& other) {
        volume.reset();
        device = std::move(other.device);
        volume = std::move(other.volume);
        return *this;
    }
    ~Mounted() { volume.reset(); }
};

inline int64_t fixed_clock() { return 1700000000; } // 2023-11-14 22:13:20 UTC

inline ErrorOr<Mounted> mount_image(const std::string& path, MountOptions options = {}) {
    if (!options.clock)
        options.clock = fixed_clock;
    Mounted m;
    m.device = TRY(FileBlockDevice::open(path, 0, 0, options.read_only));
    m.volume = TRY(Volume::mount(*m.device, std::move(options)));
    return m;
}

// The whole content of a file on the volume.
inline ErrorOr<std::vector<uint8_t>> read_all(Volume& v, NodeId file) {
    Stat st = TRY(v.stat(file));
    std::vector<uint8_t> bytes(st.size);
    size_t done = 0;
    while (done < bytes.size()) {
        size_t n = TRY(v.read(file, done, bytes.data() + done, bytes.size() - done));
        if (!n)
            break;
        done += n;
    }
    bytes.resize(done);
    return bytes;
}

inline ErrorOr<void> write_all(Volume& v, NodeId file, uint64_t offset,
                               const std::vector<uint8_t>& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        size_t n = TRY(v.write(file, offset + done, bytes.data() + done, bytes.size() - done));
        done += n;
    }
    return {};
}

// Unwraps an ErrorOr in a test, failing with its message.
#define FAT_OK(expr)                                                                               \
    ({                                                                                             \
        auto _fat_result = (expr);                                                                 \
        if (_fat_result.is_error()) {                                                              \
            ADD_FAILURE() << #expr << ": " << _fat_result.error().reason();                        \
            throw std::runtime_error("FAT_OK");                                                    \
        }                                                                                          \
        _fat_result.release_value();                                                               \
    })

// The errno of a failed ErrorOr, or 0.
template <typename T>
int error_code(const ErrorOr<T>& result) {
    return result.is_error() ? result.error().code() : 0;
}

} // namespace rustos::fat::test
