#define _GNU_SOURCE
#include "CSystemIO.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *, int) __attribute__((weak));

int csystemio_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int csystemio_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    if (posix_spawn_file_actions_addclosefrom_np == NULL) return ENOSYS;
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

void csystemio_name_current_thread(const char *name) {
    // The kernel keeps 15 bytes and a NUL; pthread_setname_np refuses longer names outright.
    char shortened[16];
    strncpy(shortened, name, sizeof shortened - 1);
    shortened[sizeof shortened - 1] = '\0';
    pthread_setname_np(pthread_self(), shortened);
}

int csystemio_exit_status(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void csystemio_block_sigpipe(sigset_t *saved) {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, saved);
}

void csystemio_restore_sigpipe(const sigset_t *saved) {
    if (!sigismember(saved, SIGPIPE)) {
        sigset_t pending;
        sigemptyset(&pending);
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
            sigset_t pipe;
            sigemptyset(&pipe);
            sigaddset(&pipe, SIGPIPE);
            struct timespec now = {0, 0};
            while (sigtimedwait(&pipe, NULL, &now) < 0 && errno == EINTR) {}
        }
    }
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}
