import type { Cluster } from './types';

/** The control plane sits behind Cloudflare Access; SSH goes through its tunnel. */
const viaCloudflareAccess = 'cloudflared access ssh --hostname %h';

/**
 * The lolice cluster. This is the one file an operator edits: adding a worker
 * is one more entry in `nodes`, then `npx projen`.
 */
export const lolice: Cluster = {
  name: 'lolice',
  kubernetes: {
    versions: {
      minor: '1.32',
      kubeadm: '1.32.0-1.1',
      kubelet: '1.32.0-1.1',
      kubectl: '1.32.0-1.1',
      crio: '1.32',
    },
    clusterDomain: 'cluster.local',
    clusterDns: '10.96.0.10',
    controlPlaneVip: '192.168.10.99',
    apiServerPort: 6443,
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
    isoSha256: 'c3514bf0056180d09376462a7a1b4f213c1d6e8ea67fae5c25099c6fd3d8274b',
    diskSizeGiB: 20,
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
  nodes: [
    { name: 'shanghai-1', ip: '192.168.10.102', role: 'control-plane', arch: 'arm64', hardware: 'orange_pi_zero3', sshProxyCommand: viaCloudflareAccess },
    { name: 'shanghai-2', ip: '192.168.10.103', role: 'control-plane', arch: 'arm64', hardware: 'orange_pi_zero3', sshProxyCommand: viaCloudflareAccess },
    { name: 'shanghai-3', ip: '192.168.10.104', role: 'control-plane', arch: 'arm64', hardware: 'orange_pi_zero3', sshProxyCommand: viaCloudflareAccess },
    { name: 'golyat-1', ip: '192.168.10.101', role: 'worker', arch: 'x86_64', hardware: 'intel_x86_64', cpu: 'Intel N100' },
    { name: 'golyat-2', ip: '192.168.10.105', role: 'worker', arch: 'x86_64', hardware: 'intel_x86_64', cpu: 'Intel i5' },
    { name: 'golyat-3', ip: '192.168.10.106', role: 'worker', arch: 'x86_64', hardware: 'intel_x86_64', cpu: 'Intel N100' },
  ],
};
