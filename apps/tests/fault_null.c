// Dereferences NULL: the kernel must kill only this process (SIGSEGV).
#include <stdio.h>

int main(void) {
    puts("fault-null: reading address 0");
    fflush(stdout);
    volatile int* p = (volatile int*)0;
    return *p;
}
