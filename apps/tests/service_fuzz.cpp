// Sends malformed IPC requests to the services of the Linux personality
// (vfsd, syscalld, loaderd, procd): every operation of ops.def and unknown
// ones, with empty, truncated and random payloads, string lengths that
// lie, bad pids and fds, and handles nobody asked for; then the same as
// one-way messages. Every call must be answered — an error status or a
// valid reply, never a timeout or a dead server — and what only the kernel
// or one peer service may send must be refused with EPERM, whatever the
// payload. Forged requests must change nothing (no signal arrives, our
// descriptors stay). Afterwards every service must answer COMMON_HEALTH.
//
//   service-fuzz [MESSAGES_PER_SERVICE [SEED]]     (defaults: 2000, 1)
#include "seeded_rng.h"

#include <rustos/service/ipc.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace rustos;
using namespace rustos::service;
namespace op = rustos::ipc::op;

namespace {

constexpr uint64_t kCallTimeout = 10'000'000'000ull; // TCG is slow; a live server answers sooner
constexpr int kMaxReported = 20;

using Rng = SeededRng;

constexpr uint32_t kAllOps[] = {
#define IPC_OP(protocol, value, name, req, rep, desc) value,
#include <rustos/ipc/ops.def>
#undef IPC_OP
};
constexpr uint32_t kUnknownOps[] = {0,     2,     0xff,  0x1ff,  0x2ff,      0x3ff,     0x4ff,
                                    0x5ff, 0x6ff, 0x700, 0x8000, 0x7fffffff, 0xffffffff};

// What a request looks like, field by field (ops.def's request column).
enum class F : uint8_t { Pid, Tid, U32, Sig, Fd, U64, Path, Name, Strs, Bytes, Inputs, Count };

std::vector<F> fields_of(uint32_t o) {
    using enum F;
    switch (o) {
    case op::KERNEL_LINUX_SYSCALL:
        return {U32, U32, U64, U64, U64, U64, U64, U64, Inputs};
    case op::KERNEL_PROCESS_EXITED:
        return {Pid, U64, U32};
    case op::KERNEL_PROCESS_STOPPED:
        return {Pid, U64, Sig};
    case op::KERNEL_PROCESS_CONTINUED:
        return {Pid, U64};
    case op::KERNEL_CANCEL:
        return {Tid};
    case op::KERNEL_CONSOLE_INPUT:
        return {Bytes};
    case op::KERNEL_FAULT:
        return {Tid, Sig, U32, U64};
    case op::PROCD_REGISTER:
        return {Pid, U32};
    case op::PROCD_ADOPT:
        return {Count, Pid, Pid};
    case op::PROCD_SET_NAME:
        return {Pid, Name};
    case op::LOADERD_SPAWN:
        return {Path, Strs, Strs, U32, Pid};
    case op::VFSD_FORK:
        return {Pid, Pid};
    case op::VFSD_EXEC:
        return {Pid, Path, Strs};
    case op::VFSD_READ_FILE:
        return {Pid, Path, U64, U32};
    case op::VFSD_SPAWN_STDIO:
        return {Pid, Pid, Name};
    case op::VFSD_PROCESS_INFO:
        return {Pid, Pid, Pid, Pid, U32};
    case op::VFSD_READ_FD:
        return {Pid, Fd, U64, U32};
    case op::VFSD_MAP_FD:
        return {Pid, Fd, U32};
    case op::VFSD_MAP_FILE:
        return {Pid, Path};
    case op::VFSD_SET_FD_LIMIT:
        return {Pid, U32};
    case op::VFSD_JOB_SIGNALS:
        return {Pid, Tid, U32};
    case op::SYSCALLD_FORK:
        return {Pid, Pid, Tid};
    case op::SYSCALLD_EXEC:
        return {Pid};
    case op::SYSCALLD_RAISE:
        return {Pid, Sig, U32, Pid};
    case op::SYSCALLD_RAISE_GROUP:
        return {Pid, Sig};
    default:
        return {U32, Path, U64};
    }
}

// Paths that name nothing runnable: a fuzzed SPAWN must never start a
// program.
const char* const kPaths[] = {"",
                              "/",
                              "relative/path",
                              "/nonexistent",
                              "/tmp",
                              "/proc/self",
                              "/proc/self/maps",
                              "/dev/null",
                              "/dev/console",
                              "/etc/passwd",
                              "/system/boot/smoke-programs",
                              "/../../../..",
                              "//////",
                              "/proc/1/fd/0",
                              "/tmp/../proc/self/cwd/tmp/."};

struct Stats {
    uint64_t calls = 0, ok = 0, errors = 0, events = 0, handles = 0, unexpected = 0;
};

struct Target {
    uint32_t id;
    const char* name;
    std::vector<uint32_t> open;       // anyone may call these
    std::vector<uint32_t> restricted; // only the kernel or one peer service: EPERM
    Handle ep;
    Stats stats;
};

enum class Want { Ok, Any, Eperm, Enosys };

Want want(const Target& t, uint32_t o) {
    if (o == op::COMMON_HEALTH)
        return Want::Ok;
    if (ipc::is_kernel_op(o))
        return Want::Eperm;
    if (std::find(t.restricted.begin(), t.restricted.end(), o) != t.restricted.end())
        return Want::Eperm;
    if (std::find(t.open.begin(), t.open.end(), o) != t.open.end())
        return Want::Any;
    return Want::Enosys;
}

const char* const variant_names[] = {"empty",   "random",       "truncated", "lying length",
                                     "bad ids", "with handles", "bit flips", "oversized"};
enum Variant {
    kEmpty,
    kRandom,
    kTruncated,
    kLyingLength,
    kBadIds,
    kHandles,
    kBitFlips,
    kOversized
};
constexpr int kVariants = 8;

class Fuzzer {
public:
    explicit Fuzzer(uint64_t seed) : m_rng{seed}, m_self(uint32_t(getpid())) {}

