#include "procfs.h"

#include "pipe.h"
#include "socket.h"

#include <rustos/abi/native.h>
#include <rustos/service/ipc.h>
#include <rustos/user/syscall.h>

#include <sys/sysinfo.h>

#include <cpuid.h>
#include <sys/utsname.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <optional>

namespace vfsd {

namespace {

constexpr uint64_t kProcDev = 0x04;
ProcessTable* g_procs;
Namespace* g_ns;

Attributes proc_attrs(FileType type, uint32_t perm, uint64_t ino) {
    Attributes a;
    a.dev = kProcDev;
    a.ino = ino;
    a.mode = uint32_t(type) | perm;
    a.nlink = type == FileType::Directory ? 2 : 1;
    a.atime = a.mtime = a.ctime = now();
    return a;
}

std::vector<rustos::abi::ProcessInfo> kernel_processes() {
    std::vector<rustos::abi::ProcessInfo> list(512);
    int64_t n = rustos::user::process_list(list.data(), list.size());
    list.resize(n < 0 ? 0 : std::min<size_t>(size_t(n), list.size()));
    return list;
}

// The kernel's CPU statistics (all zeros where there are none: a Linux
// host running the unit tests).
rustos::abi::CpuStats cpu_stats() {
    rustos::abi::CpuStats s{};
    if (rustos::user::cpu_stats(&s) < 0)
        s = {};
    return s;
}

std::optional<rustos::abi::ProcessInfo> kernel_process(uint32_t pid) {
    rustos::abi::ProcessInfo info{};
    if (rustos::user::process_find(pid, &info) < 0)
        return std::nullopt;
    return info;
}

// A file whose contents are made when it is opened.
class SnapshotFile final : public OpenFile {
public:
    SnapshotFile(NodePtr node, int flags, std::string data)
        : OpenFile(std::move(node), flags), m_data(std::move(data)) {}
    ErrorOr<size_t> read(char* buf, size_t n) override {
        size_t got = TRY(pread(offset, buf, n));
        offset += got;
        return got;
    }
    ErrorOr<size_t> pread(uint64_t off, char* buf, size_t n) override {
        if (off >= m_data.size())
            return size_t(0);
        size_t got = std::min<uint64_t>(n, m_data.size() - off);
        m_data.copy(buf, got, off);
        return got;
    }
    ErrorOr<size_t> write(const char*, size_t) override {
        return Error(EACCES, "read-only proc file");
    }
    ErrorOr<int64_t> seek(int64_t off, int whence) override {
        int64_t base = whence == 0 ? 0 : whence == 1 ? int64_t(offset) : int64_t(m_data.size());
        if (whence < 0 || whence > 2 || base + off < 0)
            return Error(EINVAL, "bad seek");
        offset = uint64_t(base + off);
        return int64_t(offset);
    }

private:
    std::string m_data;
};

// Every procfs node: statfs reports PROC_SUPER_MAGIC and no blocks.
class ProcNode : public Node {
public:
    FsStats fs_stats() override {
        FsStats s;
        s.magic = 0x9fa0;
        return s;
    }
    // Nothing to write back: Linux's procfs answers fsync with EINVAL.
    ErrorOr<void> sync() override { return Error(EINVAL, "procfs files cannot be synced"); }
};

class ProcFile final : public ProcNode {
public:
    ProcFile(std::function<ErrorOr<std::string>()> make, uint32_t perm = 0444)
        : m_make(std::move(make)), m_attr(proc_attrs(FileType::Regular, perm, next_inode())) {}
    Attributes attributes() override { return m_attr; }
    ErrorOr<std::shared_ptr<OpenFile>> open(int flags) override {
        if ((flags & kAccMode) != kRead)
            return Error(EACCES, "read-only proc file");
        std::string data = TRY(m_make());
        return FilePtr(std::make_shared<SnapshotFile>(shared_from_this(), flags, std::move(data)));
    }
    ErrorOr<size_t> read(uint64_t off, char* buf, size_t n) override {
        std::string data = TRY(m_make());
        if (off >= data.size())
            return size_t(0);
        size_t got = std::min<uint64_t>(n, data.size() - off);
        data.copy(buf, got, off);
        return got;
    }

private:
    std::function<ErrorOr<std::string>()> m_make;
    Attributes m_attr;
};

class ProcLink final : public ProcNode {
public:
    explicit ProcLink(std::function<ErrorOr<std::string>()> target)
        : m_target(std::move(target)), m_attr(proc_attrs(FileType::Symlink, 0777, next_inode())) {}
    Attributes attributes() override { return m_attr; }
    ErrorOr<std::string> readlink() override { return m_target(); }

private:
    std::function<ErrorOr<std::string>()> m_target;
    Attributes m_attr;
};

// A directory whose entries are computed on each lookup.
class ProcDir final : public ProcNode {
public:
    using Lister = std::function<std::vector<std::pair<std::string, NodePtr>>()>;
    // `find` (optional) answers a lookup without listing everything.
    using Finder = std::function<NodePtr(const std::string&)>;
    explicit ProcDir(Lister list, uint32_t perm = 0555, Finder find = {})
        : m_list(std::move(list)), m_find(std::move(find)),
          m_attr(proc_attrs(FileType::Directory, perm, next_inode())) {}
    Attributes attributes() override { return m_attr; }
    ErrorOr<NodePtr> lookup(const std::string& name) override {
        if (m_find) {
            if (NodePtr node = m_find(name))
                return node;
            return Error(ENOENT, "no such file or directory");
        }
        for (auto& [n, node] : m_list())
            if (n == name)
                return node;
        return Error(ENOENT, "no such file or directory");
    }
    ErrorOr<std::vector<DirEntry>> entries() override {
        std::vector<DirEntry> out;
        for (auto& [n, node] : m_list()) {
            Attributes a = node->attributes();
            out.push_back({n, a.ino, FileType(a.mode & kTypeMask)});
        }
        return out;
    }

private:
    Lister m_list;
    Finder m_find;
    Attributes m_attr;
};

char state_letter(const rustos::abi::ProcessInfo& info, const Process* p) {
    if (info.state == uint32_t(rustos::abi::ProcessState::Exited) || (p && p->exited))
        return 'Z';
    return 'S'; // a snapshot from another process: the target is not running now
}

uint32_t parent_of(const rustos::abi::ProcessInfo& info, const Process* p) {
    return p && (p->ppid || info.pid == 1) ? p->ppid : info.creator_pid;
}

std::string cmdline_of(uint32_t pid, const rustos::abi::ProcessInfo& info) {
    const Process* p = g_procs->find(pid);
    std::string out;
    if (p && !p->cmdline.empty()) {
        for (auto& a : p->cmdline)
            out += a + '\0';
        return out;
    }
    return std::string(info.name) + '\0';
}

std::string stat_of(uint32_t pid) {
    auto info = kernel_process(pid);
    return info ? stat_text(*info, g_procs->find(pid)) : std::string();
}

std::string status_of(uint32_t pid) {
    auto info = kernel_process(pid);
    return info ? status_text(*info, g_procs->find(pid)) : std::string();
}

std::string maps_of(uint32_t pid) {
    std::vector<rustos::abi::VmaInfo> vmas(1024);
    int64_t n = rustos::user::process_maps(pid, vmas.data(), vmas.size());
    std::string out;
    const Process* p = g_procs->find(pid);
    for (int64_t i = 0; i < std::min<int64_t>(n, int64_t(vmas.size())); ++i) {
        const auto& v = vmas[size_t(i)];
        const char* name = v.kind == uint32_t(rustos::abi::MapKind::Heap)         ? "[heap]"
                           : v.kind == uint32_t(rustos::abi::MapKind::Stack)      ? "[stack]"
                           : v.kind == uint32_t(rustos::abi::MapKind::Image) && p ? p->exe.c_str()
                                                                                  : "";
        char line[256];
        std::snprintf(line, sizeof line, "%012llx-%012llx %c%c%c%c 00000000 00:00 0 %s%s\n",
                      (unsigned long long)v.start, (unsigned long long)v.end,
                      (v.prot & 1) ? 'r' : '-', (v.prot & 2) ? 'w' : '-', (v.prot & 4) ? 'x' : '-',
                      v.shared ? 's' : 'p', *name ? "                   " : "", name);
        out += line;
    }
    return out;
}

std::string mounts_text() {
    std::string out;
    for (auto& m : g_ns->mounts)
        out += m.source + " " + m.target + " " + m.fstype + " " + m.options + " 0 0\n";
    return out;
}

std::string meminfo() {
    struct sysinfo si {};
    sysinfo(&si);
    unsigned long long unit = si.mem_unit ? si.mem_unit : 1;
    unsigned long long total = si.totalram * unit / 1024, free = si.freeram * unit / 1024;
    char buf[512];
    std::snprintf(
        buf, sizeof buf,
        "MemTotal:       %8llu kB\nMemFree:        %8llu kB\nMemAvailable:   %8llu kB\n"
        "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
        "SwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 kB\n",
        total, free, free);
    return buf;
}

std::string uptime() {
    timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%ld.%02ld 0.00\n", long(ts.tv_sec),
                  long(ts.tv_nsec / 10000000));
    return buf;
}

NodePtr pid_dir(uint32_t pid);

NodePtr fd_dir(uint32_t pid) {
    return std::make_shared<ProcDir>(
        [pid] {
            std::vector<std::pair<std::string, NodePtr>> out;
            Process* p = g_procs->find(pid);
            if (!p)
                return out;
            for (size_t fd = 0; fd < p->fds.size(); ++fd) {
                if (!p->fds[fd].file)
                    continue;
                std::weak_ptr<OpenFile> weak = p->fds[fd].file;
                out.push_back({std::to_string(fd),
                               std::make_shared<ProcLink>([weak]() -> ErrorOr<std::string> {
                                   auto f = weak.lock();
                                   if (!f)
                                       return Error(ENOENT, "closed");
                                   return describe_open_file(*f);
                               })});
            }
            return out;
        },
        0500);
}

NodePtr pid_dir(uint32_t pid) {
    return std::make_shared<ProcDir>([pid] {
        auto text = [pid](std::function<std::string(uint32_t)> f) -> NodePtr {
            return std::make_shared<ProcFile>(
                [pid, f]() -> ErrorOr<std::string> { return f(pid); });
        };
        std::vector<std::pair<std::string, NodePtr>> out;
        out.push_back({"stat", text(stat_of)});
        out.push_back({"status", text(status_of)});
        out.push_back({"cmdline", text([](uint32_t p) {
                           auto info = kernel_process(p);
                           return info ? cmdline_of(p, *info) : std::string();
                       })});
        out.push_back({"comm", text([](uint32_t p) {
                           auto info = kernel_process(p);
                           return info ? std::string(info->name) + "\n" : std::string();
                       })});
        out.push_back({"maps", text(maps_of)});
        out.push_back({"mounts", std::make_shared<ProcFile>(
                                     []() -> ErrorOr<std::string> { return mounts_text(); })});
        out.push_back({"environ", text([](uint32_t) { return std::string(); })});
        out.push_back({"exe", std::make_shared<ProcLink>([pid]() -> ErrorOr<std::string> {
                           Process* p = g_procs->find(pid);
                           if (p && !p->exe.empty())
                               return p->exe;
                           auto info = kernel_process(pid);
                           if (!info)
                               return Error(ENOENT, "no such process");
                           return std::string("/services/") + info->name + "/" + info->name;
                       })});
        out.push_back({"cwd", std::make_shared<ProcLink>([pid]() -> ErrorOr<std::string> {
                           Process* p = g_procs->find(pid);
                           return p ? p->cwd.path() : std::string("/");
                       })});
        out.push_back({"root", std::make_shared<ProcLink>(
                                   []() -> ErrorOr<std::string> { return std::string("/"); })});
        out.push_back({"fd", fd_dir(pid)});
        return out;
    });
}

std::string read_cmdline() { return rustos::service::kernel_cmdline() + "\n"; }

} // namespace

