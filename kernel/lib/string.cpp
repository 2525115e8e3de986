// The C memory functions gcc may emit calls to in freestanding code.
#include <stddef.h>
#include <stdint.h>

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
    void* ret = dst;
    size_t words = n / 8, tail = n % 8;
    asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words)::"memory");
    asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(tail)::"memory");
    return ret;
}

void* memset(void* dst, int c, size_t n) {
    void* ret = dst;
    uint64_t pattern = uint8_t(c) * 0x0101010101010101ull;
    size_t words = n / 8, tail = n % 8;
    asm volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(dst), "+c"(tail) : "a"(pattern) : "memory");
    return ret;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<uint8_t*>(dst);
    auto* s = static_cast<const uint8_t*>(src);
    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    for (size_t i = n; i > 0; --i)
        d[i - 1] = s[i - 1];
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const uint8_t*>(a);
    auto* y = static_cast<const uint8_t*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

} // extern "C"
