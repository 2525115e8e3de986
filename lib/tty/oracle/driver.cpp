// Runs one case of compare_with_linux.py through LineDiscipline and prints
// what the Linux side prints: the echo (after `prewrite` went through
// output()), FIONREAD, then each non-blocking read of `read_size` bytes
// until one would block, one line of hex per item.
//
// usage: tty_oracle_driver IFLAG OFLAG LFLAG VMIN VTIME PREWRITE_HEX INPUT_HEX READ_SIZE
#include <rustos/tty/line_discipline.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace rustos::tty;

namespace {

std::string unhex(const char* s) {
    std::string out;
    for (size_t i = 0; s[i] && s[i + 1]; i += 2) {
        char byte[3] = {s[i], s[i + 1], 0};
        out.push_back(char(std::strtoul(byte, nullptr, 16)));
    }
    return out;
}

void print_hex(const std::string& s) {
    for (unsigned char c : s)
        std::printf("%02x", c);
    std::printf("\n");
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 9) {
        std::fprintf(stderr,
                     "usage: %s IFLAG OFLAG LFLAG VMIN VTIME PREWRITE_HEX INPUT_HEX "
                     "READ_SIZE\n",
                     argv[0]);
        return 2;
    }
    LineDiscipline ld;
    Termios t = ld.termios();
    t.c_iflag = uint32_t(std::strtoul(argv[1], nullptr, 0));
    t.c_oflag = uint32_t(std::strtoul(argv[2], nullptr, 0));
    t.c_lflag = uint32_t(std::strtoul(argv[3], nullptr, 0));
    t.c_cc[VMIN] = uint8_t(std::atoi(argv[4]));
    t.c_cc[VTIME] = uint8_t(std::atoi(argv[5]));
    ld.set_termios(t);
    std::string echo = ld.output(unhex(argv[6]));
    echo += ld.input(unhex(argv[7])).echo;
    print_hex(echo);
    std::printf("%zu\n", ld.readable());
    size_t read_size = size_t(std::atoi(argv[8]));
    for (int i = 0; i < 10000; i++) {
        ReadResult r = ld.read(read_size, true);
        if (!r.ready() || (r.data.empty() && !(t.c_lflag & ICANON)))
            break;
        print_hex(r.data);
    }
    return 0;
}
