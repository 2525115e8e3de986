#include <rustos/ipc/message.h>

namespace rustos::ipc {

const char* service_name(uint32_t id) {
    switch (id) {
#define IPC_SERVICE(id, name, owner, desc)                                                         \
    case id:                                                                                       \
        return owner;
#include <rustos/ipc/services.def>
#undef IPC_SERVICE
    default:
        return nullptr;
    }
}

const char* op_name(uint32_t op) {
    switch (op) {
#define IPC_OP(protocol, value, name, req, rep, desc)                                              \
    case value:                                                                                    \
        return #protocol "_" #name;
#include <rustos/ipc/ops.def>
#undef IPC_OP
    default:
        return nullptr;
    }
}

} // namespace rustos::ipc
