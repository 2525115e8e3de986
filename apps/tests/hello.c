// The smallest static program: proves ELF loading, the initial stack and
// console output.
#include <stdio.h>

int main(int argc, char** argv) {
    printf("hello from %s (argc=%d)\n", argv[0], argc);
    return 0;
}
