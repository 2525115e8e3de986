/* The program spawn-bench executes: it does nothing and returns 0, so what
   is measured is creating, loading and ending a process. */
int main(void) { return 0; }
