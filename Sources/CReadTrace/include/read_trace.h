#ifndef READ_TRACE_H
#define READ_TRACE_H

// Linked into lesson programs only: reports the path of every file the program opens to the runner, one line each,
// on the descriptor named third in TUTOR_CHANNEL ("SETTINGS EVENTS READS"), so a cached result can be checked
// against every file the lesson read. The data is a cache hint, never a result: a program that lies about it can
// only make its own cached answer stale.

/// How many paths were reported (for tests of the runtime).
long read_trace_count(void);

#endif
