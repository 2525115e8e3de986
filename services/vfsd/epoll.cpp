#include "epoll.h"

#include <algorithm>

namespace vfsd {

namespace {
constexpr int kCtlAdd = 1, kCtlDel = 2, kCtlMod = 3;
// Linux's EP_MAX_NESTS: how deep epoll sets may watch each other.
constexpr int kMaxNesting = 4;
int g_poll_depth = 0;

uint32_t to_epoll(uint32_t poll_bits) {
    // poll and epoll share the bit values for IN, OUT, ERR, HUP, RDHUP.
    return poll_bits & (kEpollIn | kEpollOut | kEpollErr | kEpollHup | kEpollRdHup | 0x2);
}
} // namespace

ErrorOr<void> EpollFile::ctl(int op, int fd, const FilePtr& file, const EpollEvent* event) {
    if (file.get() == this)
        return Error(EINVAL, "an epoll fd cannot watch itself");
    auto key = std::make_pair(fd, file.get());
    auto it = m_interest.find(key);
    switch (op) {
    case kCtlAdd:
        if (!event)
            return Error(EFAULT, "no event");
        if (it != m_interest.end() && !it->second.file.expired())
            return Error(EEXIST, "already watched");
        if (auto* ep = dynamic_cast<const EpollFile*>(file.get())) {
            // Sets watching each other would poll each other forever.
            int depth = ep->nesting(this, 0);
            if (depth < 0 || depth + 1 > kMaxNesting)
                return Error(ELOOP, "epoll sets would watch each other or nest too deep");
        }
        m_interest[key] = Interest{file, event->events, event->data};
        return {};
    case kCtlMod:
        if (!event)
            return Error(EFAULT, "no event");
        if (it == m_interest.end() || it->second.file.expired())
            return Error(ENOENT, "not watched");
        it->second.events = event->events;
        it->second.data = event->data;
        it->second.last = 0;
        it->second.disabled = false;
        return {};
    case kCtlDel:
        if (it == m_interest.end() || it->second.file.expired())
            return Error(ENOENT, "not watched");
        m_interest.erase(it);
        return {};
    default:
        return Error(EINVAL, "bad epoll_ctl operation");
    }
}

int EpollFile::nesting(const OpenFile* target, int depth) const {
    int deepest = 0;
    for (auto& [key, in] : m_interest) {
        auto f = in.file.lock();
        auto* ep = dynamic_cast<const EpollFile*>(f.get());
        if (!ep)
            continue;
        if (ep == target)
            return -1;
        if (depth >= kMaxNesting)
            return depth + 1; // deep enough to refuse; no need to look further
        int d = ep->nesting(target, depth + 1);
        if (d < 0)
            return -1;
        deepest = std::max(deepest, d + 1);
    }
    return deepest;
}

uint32_t EpollFile::poll() {
    // Nested sets poll recursively; ctl refuses loops, and a chain built
    // from the top down that grew deeper than Linux allows reads as not
    // ready instead of recursing without end.
    if (g_poll_depth >= kMaxNesting)
        return 0;
    ++g_poll_depth;
    size_t n = ready_count();
    --g_poll_depth;
    return n ? kPollIn : 0;
}

size_t EpollFile::ready_count() {
    size_t n = 0;
    for (auto& [key, in] : m_interest) {
        auto f = in.file.lock();
        if (!f || in.disabled)
            continue;
        uint32_t now = to_epoll(f->poll()) & (in.events | kEpollErr | kEpollHup);
        bool edge = (now & ~in.last) || (now && f->generation() != in.last_generation);
        if ((in.events & kEpollEt) ? edge : now)
            ++n;
    }
    return n;
}

std::vector<EpollEvent> EpollFile::ready(size_t max) {
    std::vector<EpollEvent> out;
    for (auto it = m_interest.begin(); it != m_interest.end();) {
        Interest& in = it->second;
        auto f = in.file.lock();
        if (!f) { // the file is closed everywhere: forget it
            it = m_interest.erase(it);
            continue;
        }
        ++it;
        if (in.disabled || out.size() >= max)
            continue;
        uint32_t now = to_epoll(f->poll()) & (in.events | kEpollErr | kEpollHup);
        if (in.events & kEpollEt) {
            bool edge = (now & ~in.last) || (now && f->generation() != in.last_generation);
            in.last = now;
            in.last_generation = f->generation();
            if (!edge)
                continue;
        } else if (!now) {
            continue;
        }
        out.push_back({now, in.data});
        if (in.events & kEpollOneShot)
            in.disabled = true;
    }
    return out;
}

} // namespace vfsd
