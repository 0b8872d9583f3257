/** The mpath command-line tool and plugin examples. */
module dev.mpath.examples {
  requires transitive dev.mpath;
  requires dev.mpath.nvme;
  requires dev.mpath.scsi;
  requires org.slf4j;
  requires com.google.common;
  requires info.picocli;
  requires HdrHistogram;

  exports dev.mpath.examples.plugin;
  exports dev.mpath.examples.cli;

  // picocli reads and writes the annotated command fields reflectively
  opens dev.mpath.examples.cli to info.picocli;

  provides dev.mpath.spi.MultipathProvider with
      dev.mpath.examples.plugin.FileMpProvider;
}
