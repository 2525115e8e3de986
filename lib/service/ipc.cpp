#include <rustos/service/ipc.h>

#include <cstring>
#include <ctime>

namespace rustos::service {

std::unique_ptr<Message> new_message(uint32_t op) {
    auto m = std::make_unique<Message>();
    m->reset(op);
    return m;
}

ErrorOr<void> call(handle_t endpoint, const Message& request, Message& reply, uint64_t timeout_ns) {
    int64_t r = user::ipc_call(endpoint, &request, &reply, timeout_ns);
    if (r < 0)
        return Error::formatted(Errno(-r), "IPC call failed: %s",
                                abi::errno_description(Errno(-r)));
    if (reply.header.status < 0) {
        // A service's error reply may carry a reason string as its payload.
        auto rd = reader_of(reply);
        StringView reason = rd.str(512);
        if (rd.ok() && !reason.empty())
            return Error::with_message(Errno(-reply.header.status),
                                       std::string(reason.data(), reason.size()));
        return Error::from_errno(Errno(-reply.header.status));
    }
    return {};
}

ErrorOr<Handle> lookup(uint32_t service_id, uint64_t timeout_ns) {
    int64_t h = user::service_lookup(service_id, timeout_ns);
    if (h < 0)
        return Error::formatted(Errno(-h), "service %s not available: %s",
                                ipc::service_name(service_id) ? ipc::service_name(service_id) : "?",
                                abi::errno_description(Errno(-h)));
    return Handle(handle_t(h));
}

ErrorOr<std::string> read_boot_file(const std::string& path) {
    int64_t size = user::bootfs_stat(path.c_str());
    if (size < 0)
        return Error::formatted(Errno(-size), "%s: %s", path.c_str(),
                                abi::errno_description(Errno(-size)));
    std::string data(size_t(size), '\0');
    int64_t n = user::bootfs_read(path.c_str(), 0, data.data(), data.size());
    if (n != size)
        return Error::formatted(EIO, "%s: short read from the boot bundle", path.c_str());
    return data;
}

std::string kernel_cmdline() {
    char buf[1024];
    if (user::kernel_cmdline(buf, sizeof buf) < 0)
        return {};
    return buf;
}

std::string kernel_cmdline_value(const std::string& key) {
    std::string line = kernel_cmdline();
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        std::string word = line.substr(start, i - start);
        if (word == "--")
            break;
        if (word.size() > key.size() && word.compare(0, key.size(), key) == 0 &&
            word[key.size()] == '=')
            return word.substr(key.size() + 1);
    }
    return {};
}

std::string errno_text(const Error& e) { return e.reason(); }

void sleep_forever() {
    for (;;) {
        timespec t{86400, 0};
        nanosleep(&t, nullptr);
    }
}

} // namespace rustos::service
