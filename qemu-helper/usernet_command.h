/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usernet_command.h - `tapwarden usernet PID`: user-mode network for a
 * network namespace.
 */
#ifndef TAPWARDEN_QEMU_USERNET_COMMAND_H
#define TAPWARDEN_QEMU_USERNET_COMMAND_H

int usernet_command(int argc, char **argv);

#endif