std::string describe_open_file(const OpenFile& f) {
    if (dynamic_cast<const PipeEnd*>(&f))
        return "pipe:[" + std::to_string(f.node()->attributes().ino) + "]";
    if (dynamic_cast<const UnixSocket*>(&f))
        return "socket:[" + std::to_string(f.node()->attributes().ino) + "]";
    return f.path.empty() ? std::string("anon_inode:[unknown]") : f.path;
}

std::string stat_text(const rustos::abi::ProcessInfo& info, const Process* p) {
    uint32_t pid = info.pid;
    uint32_t pgid = p && p->pgid ? p->pgid : pid, sid = p && p->sid ? p->sid : pid;
    long ticks = long(info.cpu_ticks / 10); // clock ticks are 1/100 s
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%u (%s) %c %u %u %u 0 -1 4194304 0 0 0 0 %ld 0 0 0 20 0 %u 0 0 %llu %llu "
                  "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
                  pid, info.name, state_letter(info, p), parent_of(info, p), pgid, sid, ticks,
                  info.threads, (unsigned long long)(info.user_pages * 4096),
                  (unsigned long long)info.user_pages);
    return buf;
}

std::string status_text(const rustos::abi::ProcessInfo& info, const Process* p) {
    uint32_t pid = info.pid;
    char state = state_letter(info, p);
    char buf[1024];
    std::snprintf(
        buf, sizeof buf,
        "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\n"
        "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%zu\nGroups:\t\n"
        "VmRSS:\t%llu kB\nRssAnon:\t%llu kB\nThreads:\t%u\nSigQ:\t0/0\n",
        info.name, p ? p->umask : 022, state, state == 'Z' ? "zombie" : "sleeping", pid, pid,
        parent_of(info, p), p ? p->fds.size() : 0, (unsigned long long)(info.user_pages * 4),
        (unsigned long long)(info.user_pages * 4), info.threads);
    return buf;
}

