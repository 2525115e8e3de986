#include <rustos/runtime_control/manifest.h>

#include <gtest/gtest.h>

#include <string>

using namespace rustos;
using namespace rustos::runtime_control;

namespace {

const std::string file = "services/demo/RUSTOS.package.toml";

// Line numbers matter: tests below point at them.
const std::string valid = R"(id = "demo"
kind = "service"
execution_domain = "user"
profiles = ["default", "debug"]
startup = "session"
runtime_deps = ["rootd", "vfsd"]
description = "A demo service."

[build]
target = "demo"
linkage = "dynamic"

[install]
path = "services/demo/demo"

[runtime]
args = ["--verbose", "--level=3"]
env = { DEMO_MODE = "fast", EMPTY = "" }
restart = "always"
restart_budget = 5
restart_window_ms = 2000
backoff_ms = 0

[environment]
DEMO_HOME = "/var/demo"

[[desktop.entries]]
display_name = "Demo"
exec = "/services/demo/demo"

[[desktop.entries]]
name = "demo-settings"
display_name = "Demo settings"
exec = "/services/demo/demo"
args = ["--settings"]
env = { DEMO_PANEL = "settings" }
weight_micros = 250
console_hosted = true
no_display = true
comment = "Settings of the demo"
categories = ["Settings", "System"]
)";

// `valid` with the first line that starts with `prefix` replaced.
std::string with_line(const std::string& prefix, const std::string& replacement) {
    std::string text = valid;
    size_t at = text.starts_with(prefix) ? 0 : text.find("\n" + prefix);
    EXPECT_NE(at, std::string::npos) << prefix;
    if (at != 0)
        at++;
    size_t end = text.find('\n', at);
    return text.substr(0, at) + replacement + text.substr(end);
}

std::string without_line(const std::string& prefix) {
    std::string text = with_line(prefix, "");
    return text;
}

std::string error_of(const std::string& text, const std::string& name = file) {
    auto m = parse_manifest(text, name);
    if (!m.is_error())
        return "(parsed)";
    return m.error().reason();
}

#define EXPECT_ERROR_IN(text, name, expected)                                                      \
    do {                                                                                           \
        std::string message = error_of(text, name);                                                \
        EXPECT_NE(message.find(expected), std::string::npos)                                       \
            << "message: " << message << "\nexpected: " << (expected);                             \
    } while (0)
#define EXPECT_ERROR(text, expected) EXPECT_ERROR_IN(text, file, expected)

// A small manifest with `extra` top-level lines from line 6 on.
std::string minimal_with(const std::string& extra) {
    return "id = \"demo\"\nkind = \"service\"\nexecution_domain = \"user\"\n"
           "profiles = [\"default\"]\nstartup = \"none\"\n" +
           extra + "[build]\ntarget = \"demo\"\n[install]\npath = \"services/demo/demo\"\n";
}

const std::string driver = R"(id = "virtio-gpu"
kind = "kernel-driver"
execution_domain = "kernel"
profiles = ["default"]
startup = "none"

[build]
target = "driver-virtio-gpu"

[install]
path = "system/drivers/display/virtio-gpu.ko"

[autoload]
name = "virtio-gpu"
class = "display"
bus = "virtio"
priority = 100
when = "boot"
aliases = ["virtio:d00000010v*"]
deps = ["drm-core"]
softdeps = ["fbcon"]
provider_group = "display"
fallback_only = false
)";
const std::string driver_file = "drivers/display/virtio-gpu/RUSTOS.package.toml";

std::string replace(std::string text, const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

} // namespace

