/** The mpath command-line tool and plugin examples. */
module dev.mpath.examples {
  requires dev.mpath;
}