NodePtr make_procfs(ProcessTable& procs, Namespace& ns) {
    g_procs = &procs;
    g_ns = &ns;
    auto file = [](std::function<std::string()> f) {
        return std::make_shared<ProcFile>([f]() -> ErrorOr<std::string> { return f(); });
    };
    std::vector<std::pair<std::string, NodePtr>> statics = {
        {"self", std::make_shared<ProcLink>(
                     []() -> ErrorOr<std::string> { return std::to_string(g_current_pid); })},
        {"thread-self", std::make_shared<ProcLink>([]() -> ErrorOr<std::string> {
             return std::to_string(g_current_pid) + "/task/" + std::to_string(g_current_pid);
         })},
        {"meminfo", file(meminfo)},
        {"uptime", file(uptime)},
        {"mounts", file(mounts_text)},
        {"cmdline", file(read_cmdline)},
        {"filesystems", file([] {
             return std::string("nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n\tbootfs\n\tvfat\n");
         })},
        {"version", file([] {
             struct utsname u {};
             uname(&u);
             return std::string(u.sysname) + " version " + u.release + " " + u.version + "\n";
         })},
        {"loadavg", file([] {
             auto list = kernel_processes();
             uint32_t newest = 0;
             for (auto& info : list)
                 newest = std::max(newest, info.pid);
             return loadavg_text(cpu_stats(), list.size(), newest);
         })},
        {"stat", file([] {
             timespec up, real;
             clock_gettime(CLOCK_BOOTTIME, &up);
             clock_gettime(CLOCK_REALTIME, &real);
             return proc_stat_text(cpu_stats(), int64_t(real.tv_sec - up.tv_sec));
         })},
        {"cpuinfo", file([] { return cpuinfo_text(); })},
    };
    // /proc/<pid> for a lookup asks the kernel about that one pid: listing
    // every process for each path through /proc (/proc/self/exe in every
    // exec) was costly.
    auto find = [statics](const std::string& name) -> NodePtr {
        for (auto& [n, node] : statics)
            if (n == name)
                return node;
        if (name.empty() || name.size() > 10 ||
            name.find_first_not_of("0123456789") != std::string::npos || name[0] == '0')
            return nullptr;
        unsigned long pid = std::stoul(name);
        if (pid > UINT32_MAX || !kernel_process(uint32_t(pid)))
            return nullptr;
        return pid_dir(uint32_t(pid));
    };
    auto self = std::make_shared<ProcDir>(
        [statics] {
            auto out = statics;
            for (auto& info : kernel_processes())
                out.push_back({std::to_string(info.pid), pid_dir(info.pid)});
            return out;
        },
        0555, find);
    return self;
}

} // namespace vfsd

