#include <rustos/runtime_control/file.h>
#include <rustos/runtime_control/manifest.h>
#include <rustos/runtime_control/registry.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using namespace rustos;
using namespace rustos::runtime_control;

namespace {

const std::string testdata = RUSTOS_SOURCE_DIR "/lib/runtime-control/testdata";
const std::string header = std::string(registry_header) + "\n";

std::vector<Manifest> fixture_manifests(std::string_view profile = "default") {
    auto loaded = load_manifests(testdata + "/tree");
    EXPECT_FALSE(loaded.is_error()) << loaded.error().reason();
    EXPECT_FALSE(validate_set(*loaded).is_error());
    auto selected = select_profile(*loaded, profile);
    EXPECT_FALSE(selected.is_error()) << selected.error().reason();
    return selected.release_value();
}

std::string golden(const std::string& name) {
    auto text = read_text_file(testdata + "/expected/" + name);
    EXPECT_FALSE(text.is_error()) << text.error().reason();
    return text.is_error() ? "" : *text;
}

template <typename Parse>
std::string parse_error(Parse parse, const std::string& text) {
    auto r = parse(text, "reg.tsv");
    return r.is_error() ? r.error().reason() : "(parsed)";
}

} // namespace

TEST(RuntimeControlRegistry, StartupRoundTrip) {
    std::vector<StartupRecord> records = {
        {"initd", Startup::Init, PackageKind::Service, "/services/initd/initd", {"vfsd", "procd"}},
        {"rootd", Startup::Init, PackageKind::Service, "/services/rootd/rootd", {}},
        {"shell", Startup::Session, PackageKind::App, "/apps/shell", {"initd"}},
    };
    std::string text = render_startup(records);
    EXPECT_EQ(text,
              header +
                  "id=initd\tstartup=init\tkind=service\tpath=/services/initd/initd\t"
                  "runtime_deps=vfsd,procd\n"
                  "id=rootd\tstartup=init\tkind=service\tpath=/services/rootd/rootd\t"
                  "runtime_deps=\n"
                  "id=shell\tstartup=session\tkind=app\tpath=/apps/shell\truntime_deps=initd\n");
    auto parsed = parse_startup(text, "startup.tsv");
    ASSERT_FALSE(parsed.is_error()) << parsed.error().reason();
    EXPECT_EQ(*parsed, records);
}

TEST(RuntimeControlRegistry, RuntimeLaunchRoundTrip) {
    std::vector<LaunchSpec> specs = {
        {"netd",
         "/services/netd/netd",
         {},
         {},
         Startup::Session,
         RestartPolicy::OnFailure,
         3,
         10000,
         200,
         {"driverd"}},
        {"uiserver",
         "/services/uiserver/uiserver",
         {"--mode=fast", "-v"},
         {{"A", "1"}, {"B", "x=y"}, {"EMPTY", ""}},
         Startup::Desktop,
         RestartPolicy::Always,
         0,
         1,
         0,
         {"runtimed", "driverd"}},
        {"viewer",
         "/apps/viewer/viewer",
         {},
         {},
         Startup::None,
         RestartPolicy::Never,
         7,
         500,
         18446744073709551615ull,
         {}},
    };
    std::string text = render_runtime_launch(specs);
    EXPECT_NE(text.find("id=uiserver\texec=/services/uiserver/uiserver\targs=--mode=fast,-v\t"
                        "env=A=1;B=x=y;EMPTY=\tstartup=desktop\trestart=always\trestart_budget=0\t"
                        "restart_window_ms=1\tbackoff_ms=0\truntime_deps=runtimed,driverd\n"),
              std::string::npos)
        << text;
    auto parsed = parse_runtime_launch(text, "runtime-launch.tsv");
    ASSERT_FALSE(parsed.is_error()) << parsed.error().reason();
    EXPECT_EQ(*parsed, specs);
}

