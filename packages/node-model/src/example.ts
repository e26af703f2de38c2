import type { Cluster } from './types';

/**
 * A small, valid, fictional cluster for tests and examples: other names, addresses,
 * versions and hardware than the production model, so that a test built on it
 * cannot pass by repeating production values.
 */
export const exampleCluster: Cluster = {
  name: 'example',
  kubernetes: {
    versions: {
      minor: '1.35',
      kubeadm: '1.35.2-1.1',
      kubelet: '1.35.2-1.1',
      kubectl: '1.35.2-1.1',
      crio: '1.35.0-1.1',
    },
    clusterDomain: 'cluster.example',
    serviceSubnet: '10.100.0.0/16',
    clusterDns: '10.100.0.10',
    controlPlaneVip: '10.20.30.5',
    apiServerPort: 8443,
    ownedLabelPrefix: 'example.org/',
  },
  network: { subnet: '10.20.30.0/24', gateway: '10.20.30.254', dnsServers: ['10.20.30.53'] },
  admin: { user: 'ops', githubKeysUser: 'example-ops' },
  image: {
    ubuntuRelease: '24.04.2',
    isoUrl: 'https://releases.example.org/ubuntu/24.04.2/ubuntu-24.04.2-live-server-amd64.iso',
    isoSha256: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    diskSizeGiB: 12,
  },
  aws: {
    accountId: '123456789012',
    region: 'eu-west-1',
    bucket: 'example-node-images',
    imagePrefix: 'nodes/amd64',
    roleName: 'ExampleImageBuilder',
    repository: 'example-org/homelab',
    branch: 'release',
  },
  hardware: {
    arm_board: { description: 'An arm64 board', arch: 'arm64', wiredPorts: 1, defaultPortPattern: 'eth*' },
    small_pc: {
      description: 'One-port amd64 box',
      arch: 'x86_64',
      wiredPorts: 1,
      defaultPortPattern: 'enp*',
      kernel: { flavour: 'generic', modules: ['e1000e'] },
      firmware: { packages: ['linux-firmware'], files: [] },
      microcode: ['amd64-microcode'],
    },
    dual_nic_pc: {
      description: 'Two-port amd64 box with a GPU',
      arch: 'x86_64',
      wiredPorts: 2,
      kernel: { flavour: 'generic', modules: ['igc'] },
      firmware: { packages: ['linux-firmware'], files: ['intel/ibt-0040-0041.sfi'] },
      microcode: ['intel-microcode'],
      extras: { purpose: 'GPU tools', packages: ['clinfo'] },
      labels: { 'example.org/gpu': 'true', 'node.kubernetes.io/instance-type': 'dual-nic' },
      taints: [{ key: 'example.org/gpu', value: 'true', effect: 'NoSchedule' }],
    },
  },
  nodes: [
    {
      name: 'cp-a',
      ip: '10.20.30.11',
      role: 'control-plane',
      hardware: 'arm_board',
      sshProxyCommand: 'ssh -W %h:%p bastion',
    },
    { name: 'node-x', ip: '10.20.30.21', role: 'worker', hardware: 'small_pc', cpu: 'Example CPU' },
    { name: 'node-y', ip: '10.20.30.22', role: 'worker', hardware: 'dual_nic_pc', port: { mac: '02:00:00:00:00:22' } },
    {
      name: 'node-z',
      ip: '10.20.30.23',
      role: 'worker',
      hardware: 'dual_nic_pc',
      port: { name: 'enp2s0' },
      labels: { 'example.org/gpu': 'shared', 'topology.kubernetes.io/zone': 'rack-2' },
      taints: [],
      hostDirectories: [{ path: '/var/lib/models/cache', owner: 'root', group: 'root', mode: '0750' }],
    },
  ],
};
