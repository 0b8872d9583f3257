/**
 * The SCSI host: {@link dev.mpath.scsi.host.ScsiProvider} (the plugin),
 * {@link dev.mpath.scsi.host.ScsiSession} (one I_T nexus and its reconnects),
 * {@link dev.mpath.scsi.host.ScsiPath} (one LU through one nexus, with its ALUA handler),
 * {@link dev.mpath.scsi.host.ScsiClassifier} (response to disposition),
 * {@link dev.mpath.scsi.host.LuIdentity} (the frozen WWID choice), and the transport SPI
 * {@link dev.mpath.scsi.host.ScsiTransport}.
 */
package dev.mpath.scsi.host;
