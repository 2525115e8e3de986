#include <rustos/elf/loader.h>
#include <rustos/loader/loader.h>
#include <rustos/user/syscall.h>

#include <sys/mman.h>
#include <sys/random.h>

#include <cpuid.h>
#include <cstring>

namespace rustos::loader {

namespace {

Error from_kernel(int64_t r, const char* what) {
    return Error::formatted(Errno(-r), "%s: %s", what, abi::errno_description(Errno(-r)));
}

// Loads into the new process or image through the broker.
class BrokerTarget final : public elf::LoadTarget {
public:
    explicit BrokerTarget(service::handle_t target) : m_target(target) {}
    ErrorOr<void> map(uint64_t vaddr, uint64_t len, uint32_t prot, abi::MapKind kind) override {
        int64_t r = user::process_map(m_target, vaddr, len, prot, kind);
        if (r < 0)
            return from_kernel(r, "PROCESS_MAP");
        return {};
    }
    ErrorOr<void> write(uint64_t vaddr, const uint8_t* data, uint64_t len) override {
        int64_t r = user::process_write(m_target, vaddr, data, len);
        if (r < 0)
            return from_kernel(r, "PROCESS_WRITE");
        return {};
    }
    ErrorOr<bool> map_file(uint64_t vaddr, uint64_t len, uint32_t prot, uint64_t offset) override {
        if (!m_object)
            return false;
        int64_t r = user::process_map_object(m_target, m_object, vaddr, len, prot, offset);
        if (r < 0)
            return from_kernel(r, "PROCESS_MAP_OBJECT");
        return true;
    }
    // The page cache of the file being loaded (0: none, copy).
    void set_file_object(service::handle_t object) { m_object = object; }

private:
    service::handle_t m_target;
    service::handle_t m_object = 0;
};

ReadonlyBytes bytes_of(const FileBytes& f) { return ReadonlyBytes(f.data(), f.size()); }

uint64_t hwcap() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    return d;
}

} // namespace

FileBytes FileBytes::mapping(const void* at, size_t size, size_t map_len) {
    FileBytes f;
    f.m_map = at;
    f.m_size = size;
    f.m_map_len = map_len;
    return f;
}

void FileBytes::release() {
    if (m_map)
        munmap(const_cast<void*>(m_map), m_map_len);
    m_map = nullptr;
    m_size = m_map_len = 0;
}

FileBytes::~FileBytes() { release(); }

FileBytes::FileBytes(FileBytes&& o) noexcept
    : m_owned(std::move(o.m_owned)), m_map(o.m_map), m_size(o.m_size), m_map_len(o.m_map_len) {
    o.m_map = nullptr;
    o.m_size = o.m_map_len = 0;
}

FileBytes& FileBytes::operator=(FileBytes&& o) noexcept {
    if (this != &o) {
        release();
        m_owned = std::move(o.m_owned);
        m_map = o.m_map;
        m_size = o.m_size;
        m_map_len = o.m_map_len;
        o.m_map = nullptr;
        o.m_size = o.m_map_len = 0;
    }
    return *this;
}

std::string base_name(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

ErrorOr<Files> read_files(const std::string& path, const FileReader& read_file) {
    Files f;
    f.program = TRY(read_file(path));
    auto image = elf::parse_executable(bytes_of(f.program));
    if (image.is_error())
        return Error::formatted(ENOEXEC, "%s: %s", path.c_str(), image.error().reason());
    if (image->has_interp) {
        f.interpreter_path.assign(image->interp.data(), image->interp.size());
        auto interp = read_file(f.interpreter_path);
        if (interp.is_error())
            return Error::formatted(interp.error().code() == ENOENT ? ENOENT
                                                                    : interp.error().code(),
                                    "%s (the interpreter of %s): %s", f.interpreter_path.c_str(),
                                    path.c_str(), interp.error().reason());
        f.interpreter = interp.release_value();
        auto ii = elf::parse_executable(bytes_of(f.interpreter));
        if (ii.is_error())
            return Error::formatted(ELIBBAD, "%s (interpreter of %s): %s",
                                    f.interpreter_path.c_str(), path.c_str(), ii.error().reason());
        if (ii->has_interp || ii->type != elf::ET_DYN)
            return Error::formatted(ELIBBAD, "%s: an interpreter must be a static ET_DYN object",
                                    f.interpreter_path.c_str());
    }
    return f;
}

ErrorOr<Image> populate(service::handle_t target_handle, const Files& files,
                        const Program& program) {
    auto image = elf::parse_executable(bytes_of(files.program));
    if (image.is_error())
        return Error::formatted(ENOEXEC, "%s: %s", program.path.c_str(), image.error().reason());
    BrokerTarget target(target_handle);
    target.set_file_object(files.program_object);
    uint64_t bias = image->type == elf::ET_DYN ? elf::kPieBase : 0;
    elf::LoadedImage prog =
        TRY(elf::load_image(bytes_of(files.program), image.value(), bias, target));
    elf::LoadedImage interp;
    Image out;
    out.dynamic = !files.interpreter_path.empty();
    if (out.dynamic) {
        auto ii = elf::parse_executable(bytes_of(files.interpreter));
        if (ii.is_error())
            return Error::formatted(ELIBBAD, "%s: %s", files.interpreter_path.c_str(),
                                    ii.error().reason());
        target.set_file_object(files.interpreter_object);
        interp =
            TRY(elf::load_image(bytes_of(files.interpreter), ii.value(), elf::kInterpBase, target));
    }
    target.set_file_object(0);
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
    out.rsp = TRY(elf::setup_stack(spec, target, {scratch.data(), scratch.size()}));
    out.entry = out.dynamic ? interp.entry : prog.entry;
    out.brk = prog.end;
    return out;
}

ErrorOr<Built> build_process(const Program& program, const FileReader& read_file) {
    Files files = TRY(read_files(program.path, read_file));
    return build_process(program, files);
}

ErrorOr<Built> build_process(const Program& program, const Files& files) {
    Built out;
    std::string name = program.name.empty() ? base_name(program.path) : program.name;
    int64_t h = user::process_create(name.substr(0, 31).c_str(),
                                     program.kernel_defaults ? abi::PROCESS_KERNEL_DEFAULTS : 0);
    if (h < 0)
        return from_kernel(h, "PROCESS_CREATE");
    out.process = service::Handle(service::handle_t(h));
    Image image = TRY(populate(out.process.get(), files, program));
    out.entry = image.entry;
    out.dynamic = image.dynamic;
    out.interpreter = files.interpreter_path;
    int64_t r = user::process_start(out.process.get(), image.entry, image.rsp, image.brk,
                                    abi::START_SUSPENDED);
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
