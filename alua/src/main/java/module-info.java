/** SCSI Asymmetric Logical Unit Access (SPC-4 5.16): states, RTPG/STPG codecs, handlers. */
module dev.mpath.alua {
  requires transitive dev.mpath;
  requires org.slf4j;

  exports dev.mpath.alua;
}