TEST(RuntimeControlManifest, ParsesEveryField) {
    auto r = parse_manifest(valid, file);
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    const Manifest& m = *r;
    EXPECT_EQ(m.file, file);
    EXPECT_EQ(m.id, "demo");
    EXPECT_EQ(m.kind, PackageKind::Service);
    EXPECT_EQ(m.execution_domain, ExecutionDomain::User);
    EXPECT_EQ(m.profiles, (std::vector<std::string>{"default", "debug"}));
    EXPECT_TRUE(m.in_profile("debug"));
    EXPECT_FALSE(m.in_profile("other"));
    EXPECT_EQ(m.startup, Startup::Session);
    EXPECT_EQ(m.runtime_deps, (std::vector<std::string>{"rootd", "vfsd"}));
    EXPECT_EQ(m.description, "A demo service.");
    EXPECT_EQ(m.build_target, "demo");
    EXPECT_EQ(m.linkage, Linkage::Dynamic);
    EXPECT_EQ(m.install_path, "services/demo/demo");
    EXPECT_EQ(m.exec_path(), "/services/demo/demo");
    EXPECT_EQ(m.runtime.args, (std::vector<std::string>{"--verbose", "--level=3"}));
    EXPECT_EQ(m.runtime.env, (EnvList{{"DEMO_MODE", "fast"}, {"EMPTY", ""}}));
    EXPECT_EQ(m.runtime.restart, RestartPolicy::Always);
    EXPECT_EQ(m.runtime.restart_budget, 5u);
    EXPECT_EQ(m.runtime.restart_window_ms, 2000u);
    EXPECT_EQ(m.runtime.backoff_ms, 0u);
    EXPECT_EQ(m.environment, (EnvList{{"DEMO_HOME", "/var/demo"}}));
    ASSERT_EQ(m.desktop_entries.size(), 2u);
    const DesktopEntry& first = m.desktop_entries[0];
    EXPECT_EQ(first.name, "demo");
    EXPECT_EQ(first.package, "demo");
    EXPECT_EQ(first.display_name, "Demo");
    EXPECT_EQ(first.exec, "/services/demo/demo");
    EXPECT_TRUE(first.args.empty());
    EXPECT_EQ(first.weight_micros, 0u);
    EXPECT_FALSE(first.console_hosted);
    EXPECT_FALSE(first.no_display);
    const DesktopEntry& second = m.desktop_entries[1];
    EXPECT_EQ(second.name, "demo-settings");
    EXPECT_EQ(second.args, (std::vector<std::string>{"--settings"}));
    EXPECT_EQ(second.env, (EnvList{{"DEMO_PANEL", "settings"}}));
    EXPECT_EQ(second.weight_micros, 250u);
    EXPECT_TRUE(second.console_hosted);
    EXPECT_TRUE(second.no_display);
    EXPECT_EQ(second.comment, "Settings of the demo");
    EXPECT_EQ(second.categories, (std::vector<std::string>{"Settings", "System"}));
    EXPECT_FALSE(m.autoload.has_value());
    // Positions kept for set validation.
    EXPECT_EQ(m.positions.id.line, 1u);
    ASSERT_EQ(m.positions.runtime_deps.size(), 2u);
    EXPECT_EQ(m.positions.runtime_deps[1].line, 6u);
    EXPECT_EQ(m.positions.runtime_deps[1].column, 26u);
    ASSERT_EQ(m.positions.environment.size(), 1u);
    EXPECT_EQ(m.positions.environment[0].line, 25u);
    ASSERT_EQ(m.positions.desktop_entries.size(), 2u);
    EXPECT_EQ(m.positions.desktop_entries[1].line, 32u);
}

TEST(RuntimeControlManifest, Defaults) {
    auto r = parse_manifest(R"(id = "tiny"
kind = "app"
execution_domain = "user"
profiles = ["default"]
startup = "none"
[build]
target = "tiny"
[install]
path = "apps/tiny/tiny"
)",
                            "apps/tiny/RUSTOS.package.toml");
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    EXPECT_TRUE(r->runtime_deps.empty());
    EXPECT_EQ(r->description, "");
    EXPECT_EQ(r->linkage, Linkage::Static);
    EXPECT_EQ(r->runtime.restart, RestartPolicy::OnFailure);
    EXPECT_EQ(r->runtime.restart_budget, 3u);
    EXPECT_EQ(r->runtime.restart_window_ms, 10000u);
    EXPECT_EQ(r->runtime.backoff_ms, 200u);
    EXPECT_TRUE(r->environment.empty());
    EXPECT_TRUE(r->desktop_entries.empty());
}

