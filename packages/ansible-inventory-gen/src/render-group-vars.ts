import {
  crioMinor,
  hostDirectories,
  imageWorkerNodes,
  nodeLabels,
  nodeTaints,
  prefixLength,
  workers,
  type Cluster,
  type ClusterNode,
  type HardwareProfile,
} from '@lolice/node-model';
import type { ClusterFacts, HardwareFacts, WorkerFacts, WorkerNodeFacts } from './types';

/** Facts of the cluster every node shares: versions, cluster DNS and domain, the API endpoint, the admin. */
export function renderClusterFacts(c: Cluster): ClusterFacts {
  const k = c.kubernetes;
  return {
    cluster_name: c.name,
    kubernetes_version: k.versions.minor,
    kubernetes_kubeadm_version: k.versions.kubeadm,
    kubernetes_kubelet_version: k.versions.kubelet,
    kubernetes_kubectl_version: k.versions.kubectl,
    crio_version: crioMinor(c),
    crio_package_version: k.versions.crio,
    kubernetes_cluster_domain: k.clusterDomain,
    kubernetes_cluster_dns: k.clusterDns,
    kubernetes_control_plane_vip: k.controlPlaneVip,
    kubernetes_api_server_port: k.apiServerPort,
    admin_user: c.admin.user,
  };
}

/**
 * `group_vars/workers.yml`: the cluster facts plus what a worker configures on
 * itself. Packer's build passes this file as extra vars, so it must be complete
 * without the inventory.
 */
export function renderWorkerFacts(c: Cluster): WorkerFacts {
  return {
    ...renderClusterFacts(c),
    network_prefix_length: prefixLength(c),
    network_gateway: c.network.gateway,
    network_dns_servers: [...c.network.dnsServers],
    admin_github_keys_user: c.admin.githubKeysUser,
    hardware_profiles: Object.fromEntries(
      [...new Set(imageWorkerNodes(c).map((n) => n.hardware))].map((name) => [name, hardwareFacts(c.hardware[name])]),
    ),
    node_label_owned_prefix: c.kubernetes.ownedLabelPrefix,
    worker_nodes: Object.fromEntries(workers(c).map((n) => [n.name, workerNodeFacts(c, n)])),
  };
}

/**
 * A worker's labels and taints (its profile's merged with its own: the model's rule, applied here
 * once) and host directories. In group_vars, not hosts.yml: Packer's image build reads only this file.
 */
function workerNodeFacts(c: Cluster, n: ClusterNode): WorkerNodeFacts {
  return {
    labels: Object.fromEntries(Object.entries(nodeLabels(c, n)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    taints: nodeTaints(c, n).map((t) => ({ key: t.key, value: t.value ?? '', effect: t.effect })),
    host_directories: hostDirectories(n).map((d) => ({ path: d.path, owner: d.owner, group: d.group, mode: d.mode })),
  };
}

/** A profile of a built machine (validation guarantees its kernel) as snake_case facts. */
function hardwareFacts(p: HardwareProfile): HardwareFacts {
  const source = p.extras?.aptSource;
  return {
    description: p.description,
    wired_ports: p.wiredPorts,
    kernel_flavour: p.kernel?.flavour ?? '',
    kernel_modules: [...(p.kernel?.modules ?? [])],
    firmware_packages: [...(p.firmware?.packages ?? [])],
    firmware_files: [...(p.firmware?.files ?? [])],
    microcode_packages: [...(p.microcode ?? [])],
    extra_packages: [...(p.extras?.packages ?? [])],
    ...(source
      ? {
          extra_apt_source: {
            name: source.name,
            uri: source.uri,
            suite: source.suite,
            components: [...source.components],
            key_url: source.keyUrl,
            key_fingerprint: source.keyFingerprint,
          },
        }
      : {}),
  };
}
