#include <rustos/abi/initial_stack.h>

namespace rustos::abi {

namespace {

// Grows downwards inside the buffer; every address it hands out is a user
// address.
class StackWriter {
public:
    StackWriter(Bytes buffer, uint64_t top) : m_buffer(buffer), m_top(top), m_sp(top) {}

    bool push_bytes(const void* data, size_t len, uint64_t* user_addr) {
        if (len > m_sp - (m_top - m_buffer.size()))
            return false;
        m_sp -= len;
        for (size_t i = 0; i < len; ++i)
            at(m_sp + i) = static_cast<const uint8_t*>(data)[i];
        *user_addr = m_sp;
        return true;
    }
    bool push_string(StringView s, uint64_t* user_addr) {
        uint8_t nul = 0;
        uint64_t ignored;
        return push_bytes(&nul, 1, &ignored) && push_bytes(s.data(), s.size(), user_addr);
    }
    bool push_word(uint64_t v) {
        uint64_t ignored;
        return push_bytes(&v, sizeof v, &ignored);
    }
    bool align(uint64_t a) {
        uint64_t aligned = align_down(m_sp, a);
        if (aligned < m_top - m_buffer.size())
            return false;
        while (m_sp > aligned)
            at(--m_sp) = 0;
        return true;
    }
    uint64_t sp() const { return m_sp; }

private:
    uint8_t& at(uint64_t user_addr) { return m_buffer[user_addr - (m_top - m_buffer.size())]; }

    Bytes m_buffer;
    uint64_t m_top;
    uint64_t m_sp;
};

} // namespace

ErrorOr<uint64_t> build_initial_stack(Bytes buffer, uint64_t stack_top,
                                      const InitialStackSpec& spec) {
    const Error too_big(E2BIG, "arguments and environment do not fit on the initial stack");
    if (!is_aligned(stack_top, 16) || buffer.size() > stack_top)
        return Error(EINVAL, "stack top not 16-byte aligned");
    StackWriter w(buffer, stack_top);

    uint64_t execfn = 0, platform = 0, random = 0, ignored = 0;
    if (!w.push_string(spec.execfn, &execfn) || !w.push_string(spec.platform, &platform) ||
        !w.align(16) || !w.push_bytes(spec.random16, 16, &random))
        return too_big;

    // Strings: pushed envp last-to-first, then argv last-to-first, so that
    // memory holds argv[0], argv[1], ..., envp[0], ... upwards. Their
    // addresses are recomputed from the lengths below rather than stored.
    const uint64_t strings_end = w.sp();
    for (size_t i = spec.envp.size(); i > 0; --i)
        if (!w.push_string(spec.envp[i - 1], &ignored))
            return too_big;
    for (size_t i = spec.argv.size(); i > 0; --i)
        if (!w.push_string(spec.argv[i - 1], &ignored))
            return too_big;
    // rsp must be 16-byte aligned at the argc word: count the words that
    // follow and pad first.
    size_t aux_words = 2 * (spec.aux.size() + 4); // + RANDOM, EXECFN, PLATFORM, NULL
    size_t words = 1 + spec.argv.size() + 1 + spec.envp.size() + 1 + aux_words;
    if (!w.align(16))
        return too_big;
    if (words % 2 && !w.push_word(0))
        return too_big;

    const AuxEntry tail[] = {{AT_RANDOM, random}, {AT_EXECFN, execfn}, {AT_PLATFORM, platform}};
    if (!w.push_word(0) || !w.push_word(AT_NULL))
        return too_big;
    for (size_t i = 3; i > 0; --i)
        if (!w.push_word(tail[i - 1].value) || !w.push_word(tail[i - 1].type))
            return too_big;
    for (size_t i = spec.aux.size(); i > 0; --i)
        if (!w.push_word(spec.aux[i - 1].value) || !w.push_word(spec.aux[i - 1].type))
            return too_big;
    // envp[] then argv[] pointer arrays, each NULL-terminated, pushed from
    // their ends: walk the strings back down from strings_end.
    uint64_t addr = strings_end;
    if (!w.push_word(0))
        return too_big;
    for (size_t i = spec.envp.size(); i > 0; --i) {
        addr -= spec.envp[i - 1].size() + 1;
        if (!w.push_word(addr))
            return too_big;
    }
    if (!w.push_word(0))
        return too_big;
    for (size_t i = spec.argv.size(); i > 0; --i) {
        addr -= spec.argv[i - 1].size() + 1;
        if (!w.push_word(addr))
            return too_big;
    }
    if (!w.push_word(spec.argv.size()))
        return too_big;
    return w.sp();
}

} // namespace rustos::abi