TEST(RuntimeControlManifest, ParsesKernelDriver) {
    auto r = parse_manifest(driver, driver_file);
    ASSERT_FALSE(r.is_error()) << r.error().reason();
    ASSERT_TRUE(r->autoload.has_value());
    const Autoload& a = *r->autoload;
    EXPECT_EQ(a.name, "virtio-gpu");
    EXPECT_EQ(a.class_name, "display");
    EXPECT_EQ(a.bus, "virtio");
    EXPECT_EQ(a.priority, 100);
    EXPECT_EQ(a.when, AutoloadWhen::Boot);
    EXPECT_EQ(a.aliases, (std::vector<std::string>{"virtio:d00000010v*"}));
    EXPECT_EQ(a.deps, (std::vector<std::string>{"drm-core"}));
    EXPECT_EQ(a.softdeps, (std::vector<std::string>{"fbcon"}));
    EXPECT_EQ(a.provider_group, "display");
    EXPECT_FALSE(a.fallback_only);
}

TEST(RuntimeControlManifest, MissingRequiredKeys) {
    // Missing keys point at their table: the file start for top-level keys.
    EXPECT_EQ(error_of(without_line("id =")), file + ":1:1: missing required key 'id'");
    EXPECT_EQ(error_of(without_line("kind =")), file + ":1:1: missing required key 'kind'");
    EXPECT_ERROR(without_line("execution_domain ="),
                 ":1:1: missing required key 'execution_domain'");
    EXPECT_ERROR(without_line("profiles ="), ":1:1: missing required key 'profiles'");
    EXPECT_ERROR(without_line("startup ="), ":1:1: missing required key 'startup'");
    EXPECT_ERROR(without_line("target ="), ":9:1: missing required key 'build.target'");
    EXPECT_ERROR(without_line("path ="), ":13:1: missing required key 'install.path'");
    EXPECT_ERROR(without_line("display_name = \"Demo\""),
                 ":27:1: missing required key 'desktop.entries.display_name'");
    std::string no_exec = valid;
    no_exec = replace(no_exec, "exec = \"/services/demo/demo\"\n\n", "\n");
    EXPECT_ERROR(no_exec, ":27:1: missing required key 'desktop.entries.exec'");

    std::string no_build = replace(replace(valid, "[build]\n", ""), "target = \"demo\"\n", "");
    no_build = replace(no_build, "linkage = \"dynamic\"\n", "");
    EXPECT_ERROR(no_build, ":1:1: missing required table [build]");
    std::string no_install =
        replace(replace(valid, "[install]\n", ""), "path = \"services/demo/demo\"\n", "");
    EXPECT_ERROR(no_install, ":1:1: missing required table [install]");

    // Drivers need [autoload] and its keys.
    std::string no_autoload = driver.substr(0, driver.find("[autoload]"));
    EXPECT_EQ(error_of(no_autoload, driver_file),
              driver_file + ":1:1: missing required table [autoload] (kind = \"kernel-driver\")");
    for (std::string key : {"name", "class", "bus", "priority", "when", "aliases"}) {
        std::string text = driver;
        size_t at = text.find("\n" + key + " = ", text.find("[autoload]"));
        ASSERT_NE(at, std::string::npos) << key;
        text.erase(at + 1, text.find('\n', at + 1) - at);
        std::string message = error_of(text, driver_file);
        EXPECT_EQ(message, driver_file + ":13:1: missing required key 'autoload." + key + "'")
            << key;
    }
}

