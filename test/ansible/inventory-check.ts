import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import {
  IMAGE_ARCH,
  INVENTORY_GROUP_OF_ROLE,
  prefixLength,
  type Cluster,
  type ClusterNode,
  type HardwareProfile,
} from '@lolice/node-model';

/** What `ansible-inventory --list` prints (the parts this check reads). */
export interface InventoryList {
  readonly _meta: { readonly hostvars: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  readonly [group: string]: unknown;
}

/** Runs the real `ansible-inventory --list` on an inventory file. */
export function ansibleInventoryList(inventory: string): InventoryList {
  return JSON.parse(
    execFileSync('ansible-inventory', ['-i', inventory, '--list'], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_INVENTORY_ENABLED: 'yaml' },
    }),
  );
}

/** A profile of a machine the image pipeline builds, as group_vars/workers.yml spells it. */
function profileFacts(p: HardwareProfile): Record<string, unknown> {
  const source = p.extras?.aptSource;
  return {
    description: p.description,
    wired_ports: p.wiredPorts,
    kernel_flavour: p.kernel?.flavour,
    kernel_modules: p.kernel?.modules,
    firmware_packages: p.firmware?.packages ?? [],
    firmware_files: p.firmware?.files ?? [],
    microcode_packages: p.microcode ?? [],
    extra_packages: p.extras?.packages ?? [],
    ...(source
      ? {
          extra_apt_source: {
            name: source.name,
            uri: source.uri,
            suite: source.suite,
            components: source.components,
            key_url: source.keyUrl,
            key_fingerprint: source.keyFingerprint,
          },
        }
      : {}),
  };
}

/**
 * Every variable a node must have, spelled out from the model here (not taken
 * from the generator) so that a generator mistake shows up as a difference.
 */
export function expectedHostVars(c: Cluster, node: ClusterNode): Record<string, unknown> {
  const k = c.kubernetes;
  const common = {
    ansible_user: c.admin.user,
    ansible_host: node.ip,
    node_ip: node.ip,
    cluster_name: c.name,
    kubernetes_version: k.versions.minor,
    kubernetes_kubeadm_version: k.versions.kubeadm,
    kubernetes_kubelet_version: k.versions.kubelet,
    kubernetes_kubectl_version: k.versions.kubectl,
    crio_version: k.versions.crio.split('.').slice(0, 2).join('.'),
    crio_package_version: k.versions.crio,
    kubernetes_cluster_domain: k.clusterDomain,
    kubernetes_cluster_dns: k.clusterDns,
    kubernetes_control_plane_vip: k.controlPlaneVip,
    kubernetes_api_server_port: k.apiServerPort,
    admin_user: c.admin.user,
    hardware_profile: node.hardware,
    node_port_match: node.port?.mac
      ? { macaddress: node.port.mac }
      : { name: node.port?.name ?? c.hardware[node.hardware].defaultPortPattern },
  };
  const built = [
    ...new Set(
      c.nodes.filter((n) => n.role === 'worker' && c.hardware[n.hardware].arch === IMAGE_ARCH).map((n) => n.hardware),
    ),
  ];
  const proxy = node.sshProxyCommand ? { ansible_ssh_common_args: `-o ProxyCommand="${node.sshProxyCommand}"` } : {};
  if (node.role === 'control-plane') return { ...common, ...proxy };
  return {
    ...common,
    ...proxy,
    network_prefix_length: prefixLength(c),
    network_gateway: c.network.gateway,
    network_dns_servers: [...c.network.dnsServers],
    admin_github_keys_user: c.admin.githubKeysUser,
    hardware_profiles: Object.fromEntries(built.map((p) => [p, profileFacts(c.hardware[p])])),
    node_label_owned_prefix: c.kubernetes.ownedLabelPrefix,
    worker_nodes: Object.fromEntries(
      c.nodes.filter((n) => n.role === 'worker').map((n) => [n.name, registration(c, n)]),
    ),
  };
}

/** A worker's labels (profile's, then its own), taints (its own, else the profile's) and host directories. */
function registration(c: Cluster, n: ClusterNode): Record<string, unknown> {
  const p = c.hardware[n.hardware];
  return {
    labels: { ...p.labels, ...n.labels },
    taints: (n.taints ?? p.taints ?? []).map((t) => ({ key: t.key, value: t.value ?? '', effect: t.effect })),
    host_directories: n.hostDirectories ?? [],
  };
}

const GROUPS = INVENTORY_GROUP_OF_ROLE;

const hostsOf = (list: InventoryList, group: string): string[] =>
  ((list[group] as { hosts?: string[] } | undefined)?.hosts ?? []).slice().sort();

/** Differences between what ansible-inventory shows and the model; empty when they agree exactly. */
export function inventoryMismatches(c: Cluster, list: InventoryList): string[] {
  const problems: string[] = [];
  const shown = Object.keys(list._meta.hostvars).sort();
  const modelled = c.nodes.map((n) => n.name).sort();
  if (!isDeepStrictEqual(shown, modelled)) {
    problems.push(`hosts: inventory has [${shown.join(', ')}], model has [${modelled.join(', ')}]`);
  }
  for (const [role, group] of Object.entries(GROUPS)) {
    const want = c.nodes
      .filter((n) => n.role === role)
      .map((n) => n.name)
      .sort();
    const got = hostsOf(list, group);
    if (!isDeepStrictEqual(got, want)) {
      problems.push(`group ${group}: inventory has [${got.join(', ')}], model has [${want.join(', ')}]`);
    }
  }
  for (const node of c.nodes) {
    const got = list._meta.hostvars[node.name];
    if (!got) continue;
    const want = expectedHostVars(c, node);
    for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
      if (!isDeepStrictEqual(got[key], want[key])) {
        problems.push(
          `${node.name}.${key}: inventory has ${JSON.stringify(got[key])}, model gives ${JSON.stringify(want[key])}`,
        );
      }
    }
  }
  return problems;
}
