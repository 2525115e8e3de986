#include <rustos/runtime_control/desktop_entry_cache.h>
#include <rustos/runtime_control/once_cache.h>
#include <rustos/runtime_control/registry.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace rustos;
using namespace rustos::runtime_control;

TEST(RuntimeControlOnceCache, EightThreadsShareOneLoad) {
    OnceCache<std::vector<int>> cache;
    std::atomic<int> loader_runs{0};
    std::atomic<int> ready{0};
    std::vector<const std::vector<int>*> seen(8, nullptr);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; i++) {
        threads.emplace_back([&, i] {
            // Start together so that the calls really race.
            ready.fetch_add(1);
            while (ready.load() < 8)
                std::this_thread::yield();
            auto& result = cache.get([&]() -> ErrorOr<std::vector<int>> {
                loader_runs.fetch_add(1);
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                return std::vector<int>{1, 2, 3};
            });
            if (!result.is_error())
                seen[i] = &result.value();
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(loader_runs.load(), 1);
    EXPECT_EQ(cache.load_count(), 1u);
    for (auto* value : seen) {
        ASSERT_NE(value, nullptr);
        EXPECT_EQ(value, seen[0]); // the very same object
        EXPECT_EQ(*value, (std::vector<int>{1, 2, 3}));
    }
}

TEST(RuntimeControlOnceCache, ErrorsAreCachedToo) {
    OnceCache<int> cache;
    int runs = 0;
    auto failing = [&]() -> ErrorOr<int> {
        runs++;
        return Error(ENOENT, "missing");
    };
    EXPECT_TRUE(cache.get(failing).is_error());
    EXPECT_TRUE(cache.get(failing).is_error());
    EXPECT_STREQ(cache.get(failing).error().reason(), "missing");
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(cache.load_count(), 1u);
}

namespace {

// desktop-programs.tsv as rustos-mkregistry writes it for the uiserver entry.
std::string uiserver_registry() {
    DesktopEntry e;
    e.name = "uiserver";
    e.package = "uiserver";
    e.display_name = "RustOS UI server";
    e.exec = "/services/uiserver/uiserver";
    e.args = {"--bootstrap"};
    e.env = {{"RUSTOS_UI_PROFILE", "1"}};
    e.no_display = true;
    DesktopEntry other = e;
    other.name = "editor";
    other.package = "editor";
    other.env.clear();
    return render_desktop_programs({other, e});
}

} // namespace

// runtimed's bootstrap read (synchronous, on its main thread) and the catalog
// worker's read share one read and parse of the registry.
TEST(RuntimeControlOnceCache, BootstrapAndCatalogWorkerShareOneParse) {
    std::atomic<int> reads{0};
    FileReader reader = [&](const std::string& path) -> ErrorOr<std::string> {
        if (path == "/system/registry/desktop-programs.tsv") {
            reads.fetch_add(1);
            return uiserver_registry();
        }
        if (path == "/system/registry/runtime-launch.tsv") {
            LaunchSpec ui;
            ui.id = "uiserver";
            ui.exec = "/services/uiserver/uiserver";
            ui.startup = Startup::Desktop;
            ui.restart = RestartPolicy::Always;
            return render_runtime_launch({ui});
        }
        return Error(ENOENT, "no such file");
    };
    DesktopEntryCache cache("/system/registry/desktop-programs.tsv", reader);

    std::optional<ErrorOr<Catalog>> catalog;
    std::thread worker([&] {
        catalog.emplace(load_catalog("/system/registry/runtime-launch.tsv", cache, reader));
    });
    auto ui = cache.find("uiserver");
    worker.join();

    ASSERT_FALSE(ui.is_error()) << ui.error().reason();
    EXPECT_EQ(ui->env, (EnvList{{"RUSTOS_UI_PROFILE", "1"}}));
    ASSERT_FALSE(catalog->is_error()) << catalog->error().reason();
    auto launch = catalog->value().launch_spec_for_entry("uiserver");
    ASSERT_TRUE(launch.has_value());
    EXPECT_EQ(launch->env, (EnvList{{"RUSTOS_UI_PROFILE", "1"}}));
    EXPECT_EQ(launch->restart, RestartPolicy::Always);
    EXPECT_EQ(reads.load(), 1);
    EXPECT_EQ(cache.load_count(), 1u);

    auto missing = cache.find("nothing");
    ASSERT_TRUE(missing.is_error());
    EXPECT_EQ(missing.error().code(), ENOENT);
    EXPECT_EQ(reads.load(), 1);
}

TEST(RuntimeControlOnceCache, DesktopEntryCacheReportsReadErrors) {
    DesktopEntryCache cache("/nonexistent/desktop-programs.tsv");
    auto r = cache.find("uiserver");
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), ENOENT);
    EXPECT_STREQ(r.error().reason(),
                 "/nonexistent/desktop-programs.tsv: No such file or directory");
}
