import type { Cluster } from './types';

/** The control plane sits behind Cloudflare Access; SSH goes through its tunnel. */
const viaCloudflareAccess = 'cloudflared access ssh --hostname %h';

/**
 * The lolice cluster. This is the one file an operator edits: adding a worker
 * is one more entry in `nodes`, a new kind of machine one more entry in
 * `hardware`, then `npx projen`.
 */
export const lolice: Cluster = {
  name: 'lolice',
  kubernetes: {
    versions: {
      minor: '1.36',
      kubeadm: '1.36.1-1.1',
      kubelet: '1.36.1-1.1',
      kubectl: '1.36.1-1.1',
      crio: '1.36.1-1.1',
    },
    clusterDomain: 'cluster.local',
    clusterDns: '10.96.0.10',
    controlPlaneVip: '192.168.10.99',
    apiServerPort: 6443,
    // boxp/lolice selects and tolerates its nodes by labels under lolice.io/.
    ownedLabelPrefix: 'lolice.io/',
  },
  network: {
    subnet: '192.168.10.0/24',
    gateway: '192.168.10.1',
    dnsServers: ['8.8.8.8', '8.8.4.4'],
  },
  admin: {
    user: 'boxp',
    githubKeysUser: 'boxp',
  },
  image: {
    ubuntuRelease: '24.04.3',
    isoUrl: 'https://old-releases.ubuntu.com/releases/24.04.3/ubuntu-24.04.3-live-server-amd64.iso',
    // old-releases is the only official home of a superseded point release; USTC mirrors it.
    isoMirrorUrls: [
      'https://mirrors.ustc.edu.cn/ubuntu-old-releases/releases/24.04.3/ubuntu-24.04.3-live-server-amd64.iso',
    ],
    isoSha256: 'c3514bf0056180d09376462a7a1b4f213c1d6e8ea67fae5c25099c6fd3d8274b',
    diskSizeGiB: 16,
  },
  aws: {
    accountId: '839695154978',
    region: 'ap-northeast-1',
    bucket: 'arch-worker-images',
    imagePrefix: 'images/x86_64',
    roleName: 'GitHubActions_WorkerNode_Build',
    repository: 'boxp/arch',
    branch: 'main',
  },
  hardware: {
    orange_pi_zero3: {
      description: 'Orange Pi Zero 3, Armbian (described here, built elsewhere)',
      arch: 'arm64',
      wiredPorts: 1,
      defaultPortPattern: 'end*',
    },
    intel_mini_pc: {
      description: 'Intel N100 or Core i5 mini PC, one wired port',
      arch: 'x86_64',
      wiredPorts: 1,
      defaultPortPattern: 'en*',
      kernel: { flavour: 'generic', modules: [] },
      firmware: { packages: ['linux-firmware'], files: [] },
      microcode: ['intel-microcode'],
    },
    gmktec_evo_t1: {
      description: 'GMKtec EVO-T1: Intel Core Ultra, Arc 140T iGPU, two Realtek RTL8125 2.5 GbE ports',
      arch: 'x86_64',
      wiredPorts: 2,
      kernel: { flavour: 'generic', modules: ['r8169'] },
      firmware: { packages: ['linux-firmware'], files: ['rtl_nic/rtl8125b-2.fw'] },
      microcode: ['intel-microcode'],
      extras: {
        purpose: 'Arc 140T compute and media runtime (OpenCL, Level Zero, VA-API) and its tools',
        packages: ['intel-opencl-icd', 'libze1', 'libze-intel-gpu1', 'intel-gpu-tools', 'clinfo', 'vainfo'],
        aptSource: {
          name: 'intel-graphics',
          uri: 'https://ppa.launchpadcontent.net/kobuk-team/intel-graphics/ubuntu',
          suite: 'noble',
          components: ['main'],
          keyUrl: 'https://keyserver.ubuntu.com/pks/lookup?op=get&search=0x0C0E6AF955CE463C03FC51574D098D70AFBE5E1F',
          keyFingerprint: '0C0E6AF955CE463C03FC51574D098D70AFBE5E1F',
        },
      },
    },
  },
  nodes: [
    {
      name: 'shanghai-1',
      ip: '192.168.10.102',
      role: 'control-plane',
      hardware: 'orange_pi_zero3',
      sshProxyCommand: viaCloudflareAccess,
    },
    {
      name: 'shanghai-2',
      ip: '192.168.10.103',
      role: 'control-plane',
      hardware: 'orange_pi_zero3',
      sshProxyCommand: viaCloudflareAccess,
    },
    {
      name: 'shanghai-3',
      ip: '192.168.10.104',
      role: 'control-plane',
      hardware: 'orange_pi_zero3',
      sshProxyCommand: viaCloudflareAccess,
    },
    { name: 'golyat-1', ip: '192.168.10.101', role: 'worker', hardware: 'intel_mini_pc', cpu: 'Intel N100' },
    { name: 'golyat-2', ip: '192.168.10.105', role: 'worker', hardware: 'intel_mini_pc', cpu: 'Intel Core i5' },
    { name: 'golyat-3', ip: '192.168.10.106', role: 'worker', hardware: 'intel_mini_pc', cpu: 'Intel N100' },
    {
      name: 'golyat-4',
      ip: '192.168.10.107',
      role: 'worker',
      hardware: 'gmktec_evo_t1',
      port: { name: 'enp44s0' },
      cpu: 'Intel Core Ultra',
      // boxp/lolice: the GPU workloads and the GitHub runner scale set select this label.
      // Its NoSchedule taint of July 2026 was meant to be removed; the repository cannot tell
      // whether it still exists, so the model leaves it out (docs/parity.md).
      labels: { 'lolice.io/gpu-worker': 'true' },
      // local-llm mounts its models from here (hostPath, type: Directory): the pod does not start without it.
      hostDirectories: [{ path: '/var/lib/local-llm/models', owner: 'root', group: 'root', mode: '0755' }],
    },
  ],
};