    uint32_t pid() {
        const uint32_t pool[] = {0,          1,          2,      3,          5,     7,
                                 9,          12,         m_self, m_self + 1, 99999, 0x7fffffff,
                                 0xffffffff, 0x80000000, 0xfffe, 4096};
        return m_rng.one_in(8) ? uint32_t(m_rng.next()) : m_rng.pick(pool);
    }
    uint32_t u32() {
        const uint32_t pool[] = {0, 1, 2, 3, 4, 8, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 16384};
        return m_rng.one_in(3) ? uint32_t(m_rng.next()) : m_rng.pick(pool);
    }
    uint64_t u64() {
        const uint64_t pool[] = {
            0, 1, ~0ull, 1ull << 63, 0x7fffffffffffffffull, 4096, 0xffffffff80000000ull, 0x400000};
        return m_rng.one_in(3) ? m_rng.next() : m_rng.pick(pool);
    }
    int32_t sig() {
        const int32_t pool[] = {0, -1, 1, 9, 17, 19, 64, 65, 0x7fffffff, SIGUSR2};
        return m_rng.pick(pool);
    }
    int32_t fd() {
        const int32_t pool[] = {-1, 0, 1, 2, 3, 255, 1023, 1024, 65535, -100, 0x7fffffff};
        return m_rng.pick(pool);
    }
    std::string path() {
        switch (m_rng.below(6)) {
        case 0:
            return std::string(4096 + m_rng.below(3), 'a');
        case 1: {
            std::string s(m_rng.below(64), '\0');
            for (auto& c : s)
                c = char(m_rng.next());
            return s;
        }
        case 2:
            return std::string("/tmp/\0hidden", 12);
        default:
            return m_rng.pick(kPaths);
        }
    }

