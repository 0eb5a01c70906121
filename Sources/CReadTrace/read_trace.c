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

// One line per open: the path made absolute (relative to the working directory or to `dirfd`), after a ">" when
// the call may change the file (opened for writing, created, removed, renamed). Writes of at most PIPE_BUF bytes
// are atomic, so lines from several threads never interleave; longer paths are left out.
static void report(int dirfd, const char *path, int changes) {
    if (trace_fd < 0 || path == NULL || path[0] == '\0') return;
    int saved = errno;
    char line[PIPE_BUF];
    int length;
    const char *mark = changes ? ">" : "";
    if (path[0] == '/') {
        length = snprintf(line, sizeof line, "%s%s\n", mark, path);
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
        length = snprintf(line, sizeof line, "%s%s/%s\n", mark, base, path);
    }
    if (length > 0 && (size_t)length < sizeof line && write(trace_fd, line, (size_t)length) == length) reported++;
    errno = saved;
}

static int open_changes(int flags) {
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
}

static int fopen_changes(const char *mode) {
    return mode != NULL && (strchr(mode, 'w') || strchr(mode, 'a') || strchr(mode, '+'));
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
    report(AT_FDCWD, path, open_changes(flags));
    return next_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    NEXT(open_fn, open64);
    report(AT_FDCWD, path, open_changes(flags));
    return next_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    NEXT(openat_fn, openat);
    report(dirfd, path, open_changes(flags));
    return next_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    NEXT(openat_fn, openat64);
    report(dirfd, path, open_changes(flags));
    return next_openat64(dirfd, path, flags, mode);
}

FILE *fopen(const char *path, const char *mode) {
    NEXT(fopen_fn, fopen);
    report(AT_FDCWD, path, fopen_changes(mode));
    return next_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode) {
    NEXT(fopen_fn, fopen64);
    report(AT_FDCWD, path, fopen_changes(mode));
    return next_fopen64(path, mode);
}

// Calls that change the file system without opening a file: reported as changes of their paths, so the runner can
// tell when two programs it ran side by side touched the same file.
typedef int (*path_fn)(const char *);
typedef int (*path_mode_fn)(const char *, mode_t);
typedef int (*at_path_fn)(int, const char *, int);
typedef int (*at_path_mode_fn)(int, const char *, mode_t);
typedef int (*two_paths_fn)(const char *, const char *);
typedef int (*at_two_paths_fn)(int, const char *, int, const char *);
typedef int (*at_two_paths_flags_fn)(int, const char *, int, const char *, unsigned int);
typedef int (*creat_fn)(const char *, mode_t);
typedef int (*truncate_fn)(const char *, off_t);

int unlink(const char *path) { NEXT(path_fn, unlink); report(AT_FDCWD, path, 1); return next_unlink(path); }
int rmdir(const char *path) { NEXT(path_fn, rmdir); report(AT_FDCWD, path, 1); return next_rmdir(path); }
int unlinkat(int dirfd, const char *path, int flags) {
    NEXT(at_path_fn, unlinkat); report(dirfd, path, 1); return next_unlinkat(dirfd, path, flags);
}
int mkdir(const char *path, mode_t mode) { NEXT(path_mode_fn, mkdir); report(AT_FDCWD, path, 1); return next_mkdir(path, mode); }
int mkdirat(int dirfd, const char *path, mode_t mode) {
    NEXT(at_path_mode_fn, mkdirat); report(dirfd, path, 1); return next_mkdirat(dirfd, path, mode);
}
int creat(const char *path, mode_t mode) { NEXT(creat_fn, creat); report(AT_FDCWD, path, 1); return next_creat(path, mode); }
int truncate(const char *path, off_t length) {
    NEXT(truncate_fn, truncate); report(AT_FDCWD, path, 1); return next_truncate(path, length);
}
int rename(const char *from, const char *to) {
    NEXT(two_paths_fn, rename); report(AT_FDCWD, from, 1); report(AT_FDCWD, to, 1); return next_rename(from, to);
}
int renameat(int fromfd, const char *from, int tofd, const char *to) {
    NEXT(at_two_paths_fn, renameat); report(fromfd, from, 1); report(tofd, to, 1); return next_renameat(fromfd, from, tofd, to);
}
int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags) {
    NEXT(at_two_paths_flags_fn, renameat2);
    report(fromfd, from, 1);
    report(tofd, to, 1);
    return next_renameat2(fromfd, from, tofd, to, flags);
}
int link(const char *from, const char *to) { NEXT(two_paths_fn, link); report(AT_FDCWD, to, 1); return next_link(from, to); }
int symlink(const char *target, const char *path) {
    NEXT(two_paths_fn, symlink); report(AT_FDCWD, path, 1); return next_symlink(target, path);
}
