/** Neural-network operators and layers built on the kernels. */
module dev.minnow.nn {
    requires transitive dev.minnow.tensor;
    requires transitive dev.minnow.kernels;
    requires transitive dev.minnow.quant;
    requires java.management;
    exports dev.minnow.nn;
}
