// Exercises the kernel's thread support from ordinary C++: std::thread (4
// workers), std::mutex, std::condition_variable, std::vector and std::cout.
// The workers sum disjoint slices of 1..N behind a start gate; the result
// is checked against the closed form and printed for the test to assert.
#include <condition_variable>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

int main() {
    constexpr int kThreads = 4;
    constexpr uint64_t kN = 1000000;
    std::mutex mutex;
    std::condition_variable cv;
    bool go = false;
    uint64_t total = 0;
    int finished = 0;
    std::vector<uint64_t> partial(kThreads);

    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            {
                std::unique_lock lock(mutex);
                cv.wait(lock, [&] { return go; });
            }
            uint64_t sum = 0;
            for (uint64_t i = t + 1; i <= kN; i += kThreads)
                sum += i;
            std::lock_guard lock(mutex);
            partial[t] = sum;
            total += sum;
            ++finished;
            cv.notify_all();
        });
    }
    {
        std::lock_guard lock(mutex);
        go = true;
    }
    cv.notify_all();
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return finished == kThreads; });
    }
    for (auto& w : workers)
        w.join();

    uint64_t expected = kN * (kN + 1) / 2;
    bool ok = total == expected &&
              std::accumulate(partial.begin(), partial.end(), uint64_t(0)) == expected;
    std::cout << "threads: " << kThreads << " workers summed 1.." << kN << " = " << total
              << (ok ? " (ok)" : " (WRONG)") << std::endl;
    return ok ? 0 : 1;
}
