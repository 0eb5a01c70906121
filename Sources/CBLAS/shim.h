#include <cblas.h>

// Joins OpenBLAS's worker threads (exported by the pthread build, not declared in cblas.h). They start when the
// library loads and spin on sched_yield for about 2^28 cycles before they sleep; the engine never uses them.
int blas_thread_shutdown_(void);
