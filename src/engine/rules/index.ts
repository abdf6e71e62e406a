import type { Rule } from '../rule';
// Each owner appends to its own block; keep one import per rule module.
// -- Dockerfile rules
import maintainerDeprecated from './maintainer-deprecated';
import userRoot from './user-root';
import healthcheckMissing from './healthcheck-missing';
import imageUnpinned from './image-unpinned';
import secretInEnv from './secret-in-env';
import sshPort from './ssh-port';
import instructionRepeated from './instruction-repeated';
import verificationDisabled from './verification-disabled';
import sudoInRun from './sudo-in-run';
import addInsteadOfCopy from './add-instead-of-copy';
import addRemoteUrl from './add-remote-url';
import updateAlone from './update-alone';
import packageUpgrade from './package-upgrade';
import aptMissingYes from './apt-missing-yes';
import aptNoInstallRecommends from './apt-no-install-recommends';
import aptListsNotCleaned from './apt-lists-not-cleaned';
import aptInsteadOfAptGet from './apt-instead-of-apt-get';
import workdirRelative from './workdir-relative';
import shellFormCommand from './shell-form-command';
import pipefailMissing from './pipefail-missing';
import suidChmod from './suid-chmod';
import curlPipeShell from './curl-pipe-shell';
import apkCacheKept from './apk-cache-kept';
// -- Runtime rules (compose services and containers)
import privileged from './privileged';
import capAdd from './cap-add';
import capDropAll from './cap-drop-all';
import noNewPrivileges from './no-new-privileges';
import securityUnconfined from './security-unconfined';
import readOnlyRootfs from './read-only-rootfs';
import hostNetwork from './host-network';
import hostNamespace from './host-namespace';
import dockerSocket from './docker-socket';
import sensitiveMount from './sensitive-mount';
import mountPropagation from './mount-propagation';
import hostDevices from './host-devices';
import resourceLimits from './resource-limits';
import restartPolicy from './restart-policy';
import portAllInterfaces from './port-all-interfaces';
import portPrivileged from './port-privileged';
import defaultBridge from './default-bridge';
import loggingDisabled from './logging-disabled';
import tmpfsExec from './tmpfs-exec';
import cgroupParent from './cgroup-parent';
import ulimits from './ulimits';
import seccompProfileInvalid from './seccomp-profile-invalid';
// -- Image rules
import setuidFile from './setuid-file';
import secretFile from './secret-file';
import secretInHistory from './secret-in-history';
import worldWritable from './world-writable';
import accountEmptyPassword from './account-empty-password';
import accountDuplicateId from './account-duplicate-id';
import gitDirectoryLeft from './git-directory-left';
import packageCacheLeft from './package-cache-left';
import sudoInstalled from './sudo-installed';
// -- Coverage rules (issue 16)
import pipCacheKept from './pip-cache-kept';
import rpmMissingYes from './rpm-missing-yes';
import copyFromStage from './copy-from-stage';
import stageNameDuplicate from './stage-name-duplicate';
import sysctlWeakening from './sysctl-weakening';
// -- Dockerfile: image contents, RUN hygiene, pinning
import accountFileWritable from './account-file-writable';
import buildToolsLeft from './build-tools-left';
import curlAndWget from './curl-and-wget';
import cdInRun from './cd-in-run';
import packageUnpinned from './package-unpinned';
import sourceUnpinned from './source-unpinned';
// -- Compose: host sockets, committed env files
import hostSocket from './host-socket';
import envFileCommitted from './env-file-committed';

export const ALL_RULES: readonly Rule[] = [
  // -- Dockerfile rules
  maintainerDeprecated,
  userRoot,
  healthcheckMissing,
  imageUnpinned,
  secretInEnv,
  sshPort,
  instructionRepeated,
  verificationDisabled,
  sudoInRun,
  addInsteadOfCopy,
  addRemoteUrl,
  updateAlone,
  packageUpgrade,
  aptMissingYes,
  aptNoInstallRecommends,
  aptListsNotCleaned,
  aptInsteadOfAptGet,
  workdirRelative,
  shellFormCommand,
  pipefailMissing,
  suidChmod,
  curlPipeShell,
  apkCacheKept,
  // -- Runtime rules (compose services and containers)
  privileged,
  capAdd,
  capDropAll,
  noNewPrivileges,
  securityUnconfined,
  readOnlyRootfs,
  hostNetwork,
  hostNamespace,
  dockerSocket,
  sensitiveMount,
  mountPropagation,
  hostDevices,
  resourceLimits,
  restartPolicy,
  portAllInterfaces,
  portPrivileged,
  defaultBridge,
  loggingDisabled,
  tmpfsExec,
  cgroupParent,
  ulimits,
  seccompProfileInvalid,
  // -- Image rules
  setuidFile,
  secretFile,
  secretInHistory,
  worldWritable,
  accountEmptyPassword,
  accountDuplicateId,
  gitDirectoryLeft,
  packageCacheLeft,
  sudoInstalled,
  // -- Coverage rules (issue 16)
  pipCacheKept,
  rpmMissingYes,
  copyFromStage,
  stageNameDuplicate,
  sysctlWeakening,
  // -- Dockerfile: image contents, RUN hygiene, pinning
  accountFileWritable,
  buildToolsLeft,
  curlAndWget,
  cdInRun,
  packageUnpinned,
  sourceUnpinned,
  // -- Compose: host sockets, committed env files
  hostSocket,
  envFileCommitted,
];