TEST(RuntimeControlRegistry, DesktopProgramsRoundTrip) {
    DesktopEntry a;
    a.name = "editor";
    a.package = "editor";
    a.display_name = "Text editor, with = signs";
    a.exec = "/apps/editor/editor";
    a.args = {"--new", "two words"};
    a.env = {{"EDITOR_MODE", "vi"}};
    a.weight_micros = 1234;
    a.console_hosted = true;
    DesktopEntry b;
    b.name = "uiserver";
    b.package = "uiserver";
    b.display_name = "RustOS UI server";
    b.exec = "/services/uiserver/uiserver";
    b.args = {"--bootstrap"};
    b.env = {{"RUSTOS_UI_PROFILE", "1"}};
    b.no_display = true;
    std::string text = render_desktop_programs({a, b});
    EXPECT_NE(text.find("name=uiserver\tpackage=uiserver\tdisplay_name=RustOS UI server\t"
                        "exec=/services/uiserver/uiserver\targs=--bootstrap\t"
                        "env=RUSTOS_UI_PROFILE=1\tweight_micros=0\tconsole_hosted=false\t"
                        "no_display=true\n"),
              std::string::npos)
        << text;
    auto parsed = parse_desktop_programs(text, "desktop-programs.tsv");
    ASSERT_FALSE(parsed.is_error()) << parsed.error().reason();
    EXPECT_EQ(*parsed, (std::vector<DesktopEntry>{a, b}));
}

TEST(RuntimeControlRegistry, RuntimeEnvRoundTrip) {
    std::vector<EnvRecord> records = {{"HOME", "/root", "initd"},
                                      {"OPTS", "a=b", "initd"},
                                      {"WAYLAND_DISPLAY", "wayland-0", "uiserver"}};
    std::string text = render_runtime_env(records);
    EXPECT_EQ(text, header + "name=HOME\tvalue=/root\tpackage=initd\n"
                             "name=OPTS\tvalue=a=b\tpackage=initd\n"
                             "name=WAYLAND_DISPLAY\tvalue=wayland-0\tpackage=uiserver\n");
    auto parsed = parse_runtime_env(text, "runtime-env.tsv");
    ASSERT_FALSE(parsed.is_error()) << parsed.error().reason();
    EXPECT_EQ(*parsed, records);
}

TEST(RuntimeControlRegistry, LoadableDriversRoundTrip) {
    std::vector<DriverRecord> records = {
        {"hid-generic",
         "hid",
         "hid",
         -5,
         "/system/drivers/hid/hid-generic.ko",
         AutoloadWhen::Hotplug,
         {"hid:b*g*v*p*", "hid:b0003g*"},
         {"hid"},
         {"usbhid"},
         "",
         false},
        {"virtio-gpu",
         "display",
         "virtio",
         100,
         "/system/drivers/display/virtio-gpu.ko",
         AutoloadWhen::Boot,
         {"virtio:d00000010v*"},
         {},
         {},
         "display",
         true},
    };
    std::string text = render_loadable_drivers(records);
    auto parsed = parse_loadable_drivers(text, "loadable-drivers.tsv");
    ASSERT_FALSE(parsed.is_error()) << parsed.error().reason();
    EXPECT_EQ(*parsed, records);
}

TEST(RuntimeControlRegistry, ParsersSkipCommentsAndBlankLines) {
    auto parsed = parse_runtime_env("# comment\n\nname=A\tvalue=1\tpackage=p\n# end", "env.tsv");
    ASSERT_FALSE(parsed.is_error()) << parsed.error().reason();
    ASSERT_EQ(parsed->size(), 1u);
    EXPECT_EQ((*parsed)[0], (EnvRecord{"A", "1", "p"}));
    auto empty = parse_startup(header, "startup.tsv");
    ASSERT_FALSE(empty.is_error());
    EXPECT_TRUE(empty->empty());
}

