#include <rustos/runtime_control/manifest.h>
#include <rustos/runtime_control/registry.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace rustos;
using namespace rustos::runtime_control;

namespace {

// A service manifest; `top` goes after the top-level keys (line 6 on),
// `tables` after [install] (line 10 on).
Manifest service(const std::string& id, const std::string& top = "",
                 const std::string& tables = "") {
    std::string text = "id = \"" + id +
                       "\"\nkind = \"service\"\nexecution_domain = \"user\"\n"
                       "profiles = [\"default\"]\nstartup = \"session\"\n" +
                       top + "[build]\ntarget = \"" + id + "\"\n[install]\npath = \"services/" +
                       id + "/" + id + "\"\n" + tables;
    auto m = parse_manifest(text, "services/" + id + "/RUSTOS.package.toml");
    EXPECT_FALSE(m.is_error()) << m.error().reason();
    return m.release_value();
}

Manifest driver(const std::string& name, const std::string& deps = "[]",
                const std::string& profiles = "[\"default\"]") {
    std::string text = "id = \"" + name +
                       "\"\nkind = \"kernel-driver\"\nexecution_domain = \"kernel\"\n"
                       "profiles = " +
                       profiles +
                       "\nstartup = \"none\"\n[build]\ntarget = \"x\"\n[install]\n"
                       "path = \"system/drivers/net/" +
                       name + ".ko\"\n[autoload]\nname = \"" + name +
                       "\"\nclass = \"net\"\nbus = \"pci\"\npriority = 1\nwhen = \"boot\"\n"
                       "aliases = []\ndeps = " +
                       deps + "\n";
    auto m = parse_manifest(text, "drivers/net/" + name + "/RUSTOS.package.toml");
    EXPECT_FALSE(m.is_error()) << m.error().reason();
    return m.release_value();
}

std::string set_error(const std::vector<Manifest>& manifests) {
    auto r = validate_set(manifests);
    return r.is_error() ? r.error().reason() : "(valid)";
}

const std::string fixture_root = RUSTOS_SOURCE_DIR "/lib/runtime-control/testdata/tree";

} // namespace

TEST(RuntimeControlManifestSet, ValidSet) {
    std::vector<Manifest> set = {service("a"), service("b", "runtime_deps = [\"a\"]\n"),
                                 service("c", "runtime_deps = [\"a\", \"b\"]\n")};
    EXPECT_EQ(set_error(set), "(valid)");
}

TEST(RuntimeControlManifestSet, UnknownDependency) {
    std::vector<Manifest> set = {service("a", "runtime_deps = [\"ghost\"]\n")};
    EXPECT_EQ(set_error(set), "services/a/RUSTOS.package.toml:6:17: runtime dependency 'ghost' is "
                              "not a known package");
}

TEST(RuntimeControlManifestSet, DependencyCycle) {
    std::vector<Manifest> set = {service("a", "runtime_deps = [\"b\"]\n"),
                                 service("b", "runtime_deps = [\"c\"]\n"),
                                 service("c", "runtime_deps = [\"x\", \"a\"]\n"), service("x")};
    EXPECT_EQ(set_error(set),
              "services/a/RUSTOS.package.toml:6:17: runtime dependency cycle: a -> b -> c -> a");
}

TEST(RuntimeControlManifestSet, DriverDependencies) {
    EXPECT_EQ(set_error({driver("e1000"), driver("e1000e", "[\"e1000\"]")}), "(valid)");
    EXPECT_EQ(set_error({driver("e1000e", "[\"mii\"]")}),
              "drivers/net/e1000e/RUSTOS.package.toml:17:9: driver dependency 'mii' is not a "
              "known driver");
    EXPECT_EQ(set_error({driver("d1", "[\"d2\"]"), driver("d2", "[\"d1\"]")}),
              "drivers/net/d1/RUSTOS.package.toml:17:9: driver dependency cycle: d1 -> d2 -> d1");
}

TEST(RuntimeControlManifestSet, DuplicateDesktopEntryNames) {
    std::string entry = "[[desktop.entries]]\nname = \"editor\"\ndisplay_name = \"Editor\"\n"
                        "exec = \"/apps/editor\"\n";
    std::vector<Manifest> set = {service("a", "", entry), service("b", "", entry)};
    EXPECT_EQ(set_error(set), "services/b/RUSTOS.package.toml:11:8: desktop entry 'editor' is "
                              "also defined by services/a/RUSTOS.package.toml:11:8");
    // The default name is the package id; two unnamed entries collide too.
    std::string unnamed = "[[desktop.entries]]\ndisplay_name = \"A\"\nexec = \"/a\"\n";
    EXPECT_EQ(set_error({service("a", "", unnamed + unnamed)}),
              "services/a/RUSTOS.package.toml:13:1: desktop entry 'a' is also defined by "
              "services/a/RUSTOS.package.toml:10:1");
}

TEST(RuntimeControlManifestSet, EnvironmentConflict) {
    std::vector<Manifest> set = {
        service("a", "", "[environment]\nLANG = \"C\"\n"),
        service("b", "", "[environment]\nTERM = \"vt100\"\nLANG = \"C.UTF-8\"\n")};
    EXPECT_EQ(set_error(set), "services/b/RUSTOS.package.toml:12:1: environment variable 'LANG' "
                              "is also defined by services/a/RUSTOS.package.toml:11:1");
}

