// rootd: the userspace privilege root, spawned by the kernel's finalize
// step as the first user process.
//
// In this stage it runs the programs listed in a boot-bundle file (one per
// line: path and arguments) through the temporary native spawn call, and
// reports each exit status. Process creation moves to loaderd once the
// service boot chain exists.
#include <rustos/user/syscall.h>

#include <sys/reboot.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr const char* kDefaultPrograms = "/system/boot/rootd-programs";

void logf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void logf(const char* fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    std::printf("rootd: %s\n", line);
    std::fflush(stdout);
}

bool read_bundle_file(const char* path, std::string& out) {
    int64_t size = rustos::user::bootfs_stat(path);
    if (size < 0)
        return false;
    out.resize(size_t(size));
    int64_t n = rustos::user::bootfs_read(path, 0, out.data(), out.size());
    return n == size;
}

std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            words.push_back(line.substr(start, i - start));
    }
    return words;
}

std::string describe_status(int status) {
    char buf[64];
    if ((status & 0x7f) == 0)
        std::snprintf(buf, sizeof buf, "exited with status %d", (status >> 8) & 0xff);
    else
        std::snprintf(buf, sizeof buf, "killed by signal %d", status & 0x7f);
    return buf;
}

// Runs one program line; returns false when it could not be started.
bool run_program(const std::vector<std::string>& words, const char* const* envp) {
    std::vector<const char*> argv;
    // argv[0] is the base name, as a shell would pass it.
    const std::string& path = words[0];
    size_t slash = path.rfind('/');
    std::string argv0 = slash == std::string::npos ? path : path.substr(slash + 1);
    argv.push_back(argv0.c_str());
    for (size_t i = 1; i < words.size(); ++i)
        argv.push_back(words[i].c_str());
    argv.push_back(nullptr);

    int64_t pid = rustos::user::process_spawn(path.c_str(), argv.data(), envp);
    if (pid < 0) {
        logf("cannot start %s: %s", path.c_str(), strerror(int(-pid)));
        return false;
    }
    int status = 0;
    int64_t r = rustos::user::process_wait(int(pid), &status);
    if (r < 0) {
        logf("waiting for pid %ld failed: %s", long(pid), strerror(int(-r)));
        return false;
    }
    logf("%s (pid %ld) %s", path.c_str(), long(pid), describe_status(status).c_str());
    return true;
}

} // namespace

int main(int argc, char** argv, char** envp) {
    const char* programs = kDefaultPrograms;
    bool poweroff = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--programs=", 11) == 0)
            programs = argv[i] + 11;
        else if (std::strcmp(argv[i], "--poweroff") == 0)
            poweroff = true;
        else
            logf("ignoring unknown argument '%s'", argv[i]);
    }
    logf("starting (RustOS privilege root, pid %d)", int(getpid()));

    std::string list;
    if (!read_bundle_file(programs, list)) {
        logf("cannot read program list %s", programs);
    } else {
        size_t started = 0, failed = 0, line_no = 0, pos = 0;
        while (pos <= list.size()) {
            size_t end = list.find('\n', pos);
            if (end == std::string::npos)
                end = list.size();
            std::string line = list.substr(pos, end - pos);
            pos = end + 1;
            ++line_no;
            auto words = split_words(line);
            if (words.empty() || words[0][0] == '#')
                continue;
            if (words[0][0] != '/') {
                logf("%s:%zu: program path '%s' is not absolute; skipped", programs, line_no,
                     words[0].c_str());
                ++failed;
                continue;
            }
            if (run_program(words, envp))
                ++started;
            else
                ++failed;
        }
        logf("ran %zu program(s) from %s, %zu could not be started", started, programs, failed);
    }

    if (poweroff) {
        logf("powering off");
        reboot(RB_POWER_OFF);
        logf("power off failed");
        return 1;
    }
    logf("nothing left to run; idle");
    for (;;)
        sleep(3600);
}