TEST(RuntimeControlRegistry, MalformedRowsAreRejectedWithFileAndLine) {
    auto startup = [](std::string_view t, const std::string& f) { return parse_startup(t, f); };
    const std::string good = "id=a\tstartup=init\tkind=service\tpath=/a\truntime_deps=";
    EXPECT_EQ(parse_error(startup, header + good + "\n"), "(parsed)");
    EXPECT_EQ(parse_error(startup, header + "\n" + "id=a\tstartup=init\n"),
              "reg.tsv:3: missing field 'kind' (a row has 5)");
    EXPECT_EQ(parse_error(startup, header + good + "\textra=1\n"),
              "reg.tsv:2: unexpected field 6 'extra=1' (a row has 5)");
    EXPECT_EQ(parse_error(startup, "startup=init\tid=a\tkind=service\tpath=/a\truntime_deps=\n"),
              "reg.tsv:1: field 1 must be 'id=...', not 'startup=init'");
    EXPECT_EQ(parse_error(startup, "id a\n"), "reg.tsv:1: field 1 must be 'id=...', not 'id a'");
    EXPECT_EQ(parse_error(startup, "id=a\tstartup=later\tkind=service\tpath=/a\truntime_deps=\n"),
              "reg.tsv:1: 'startup' has an unknown value 'later'");
    EXPECT_EQ(parse_error(startup, "id=a\tstartup=init\tkind=service\tpath=a\truntime_deps=\n"),
              "reg.tsv:1: 'path' must be an absolute path, not 'a'");
    EXPECT_EQ(parse_error(startup, "id=\tstartup=init\tkind=service\tpath=/a\truntime_deps=\n"),
              "reg.tsv:1: 'id' must not be empty");
    EXPECT_EQ(parse_error(startup, "id=a\tstartup=init\tkind=service\tpath=/a\truntime_deps=b,\n"),
              "reg.tsv:1: 'runtime_deps' has an empty element");

    auto launch = [](std::string_view t, const std::string& f) {
        return parse_runtime_launch(t, f);
    };
    std::string row = "id=a\texec=/a\targs=\tenv=X=1\tstartup=session\trestart=never\t"
                      "restart_budget=3\trestart_window_ms=10\tbackoff_ms=2\truntime_deps=\n";
    EXPECT_EQ(parse_error(launch, row), "(parsed)");
    auto broken = [&](const std::string& from, const std::string& to) {
        std::string r = row;
        return r.replace(r.find(from), from.size(), to);
    };
    EXPECT_EQ(parse_error(launch, header + broken("restart_budget=3", "restart_budget=-3")),
              "reg.tsv:2: 'restart_budget' must be an integer, not '-3'");
    EXPECT_EQ(parse_error(launch, broken("backoff_ms=2", "backoff_ms=2ms")),
              "reg.tsv:1: 'backoff_ms' must be an integer, not '2ms'");
    EXPECT_EQ(parse_error(launch, broken("restart_window_ms=10", "restart_window_ms=0")),
              "reg.tsv:1: 'restart_window_ms' must be greater than 0");
    EXPECT_EQ(parse_error(launch, broken("env=X=1", "env=X")),
              "reg.tsv:1: 'env' entry 'X' is not NAME=VALUE");
    EXPECT_EQ(parse_error(launch, broken("restart=never", "restart=maybe")),
              "reg.tsv:1: 'restart' has an unknown value 'maybe'");

    auto desktop = [](std::string_view t, const std::string& f) {
        return parse_desktop_programs(t, f);
    };
    std::string entry = "name=a\tpackage=a\tdisplay_name=A\texec=/a\targs=\tenv=\t"
                        "weight_micros=0\tconsole_hosted=false\tno_display=yes\n";
    EXPECT_EQ(parse_error(desktop, entry),
              "reg.tsv:1: 'no_display' must be true or false, not 'yes'");

    auto drivers = [](std::string_view t, const std::string& f) {
        return parse_loadable_drivers(t, f);
    };
    EXPECT_EQ(parse_error(drivers, "name=x\tclass=net\tbus=pci\tpriority=high\tpath=/x.ko\t"
                                   "when=boot\taliases=\tdeps=\tsoftdeps=\tprovider_group=\t"
                                   "fallback_only=false\n"),
              "reg.tsv:1: 'priority' must be an integer, not 'high'");
    EXPECT_EQ(parse_error(drivers, "name=x\tclass=net\tbus=pci\tpriority=1\tpath=/x.ko\t"
                                   "when=sometime\taliases=\tdeps=\tsoftdeps=\tprovider_group=\t"
                                   "fallback_only=false\n"),
              "reg.tsv:1: 'when' has an unknown value 'sometime'");

    auto env = [](std::string_view t, const std::string& f) { return parse_runtime_env(t, f); };
    EXPECT_EQ(parse_error(env, header + "name=A\tvalue=1\n"),
              "reg.tsv:2: missing field 'package' (a row has 3)");
}