namespace vfsd {

std::string proc_stat_text(const rustos::abi::CpuStats& s, int64_t boot_time) {
    // USER_HZ is 100 for every Linux program.
    auto hz100 = [&](uint64_t ticks) {
        return std::to_string(s.tick_hz ? ticks * 100 / s.tick_hz : 0);
    };
    std::string times = hz100(s.user_ticks) + " 0 " + hz100(s.system_ticks) + " " +
                        hz100(s.idle_ticks) + " 0 0 0 0 0 0\n";
    return "cpu  " + times + "cpu0 " + times + "intr 0\nctxt " +
           std::to_string(s.context_switches) + "\nbtime " + std::to_string(boot_time) +
           "\nprocesses " + std::to_string(s.processes_created) + "\nprocs_running " +
           std::to_string(std::max<uint32_t>(s.runnable, 1)) + "\nprocs_blocked 0\n";
}

std::string loadavg_text(const rustos::abi::CpuStats& s, size_t processes, uint32_t newest_pid) {
    std::string out;
    for (uint64_t load : s.loads) {
        // 16 fraction bits, shown with two decimals (rounded as Linux does).
        uint64_t l = load + (1u << 16) / 200;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%llu.%02llu ", (unsigned long long)(l >> 16),
                      (unsigned long long)(((l & 0xffff) * 100) >> 16));
        out += buf;
    }
    return out + std::to_string(std::max<uint32_t>(s.runnable, 1)) + "/" +
           std::to_string(processes) + " " + std::to_string(newest_pid) + "\n";
}

