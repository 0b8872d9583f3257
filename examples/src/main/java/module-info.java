/** The mpath command-line tool and plugin examples. */
module dev.mpath.examples {
  requires transitive dev.mpath;
  requires org.slf4j;

  exports dev.mpath.examples.plugin;

  provides dev.mpath.spi.MultipathProvider with
      dev.mpath.examples.plugin.FileMpProvider;
}
