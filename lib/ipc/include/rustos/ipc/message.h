// The one IPC message layout, shared by the kernel and every service: a
// fixed header (operation, status, payload length, transferred handles,
// sender identity stamped by the kernel) followed by an inline payload.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rustos::ipc {

using handle_t = uint32_t;

inline constexpr size_t kMaxPayload = 16384;
inline constexpr size_t kMaxHandles = 4;
// Timeouts are in nanoseconds; kInfinite waits forever, 0 never blocks.
inline constexpr uint64_t kInfinite = UINT64_MAX;

enum MessageFlags : uint16_t {
    kFromKernel = 1, // sent by the kernel itself (offload, events): trusted
    kOneWay = 2,     // no reply expected (kernel events)
    // Bits 8-15: the service id the sending process registered (0: none),
    // stamped by the kernel; see sender_service().
};

// Flags of an offloaded Linux system call (KERNEL_LINUX_SYSCALL's u32
// flags). A read larger than one message goes out as several calls; every
// call after the first carries kOffloadNoWait: answer EAGAIN instead of
// waiting, so the kernel returns what was read so far, as Linux does.
enum OffloadFlags : uint32_t {
    kOffloadNoWait = 1,
};

struct MessageHeader {
    uint32_t op;     // operation (ops.def)
    int32_t status;  // in replies: 0 or -errno
    uint32_t length; // payload bytes that follow
    uint16_t handle_count;
    uint16_t flags;
    // Stamped by the kernel on delivery; senders' values are ignored.
    uint64_t sender_koid;
    uint32_t sender_pid;
    uint32_t sender_tid;
    handle_t handles[kMaxHandles]; // sender's handles on send, receiver's on delivery
};
static_assert(sizeof(MessageHeader) == 48);

// The service the sender registered, 0 for any other process: how a
// service tells a peer's request (procd's SIGCHLD) from a client's.
inline uint32_t sender_service(const MessageHeader& h) { return h.flags >> 8; }

struct Message {
    MessageHeader header;
    uint8_t payload[kMaxPayload];

    void reset(uint32_t op) {
        header = MessageHeader{};
        header.op = op;
    }
};

// Operation codes, from ops.def: rustos::ipc::op::COMMON_HEALTH, ...
namespace op {
#define IPC_OP(protocol, value, name, req, rep, desc)                                              \
    inline constexpr uint32_t protocol##_##name = value;
#include <rustos/ipc/ops.def>
#undef IPC_OP
} // namespace op

// Service ids, from services.def: rustos::ipc::service::PROCD, ...
namespace service {
#define IPC_SERVICE(id, name, owner, desc) inline constexpr uint32_t name = id;
#include <rustos/ipc/services.def>
#undef IPC_SERVICE
inline constexpr uint32_t kMaxId = 63;
} // namespace service

// Codes of the KERNEL protocol's block (ops.def): only the kernel sends them.
inline constexpr bool is_kernel_op(uint32_t code) {
    return code >> 8 == op::KERNEL_LINUX_SYSCALL >> 8;
}

// "procd" for service::PROCD, nullptr for unknown ids.
const char* service_name(uint32_t id);
const char* op_name(uint32_t op);

} // namespace rustos::ipc
