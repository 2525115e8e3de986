// Executes ud2: the kernel must kill only this process (SIGILL).
#include <stdio.h>

int main(void) {
    puts("fault-ud: executing an invalid opcode");
    fflush(stdout);
    __asm__ volatile("ud2");
    return 0;
}
