// How a service's node process is started, wherever it is: scripts/start.mjs, the tests' and the
// bench's system (test/support/system.ts), and the image (Dockerfile, which repeats these values).

/** Stack traces name our source files and lines (the bundle's map covers our own code: own-source-map.mjs). */
export const SERVICE_NODE_ARGS = ['--enable-source-maps'];

/**
 * glibc malloc's settings (the environment may override them). Started with its defaults, a
 * service kept 4–5 MB of memory it had freed: one arena per thread that allocates (V8's
 * and libuv's), and a threshold for mapping large blocks that rises to 32 MB as blocks are freed,
 * so that what parsing and compiling the bundle used at start stays in the heap. Two arenas and a
 * fixed 128 KB threshold (glibc's initial one) hand that back: the gateway's idle RSS went from
 * 86 to 81 MB, the other services' from 74–77 to 72–73 (docs/performance.md).
 */
export const SERVICE_PROCESS_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
