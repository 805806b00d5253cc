/** Model architectures: each family in its own sub-package, loaded from the files people download. */
package dev.minnow.models;
