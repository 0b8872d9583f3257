package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.ActiveNamespaceList;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.ControllerList;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.IdentifyNamespace;
import dev.mpath.nvme.proto.NamespaceIdDescriptor;
import dev.mpath.nvme.proto.NamespaceIdDescriptorList;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * The Identify command (NVMe base 2.0, 5.17) for one controller: the Identify Controller and
 * Identify Namespace data structures, the Active Namespace ID list, the Namespace
 * Identification Descriptor list and the controller lists, built from the subsystem's
 * configuration and the namespaces attached to the controller.
 *
 * <p>Thread-safety: holds no mutable state; runs on the controller's executor (the attached
 * map it is given is an immutable snapshot).
 */
final class IdentifyHandler {
  private static final int DNR = NvmeStatus.DNR_BIT;

  private final NvmeSubsystem subsystem;
  private final int cntlid;

  IdentifyHandler(NvmeSubsystem subsystem, int cntlid) {
    this.subsystem = subsystem;
    this.cntlid = cntlid;
  }

  int identify(SubmissionQueueEntry cmd, NavigableMap<Integer, Namespace> attached,
      ByteBuffer data) {
    int cns = IdentifyCommand.cns(cmd);
    int nsid = cmd.nsid();
    byte[] out;
    switch (cns) {
      case IdentifyCommand.CNS_NAMESPACE: {
        if (nsid == 0 || (nsid != SubmissionQueueEntry.NSID_ALL
            && Integer.compareUnsigned(nsid, subsystem.nn) > 0)) {
          return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.field() | DNR;
        }
        Namespace ns = attached.get(nsid);
        out = ns == null ? new byte[IdentifyCommand.DATA_LENGTH] : identifyNamespace(ns);
        break;
      }
      case IdentifyCommand.CNS_CONTROLLER:
        out = identifyController();
        break;
      case IdentifyCommand.CNS_ACTIVE_NAMESPACE_LIST: {
        if (nsid == SubmissionQueueEntry.NSID_ALL || nsid == 0xFFFF_FFFE) {
          return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.field() | DNR;
        }
        List<Integer> ids = new ArrayList<>();
        for (int id : attached.tailMap(nsid, false).keySet()) {
          if (ids.size() == ActiveNamespaceList.MAX_ENTRIES) {
            break;
          }
          ids.add(id);
        }
        out = new ActiveNamespaceList(ids).toBytes();
        break;
      }
      case IdentifyCommand.CNS_NAMESPACE_ID_DESCRIPTORS: {
        Namespace ns = attached.get(nsid);
        if (ns == null) {
          return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.field() | DNR;
        }
        List<NamespaceIdDescriptor> ds = new ArrayList<>(4);
        if (ns.hasEui64) {
          ds.add(NamespaceIdDescriptor.eui64(ns.eui64));
        }
        if (ns.hasNguid) {
          ds.add(NamespaceIdDescriptor.nguid(ns.nguid));
        }
        if (ns.uuid != null) {
          ds.add(NamespaceIdDescriptor.uuid(ns.uuid));
        }
        ds.add(NamespaceIdDescriptor.csi(IdentifyCommand.CSI_NVM));
        out = new NamespaceIdDescriptorList(ds).toBytes();
        break;
      }
      case IdentifyCommand.CNS_ATTACHED_CONTROLLER_LIST: {
        List<Integer> ids = subsystem.attachedControllerIds(nsid, IdentifyCommand.cntid(cmd));
        if (ids == null) {
          return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.field() | DNR;
        }
        out = controllerList(ids);
        break;
      }
      case IdentifyCommand.CNS_CONTROLLER_LIST:
        out = controllerList(subsystem.controllerIds(IdentifyCommand.cntid(cmd)));
        break;
      default:
        return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
    return DataTransfer.transferOut(out, 0, IdentifyCommand.DATA_LENGTH, data);
  }

  private static byte[] controllerList(List<Integer> ids) {
    List<Integer> capped = ids.size() > ControllerList.MAX_ENTRIES
        ? ids.subList(0, ControllerList.MAX_ENTRIES)
        : ids;
    return new ControllerList(capped).toBytes();
  }

  private byte[] identifyController() {
    NvmeSubsystem s = subsystem;
    IdentifyController id = IdentifyController.allocate()
        .vid(s.vendorId)
        .ssvid(s.vendorId)
        .sn(s.serial)
        .mn(s.model)
        .fr(s.firmware)
        .rab(6)
        .cmic(IdentifyController.CMIC_MULTI_PORT | IdentifyController.CMIC_MULTI_CONTROLLER
            | IdentifyController.CMIC_ANA_REPORTING)
        .mdts(s.mdts)
        .cntlid(cntlid)
        .ver(TargetController.VERSION)
        .oaes(IdentifyController.OAES_NAMESPACE_ATTRIBUTE_NOTICES
            | IdentifyController.OAES_ANA_CHANGE_NOTICES)
        .ctratt(IdentifyController.CTRATT_HOST_ID_128 | IdentifyController.CTRATT_TBKAS)
        .cntrltype(IdentifyController.CNTRLTYPE_IO)
        .oacs(IdentifyController.OACS_NAMESPACE_MANAGEMENT)
        .acl(3)
        .aerl(TargetController.AERL)
        .lpa(IdentifyController.LPA_EXTENDED_DATA)
        .kas(1)
        .anatt(s.anatt)
        .anacap(IdentifyController.ANACAP_OPTIMIZED | IdentifyController.ANACAP_NON_OPTIMIZED
            | IdentifyController.ANACAP_INACCESSIBLE | IdentifyController.ANACAP_PERSISTENT_LOSS
            | IdentifyController.ANACAP_CHANGE | IdentifyController.ANACAP_GRPID_STATIC)
        .anagrpmax(s.anaGroupMax)
        .nanagrpid(s.anaGroupCount())
        .sqes(0x66)
        .cqes(0x44)
        .maxcmd(Math.min(0xFFFF, s.maxQueueEntries))
        .nn(s.nn)
        // MNAN: at most NN namespaces may be attached at once; Linux refuses 0 with ANA
        // reporting (nvme_mpath_init_identify) and sizes the ANA log from it
        .mnan(s.nn)
        .oncs(IdentifyController.ONCS_DATASET_MANAGEMENT | IdentifyController.ONCS_WRITE_ZEROES
            | IdentifyController.ONCS_RESERVATIONS)
        .vwc(IdentifyController.VWC_PRESENT)
        .sgls(1 | (s.inCapsuleDataSize > 0 ? 1 << 20 : 0))
        .subnqn(s.nqn)
        .ioccsz((SubmissionQueueEntry.LENGTH + s.inCapsuleDataSize) / 16)
        .iorcsz(CompletionQueueEntry.LENGTH / 16)
        .msdbd(1);
    return id.toBytes();
  }

  private static byte[] identifyNamespace(Namespace ns) {
    IdentifyNamespace id = IdentifyNamespace.allocate()
        .nsze(ns.blocks)
        .ncap(ns.blocks)
        .nuse(ns.blocks)
        .nlbaf(0)
        .flbas(0)
        .nmic(ns.shared ? IdentifyNamespace.NMIC_SHARED : 0)
        .rescap(IdentifyNamespace.RESCAP_PTPL | IdentifyNamespace.RESCAP_WRITE_EXCLUSIVE
            | IdentifyNamespace.RESCAP_EXCLUSIVE_ACCESS
            | IdentifyNamespace.RESCAP_WRITE_EXCLUSIVE_REGISTRANTS_ONLY
            | IdentifyNamespace.RESCAP_EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
            | IdentifyNamespace.RESCAP_WRITE_EXCLUSIVE_ALL_REGISTRANTS
            | IdentifyNamespace.RESCAP_EXCLUSIVE_ACCESS_ALL_REGISTRANTS
            | IdentifyNamespace.RESCAP_IEKEY)
        .dlfeat(0x09) // deallocated blocks read as zeros; Write Zeroes honours DEAC
        .anagrpid(ns.anaGroup)
        .nguid(ns.nguid)
        .eui64(ns.eui64)
        .lbaf(0, 0, ns.blockShift, 0);
    return id.toBytes();
  }
}
