// rustos-mkregistry: generates the staged registries (system/registry/*.tsv,
// system/share/applications/*.desktop) from the RUSTOS.package.toml
// manifests of the source tree at image-build time. docs/manifests.md.
//
//   rustos-mkregistry --source-root <repo> --out <dir> [--profile default]
//                     [--file-list <out.tsv>]
//
// Any manifest error is printed as "<file>:<line>:<col>: <reason>" and the
// exit status is 1, which fails the build.

#include <rustos/runtime_control/file.h>
#include <rustos/runtime_control/manifest.h>
#include <rustos/runtime_control/registry.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <system_error>

namespace fs = std::filesystem;
using namespace rustos;
using namespace rustos::runtime_control;

namespace {

const char usage[] = "usage: rustos-mkregistry --source-root <repo root> --out <dir> "
                     "[--profile <name>] [--file-list <out.tsv>]\n";

struct Options {
    std::string source_root;
    std::string out;
    std::string profile = "default";
    std::string file_list;
};

ErrorOr<Options> parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(usage, stdout);
            std::exit(0);
        }
        std::string* target = arg == "--source-root" ? &options.source_root
                              : arg == "--out"       ? &options.out
                              : arg == "--profile"   ? &options.profile
                              : arg == "--file-list" ? &options.file_list
                                                     : nullptr;
        if (!target)
            return Error::formatted(EINVAL, "unknown argument '%s'", arg.c_str());
        if (i + 1 == argc)
            return Error::formatted(EINVAL, "%s needs a value", arg.c_str());
        *target = argv[++i];
    }
    if (options.source_root.empty() || options.out.empty())
        return Error(EINVAL, "--source-root and --out are required");
    return options;
}

// Writes `contents` unless the file already holds exactly that (so that
// unchanged registries keep their timestamps), through a temporary file.
ErrorOr<void> write_file(const fs::path& path, const std::string& contents, bool always) {
    if (!always) {
        auto old = read_text_file(path.string());
        if (!old.is_error() && *old == contents)
            return {};
    }
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
        return Error::formatted(ec.value(), "%s: %s", path.parent_path().c_str(),
                                ec.message().c_str());
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << contents;
        out.close();
        if (!out)
            return Error::formatted(EIO, "%s: write failed", tmp.c_str());
    }
    fs::rename(tmp, path, ec);
    if (ec)
        return Error::formatted(ec.value(), "%s: %s", path.c_str(), ec.message().c_str());
    return {};
}

// Deletes files a previous run generated that this run did not (a removed
// desktop entry), only inside the directories the tool owns.
void remove_stale(const fs::path& out, const std::set<fs::path>& generated) {
    for (auto dir : {"system/registry", "system/share/applications"}) {
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(out / dir, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_regular_file() && !generated.contains(it->path()))
                fs::remove(it->path(), ec);
        }
    }
}

ErrorOr<void> run(const Options& options) {
    auto all = TRY(load_manifests(options.source_root));
    TRY(validate_set(all));
    auto selected = TRY(select_profile(all, options.profile));

    fs::path out = fs::absolute(options.out);
    std::string file_list;
    std::set<fs::path> generated;
    for (auto& file : render_registries(selected)) {
        fs::path path = out / file.path;
        TRY(write_file(path, file.contents, false));
        generated.insert(path);
        file_list += path.string() + "\t" + file.path + "\n";
    }
    remove_stale(out, generated);
    // Always rewritten: it is the build system's output timestamp.
    if (!options.file_list.empty())
        TRY(write_file(options.file_list, file_list, true));
    return {};
}

} // namespace

int main(int argc, char** argv) {
    auto options = parse_options(argc, argv);
    if (options.is_error()) {
        std::fprintf(stderr, "rustos-mkregistry: %s\n%s", options.error().reason(), usage);
        return 2;
    }
    auto result = run(*options);
    if (result.is_error()) {
        std::fprintf(stderr, "%s\nrustos-mkregistry: failed\n", result.error().reason());
        return 1;
    }
    return 0;
}
