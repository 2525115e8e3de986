// IPC for services: building messages, calling other services, looking
// them up. Transport failures (no server, timeout, server died) and error
// replies (a negative status) both come back as an Error.
#pragma once

#include <rustos/base/error.h>
#include <rustos/ipc/codec.h>
#include <rustos/ipc/message.h>
#include <rustos/service/handle.h>

#include <memory>
#include <string>
#include <vector>

namespace rustos::service {

using ipc::Message;

// A heap-allocated message (they are 16 KiB; keep them off small stacks).
std::unique_ptr<Message> new_message(uint32_t op = 0);

// Writes the payload of `m`; call finish() to set its length.
class MessageWriter : public ipc::Writer {
public:
    explicit MessageWriter(Message& m) : ipc::Writer(m.payload, sizeof m.payload), m_msg(m) {}
    // Attaches a handle to travel with the message (it leaves our table).
    MessageWriter& handle(handle_t h) {
        if (m_msg.header.handle_count < ipc::kMaxHandles)
            m_msg.header.handles[m_msg.header.handle_count++] = h;
        else
            m_overflow = true;
        return *this;
    }
    // Sets the payload length; false if anything did not fit.
    bool finish() {
        m_msg.header.length = uint32_t(size());
        return ok() && !m_overflow;
    }

private:
    Message& m_msg;
    bool m_overflow = false;
};

inline ipc::Reader reader_of(const Message& m) {
    return ipc::Reader(m.payload, m.header.length <= ipc::kMaxPayload ? m.header.length : 0);
}

// Sends `request` and waits for the reply in `reply`. An error for a
// transport failure, or the reply's own negative status.
ErrorOr<void> call(handle_t endpoint, const Message& request, Message& reply,
                   uint64_t timeout_ns = ipc::kInfinite);

// A handle to a registered service, waiting up to timeout_ns for it.
ErrorOr<Handle> lookup(uint32_t service_id, uint64_t timeout_ns);

// Reads a file of the boot bundle (the kernel default for files, used
// before and without vfsd).
ErrorOr<std::string> read_boot_file(const std::string& path);

// The kernel command line.
std::string kernel_cmdline();
// Value of "key=value" on the kernel command line, or "".
std::string kernel_cmdline_value(const std::string& key);

std::string errno_text(const Error& e);

// Blocks the calling thread for good (a service whose work is done).
[[noreturn]] void sleep_forever();

} // namespace rustos::service