    // A payload shaped like the operation's request, with fuzzed values.
    // `lie` makes one string's length field lie.
    void structured(MessageWriter& w, uint32_t o, bool lie) {
        auto fields = fields_of(o);
        size_t liar = lie ? m_rng.below(uint32_t(fields.size())) : SIZE_MAX;
        bool lied = false;
        auto put_str = [&](const std::string& s, size_t i) {
            if (i == liar || (lie && !lied && i >= liar)) {
                const uint32_t lies[] = {0xffffffff, 0x7fffffff, uint32_t(s.size() + 1),
                                         uint32_t(ipc::kMaxPayload), 0x10000};
                w.u32(m_rng.pick(lies));
                w.raw(s.data(), s.size());
                lied = true;
                return;
            }
            w.str(StringView(s.data(), s.size()));
        };
        for (size_t i = 0; i < fields.size(); ++i) {
            switch (fields[i]) {
            case F::Pid:
                w.u32(pid());
                break;
            case F::Tid:
                w.u32(m_rng.one_in(2) ? uint32_t(gettid()) : pid());
                break;
            case F::U32:
                w.u32(u32());
                break;
            case F::Count:
                w.u32(m_rng.one_in(2) ? m_rng.below(4) : u32());
                break;
            case F::Sig:
                w.i32(sig());
                break;
            case F::Fd:
                w.i32(fd());
                break;
            case F::U64:
                w.u64(u64());
                break;
            case F::Path:
                put_str(path(), i);
                break;
            case F::Name:
                put_str(m_rng.one_in(2) ? std::string("/dev/console") : path(), i);
                break;
            case F::Bytes: {
                std::string b(m_rng.below(256), '\0');
                for (auto& c : b)
                    c = char(m_rng.next());
                put_str(b, i);
                break;
            }
            case F::Strs: {
                uint32_t n = m_rng.one_in(4) ? u32() : m_rng.below(5);
                w.u32(n);
                for (uint32_t k = 0; k < std::min<uint32_t>(n, 5); ++k)
                    put_str(m_rng.one_in(2) ? std::string("arg") : path(), i);
                break;
            }
            case F::Inputs: {
                uint32_t n = m_rng.one_in(4) ? u32() : m_rng.below(4);
                w.u32(n);
                for (uint32_t k = 0; k < std::min<uint32_t>(n, 4); ++k) {
                    w.u32(m_rng.below(8));
                    put_str(path(), i);
                }
                break;
            }
            }
        }
    }

    // Fills `m` for operation `o` in one of the variants; returns it.
    int build(Message& m, uint32_t o, std::vector<handle_t>& attached) {
        m.reset(o);
        MessageWriter w(m);
        int v = int(m_rng.below(kVariants));
        switch (v) {
        case kEmpty:
            break;
        case kRandom:
        case kOversized: {
            size_t n = v == kOversized ? ipc::kMaxPayload - m_rng.below(8) : m_rng.below(96);
            if (uint8_t* p = w.reserve(n))
                for (size_t i = 0; i < n; ++i)
                    p[i] = uint8_t(m_rng.next());
            break;
        }
        case kTruncated: {
            structured(w, o, false);
            w.finish();
            uint32_t full = m.header.length;
            m.header.length = full ? m_rng.below(full) : 0;
            return v;
        }
        case kLyingLength:
            structured(w, o, true);
            break;
        case kBadIds:
            structured(w, o, false);
            break;
        case kHandles: {
            structured(w, o, false);
            uint32_t n = 1 + m_rng.below(4);
            for (uint32_t i = 0; i < n; ++i) {
                int64_t h = make_handle();
                if (h > 0) {
                    w.handle(handle_t(h));
                    attached.push_back(handle_t(h));
                }
            }
            break;
        }
        case kBitFlips: {
            structured(w, o, false);
            w.finish();
            for (uint32_t i = 0, n = 1 + m_rng.below(8); i < n && m.header.length; ++i)
                m.payload[m_rng.below(m.header.length)] ^= uint8_t(1u << m_rng.below(8));
            return v;
        }
        }
        w.finish();
        return v;
    }

    // A handle for a message to take along: a new endpoint (with its
    // receive right), our own process, or another service's endpoint.
    int64_t make_handle() {
        switch (m_rng.below(3)) {
        case 0:
            return user::ipc_endpoint_create();
        case 1:
            return user::process_self();
        default:
            return user::service_lookup(1 + m_rng.below(7), 0);
        }
    }