TEST(RuntimeControlManifestSet, DuplicateIdsAndPathsAndEveryProblemReported) {
    Manifest a = service("a");
    Manifest a2 = service("a");
    a2.file = "apps/a/RUSTOS.package.toml";
    Manifest b = service("b", "runtime_deps = [\"nope\"]\n");
    b.install_path = a.install_path;
    std::string message = set_error({a, a2, b});
    EXPECT_EQ(message,
              "apps/a/RUSTOS.package.toml:1:6: package id 'a' is also used by "
              "services/a/RUSTOS.package.toml\n"
              "apps/a/RUSTOS.package.toml:9:8: install path 'services/a/a' is also used by "
              "services/a/RUSTOS.package.toml\n"
              "services/b/RUSTOS.package.toml:10:8: install path 'services/a/a' is also used by "
              "services/a/RUSTOS.package.toml\n"
              "services/b/RUSTOS.package.toml:6:17: runtime dependency 'nope' is not a known "
              "package");
}

TEST(RuntimeControlManifestSet, ProfileSelection) {
    Manifest base = service("base");
    Manifest debug = service("debug", "runtime_deps = [\"base\"]\n");
    debug.profiles = {"debug"};
    auto selected = select_profile({base, debug}, "default");
    ASSERT_FALSE(selected.is_error()) << selected.error().reason();
    ASSERT_EQ(selected->size(), 1u);
    EXPECT_EQ((*selected)[0].id, "base");

    // A package in the profile may not depend on one outside it.
    base.profiles = {"debug"};
    debug.profiles = {"default"};
    auto broken = select_profile({base, debug}, "default");
    ASSERT_TRUE(broken.is_error());
    EXPECT_STREQ(broken.error().reason(), "services/debug/RUSTOS.package.toml:6:17: runtime "
                                          "dependency 'base' is not in profile 'default'");
}

TEST(RuntimeControlManifestSet, LoadsFixtureTree) {
    auto loaded = load_manifests(fixture_root);
    ASSERT_FALSE(loaded.is_error()) << loaded.error().reason();
    std::vector<std::string> ids;
    for (auto& m : *loaded)
        ids.push_back(m.id);
    // Sorted by path: apps/ before drivers/.
    EXPECT_EQ(ids, (std::vector<std::string>{"debug-shell", "hello-gui", "ahci", "bootfb",
                                             "virtio-gpu", "hid-generic", "hid", "virtio-net"}));
    EXPECT_EQ((*loaded)[0].file, fixture_root + "/apps/debug-shell/RUSTOS.package.toml");
    EXPECT_FALSE(validate_set(*loaded).is_error());
}

TEST(RuntimeControlManifestSet, LoadReportsEveryBrokenFile) {
    std::string root = ::testing::TempDir() + "runtime-control-broken";
    std::string mkdir = "rm -rf '" + root + "' && mkdir -p '" + root + "/services/one' '" + root +
                        "/services/two' '" + root + "/services/empty'";
    ASSERT_EQ(std::system(mkdir.c_str()), 0);
    auto write = [&](const std::string& path, const std::string& text) {
        FILE* f = std::fopen((root + "/" + path).c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs(text.c_str(), f);
        std::fclose(f);
    };
    write("services/one/RUSTOS.package.toml", "id = \"one\"\n");
    write("services/two/RUSTOS.package.toml", "id = \"two\"\nkind = \"gadget\"\n");
    auto loaded = load_manifests(root);
    ASSERT_TRUE(loaded.is_error());
    EXPECT_EQ(std::string(loaded.error().reason()),
              root + "/services/one/RUSTOS.package.toml:1:1: missing required key 'kind'\n" + root +
                  "/services/two/RUSTOS.package.toml:2:8: 'kind' must be one of \"service\", "
                  "\"app\", \"kernel-driver\", not 'gadget'");
    // No source tree at all is an empty set, not an error.
    auto empty = load_manifests(root + "/services/empty");
    ASSERT_FALSE(empty.is_error());
    EXPECT_TRUE(empty->empty());
    std::system(("rm -rf '" + root + "'").c_str());
}

// The repository's own manifests: every service has one, and they validate.
TEST(RuntimeControlManifestSet, RepositoryManifestsValidate) {
    auto loaded = load_manifests(RUSTOS_SOURCE_DIR);
    ASSERT_FALSE(loaded.is_error()) << loaded.error().reason();
    auto valid = validate_set(*loaded);
    ASSERT_FALSE(valid.is_error()) << valid.error().reason();
    auto selected = select_profile(*loaded, "default");
    ASSERT_FALSE(selected.is_error()) << selected.error().reason();

    std::vector<std::string> ids;
    for (auto& m : *selected)
        ids.push_back(m.id);
    for (const char* id : {"rootd", "initd", "runtimed", "sessiond", "syscalld", "vfsd", "loaderd",
                           "driverd", "devmgrd", "inputd", "storaged", "netd", "procd", "uiserver"})
        EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;

    auto entries = desktop_entries(*selected);
    auto ui =
        std::find_if(entries.begin(), entries.end(), [](auto& e) { return e.name == "uiserver"; });
    ASSERT_NE(ui, entries.end());
    EXPECT_EQ(ui->exec, "/services/uiserver/uiserver");
    EXPECT_EQ(ui->args, (std::vector<std::string>{"--bootstrap"}));
    EXPECT_EQ(ui->env, (EnvList{{"RUSTOS_UI_PROFILE", "1"}}));
    EXPECT_TRUE(ui->no_display);

    auto env = env_records(*selected);
    auto has = [&](const std::string& name, const std::string& value) {
        return std::any_of(env.begin(), env.end(),
                           [&](auto& r) { return r.name == name && r.value == value; });
    };
    EXPECT_TRUE(has("PATH", "/bin:/usr/bin:/sbin:/usr/sbin"));
    EXPECT_TRUE(has("WAYLAND_DISPLAY", "wayland-0"));
    EXPECT_TRUE(has("XDG_RUNTIME_DIR", "/run/user/1000"));
}
