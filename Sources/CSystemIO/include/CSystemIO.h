// The few C calls SystemIO needs that Swift cannot reach through the Glibc module: GNU extensions
// (the module is built without _GNU_SOURCE) and macros the importer drops. Each is one line of C,
// defined in CSystemIO.c, where _GNU_SOURCE is set.
#ifndef CSYSTEMIO_H
#define CSYSTEMIO_H

#include <signal.h>
#include <spawn.h>

// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so no program another thread
// spawns meanwhile inherits them (pipe() + fcntl leaves a window).
int csystemio_pipe_cloexec(int fds[2]);

// posix_spawn_file_actions_addclosefrom_np(actions, lowest) (glibc 2.34+): the spawned program
// gets no descriptor from `lowest` up. Returns ENOSYS where the C library lacks it (it is
// referenced weakly, so the binary still loads there).
int csystemio_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

// Names the calling thread (top -H, gdb, /proc), its first 15 bytes: pthread_setname_np is a GNU
// extension.
void csystemio_name_current_thread(const char *name);

// A waitpid status as a shell reports it: the exit status, or 128 + the signal that ended it
// (WIFEXITED/WEXITSTATUS/WTERMSIG are macros).
int csystemio_exit_status(int status);

// Blocks SIGPIPE in the calling thread (saving the old mask in `saved`), so a write to a pipe
// whose reader has gone fails with EPIPE instead of killing the process: a per-thread, per-call
// alternative to ignoring SIGPIPE process-wide (pipes have no MSG_NOSIGNAL).
void csystemio_block_sigpipe(sigset_t *saved);

// Discards a SIGPIPE raised in this thread while it was blocked, then restores `saved`.
void csystemio_restore_sigpipe(const sigset_t *saved);

#endif
