#include "epoll.h"

#include <algorithm>

namespace vfsd {

namespace {
constexpr int kCtlAdd = 1, kCtlDel = 2, kCtlMod = 3;

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
        if (auto* nested = dynamic_cast<const EpollFile*>(file.get())) {
            std::vector<const EpollFile*> seen;
            if (nested->reaches(this, seen))
                return Error(ELOOP, "epoll instances would watch one another");
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

bool EpollFile::reaches(const OpenFile* target, std::vector<const EpollFile*>& seen) const {
    if (this == target)
        return true;
    if (std::find(seen.begin(), seen.end(), this) != seen.end())
        return false; // met on another path already
    seen.push_back(this);
    for (auto& [key, in] : m_interest) {
        auto f = in.file.lock();
        auto* nested = dynamic_cast<const EpollFile*>(f.get());
        if (nested && nested->reaches(target, seen))
            return true;
    }
    return false;
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
