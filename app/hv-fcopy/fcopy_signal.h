/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The hvdev authors
 */

#ifndef FCOPY_SIGNAL_H
#define FCOPY_SIGNAL_H

/*
 * Stopping on SIGINT/SIGTERM without waking up periodically to look at a flag.
 *
 * The stop signals are blocked in every thread and taken by one thread of ours with
 * sigwait(). It asks the loops to stop, then interrupts the thread that is blocked on the
 * host's behalf (the one that called fcopy_signal_attach()) with a private signal whose
 * handler does nothing, so that its poll() or sleep returns EINTR and it sees the request.
 * The interruption is repeated until that thread detaches, which closes the window between
 * its last look at the flag and its next sleep.
 */

/*
 * Block the stop signals in the calling thread, before rte_eal_init(), so that every thread
 * EAL creates inherits the mask. @return 0 or -errno.
 */
int fcopy_signal_block(void);

/* Start the thread that waits for the stop signals. @return 0 or -errno. */
int fcopy_signal_start(void);

/* The calling thread is the one to interrupt on a stop request, until it detaches. */
void fcopy_signal_attach(void);

/* The calling thread no longer needs interrupting. */
void fcopy_signal_detach(void);

#endif /* FCOPY_SIGNAL_H */
