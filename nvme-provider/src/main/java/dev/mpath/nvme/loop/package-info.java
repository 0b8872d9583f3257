/**
 * The NVMe loop transport ({@code nvme+loop://<target>/<nqn>}): host controllers talk to
 * the bundled subsystem emulator in process, with completions on the emulator's threads.
 */
package dev.mpath.nvme.loop;
