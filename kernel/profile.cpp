#include "profile.h"

#include "log.h"
#include "panic.h"
#include "proc/process.h"
#include "sched/scheduler.h"

namespace kernel::profile {

namespace {

struct Bucket {
    const void* key; // kernel symbol name, or process name storage
    bool user;
    char label[32];
    uint64_t count;
};

constexpr size_t kBuckets = 512;
Bucket g_buckets[kBuckets];
uint64_t g_samples, g_idle, g_dropped;
bool g_enabled;

Bucket* bucket_for(const void* key, bool user) {
    size_t h = (reinterpret_cast<uint64_t>(key) >> 3) % kBuckets;
    for (size_t i = 0; i < kBuckets; ++i) {
        Bucket& b = g_buckets[(h + i) % kBuckets];
        if (b.key == key && b.user == user)
            return &b;
        if (!b.key) {
            b.key = key;
            b.user = user;
            return &b;
        }
    }
    return nullptr;
}

} // namespace

void init(bool on) {
    g_enabled = on;
    if (on)
        LOG_INFO("profile", "sampling profiler on: one sample per timer tick, report at power off");
}

bool enabled() { return g_enabled; }

void sample(const arch::TrapFrame& f) {
    if (!g_enabled)
        return;
    ++g_samples;
    Bucket* b;
    if (f.from_user()) {
        proc::Process* p = proc::current_process();
        if (!p)
            return;
        b = bucket_for(p, true);
        if (b && !b->label[0])
            for (size_t i = 0; i + 1 < sizeof b->label && p->name[i]; ++i)
                b->label[i] = p->name[i];
    } else {
        if (sched::current()->tid == 0 && sched::current()->process == nullptr) {
            ++g_idle;
            return;
        }
        uint64_t off;
        const char* name = symbolize(f.rip, &off);
        b = bucket_for(name ? name : "?", false);
    }
    if (b)
        ++b->count;
    else
        ++g_dropped;
}

void report() {
    if (!g_enabled)
        return;
    LOG_INFO("profile", "%lu samples (%lu idle, %lu not recorded); busiest:", g_samples, g_idle,
             g_dropped);
    for (int rank = 0; rank < 30; ++rank) {
        Bucket* best = nullptr;
        for (auto& b : g_buckets)
            if (b.key && b.count && (!best || b.count > best->count))
                best = &b;
        if (!best)
            break;
        uint64_t busy = g_samples - g_idle;
        LOG_INFO("profile", "%6lu %3lu.%lu%%  %s%s", best->count,
                 busy ? best->count * 100 / busy : 0, busy ? (best->count * 1000 / busy) % 10 : 0,
                 best->user ? "user: " : "",
                 best->user ? best->label : static_cast<const char*>(best->key));
        best->count = 0;
    }
}

} // namespace kernel::profile