TEST(RuntimeControlManifest, WrongTypes) {
    EXPECT_EQ(error_of(with_line("id =", "id = 7")),
              file + ":1:6: 'id' must be a string, not an integer");
    EXPECT_ERROR(with_line("profiles =", "profiles = \"default\""),
                 ":4:12: 'profiles' must be an array of strings, not a string");
    EXPECT_ERROR(with_line("profiles =", "profiles = [\"default\", 3]"),
                 ":4:24: 'profiles' elements must be a string, not an integer");
    EXPECT_ERROR(with_line("runtime_deps =", "runtime_deps = [[\"a\"]]"),
                 ":6:17: 'runtime_deps' elements must be a string, not an array");
    EXPECT_ERROR(with_line("description =", "description = true"),
                 ":7:15: 'description' must be a string, not a boolean");
    EXPECT_ERROR(with_line("restart_budget =", "restart_budget = \"5\""),
                 ":20:18: 'runtime.restart_budget' must be an integer, not a string");
    EXPECT_ERROR(with_line("backoff_ms =", "backoff_ms = 1.5"),
                 ":22:14: 'runtime.backoff_ms' must be an integer, not a float");
    EXPECT_ERROR(with_line("console_hosted =", "console_hosted = 1"),
                 ":38:18: 'desktop.entries.console_hosted' must be a boolean, not an integer");
    EXPECT_ERROR(with_line("env = { DEMO_MODE", "env = [\"DEMO_MODE=fast\"]"),
                 ":18:7: 'runtime.env' must be a table of strings, not an array");
    EXPECT_ERROR(with_line("env = { DEMO_MODE", "env = { DEMO_MODE = 1 }"),
                 ":18:21: 'runtime.env' value of 'DEMO_MODE' must be a string, not an integer");
    EXPECT_ERROR(minimal_with("environment = 3\n"),
                 ":6:15: [environment] must be a table of strings, not an integer");
    EXPECT_ERROR(minimal_with("runtime = 1\n"), ":6:11: [runtime] must be a table, not an integer");
    std::string top_level_only = minimal_with("");
    top_level_only.resize(top_level_only.find("[build]"));
    EXPECT_ERROR(top_level_only + "build = \"x\"\n", ":6:9: [build] must be a table, not a string");
    EXPECT_ERROR(minimal_with("desktop = { entries = 1 }\n"),
                 ":6:23: 'desktop.entries' must be an array of tables ([[desktop.entries]]), not "
                 "an integer");
    EXPECT_ERROR(with_line("startup =", "startup = [\"init\"]"),
                 ":5:11: 'startup' must be a string, not an array");
}

TEST(RuntimeControlManifest, UnknownKeys) {
    EXPECT_EQ(error_of(valid + "\n[extra]\nx = 1\n"),
              file + ":43:2: unknown key 'extra' (expected one of: id, kind, execution_domain, "
                     "profiles, startup, runtime_deps, description, build, install, runtime, "
                     "environment, desktop, autoload)");
    EXPECT_ERROR(replace(valid, "id = \"demo\"\n", "id = \"demo\"\nversion = \"1\"\n"),
                 ":2:1: unknown key 'version'");
    EXPECT_ERROR(replace(valid, "linkage = \"dynamic\"", "linkage = \"dynamic\"\nopt = 2"),
                 ":12:1: unknown key 'build.opt' (expected one of: target, linkage)");
    EXPECT_ERROR(replace(valid, "path = \"services/demo/demo\"",
                         "path = \"services/demo/demo\"\nmode = 755"),
                 ":15:1: unknown key 'install.mode'");
    EXPECT_ERROR(replace(valid, "backoff_ms = 0", "backoff_ms = 0\nuser = \"root\""),
                 ":23:1: unknown key 'runtime.user'");
    EXPECT_ERROR(replace(valid, "weight_micros = 250", "weight_micros = 250\nicon = \"x.png\""),
                 ":38:1: unknown key 'desktop.entries.icon'");
    EXPECT_ERROR(valid + "[desktop.actions]\n", ":42:10: unknown key 'desktop.actions'");
    EXPECT_ERROR_IN(
        replace(driver, "fallback_only = false", "fallback_only = false\nfirmware = []"),
        driver_file, ":24:1: unknown key 'autoload.firmware'");
    // The first unknown key in the file is the one reported.
    EXPECT_ERROR(replace(valid, "id = \"demo\"\n", "zz = 1\naa = 2\nid = \"demo\"\n"),
                 ":1:1: unknown key 'zz'");
}

