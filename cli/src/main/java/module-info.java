/** The {@code minnow} command line. */
module dev.minnow.cli {
    requires dev.minnow.bench;
    requires info.picocli;
    opens dev.minnow.cli to info.picocli;
}
