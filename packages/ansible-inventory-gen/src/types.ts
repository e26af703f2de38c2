/** Inventory group of a model role: Ansible group names cannot contain '-'. */
export type InventoryGroup = 'control_plane' | 'workers';

/** Variables of one inventory host. */
export interface HostVars {
  /** Address Ansible connects to. */
  readonly ansible_host: string;
  /** The node's own IP in the cluster network (kubelet `--node-ip`, netplan address). */
  readonly node_ip: string;
  /** Name of the node's hardware profile (its facts: `hardware_profiles` in group_vars/workers.yml). */
  readonly hardware_profile: string;
  /** netplan `match` of the one port that carries node_ip: `{name}` (a name or pattern) or `{macaddress}`. */
  readonly node_port_match: { readonly name: string } | { readonly macaddress: string };
  /** SSH options, e.g. the Cloudflare Access ProxyCommand of the control plane. */
  readonly ansible_ssh_common_args?: string;
}

/** `hosts.yml`: the YAML inventory document. */
export interface InventoryDocument {
  readonly all: {
    /** Connection settings shared by every host (not passed to Packer builds). */
    readonly vars: { readonly ansible_user: string };
    readonly children: Readonly<Record<InventoryGroup, { readonly hosts: Readonly<Record<string, HostVars>> }>>;
  };
}

/** Cluster facts both groups share. */
export interface ClusterFacts {
  readonly cluster_name: string;
  /** Kubernetes minor series, e.g. "1.32" (selects the pkgs.k8s.io repository). */
  readonly kubernetes_version: string;
  readonly kubernetes_kubeadm_version: string;
  readonly kubernetes_kubelet_version: string;
  readonly kubernetes_kubectl_version: string;
  /** CRI-O minor series, e.g. "1.36" (selects the CRI-O repository). */
  readonly crio_version: string;
  /** Pinned CRI-O Debian package version, e.g. "1.36.1-1.1". */
  readonly crio_package_version: string;
  readonly kubernetes_cluster_domain: string;
  readonly kubernetes_cluster_dns: string;
  readonly kubernetes_control_plane_vip: string;
  readonly kubernetes_api_server_port: number;
  readonly admin_user: string;
}

/** Facts a worker needs to configure itself (network, who may log in). */
export interface WorkerFacts extends ClusterFacts {
  readonly network_prefix_length: number;
  readonly network_gateway: string;
  readonly network_dns_servers: readonly string[];
  readonly admin_github_keys_user: string;
  /** The hardware profiles of the workers the image pipeline builds, by name. */
  readonly hardware_profiles: Readonly<Record<string, HardwareFacts>>;
  /** Labels and taints under this prefix belong to the model (the reconcile step removes those it dropped). */
  readonly node_label_owned_prefix: string;
  /** Every worker by name: what it registers with and the directories its workloads mount. */
  readonly worker_nodes: Readonly<Record<string, WorkerNodeFacts>>;
}

/** One worker's registration (labels, taints; its profile's merged with its own) and host directories. */
export interface WorkerNodeFacts {
  readonly labels: Readonly<Record<string, string>>;
  /** Taints as the kubelet's registerWithTaints takes them; `value` is "" for a taint without one. */
  readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: string }[];
  readonly host_directories: readonly {
    readonly path: string;
    readonly owner: string;
    readonly group: string;
    readonly mode: string;
  }[];
}

/** What a kind of machine needs, as the hardware_support role reads it. */
export interface HardwareFacts {
  readonly description: string;
  readonly wired_ports: number;
  readonly kernel_flavour: string;
  readonly kernel_modules: readonly string[];
  readonly firmware_packages: readonly string[];
  readonly firmware_files: readonly string[];
  readonly microcode_packages: readonly string[];
  readonly extra_packages: readonly string[];
  /** The APT repository of the extras; absent: Ubuntu's archive. */
  readonly extra_apt_source?: {
    readonly name: string;
    readonly uri: string;
    readonly suite: string;
    readonly components: readonly string[];
    readonly key_url: string;
    readonly key_fingerprint: string;
  };
}

/** Repository path → YAML document (serialized by the projen component). */
export type InventoryFiles = Readonly<Record<string, InventoryDocument | ClusterFacts | WorkerFacts>>;
