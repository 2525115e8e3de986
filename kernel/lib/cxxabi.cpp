// The bits of the C++ ABI a freestanding kernel needs. Kernel globals with
// destructors register them through __cxa_atexit; the kernel never exits,
// so registration is a no-op.
extern "C" {

void* __dso_handle = nullptr;

int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

} // extern "C"
