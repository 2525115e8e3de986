#include <rustos/service/linux_call.h>

namespace rustos::service {

ErrorOr<LinuxCall> LinuxCall::decode(Call& call) {
    if (!call.from_kernel())
        return Error(EPERM, "only the kernel offloads system calls");
    LinuxCall c;
    auto rd = call.reader();
    c.nr = rd.u32();
    c.flags = rd.u32();
    for (auto& a : c.args)
        a = rd.u64();
    uint32_t count = rd.u32();
    for (uint32_t i = 0; i < count && rd.ok(); ++i) {
        uint32_t arg = rd.u32();
        size_t len = 0;
        const uint8_t* data = rd.bytes(&len);
        if (rd.ok())
            c.inputs[arg] = std::string(reinterpret_cast<const char*>(data), len);
    }
    if (!rd.ok())
        return Error(EINVAL, "malformed offloaded system call");
    c.pid = call.sender_pid();
    c.tid = call.request().header.sender_tid;
    c.process = call.take_handle(0);
    return c;
}

ErrorOr<std::vector<std::string>> LinuxCall::strings(uint32_t arg) const {
    std::vector<std::string> out;
    auto it = inputs.find(arg);
    if (it == inputs.end())
        return out;
    ipc::Reader rd(reinterpret_cast<const uint8_t*>(it->second.data()), it->second.size());
    uint32_t n = rd.u32();
    for (uint32_t i = 0; i < n && rd.ok(); ++i) {
        StringView s = rd.str();
        out.emplace_back(s.data(), s.size());
    }
    if (!rd.ok())
        return Error(EINVAL, "malformed string vector");
    return out;
}

void LinuxReply::write(MessageWriter& w) const {
    w.i64(result).u32(uint32_t(outputs.size()));
    for (auto& [arg, data] : outputs) {
        w.u32(arg);
        w.bytes(data.data(), data.size());
    }
}

void LinuxReply::write(Message& m) const {
    MessageWriter w(m);
    write(w);
    w.finish();
}

} // namespace rustos::service
