// epoll: an interest list of (fd, file) with events and user data;
// readiness is computed from each file's poll() when epoll_wait runs,
// edge-triggered entries report only new readiness.
#pragma once

#include "node.h"

#include <map>

namespace vfsd {

struct EpollEvent {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));
static_assert(sizeof(EpollEvent) == 12);

inline constexpr uint32_t kEpollIn = 0x1, kEpollOut = 0x4, kEpollErr = 0x8, kEpollHup = 0x10,
                          kEpollRdHup = 0x2000, kEpollOneShot = 1u << 30, kEpollEt = 1u << 31;

class EpollFile final : public OpenFile {
public:
    EpollFile(NodePtr node, int flags) : OpenFile(std::move(node), flags) {}
    ErrorOr<void> ctl(int op, int fd, const FilePtr& file, const EpollEvent* event);
    // Ready events, at most `max`.
    std::vector<EpollEvent> ready(size_t max);
    uint32_t poll() override { return ready_count() ? kPollIn : 0; }
    ErrorOr<size_t> read(char*, size_t) override { return Error(EINVAL, "read of an epoll fd"); }
    ErrorOr<size_t> write(const char*, size_t) override {
        return Error(EINVAL, "write to an epoll fd");
    }
    ErrorOr<int64_t> seek(int64_t, int) override { return Error(ESPIPE, "illegal seek"); }

private:
    size_t ready_count();
    // Whether this epoll is `target` or watches it, directly or through
    // nested epolls: then `target` may not watch this one (a loop).
    bool reaches(const OpenFile* target, std::vector<const EpollFile*>& seen) const;
    struct Interest {
        std::weak_ptr<OpenFile> file;
        uint32_t events;
        uint64_t data;
        uint32_t last = 0; // edge-triggered: readiness already reported
        uint64_t last_generation = 0;
        bool disabled = false; // EPOLLONESHOT fired
    };
    std::map<std::pair<int, OpenFile*>, Interest> m_interest;
};

} // namespace vfsd
