// Pipes and FIFOs: a 64 KiB buffer with reader and writer counts. Writes
// of up to PIPE_BUF bytes are atomic; a blocking write waits until all of
// it fits (the kernel caps one write to what a message carries).
#pragma once

#include "memfs.h"

#include <deque>

namespace vfsd {

class Pipe {
public:
    static constexpr size_t kCapacity = 65536;
    static constexpr size_t kAtomic = 4096; // PIPE_BUF

    size_t available() const { return m_data.size(); }
    size_t space() const { return kCapacity - m_data.size(); }
    ErrorOr<size_t> read(char* buf, size_t n);
    // EPIPE without readers; EAGAIN when it must wait.
    ErrorOr<size_t> write(const char* data, size_t n, bool nonblocking);
    // After the last end closed: a FIFO opened again is a new pipe.
    void reset();

    int readers = 0, writers = 0;
    uint64_t generation = 0;                     // bumped by every write and close
    bool had_reader = false, had_writer = false; // FIFOs: someone connected once

private:
    std::deque<char> m_data;
};

// One end of a pipe; a FIFO opened O_RDWR is both ends in one.
class PipeEnd final : public OpenFile {
public:
    PipeEnd(std::shared_ptr<Pipe> pipe, NodePtr node, bool write_end, int flags);
    ~PipeEnd() override;
    ErrorOr<size_t> read(char* buf, size_t n) override;
    ErrorOr<size_t> write(const char* data, size_t n) override;
    ErrorOr<size_t> pread(uint64_t, char*, size_t) override {
        return Error(ESPIPE, "illegal seek");
    }
    ErrorOr<size_t> pwrite(uint64_t, const char*, size_t) override {
        return Error(ESPIPE, "illegal seek");
    }
    ErrorOr<int64_t> seek(int64_t, int) override { return Error(ESPIPE, "illegal seek"); }
    uint32_t poll() override;
    bool is_stream() const override { return true; }
    uint64_t generation() const override { return m_pipe->generation; }
    const std::shared_ptr<Pipe>& pipe() const { return m_pipe; }

private:
    std::shared_ptr<Pipe> m_pipe;
    bool m_reads, m_writes;
};

// The node behind a pipe's fds (fstat shows a FIFO).
class PipeNode final : public MemNode {
public:
    PipeNode() : MemNode(FileType::Fifo, 0600, 0x10) {}
    Attributes attributes() override;
};

// Creates the two ends of a new pipe.
std::pair<FilePtr, FilePtr> make_pipe(int flags);

// A named pipe (mkfifo) in a memory file system.
class FifoNode final : public MemNode {
public:
    FifoNode(uint32_t perm, uint64_t dev) : MemNode(FileType::Fifo, perm, dev) {}
    ErrorOr<std::shared_ptr<OpenFile>> open(int flags) override;

private:
    std::shared_ptr<Pipe> m_pipe = std::make_shared<Pipe>();
};

// Set when a stream changed state; vfsd retries its parked calls then.
extern bool g_state_changed;

} // namespace vfsd
