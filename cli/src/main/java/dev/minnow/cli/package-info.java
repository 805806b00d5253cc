/** The {@code minnow} command (picocli): one class per sub-command, quiet aligned output, one-line errors. */
package dev.minnow.cli;
