#include "pipe.h"

namespace vfsd {

bool g_state_changed = false;

ErrorOr<size_t> Pipe::read(char* buf, size_t n) {
    if (m_data.empty())
        return (writers == 0 && had_writer) ? ErrorOr<size_t>(size_t(0))
                                            : Error(EAGAIN, "pipe empty");
    size_t got = std::min(n, m_data.size());
    std::copy(m_data.begin(), m_data.begin() + long(got), buf);
    m_data.erase(m_data.begin(), m_data.begin() + long(got));
    g_state_changed = true;
    return got;
}

ErrorOr<size_t> Pipe::write(const char* data, size_t n, bool nonblocking) {
    if (readers == 0) {
        if (!had_reader)
            return Error(EAGAIN, "no reader yet"); // a FIFO nobody opened for reading
        return Error(EPIPE, "no reader");
    }
    if (n == 0)
        return size_t(0);
    size_t room = space();
    if (room < n) {
        if (!nonblocking || n <= kAtomic || room == 0)
            return Error(EAGAIN, "pipe full");
        n = room; // non-blocking large write: as much as fits
    }
    m_data.insert(m_data.end(), data, data + n);
    ++generation;
    g_state_changed = true;
    return n;
}

void Pipe::reset() {
    m_data.clear();
    had_reader = had_writer = false;
}

PipeEnd::PipeEnd(std::shared_ptr<Pipe> pipe, NodePtr node, bool write_end, int flags)
    : OpenFile(std::move(node), flags), m_pipe(std::move(pipe)),
      m_reads(!write_end || (flags & kAccMode) == kReadWrite),
      m_writes(write_end || (flags & kAccMode) == kReadWrite) {
    if (m_writes) {
        ++m_pipe->writers;
        m_pipe->had_writer = true;
    }
    if (m_reads) {
        ++m_pipe->readers;
        m_pipe->had_reader = true;
    }
    g_state_changed = true;
}

PipeEnd::~PipeEnd() {
    if (m_writes)
        --m_pipe->writers;
    if (m_reads)
        --m_pipe->readers;
    // Linux frees a pipe with its last end (unread bytes go with it): a
    // FIFO's next writer waits for a new reader instead of seeing EPIPE.
    if (!m_pipe->readers && !m_pipe->writers)
        m_pipe->reset();
    ++m_pipe->generation;
    g_state_changed = true;
}

ErrorOr<size_t> PipeEnd::read(char* buf, size_t n) {
    if (!m_reads)
        return Error(EBADF, "write end of a pipe");
    if (n == 0)
        return size_t(0);
    // Without writers an empty pipe is at its end; only a blocking reader
    // of a FIFO waits for the first writer (Linux blocks it in open).
    if (nonblocking() && m_pipe->writers == 0 && m_pipe->available() == 0)
        return size_t(0);
    return m_pipe->read(buf, n);
}

ErrorOr<size_t> PipeEnd::write(const char* data, size_t n) {
    if (!m_writes)
        return Error(EBADF, "read end of a pipe");
    if (n == 0)
        return size_t(0); // before the readers are counted: no EPIPE (Linux)
    return m_pipe->write(data, n, nonblocking());
}

uint32_t PipeEnd::poll() {
    uint32_t r = 0;
    if (m_writes) {
        if (m_pipe->readers == 0 && m_pipe->had_reader)
            r |= kPollErr; // with POLLOUT while not full, as on Linux
        if (m_pipe->space() >= Pipe::kAtomic)
            r |= kPollOut;
    }
    if (m_reads) {
        if (m_pipe->available())
            r |= kPollIn;
        if (m_pipe->writers == 0 && m_pipe->had_writer)
            r |= kPollHup;
    }
    return r;
}

Attributes PipeNode::attributes() {
    Attributes a = MemNode::attributes();
    a.mode = uint32_t(FileType::Fifo) | 0600;
    return a;
}

std::pair<FilePtr, FilePtr> make_pipe(int flags) {
    auto pipe = std::make_shared<Pipe>();
    auto node = std::make_shared<PipeNode>();
    int status = flags & (kNonBlock);
    return {std::make_shared<PipeEnd>(pipe, node, false, kRead | status),
            std::make_shared<PipeEnd>(pipe, node, true, kWrite | status)};
}

ErrorOr<std::shared_ptr<OpenFile>> FifoNode::open(int flags) {
    auto self = shared_from_this();
    switch (flags & kAccMode) {
    case kRead:
        return FilePtr(std::make_shared<PipeEnd>(m_pipe, self, false, flags));
    case kWrite:
        if ((flags & kNonBlock) && m_pipe->readers == 0)
            return Error(ENXIO, "no reader on the FIFO");
        return FilePtr(std::make_shared<PipeEnd>(m_pipe, self, true, flags));
    default:
        // O_RDWR: Linux makes the opener a reader and a writer at once.
        return FilePtr(std::make_shared<PipeEnd>(m_pipe, self, false, flags));
    }
}

} // namespace vfsd
