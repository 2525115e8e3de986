#include <rustos/elf/loader.h>
#include <rustos/loader/loader.h>
#include <rustos/user/syscall.h>

#include <sys/random.h>

#include <cpuid.h>
#include <cstring>

namespace rustos::loader {

namespace {

Error from_kernel(int64_t r, const char* what) {
    return Error::formatted(Errno(-r), "%s: %s", what, abi::errno_description(Errno(-r)));
}

// Loads into the new process through the broker.
class BrokerTarget final : public elf::LoadTarget {
public:
    explicit BrokerTarget(service::handle_t process) : m_process(process) {}
    ErrorOr<void> map(uint64_t vaddr, uint64_t len, uint32_t prot, abi::MapKind kind) override {
        int64_t r = user::process_map(m_process, vaddr, len, prot, kind);
        if (r < 0)
            return from_kernel(r, "PROCESS_MAP");
        return {};
    }
    ErrorOr<void> write(uint64_t vaddr, const uint8_t* data, uint64_t len) override {
        int64_t r = user::process_write(m_process, vaddr, data, len);
        if (r < 0)
            return from_kernel(r, "PROCESS_WRITE");
        return {};
    }

private:
    service::handle_t m_process;
};

ReadonlyBytes bytes_of(const std::string& s) {
    return ReadonlyBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

uint64_t hwcap() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    return d;
}

} // namespace

std::string base_name(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

ErrorOr<Built> build_process(const Program& program, const FileReader& read_file) {
    std::string file = TRY(read_file(program.path));
    auto image_or = elf::parse_executable(bytes_of(file));
    if (image_or.is_error())
        return Error::formatted(ENOEXEC, "%s: %s", program.path.c_str(), image_or.error().reason());
    const elf::Image& image = image_or.value();

    std::string interp_file;
    elf::Image interp_image;
    Built out;
    if (image.has_interp) {
        out.dynamic = true;
        out.interpreter = std::string(image.interp.data(), image.interp.size());
        interp_file = TRY(read_file(out.interpreter));
        auto ii = elf::parse_executable(bytes_of(interp_file));
        if (ii.is_error())
            return Error::formatted(ENOEXEC, "%s (interpreter of %s): %s", out.interpreter.c_str(),
                                    program.path.c_str(), ii.error().reason());
        if (ii->has_interp || ii->type != elf::ET_DYN)
            return Error::formatted(ENOEXEC, "%s: an interpreter must be a static ET_DYN object",
                                    out.interpreter.c_str());
        interp_image = ii.value();
    }

    std::string name = program.name.empty() ? base_name(program.path) : program.name;
    int64_t h = user::process_create(name.substr(0, 31).c_str(),
                                     program.kernel_defaults ? abi::PROCESS_KERNEL_DEFAULTS : 0);
    if (h < 0)
        return from_kernel(h, "PROCESS_CREATE");
    out.process = service::Handle(service::handle_t(h));
    BrokerTarget target(out.process.get());

    uint64_t bias = image.type == elf::ET_DYN ? elf::kPieBase : 0;
    elf::LoadedImage prog = TRY(elf::load_image(bytes_of(file), image, bias, target));
    elf::LoadedImage interp;
    if (out.dynamic)
        interp =
            TRY(elf::load_image(bytes_of(interp_file), interp_image, elf::kInterpBase, target));

    std::vector<StringView> argv, envp;
    for (auto& a : program.argv)
        argv.emplace_back(a.data(), a.size());
    for (auto& e : program.envp)
        envp.emplace_back(e.data(), e.size());
    uint8_t random[16];
    if (getrandom(random, sizeof random, 0) != sizeof random)
        return Error(EIO, "getrandom failed");
    elf::StackSpec spec;
    spec.argv = {argv.data(), argv.size()};
    spec.envp = {envp.data(), envp.size()};
    spec.execfn = StringView(program.path.data(), program.path.size());
    spec.program = &prog;
    spec.interpreter = out.dynamic ? &interp : nullptr;
    spec.hwcap = hwcap();
    spec.random16 = random;
    std::vector<uint8_t> scratch(elf::kInitialStackBytes);
    uint64_t rsp = TRY(elf::setup_stack(spec, target, {scratch.data(), scratch.size()}));

    out.entry = out.dynamic ? interp.entry : prog.entry;
    int64_t r =
        user::process_start(out.process.get(), out.entry, rsp, prog.end, abi::START_SUSPENDED);
    if (r < 0)
        return from_kernel(r, "PROCESS_START");
    abi::ProcessInfo info{};
    r = user::process_info(out.process.get(), &info);
    if (r < 0)
        return from_kernel(r, "PROCESS_INFO");
    out.pid = info.pid;
    return out;
}

} // namespace rustos::loader