    Rng& rng() { return m_rng; }

private:
    Rng m_rng;
    uint32_t m_self;
};

int g_reported = 0;

void report(const Target& t, uint32_t o, const char* variant, const char* what) {
    if (g_reported++ >= kMaxReported)
        return;
    const char* name = ipc::op_name(o);
    std::printf("service-fuzz: UNEXPECTED %s, op 0x%x (%s), %s payload: %s\n", t.name, o,
                name ? name : "unknown", variant, what);
}

// One call; checks the answer against what the operation must get.
void fuzz_call(Fuzzer& fz, Target& t, Message& req, Message& rep, uint32_t o) {
    std::vector<handle_t> attached;
    int v = fz.build(req, o, attached);
    t.stats.handles += attached.size();
    ++t.stats.calls;
    int64_t r = user::ipc_call(t.ep.get(), &req, &rep, kCallTimeout);
    if (r < 0) {
        // Refused before delivery (our handles are still ours), or lost.
        for (handle_t h : attached)
            user::handle_close(h);
        ++t.stats.unexpected;
        char what[96];
        std::snprintf(what, sizeof what, "no answer: %s", strerror(int(-r)));
        report(t, o, variant_names[v], what);
        return;
    }
    for (size_t i = 0; i < rep.header.handle_count && i < ipc::kMaxHandles; ++i)
        user::handle_close(rep.header.handles[i]);
    int32_t st = rep.header.status;
    if (st == 0)
        ++t.stats.ok;
    else
        ++t.stats.errors;
    char what[96] = "";
    Want w = want(t, o);
    if (st > 0 || st <= -4096)
        std::snprintf(what, sizeof what, "status %d is not 0 or -errno", st);
    else if (w == Want::Ok && st != 0)
        std::snprintf(what, sizeof what, "status %s, want success", strerror(-st));
    else if (w == Want::Eperm && st != -EPERM)
        std::snprintf(what, sizeof what, "status %s, want EPERM", st ? strerror(-st) : "success");
    else if (w == Want::Enosys && st != -ENOSYS)
        std::snprintf(what, sizeof what, "status %s, want ENOSYS", st ? strerror(-st) : "success");
    if (what[0]) {
        ++t.stats.unexpected;
        report(t, o, variant_names[v], what);
    }
}

// One-way messages the services must ignore (none comes from the kernel
// or a peer service).
void fuzz_event(Fuzzer& fz, Target& t, Message& req, uint32_t o) {
    std::vector<handle_t> attached;
    fz.build(req, o, attached);
    int64_t r = user::ipc_send(t.ep.get(), &req);
    ++t.stats.events;
    if (r < 0) {
        for (handle_t h : attached)
            user::handle_close(h);
        if (r != -EAGAIN) { // a full queue is fine; a dead server is not
            ++t.stats.unexpected;
            char what[96];
            std::snprintf(what, sizeof what, "one-way send failed: %s", strerror(int(-r)));
            report(t, o, "one-way", what);
        }
    }
}

bool healthy(Target& t) {
    auto req = new_message(op::COMMON_HEALTH);
    auto rep = new_message();
    auto r = call(t.ep.get(), *req, *rep, kCallTimeout);
    if (r.is_error()) {
        std::printf("service-fuzz: %s does not answer COMMON_HEALTH: %s\n", t.name,
                    r.error().reason());
        return false;
    }
    auto rd = reader_of(*rep);
    uint32_t state = rd.u32();
    StringView name = rd.str(64);
    if (!rd.ok() || state != 1 || std::string(name.data(), name.size()) != t.name) {
        std::printf("service-fuzz: %s answers COMMON_HEALTH strangely\n", t.name);
        return false;
    }
    return true;
}

// --- forged requests must change nothing ---

volatile sig_atomic_t g_usr2 = 0;
void on_usr2(int) { g_usr2 = g_usr2 + 1; }

bool send_raise(Target& syscalld, uint32_t pid, int sig, bool one_way) {
    auto m = new_message(op::SYSCALLD_RAISE);
    MessageWriter w(*m);
    w.u32(pid).i32(sig).i32(0).u32(0);
    w.finish();
    if (one_way)
        return user::ipc_send(syscalld.ep.get(), m.get()) == 0;
    auto rep = new_message();
    auto r = call(syscalld.ep.get(), *m, *rep, kCallTimeout);
    return r.is_error() && r.error().code() == EPERM;
}

bool forged_signals_ignored(Target& syscalld) {
    bool ok = true;
    // A signal to ourselves, as a call and one-way.
    signal(SIGUSR2, on_usr2);
    g_usr2 = 0;
    ok &= send_raise(syscalld, uint32_t(getpid()), SIGUSR2, false);
    ok &= send_raise(syscalld, uint32_t(getpid()), SIGUSR2, true);
    ok &= healthy(syscalld); // processed in order: the one-way message is done too
    bool none = g_usr2 == 0;
    kill(getpid(), SIGUSR2); // the real thing still arrives
    bool real = g_usr2 == 1;
    std::printf("service-fuzz: forged SYSCALLD_RAISE(SIGUSR2) to ourselves %s; kill() %s\n",
                none ? "ignored" : "DELIVERED", real ? "delivered" : "NOT DELIVERED");
    ok &= none && real;

    // SIGKILL for a child.
    pid_t child = fork();
    if (child == 0) {
        for (;;)
            pause();
    }
    if (child < 0) {
        std::printf("service-fuzz: fork failed: %s\n", strerror(errno));
        return false;
    }
    ok &= send_raise(syscalld, uint32_t(child), SIGKILL, false);
    ok &= send_raise(syscalld, uint32_t(child), SIGKILL, true);
    ok &= healthy(syscalld);
    int status = 0;
    bool alive = waitpid(child, &status, WNOHANG) == 0;
    std::printf("service-fuzz: forged SYSCALLD_RAISE(SIGKILL) to child %d %s\n", int(child),
                alive ? "ignored" : "KILLED IT");
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    return ok && alive;
}

bool forged_vfsd_requests_ignored(Target& vfsd) {
    int plain = open("/tmp/service-fuzz.probe", O_CREAT | O_RDWR, 0600);
    int cloexec = open("/tmp/service-fuzz.probe", O_RDONLY | O_CLOEXEC);
    if (plain < 0 || cloexec < 0) {
        std::printf("service-fuzz: cannot open a probe file: %s\n", strerror(errno));
        return false;
    }
    uint32_t self = uint32_t(getpid());
    bool refused = true;
    auto rep = new_message();
    auto send = [&](uint32_t o, auto&& fill) {
        auto m = new_message(o);
        MessageWriter w(*m);
        fill(w);
        w.finish();
        auto r = call(vfsd.ep.get(), *m, *rep, kCallTimeout);
        refused &= r.is_error() && r.error().code() == EPERM;
        user::ipc_send(vfsd.ep.get(), m.get());
    };
    // A new console session (would replace our fd table), an exec (would
    // close the O_CLOEXEC descriptor), a fork onto ourselves, a tiny fd
    // limit, and our own death.
    send(op::VFSD_SPAWN_STDIO, [&](MessageWriter& w) { w.u32(self).u32(0).str("/dev/console"); });
    send(op::VFSD_EXEC, [&](MessageWriter& w) { w.u32(self).str("/forged").u32(0); });
    send(op::VFSD_FORK, [&](MessageWriter& w) { w.u32(1).u32(self); });
    send(op::VFSD_SET_FD_LIMIT, [&](MessageWriter& w) { w.u32(self).u32(3); });
    {
        auto m = new_message(op::KERNEL_PROCESS_EXITED);
        MessageWriter w(*m);
        w.u32(self).u64(0).i32(0);
        w.finish();
        user::ipc_send(vfsd.ep.get(), m.get());
    }
    bool health = healthy(vfsd);
    bool kept = fcntl(plain, F_GETFD) == 0 && fcntl(cloexec, F_GETFD) == FD_CLOEXEC;
    int extra = open("/tmp/service-fuzz.probe", O_RDONLY); // the fd limit is still ours
    bool limit = extra >= 0;
    std::printf("service-fuzz: forged vfsd requests %s; our descriptors %s\n",
                refused ? "refused (EPERM)" : "NOT REFUSED",
                kept && limit ? "untouched" : "CHANGED");
    close(plain);
    close(cloexec);
    if (extra >= 0)
        close(extra);
    unlink("/tmp/service-fuzz.probe");
    return refused && health && kept && limit;
}

} // namespace

