#include <rustos/runtime_control/catalog.h>

#include <gtest/gtest.h>

#include <string>

using namespace rustos;
using namespace rustos::runtime_control;

namespace {

LaunchSpec spec(const std::string& id, Startup startup, std::vector<std::string> deps = {}) {
    LaunchSpec s;
    s.id = id;
    s.exec = "/services/" + id + "/" + id;
    s.startup = startup;
    s.runtime_deps = std::move(deps);
    return s;
}

DesktopEntry entry(const std::string& name, const std::string& package) {
    DesktopEntry e;
    e.name = name;
    e.package = package;
    e.display_name = name;
    e.exec = "/apps/" + name;
    return e;
}

} // namespace

TEST(RuntimeControlCatalog, LooksUpPackagesAndEntries) {
    auto catalog =
        build_catalog({spec("zeta", Startup::Session), spec("alpha", Startup::None)},
                      {entry("viewer", "alpha"), entry("editor", "alpha"), entry("orphan", "")});
    ASSERT_NE(catalog.find_package("alpha"), nullptr);
    EXPECT_EQ(catalog.find_package("alpha")->exec, "/services/alpha/alpha");
    EXPECT_EQ(catalog.find_package("beta"), nullptr);
    ASSERT_NE(catalog.find_entry("viewer"), nullptr);
    EXPECT_EQ(catalog.find_entry("viewer")->exec, "/apps/viewer");
    EXPECT_EQ(catalog.find_entry("nothing"), nullptr);
    auto of_alpha = catalog.entries_of("alpha");
    ASSERT_EQ(of_alpha.size(), 2u);
    EXPECT_EQ(of_alpha[0]->name, "editor"); // sorted by name
    EXPECT_EQ(catalog.launch_specs()[0].id, "alpha");
}

TEST(RuntimeControlCatalog, EntryLaunchMergesPackageSpec) {
    LaunchSpec ui = spec("uiserver", Startup::Desktop, {"runtimed"});
    ui.env = {{"WAYLAND_DISPLAY", "wayland-0"}, {"RUSTOS_UI_PROFILE", "0"}};
    ui.restart = RestartPolicy::Always;
    ui.backoff_ms = 50;
    DesktopEntry e = entry("uiserver", "uiserver");
    e.exec = "/services/uiserver/uiserver";
    e.args = {"--bootstrap"};
    e.env = {{"RUSTOS_UI_PROFILE", "1"}, {"EXTRA", "x"}};
    auto catalog = build_catalog({ui}, {e});
    auto launch = catalog.launch_spec_for_entry("uiserver");
    ASSERT_TRUE(launch.has_value());
    EXPECT_EQ(launch->id, "uiserver");
    EXPECT_EQ(launch->exec, "/services/uiserver/uiserver");
    EXPECT_EQ(launch->args, (std::vector<std::string>{"--bootstrap"}));
    EXPECT_EQ(
        launch->env,
        (EnvList{{"WAYLAND_DISPLAY", "wayland-0"}, {"RUSTOS_UI_PROFILE", "1"}, {"EXTRA", "x"}}));
    EXPECT_EQ(launch->restart, RestartPolicy::Always);
    EXPECT_EQ(launch->backoff_ms, 50u);
    EXPECT_EQ(launch->runtime_deps, (std::vector<std::string>{"runtimed"}));

    // An entry whose package has no launch spec gets the default policy.
    auto lone = build_catalog({}, {entry("tool", "toolpkg")}).launch_spec_for_entry("tool");
    ASSERT_TRUE(lone.has_value());
    EXPECT_EQ(lone->id, "toolpkg");
    EXPECT_EQ(lone->exec, "/apps/tool");
    EXPECT_EQ(lone->restart, RestartPolicy::OnFailure);
    EXPECT_EQ(lone->restart_budget, 3u);
    EXPECT_FALSE(catalog.launch_spec_for_entry("missing").has_value());
}

TEST(RuntimeControlCatalog, AutostartOrderFollowsDependencies) {
    auto catalog = build_catalog(
        {spec("sessiond", Startup::Session, {"runtimed", "uiserver"}),
         spec("uiserver", Startup::Desktop, {"runtimed", "driverd"}),
         spec("inputd", Startup::Session, {"devmgrd"}), spec("app", Startup::None),
         spec("netd", Startup::Session, {"driverd"}), spec("aaa", Startup::Session, {"sessiond"})},
        {});
    std::vector<std::string> order;
    for (auto* s : catalog.autostart_order())
        order.push_back(s->id);
    EXPECT_EQ(order, (std::vector<std::string>{"inputd", "netd", "uiserver", "sessiond", "aaa"}));
}