TEST(RuntimeControlManifest, BadEnumValues) {
    EXPECT_EQ(error_of(with_line("kind =", "kind = \"daemon\"")),
              file + ":2:8: 'kind' must be one of \"service\", \"app\", \"kernel-driver\", not "
                     "'daemon'");
    EXPECT_ERROR(with_line("execution_domain =", "execution_domain = \"root\""),
                 ":3:20: 'execution_domain' must be one of \"user\", \"kernel\", not 'root'");
    EXPECT_ERROR(with_line("startup =", "startup = \"boot\""),
                 ":5:11: 'startup' must be one of \"none\", \"init\", \"session\", \"desktop\"");
    EXPECT_ERROR(with_line("linkage =", "linkage = \"shared\""),
                 ":11:11: 'build.linkage' must be one of \"static\", \"dynamic\"");
    EXPECT_ERROR(with_line("restart =", "restart = \"sometimes\""),
                 ":19:11: 'runtime.restart' must be one of \"on-failure\", \"always\", \"never\"");
    EXPECT_ERROR_IN(replace(driver, "when = \"boot\"", "when = \"later\""), driver_file,
                    ":18:8: 'autoload.when' must be one of \"boot\", \"hotplug\", \"demand\"");
    EXPECT_ERROR_IN(replace(driver, "bus = \"virtio\"", "bus = \"isa\""), driver_file,
                    ":16:7: 'autoload.bus' must be one of \"pci\"");
    // Kind and domain must agree.
    EXPECT_ERROR(with_line("execution_domain =", "execution_domain = \"kernel\""),
                 ":3:20: execution_domain = \"kernel\" is only for kind = \"kernel-driver\"");
    EXPECT_EQ(
        error_of(replace(driver, "execution_domain = \"kernel\"", "execution_domain = \"user\""),
                 driver_file),
        driver_file + ":3:20: a kernel-driver must have execution_domain = \"kernel\"");
    EXPECT_EQ(error_of(replace(driver, "startup = \"none\"", "startup = \"init\""), driver_file),
              driver_file + ":5:11: a kernel-driver must have startup = \"none\" (driverd loads "
                            "it through [autoload])");
    EXPECT_ERROR(valid + "[autoload]\n", ":42:1: [autoload] is only for kind = \"kernel-driver\"");
}

TEST(RuntimeControlManifest, ValueRanges) {
    EXPECT_ERROR(with_line("restart_budget =", "restart_budget = -1"),
                 ":20:18: 'runtime.restart_budget' must be at least 0, not -1");
    EXPECT_ERROR(with_line("restart_window_ms =", "restart_window_ms = 0"),
                 ":21:21: 'runtime.restart_window_ms' must be at least 1, not 0");
    EXPECT_ERROR(with_line("weight_micros =", "weight_micros = -5"),
                 ":37:17: 'desktop.entries.weight_micros' must be at least 0");
    EXPECT_ERROR(with_line("profiles =", "profiles = []"), ":4:12: 'profiles' must not be empty");
    EXPECT_ERROR(with_line("id =", "id = \"Demo\""), ":1:6: 'id' must match [a-z0-9][a-z0-9-]*");
    EXPECT_ERROR(with_line("runtime_deps =", "runtime_deps = [\"rootd\", \"rootd\"]"),
                 ":6:26: 'runtime_deps' lists 'rootd' twice");
    EXPECT_ERROR(with_line("runtime_deps =", "runtime_deps = [\"demo\"]"),
                 ":6:17: runtime dependency cycle: demo -> demo");
    EXPECT_ERROR(with_line("path =", "path = \"/services/demo/demo\""),
                 ":14:8: 'install.path' is relative to the boot volume: write "
                 "'services/demo/demo' without the leading '/'");
    EXPECT_ERROR(with_line("path =", "path = \"services/../demo\""),
                 ":14:8: 'install.path' must be a relative path without empty, '.' or '..'");
    EXPECT_ERROR(replace(valid, "exec = \"/services/demo/demo\"\n\n[[", "exec = \"demo\"\n\n[["),
                 ":29:8: 'desktop.entries.exec' must be an absolute path, not 'demo'");
    EXPECT_ERROR(with_line("name = \"demo-settings\"", "name = \"../evil\""),
                 ":32:8: desktop entry name '../evil' must match");
    EXPECT_ERROR(with_line("env = { DEMO_MODE", "env = { \"DEMO MODE\" = \"x\" }"),
                 ":18:9: 'runtime.env': 'DEMO MODE' is not a valid environment variable name");
    EXPECT_EQ(error_of(replace(driver, "path = \"system/drivers/display/virtio-gpu.ko\"",
                               "path = \"system/drivers/gpu.ko\""),
                       driver_file),
              driver_file + ":11:8: a kernel-driver is installed at "
                            "'system/drivers/<class>/<name>.ko': 'install.path' must be "
                            "'system/drivers/display/virtio-gpu.ko', not 'system/drivers/gpu.ko'");
    EXPECT_ERROR_IN(
        replace(driver, "aliases = [\"virtio:d00000010v*\"]", "aliases = [\"d00000010\"]"),
        driver_file, ":19:12: alias 'd00000010' is not a modalias glob");
    EXPECT_ERROR(valid + "[runtime.extra]\n", "unknown key 'runtime.extra'");
}

