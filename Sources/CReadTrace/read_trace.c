#define _GNU_SOURCE
#include "read_trace.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int trace_fd = -1;
static long reported = 0;

// Before any Swift code runs (the runtime removes TUTOR_CHANNEL on first use): find the reads descriptor.
__attribute__((constructor)) static void read_trace_setup(void) {
    const char *spec = getenv("TUTOR_CHANNEL");
    if (spec == NULL) return;
    int settings = -1, events = -1, reads = -1;
    if (sscanf(spec, "%d %d %d", &settings, &events, &reads) == 3 && reads > 2 && fcntl(reads, F_GETFD) != -1) {
        trace_fd = reads;
    }
}

long read_trace_count(void) { return reported; }

// One line per open: the path made absolute (relative to the working directory or to `dirfd`). Writes of at most
// PIPE_BUF bytes are atomic, so lines from several threads never interleave; longer paths are left out.
static void report(int dirfd, const char *path) {
    if (trace_fd < 0 || path == NULL || path[0] == '\0') return;
    int saved = errno;
    char line[PIPE_BUF];
    int length;
    if (path[0] == '/') {
        length = snprintf(line, sizeof line, "%s\n", path);
    } else {
        char base[PATH_MAX];
        ssize_t size = -1;
        if (dirfd == AT_FDCWD) {
            size = getcwd(base, sizeof base) ? (ssize_t)strlen(base) : -1;
        } else {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
            size = readlink(link, base, sizeof base - 1);
        }
        if (size < 0) { errno = saved; return; }
        base[size] = '\0';
        length = snprintf(line, sizeof line, "%s/%s\n", base, path);
    }
    if (length > 0 && (size_t)length < sizeof line && write(trace_fd, line, (size_t)length) == length) reported++;
    errno = saved;
}

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef FILE *(*fopen_fn)(const char *, const char *);

#define NEXT(type, name) static type next_##name; if (!next_##name) next_##name = (type)dlsym(RTLD_NEXT, #name)

static mode_t mode_argument(int flags, va_list arguments) {
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(arguments, int) : 0;
}

int open(const char *path, int flags, ...) {
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    NEXT(open_fn, open);
    report(AT_FDCWD, path);
    return next_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    NEXT(open_fn, open64);
    report(AT_FDCWD, path);
    return next_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    NEXT(openat_fn, openat);
    report(dirfd, path);
    return next_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    NEXT(openat_fn, openat64);
    report(dirfd, path);
    return next_openat64(dirfd, path, flags, mode);
}

FILE *fopen(const char *path, const char *mode) {
    NEXT(fopen_fn, fopen);
    report(AT_FDCWD, path);
    return next_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode) {
    NEXT(fopen_fn, fopen64);
    report(AT_FDCWD, path);
    return next_fopen64(path, mode);
}
