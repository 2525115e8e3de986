// The fuzzers' random numbers: splitmix64, the same sequence for a seed
// on every machine, so that a failing run can be replayed.
#pragma once

#include <stddef.h>
#include <stdint.h>

struct SeededRng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint32_t below(uint32_t n) { return n ? uint32_t(next() % n) : 0; }
    bool one_in(uint32_t n) { return below(n) == 0; }
    template <typename T, size_t N>
    T pick(const T (&a)[N]) {
        return a[below(N)];
    }
};
