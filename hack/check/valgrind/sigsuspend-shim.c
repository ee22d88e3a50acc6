/*
 * LD_PRELOAD shim for running Swift programs under valgrind 3.19 (and, as of this writing, every
 * later valgrind).
 *
 * Why: an async Swift `main` ends in libdispatch's dispatch_main(), whose main thread parks in
 * sigsuspend() with a signal mask that lives in read-only memory (a static const). Valgrind's
 * rt_sigsuspend wrapper edits the caller's mask in place to keep its own kill signal unblocked,
 * faults on the read-only page and dies ("the 'impossible' happened ... signal 11").
 *
 * What: hand the real sigsuspend a writable copy of the mask. Behaviour is otherwise identical,
 * so the shim is harmless outside valgrind too; it is only ever loaded by hack/check/valgrind-rpc.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>

int sigsuspend(const sigset_t *mask) {
    static int (*real_sigsuspend)(const sigset_t *);
    if (real_sigsuspend == 0) {
        real_sigsuspend = (int (*)(const sigset_t *))dlsym(RTLD_NEXT, "sigsuspend");
    }
    sigset_t writable = *mask;
    return real_sigsuspend(&writable);
}
