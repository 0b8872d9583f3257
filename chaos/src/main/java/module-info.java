/**
 * The mpath chaos verifier: drives a {@link dev.mpath.MultipathDevice} with verified I/O
 * while a seeded schedule injects faults, and reports what a caller saw.
 */
module dev.mpath.chaos {
  requires dev.mpath;
  requires org.slf4j;

  exports dev.mpath.chaos;
}
