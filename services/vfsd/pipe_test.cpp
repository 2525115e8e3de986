// Pipes and FIFOs: capacity, PIPE_BUF atomicity, EOF and EPIPE, the
// EAGAIN that parks a blocking call, and poll bits, as Linux's pipe.c.
#include "test_support.h"

#include "memfs.h"
#include "pipe.h"

#include <poll.h>

#include <cerrno>

using namespace vfsd;
using namespace vfsd::test;

namespace {

ErrorOr<size_t> put(const FilePtr& f, size_t n, char c = 'x') {
    std::string data(n, c);
    return f->write(data.data(), data.size());
}

ErrorOr<size_t> take(const FilePtr& f, size_t n) {
    std::string buf(n, '\0');
    return f->read(buf.data(), n);
}

TEST(VfsdPipe, DataFlowsInOrder) {
    auto [r, w] = make_pipe(0);
    ASSERT_EQ(w->write("hello ", 6).value(), 6u);
    ASSERT_EQ(w->write("world", 5).value(), 5u);
    char buf[4];
    ASSERT_EQ(r->read(buf, 4).value(), 4u);
    EXPECT_EQ(std::string(buf, 4), "hell");
    EXPECT_EQ(drain(*r), "o world");
}

TEST(VfsdPipe, EmptyPipeWaitsThenEofAfterTheLastWriter) {
    auto [r, w] = make_pipe(0);
    EXPECT_EQ(error_of(take(r, 1)), EAGAIN); // the syscall layer parks this
    FilePtr w2 = w;                          // a dup
    ASSERT_EQ(put(w, 3).value(), 3u);
    w.reset();
    EXPECT_EQ(take(r, 10).value(), 3u);
    EXPECT_EQ(error_of(take(r, 1)), EAGAIN);
    w2.reset();
    EXPECT_EQ(take(r, 1).value(), 0u);
}

TEST(VfsdPipe, ZeroLengthTransfers) {
    auto [r, w] = make_pipe(0);
    EXPECT_EQ(take(r, 0).value(), 0u); // even when empty: Linux returns 0
    EXPECT_EQ(put(w, 0).value(), 0u);
}

TEST(VfsdPipe, NoReadersIsEpipe) {
    auto [r, w] = make_pipe(0);
    r.reset();
    EXPECT_EQ(error_of(put(w, 1)), EPIPE);
    // Linux's pipe_write: "Null write succeeds", before it looks for readers
    // (no EPIPE, so no SIGPIPE either).
    EXPECT_EQ(put(w, 0).value(), 0u);
}

TEST(VfsdPipe, WrongEndAndSeeks) {
    auto [r, w] = make_pipe(0);
    EXPECT_EQ(error_of(put(r, 1)), EBADF);
    EXPECT_EQ(error_of(take(w, 1)), EBADF);
    char c;
    EXPECT_EQ(error_of(r->seek(0, SEEK_SET)), ESPIPE);
    EXPECT_EQ(error_of(r->pread(0, &c, 1)), ESPIPE);
    EXPECT_EQ(error_of(w->pwrite(0, "x", 1)), ESPIPE);
    EXPECT_TRUE(r->is_stream());
    EXPECT_EQ(r->node()->attributes().mode, S_IFIFO | 0600);
    EXPECT_EQ(r->node(), w->node());
}

TEST(VfsdPipe, CapacityIs64KiB) {
    auto [r, w] = make_pipe(0);
    for (int i = 0; i < 16; ++i)
        ASSERT_EQ(put(w, 4096).value(), 4096u) << i;
    EXPECT_EQ(error_of(put(w, 1)), EAGAIN);
    auto* end = dynamic_cast<PipeEnd*>(w.get());
    ASSERT_NE(end, nullptr);
    EXPECT_EQ(end->pipe()->available(), 65536u);
    EXPECT_EQ(end->pipe()->space(), 0u);
    EXPECT_EQ(take(r, 100).value(), 100u);
    EXPECT_EQ(put(w, 100).value(), 100u);
}

TEST(VfsdPipe, WritesUpToPipeBufAreAtomic) {
    auto [r, w] = make_pipe(O_NONBLOCK);
    ASSERT_EQ(put(w, 65536 - 100).value(), 65436u);
    // 100 bytes of room: a 101-byte write must not be split, blocking or not.
    EXPECT_EQ(error_of(put(w, 101)), EAGAIN);
    EXPECT_EQ(error_of(put(w, 4096)), EAGAIN);
    w->set_status_flags(0);
    EXPECT_EQ(error_of(put(w, 4096)), EAGAIN);
    EXPECT_EQ(put(w, 100).value(), 100u);
}

TEST(VfsdPipe, LargeNonblockingWritesArePartial) {
    auto [r, w] = make_pipe(O_NONBLOCK);
    ASSERT_EQ(put(w, 65536 - 5000).value(), 60536u);
    // Larger than PIPE_BUF: as much as fits.
    EXPECT_EQ(put(w, 8000).value(), 5000u);
    EXPECT_EQ(error_of(put(w, 8000)), EAGAIN);
}

TEST(VfsdPipe, LargeBlockingWritesWaitUntilAllFits) {
    auto [r, w] = make_pipe(0);
    ASSERT_EQ(put(w, 65536 - 5000).value(), 60536u);
    // The kernel caps one write to what a message carries: it waits (is
    // parked) until the whole of it fits, then goes in one piece.
    EXPECT_EQ(error_of(put(w, 8000, 'b')), EAGAIN);
    ASSERT_EQ(take(r, 60536).value(), 60536u);
    EXPECT_EQ(put(w, 8000, 'b').value(), 8000u);
    EXPECT_EQ(drain(*r), std::string(8000, 'b'));
}

TEST(VfsdPipe, PollBits) {
    auto [r, w] = make_pipe(0);
    EXPECT_EQ(r->poll(), 0u);
    EXPECT_EQ(w->poll(), uint32_t(POLLOUT));
    ASSERT_FALSE(put(w, 1).is_error());
    EXPECT_EQ(r->poll(), uint32_t(POLLIN));
    // Less than PIPE_BUF of room: not writable.
    ASSERT_FALSE(put(w, 65536 - 4096 - 1).is_error());
    EXPECT_EQ(w->poll(), uint32_t(POLLOUT));
    ASSERT_FALSE(put(w, 1).is_error());
    EXPECT_EQ(w->poll(), 0u);
    w.reset();
    EXPECT_EQ(r->poll(), uint32_t(POLLIN | POLLHUP));
    drain(*r);
    EXPECT_EQ(r->poll(), uint32_t(POLLHUP));
}

TEST(VfsdPipe, WriteEndWithoutReadersPollsErrAndOut) {
    // Linux: POLLERR once the readers are gone, POLLOUT while not full.
    auto [r, w] = make_pipe(0);
    r.reset();
    EXPECT_EQ(w->poll(), uint32_t(POLLOUT | POLLERR));
}

TEST(VfsdPipe, GenerationMovesOnWritesAndCloses) {
    auto [r, w] = make_pipe(0);
    uint64_t g0 = r->generation();
    ASSERT_FALSE(put(w, 1).is_error());
    uint64_t g1 = r->generation();
    EXPECT_GT(g1, g0);
    ASSERT_FALSE(take(r, 1).is_error());
    w.reset();
    EXPECT_GT(r->generation(), g1);
}

TEST(VfsdPipe, ChangesRaiseTheStateChangedFlag) {
    auto [r, w] = make_pipe(0);
    g_state_changed = false;
    ASSERT_FALSE(put(w, 1).is_error());
    EXPECT_TRUE(g_state_changed);
    g_state_changed = false;
    ASSERT_FALSE(take(r, 1).is_error());
    EXPECT_TRUE(g_state_changed);
    g_state_changed = false;
    w.reset();
    EXPECT_TRUE(g_state_changed);
}

TEST(VfsdPipe, Pipe2FlagsGoToBothEnds) {
    auto [r, w] = make_pipe(O_NONBLOCK | O_CLOEXEC);
    EXPECT_TRUE(r->nonblocking());
    EXPECT_TRUE(w->nonblocking());
    EXPECT_EQ(r->flags() & O_ACCMODE, O_RDONLY);
    EXPECT_EQ(w->flags() & O_ACCMODE, O_WRONLY);
    EXPECT_TRUE(r->readable());
    EXPECT_FALSE(r->writable());
}

// --- FIFOs ---

class VfsdFifo : public ::testing::Test {
protected:
    FilePtr open(int flags) {
        auto f = fifo->open(flags);
        EXPECT_FALSE(f.is_error()) << flags;
        return f.is_error() ? nullptr : f.value();
    }
    std::shared_ptr<MemDirectory> dir = make_memfs_root();
    NodePtr fifo = dir->create("fifo", FileType::Fifo, 0644).value();
};

TEST_F(VfsdFifo, ReaderWaitsForAWriterThenSeesEof) {
    FilePtr r = open(O_RDONLY);
    EXPECT_EQ(r->node(), fifo);
    // No writer yet: a blocking reader waits (Linux blocks in open).
    EXPECT_EQ(error_of(take(r, 1)), EAGAIN);
    FilePtr w = open(O_WRONLY);
    ASSERT_EQ(w->write("hi", 2).value(), 2u);
    w.reset();
    EXPECT_EQ(drain(*r), "hi");
    EXPECT_EQ(take(r, 1).value(), 0u);
}

TEST_F(VfsdFifo, WriterWaitsForAReader) {
    FilePtr w = open(O_WRONLY);
    EXPECT_EQ(error_of(put(w, 1)), EAGAIN);
    FilePtr r = open(O_RDONLY);
    EXPECT_EQ(put(w, 1).value(), 1u);
    EXPECT_EQ(take(r, 1).value(), 1u);
}

TEST_F(VfsdFifo, NonblockingWriterWithoutReaderIsEnxio) {
    EXPECT_EQ(error_of(fifo->open(O_WRONLY | O_NONBLOCK)), ENXIO);
    FilePtr r = open(O_RDONLY | O_NONBLOCK);
    EXPECT_FALSE(fifo->open(O_WRONLY | O_NONBLOCK).is_error());
}

TEST_F(VfsdFifo, NonblockingReaderWithoutWriterReadsEof) {
    // Linux's pipe_read: no writers and nothing buffered is end of file,
    // also for a FIFO no writer has opened yet.
    FilePtr r = open(O_RDONLY | O_NONBLOCK);
    EXPECT_EQ(take(r, 1).value(), 0u);
    EXPECT_EQ(r->poll(), 0u);
}

TEST_F(VfsdFifo, ReadWriteOpenIsBothEnds) {
    // O_RDWR on a FIFO never waits: the opener is a reader and a writer.
    FilePtr rw = open(O_RDWR | O_NONBLOCK);
    EXPECT_EQ(rw->write("both", 4).value(), 4u);
    EXPECT_EQ(drain(*rw), "both");
    EXPECT_EQ(error_of(take(rw, 1)), EAGAIN); // its own writer keeps it open
    EXPECT_EQ(rw->poll(), uint32_t(POLLOUT));
    FilePtr r = open(O_RDONLY);
    ASSERT_EQ(rw->write("x", 1).value(), 1u);
    EXPECT_EQ(drain(*r), "x");
    rw.reset();
    EXPECT_EQ(take(r, 1).value(), 0u);
}

TEST_F(VfsdFifo, ReopenedAfterAllEndsClosedStartsFresh) {
    // Once every end is closed the pipe is gone (Linux frees it, dropping
    // unread bytes); the next writer waits for a new reader again instead
    // of getting EPIPE from the first round's reader.
    {
        FilePtr r = open(O_RDONLY);
        FilePtr w = open(O_WRONLY);
        ASSERT_EQ(w->write("stale", 5).value(), 5u);
    }
    FilePtr w = open(O_WRONLY);
    EXPECT_EQ(error_of(put(w, 1)), EAGAIN);
    FilePtr r = open(O_RDONLY | O_NONBLOCK);
    EXPECT_EQ(error_of(take(r, 1)), EAGAIN);
    ASSERT_EQ(w->write("new", 3).value(), 3u);
    EXPECT_EQ(drain(*r), "new");
}

} // namespace