int main(int argc, char** argv) {
    uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 2000;
    uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 1;
    setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf("service-fuzz: seed %llu, %llu messages per service\n", (unsigned long long)seed,
                (unsigned long long)count);

    std::vector<Target> targets;
    targets.push_back({ipc::service::VFSD,
                       "vfsd",
                       {},
                       {op::VFSD_FORK, op::VFSD_EXEC, op::VFSD_READ_FILE, op::VFSD_SPAWN_STDIO,
                        op::VFSD_PROCESS_INFO, op::VFSD_READ_FD, op::VFSD_MAP_FD, op::VFSD_MAP_FILE,
                        op::VFSD_SET_FD_LIMIT},
                       {},
                       {}});
    targets.push_back({ipc::service::SYSCALLD,
                       "syscalld",
                       {},
                       {op::SYSCALLD_FORK, op::SYSCALLD_EXEC, op::SYSCALLD_RAISE,
                        op::SYSCALLD_RAISE_GROUP, op::VFSD_PROCESS_INFO},
                       {},
                       {}});
    targets.push_back({ipc::service::LOADERD, "loaderd", {op::LOADERD_SPAWN}, {}, {}, {}});
    targets.push_back({ipc::service::PROCD,
                       "procd",
                       {op::PROCD_LIST},
                       {op::PROCD_ADOPT, op::PROCD_REGISTER, op::PROCD_SET_NAME},
                       {},
                       {}});
    for (auto& t : targets) {
        auto h = lookup(t.id, 5'000'000'000ull);
        if (h.is_error()) {
            std::printf("service-fuzz: FAILED: %s\n", h.error().reason());
            return 1;
        }
        t.ep = std::move(h.value());
    }

    Fuzzer fz(seed);
    auto req = new_message();
    auto rep = new_message();
    std::vector<uint32_t> ops(std::begin(kAllOps), std::end(kAllOps));
    ops.insert(ops.end(), std::begin(kUnknownOps), std::end(kUnknownOps));
    uint64_t total = 0;
    for (auto& t : targets) {
        // Every operation in turn, then random ones; a one-way message
        // every fourth time.
        for (uint64_t i = 0; i < count; ++i) {
            uint32_t o = i < ops.size() * kVariants ? ops[i % ops.size()]
                                                    : ops[fz.rng().below(uint32_t(ops.size()))];
            if (i % 4 == 3)
                fuzz_event(fz, t, *req, o);
            else
                fuzz_call(fz, t, *req, *rep, o);
        }
        // Far more handles than a handle table holds: the ones a handler
        // does not take must not pile up in the service.
        for (int i = 0; i < 1100; ++i) {
            req->reset(op::COMMON_HEALTH);
            MessageWriter w(*req);
            int64_t self = user::process_self();
            for (int k = 0; k < 4; ++k)
                w.handle(handle_t(k ? user::handle_duplicate(handle_t(self),
                                                             abi::RIGHT_INFO | abi::RIGHT_TRANSFER)
                                    : self));
            w.finish();
            ++t.stats.calls;
            t.stats.handles += 4;
            int64_t r = user::ipc_call(t.ep.get(), req.get(), rep.get(), kCallTimeout);
            if (r < 0 || rep->header.status != 0) {
                ++t.stats.unexpected;
                char what[96];
                std::snprintf(what, sizeof what, "%s after %d calls with 4 handles",
                              r < 0 ? strerror(int(-r)) : strerror(-rep->header.status), i);
                report(t, op::COMMON_HEALTH, "with handles", what);
                break;
            }
            ++t.stats.ok;
        }
        total += t.stats.calls + t.stats.events;
        std::printf("service-fuzz: %s: %llu calls (%llu answered ok, %llu with an error), "
                    "%llu one-way, %llu handles sent, %llu unexpected\n",
                    t.name, (unsigned long long)t.stats.calls, (unsigned long long)t.stats.ok,
                    (unsigned long long)t.stats.errors, (unsigned long long)t.stats.events,
                    (unsigned long long)t.stats.handles, (unsigned long long)t.stats.unexpected);
    }

    bool forged = forged_signals_ignored(targets[1]);
    forged &= forged_vfsd_requests_ignored(targets[0]);
    bool all_healthy = true;
    uint64_t unexpected = 0;
    for (auto& t : targets) {
        all_healthy &= healthy(t);
        unexpected += t.stats.unexpected;
    }
    if (unexpected == 0 && all_healthy && forged) {
        std::printf("service-fuzz: %llu messages to %zu services, all answered, all healthy\n",
                    (unsigned long long)total, targets.size());
        return 0;
    }
    std::printf("service-fuzz: FAILED: %llu unexpected answers, %s, forged requests %s\n",
                (unsigned long long)unexpected, all_healthy ? "all healthy" : "NOT ALL HEALTHY",
                forged ? "ignored" : "NOT IGNORED");
    return 1;
}