// Driver manifests under testdata/tree/drivers -> the expected
// loadable-drivers.tsv, byte for byte.
TEST(RuntimeControlRegistry, LoadableDriversFromFixtureManifests) {
    auto manifests = fixture_manifests();
    auto records = driver_records(manifests);
    ASSERT_EQ(records.size(), 6u);
    EXPECT_EQ(records[0].name, "ahci");
    std::string text = render_loadable_drivers(records);
    EXPECT_EQ(text, golden("loadable-drivers.tsv"));
    auto parsed = parse_loadable_drivers(text, "loadable-drivers.tsv");
    ASSERT_FALSE(parsed.is_error()) << parsed.error().reason();
    EXPECT_EQ(*parsed, records);
    auto& bootfb = (*parsed)[1];
    EXPECT_EQ(bootfb.name, "bootfb");
    EXPECT_EQ(bootfb.path, "/system/drivers/display/bootfb.ko");
    EXPECT_EQ(bootfb.provider_group, "display");
    EXPECT_TRUE(bootfb.fallback_only);
}

TEST(RuntimeControlRegistry, RenderRegistriesFromFixtureManifests) {
    auto files = render_registries(fixture_manifests());
    std::vector<std::string> paths;
    for (auto& f : files)
        paths.push_back(f.path);
    EXPECT_EQ(paths, (std::vector<std::string>{
                         "system/registry/desktop-programs.tsv",
                         "system/registry/kernel/loadable-drivers.tsv",
                         "system/registry/runtime-env.tsv",
                         "system/registry/runtime-launch.tsv",
                         "system/registry/startup.tsv",
                         "system/share/applications/hello-console.desktop",
                         "system/share/applications/hello-gui.desktop",
                     }));
    for (auto& f : files) {
        std::string name = f.path.substr(f.path.rfind('/') + 1);
        EXPECT_EQ(f.contents, golden(name)) << f.path;
    }
    // The "debug" profile adds debug-shell and its environment.
    auto debug = render_registries(fixture_manifests("debug"));
    for (auto& f : debug) {
        if (f.path == runtime_env_registry_path) {
            EXPECT_EQ(f.contents, header + "name=DEBUG_SHELL\tvalue=1\tpackage=debug-shell\n");
        }
        if (f.path == startup_registry_path) {
            EXPECT_EQ(f.contents, header + "id=debug-shell\tstartup=session\tkind=app\t"
                                           "path=/apps/debug-shell/debug-shell\t"
                                           "runtime_deps=hello-gui\n");
        }
    }
}

TEST(RuntimeControlRegistry, RepositoryRegistries) {
    auto loaded = load_manifests(RUSTOS_SOURCE_DIR);
    ASSERT_FALSE(loaded.is_error()) << loaded.error().reason();
    auto selected = select_profile(*loaded, "default");
    ASSERT_FALSE(selected.is_error()) << selected.error().reason();
    for (auto& f : render_registries(*selected)) {
        if (f.path == startup_registry_path) {
            auto records = parse_startup(f.contents, f.path);
            ASSERT_FALSE(records.is_error()) << records.error().reason();
            EXPECT_GE(records->size(), 14u);
            EXPECT_NE(f.contents.find("id=rootd\tstartup=init\tkind=service\t"
                                      "path=/services/rootd/rootd\truntime_deps=\n"),
                      std::string::npos);
        }
        if (f.path == runtime_launch_registry_path) {
            auto specs = parse_runtime_launch(f.contents, f.path);
            ASSERT_FALSE(specs.is_error()) << specs.error().reason();
            std::vector<std::string> ids;
            for (auto& s : *specs)
                ids.push_back(s.id);
            for (const char* id : {"inputd", "netd", "sessiond", "uiserver"})
                EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
        }
        if (f.path == "system/share/applications/uiserver.desktop") {
            EXPECT_NE(f.contents.find("\nX-RustOS-Env=RUSTOS_UI_PROFILE=1\n"), std::string::npos);
        }
    }
}