std::string cpuinfo_text() {
    auto cpuid = [](uint32_t leaf, uint32_t sub, uint32_t r[4]) {
        __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
    };
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    char vendor[13] = {};
    std::memcpy(vendor, &r[1], 4);
    std::memcpy(vendor + 4, &r[3], 4);
    std::memcpy(vendor + 8, &r[2], 4);
    uint32_t l1[4] = {}, l7[4] = {}, e1[4] = {};
    cpuid(1, 0, l1);
    if (max_leaf >= 7)
        cpuid(7, 0, l7);
    cpuid(0x80000000, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000001)
        cpuid(0x80000001, 0, e1);
    std::string brand;
    if (max_ext >= 0x80000004) {
        char b[49] = {};
        for (uint32_t i = 0; i < 3; ++i) {
            cpuid(0x80000002 + i, 0, r);
            std::memcpy(b + 16 * i, r, 16);
        }
        brand = b;
        size_t first = brand.find_first_not_of(' ');
        brand = first == std::string::npos ? "" : brand.substr(first);
        while (!brand.empty() && brand.back() == ' ')
            brand.pop_back();
    }
    uint32_t family = (l1[0] >> 8) & 0xf, model = (l1[0] >> 4) & 0xf;
    if (family == 0xf)
        family += (l1[0] >> 20) & 0xff;
    if (family == 0x6 || family >= 0xf)
        model |= ((l1[0] >> 16) & 0xf) << 4;
    // Linux's names for the feature bits: {register, bit, name}.
    struct Flag {
        const uint32_t* reg;
        int bit;
        const char* name;
    };
    const Flag flags[] = {
        {&l1[3], 0, "fpu"},     {&l1[3], 1, "vme"},         {&l1[3], 2, "de"},
        {&l1[3], 3, "pse"},     {&l1[3], 4, "tsc"},         {&l1[3], 5, "msr"},
        {&l1[3], 6, "pae"},     {&l1[3], 7, "mce"},         {&l1[3], 8, "cx8"},
        {&l1[3], 9, "apic"},    {&l1[3], 11, "sep"},        {&l1[3], 12, "mtrr"},
        {&l1[3], 13, "pge"},    {&l1[3], 14, "mca"},        {&l1[3], 15, "cmov"},
        {&l1[3], 16, "pat"},    {&l1[3], 17, "pse36"},      {&l1[3], 19, "clflush"},
        {&l1[3], 23, "mmx"},    {&l1[3], 24, "fxsr"},       {&l1[3], 25, "sse"},
        {&l1[3], 26, "sse2"},   {&l1[3], 28, "ht"},         {&e1[3], 11, "syscall"},
        {&e1[3], 20, "nx"},     {&e1[3], 26, "pdpe1gb"},    {&e1[3], 27, "rdtscp"},
        {&e1[3], 29, "lm"},     {&l1[2], 0, "pni"},         {&l1[2], 1, "pclmulqdq"},
        {&l1[2], 9, "ssse3"},   {&l1[2], 12, "fma"},        {&l1[2], 13, "cx16"},
        {&l1[2], 19, "sse4_1"}, {&l1[2], 20, "sse4_2"},     {&l1[2], 21, "x2apic"},
        {&l1[2], 22, "movbe"},  {&l1[2], 23, "popcnt"},     {&l1[2], 25, "aes"},
        {&l1[2], 26, "xsave"},  {&l1[2], 28, "avx"},        {&l1[2], 29, "f16c"},
        {&l1[2], 30, "rdrand"}, {&l1[2], 31, "hypervisor"}, {&e1[2], 0, "lahf_lm"},
        {&e1[2], 5, "abm"},     {&l7[1], 0, "fsgsbase"},    {&l7[1], 3, "bmi1"},
        {&l7[1], 5, "avx2"},    {&l7[1], 7, "smep"},        {&l7[1], 8, "bmi2"},
        {&l7[1], 9, "erms"},    {&l7[1], 18, "rdseed"},     {&l7[1], 19, "adx"},
        {&l7[1], 20, "smap"},   {&l7[1], 29, "sha_ni"},
    };
    std::string list;
    for (auto& f : flags)
        if ((*f.reg >> f.bit) & 1)
            list += std::string(list.empty() ? "" : " ") + f.name;
    return std::string("processor\t: 0\nvendor_id\t: ") + vendor +
           "\ncpu family\t: " + std::to_string(family) + "\nmodel\t\t: " + std::to_string(model) +
           "\nmodel name\t: " + brand + "\nstepping\t: " + std::to_string(l1[0] & 0xf) +
           "\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\nflags\t\t: " + list +
           "\n\n";
}

} // namespace vfsd
