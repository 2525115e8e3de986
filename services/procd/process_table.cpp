#include "process_table.h"

namespace procd {

void ProcessTable::add(Proc p) {
    if (p.pgid == 0)
        p.pgid = p.pid;
    if (p.sid == 0)
        p.sid = p.pid;
    uint32_t pid = p.pid;
    m_procs[pid] = std::move(p);
}

const Proc* ProcessTable::find(uint32_t pid) const {
    auto it = m_procs.find(pid);
    return it == m_procs.end() ? nullptr : &it->second;
}

Proc* ProcessTable::find(uint32_t pid) {
    auto it = m_procs.find(pid);
    return it == m_procs.end() ? nullptr : &it->second;
}

std::vector<uint32_t> ProcessTable::mark_exited(uint32_t pid, int32_t wait_status) {
    std::vector<uint32_t> moved;
    Proc* p = find(pid);
    if (!p || p->exited)
        return moved;
    p->exited = true;
    p->wait_status = wait_status;
    const Proc* init = find(kInitPid);
    uint32_t new_parent = (init && !init->exited && pid != kInitPid) ? kInitPid : 0;
    for (auto& [child_pid, child] : m_procs) {
        if (child.ppid == pid) {
            child.ppid = new_parent;
            moved.push_back(child_pid);
        }
    }
    return moved;
}

bool ProcessTable::matches(const Proc& child, uint32_t parent, WaitSelector sel) const {
    if (child.ppid != parent)
        return false;
    if (sel.pid > 0)
        return child.pid == uint32_t(sel.pid);
    if (sel.pid == -1)
        return true;
    if (sel.pid == 0) {
        const Proc* caller = find(parent);
        return caller && child.pgid == caller->pgid;
    }
    return child.pgid == uint32_t(-sel.pid);
}

WaitCheck ProcessTable::check_wait(uint32_t parent, WaitSelector sel, bool exited, bool stops,
                                   bool continues) const {
    bool any = false;
    for (const auto& [pid, child] : m_procs) {
        if (!matches(child, parent, sel))
            continue;
        any = true;
        if (exited && child.exited)
            return {WaitOutcome::Reapable, pid};
        if (stops && child.report_stop && !child.exited)
            return {WaitOutcome::Stopped, pid};
        if (continues && child.report_continue && !child.exited)
            return {WaitOutcome::Continued, pid};
    }
    return {any ? WaitOutcome::NotYet : WaitOutcome::NoChildren, 0};
}

std::optional<Proc> ProcessTable::reap(uint32_t pid) {
    auto it = m_procs.find(pid);
    if (it == m_procs.end() || !it->second.exited)
        return std::nullopt;
    Proc p = std::move(it->second);
    m_procs.erase(it);
    return p;
}

std::vector<const Proc*> ProcessTable::all() const {
    std::vector<const Proc*> out;
    for (const auto& [pid, p] : m_procs)
        out.push_back(&p);
    return out;
}

} // namespace procd
