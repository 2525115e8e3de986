#include "format.h"

#include <rustos/base/string_view.h>
#include <stdint.h>

namespace kernel {

namespace {

struct Out {
    char* buf;
    size_t size;
    size_t pos = 0;
    void put(char c) {
        if (pos + 1 < size)
            buf[pos] = c;
        ++pos;
    }
};

void put_number(Out& o, uint64_t v, unsigned base, bool upper, int width, char pad, bool negative) {
    char tmp[24];
    int n = 0;
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    int len = n + (negative ? 1 : 0);
    if (negative && pad == '0')
        o.put('-');
    for (; len < width; ++len)
        o.put(pad);
    if (negative && pad != '0')
        o.put('-');
    while (n)
        o.put(tmp[--n]);
}

} // namespace

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap) {
    Out o{buf, size};
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            o.put(*p);
            continue;
        }
        ++p;
        char pad = ' ';
        bool left = false;
        if (*p == '-') {
            left = true;
            ++p;
        }
        if (*p == '0') {
            pad = '0';
            ++p;
        }
        int width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        int longs = 0;
        while (*p == 'l' || *p == 'z') {
            ++longs;
            ++p;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_number(o, v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v), 10, false, width, pad,
                       v < 0);
            break;
        }
        case 'u':
            put_number(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, false, width,
                       pad, false);
            break;
        case 'x':
        case 'X':
            put_number(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, *p == 'X', width,
                       pad, false);
            break;
        case 'p':
            o.put('0');
            o.put('x');
            put_number(o, uintptr_t(va_arg(ap, void*)), 16, false, width, '0', false);
            break;
        case 'c':
            o.put(char(va_arg(ap, int)));
            break;
        case 's':
        case 'S': {
            rustos::StringView s;
            if (*p == 's') {
                const char* cs = va_arg(ap, const char*);
                s = cs ? rustos::StringView(cs) : rustos::StringView("(null)");
            } else {
                s = *va_arg(ap, const rustos::StringView*);
            }
            int len = int(s.size());
            if (!left)
                for (; len < width; ++len)
                    o.put(' ');
            for (char c : s)
                o.put(c);
            if (left)
                for (; len < width; ++len)
                    o.put(' ');
            break;
        }
        case '%':
            o.put('%');
            break;
        case '\0':
            --p;
            break;
        default:
            o.put('%');
            o.put(*p);
            break;
        }
    }
    if (size)
        buf[o.pos < size ? o.pos : size - 1] = '\0';
    return o.pos;
}

size_t format(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

} // namespace kernel