TEST(RuntimeControlManifest, SeparatorsInValuesAreRejected) {
    EXPECT_ERROR(with_line("args =", "args = [\"--list=a,b\"]"),
                 ":17:9: 'runtime.args' elements must not contain ',' (lists are comma-separated "
                 "in the registries)");
    EXPECT_ERROR(with_line("args =", "args = [\"\"]"),
                 ":17:9: 'runtime.args' elements must not be empty");
    EXPECT_ERROR(with_line("env = { DEMO_MODE", "env = { DEMO_MODE = \"a;b\" }"),
                 ":18:21: 'runtime.env' value of 'DEMO_MODE' must not contain ';'");
    EXPECT_ERROR(with_line("display_name = \"Demo\"", "display_name = \"De\\tmo\""),
                 ":28:16: 'desktop.entries.display_name' must not contain a tab");
    EXPECT_ERROR(with_line("display_name = \"Demo\"", "display_name = \"\"\"De\nmo\"\"\""),
                 ":28:16: 'desktop.entries.display_name' must not contain a line break");
    EXPECT_ERROR(with_line("DEMO_HOME =", "DEMO_HOME = \"/a\\r\""),
                 ":25:13: [environment] value of 'DEMO_HOME' must not contain a line break");
    EXPECT_ERROR(with_line("categories =", "categories = [\"A;B\"]"),
                 ":41:15: 'desktop.entries.categories' elements must not contain ';'");
    EXPECT_ERROR(with_line("target =", "target = \"de\\u0001mo\""),
                 ":10:10: 'build.target' must not contain control characters");
    // The description is free text: it is written to no registry.
    EXPECT_FALSE(
        parse_manifest(with_line("description =", "description = \"a,b;c\\td\""), file).is_error());
}

TEST(RuntimeControlManifest, IdMustMatchDirectory) {
    EXPECT_EQ(error_of(valid, "services/other/RUSTOS.package.toml"),
              "services/other/RUSTOS.package.toml:1:6: 'id' is 'demo' but the manifest is in "
              "directory 'other' (they must be equal)");
    EXPECT_FALSE(parse_manifest(valid, "/abs/path/services/demo/RUSTOS.package.toml").is_error());
    // Without a directory there is nothing to compare with.
    EXPECT_FALSE(parse_manifest(valid, "RUSTOS.package.toml").is_error());
}

TEST(RuntimeControlManifest, TomlSyntaxErrorsNameFileLineAndColumn) {
    std::string message = error_of("id = \"demo\"\nkind = \n");
    EXPECT_EQ(message.rfind(file + ":2:8: ", 0), 0u) << message;
    message = error_of(minimal_with("id = \"again\"\n"));
    EXPECT_EQ(message, file + ":6:6: Error while parsing key-value pair: cannot redefine existing "
                              "string 'id'");
}
