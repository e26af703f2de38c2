/**
 * The typed model of the lolice cluster: the single source of truth that every
 * generator in this monorepo renders from.
 */

/** Role of a node in the Kubernetes cluster. */
export type NodeRole = 'control-plane' | 'worker';

/** CPU architecture, spelled as the Linux kernel (uname -m) spells it. */
export type Architecture = 'arm64' | 'x86_64';

/**
 * The wired port that carries a node's static address: the kernel's interface name
 * (e.g. `enp44s0`) or the port's MAC address. Exactly one of the two.
 */
export type PortSelector =
  { readonly name: string; readonly mac?: never } | { readonly mac: string; readonly name?: never };

/**
 * Packages from an APT repository other than Ubuntu's archive, signed by one key.
 * The key is fetched from `keyUrl` and must have the fingerprint `keyFingerprint`.
 */
export interface AptSource {
  /** File name of the source under /etc/apt/sources.list.d and of its keyring. */
  readonly name: string;
  readonly uri: string;
  readonly suite: string;
  readonly components: readonly string[];
  readonly keyUrl: string;
  /** OpenPGP fingerprint of the signing key: 40 uppercase hexadecimal digits. */
  readonly keyFingerprint: string;
}

/** What a taint does to pods that do not tolerate it: Kubernetes' three effects. */
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A node taint, as the kubelet's `registerWithTaints` and `kubectl taint` take it. */
export interface NodeTaint {
  /** A qualified name, as a label key: `lolice.io/gpu-worker`. */
  readonly key: string;
  /** Label-value syntax; absent or empty: a taint without a value. */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/**
 * Node labels (key → value) with Kubernetes' syntax: a key is a qualified name
 * (`[<DNS subdomain>/]<name>`), a value at most 63 characters of the name alphabet, or empty.
 */
export type NodeLabels = Readonly<Record<string, string>>;

/** A directory a workload on the node mounts (a `hostPath`), made on the image and at every converge. */
export interface HostDirectory {
  /** Absolute path under /var/lib/, without `.` or `..` segments, e.g. `/var/lib/local-llm/models`. */
  readonly path: string;
  /** Owner and group: account names (`root`). */
  readonly owner: string;
  readonly group: string;
  /** Permission bits in octal, four digits: `0755`. */
  readonly mode: string;
}

/** Optional software a kind of machine needs beyond the base image (e.g. a GPU runtime). */
export interface HardwareExtras {
  /** What the extras are for, one line. */
  readonly purpose: string;
  readonly packages: readonly string[];
  /** Where the packages come from: Ubuntu's archive when absent. */
  readonly aptSource?: AptSource;
}

/**
 * A hardware profile: what one kind of machine needs. Nodes name their profile in
 * `hardware`; a new kind of machine is one more entry in `Cluster.hardware`.
 */
export interface HardwareProfile {
  /** The machine, one line, e.g. "GMKtec EVO-T1 (Intel Core Ultra, Arc 140T)". */
  readonly description: string;
  readonly arch: Architecture;
  /** Number of wired Ethernet ports. More than one: every node must choose its `port`. */
  readonly wiredPorts: number;
  /**
   * The port of a one-port machine when the node does not choose one, as a netplan
   * interface-name pattern (e.g. `en*`). Only allowed when `wiredPorts` is 1.
   */
  readonly defaultPortPattern?: string;
  /**
   * The kernel and what it must carry. Absent for machines this project does not build
   * (the Armbian control plane).
   */
  readonly kernel?: {
    /** Ubuntu kernel flavour: `linux-<flavour>` and `linux-modules-extra-<version>-<flavour>` are installed. */
    readonly flavour: string;
    /** Modules the installed kernel must provide (`modinfo` checks them at build time). */
    readonly modules: readonly string[];
  };
  /** Firmware packages and the files under /lib/firmware the machine needs from them. */
  readonly firmware?: { readonly packages: readonly string[]; readonly files: readonly string[] };
  /** CPU microcode packages, e.g. `intel-microcode`. */
  readonly microcode?: readonly string[];
  readonly extras?: HardwareExtras;
  /** Labels every node of this profile registers with (a node's own `labels` add to them, key by key). */
  readonly labels?: NodeLabels;
  /** Taints every node of this profile registers with (a node's own `taints` replace them). */
  readonly taints?: readonly NodeTaint[];
}

export interface ClusterNode {
  /** Hostname and Kubernetes node name (RFC 1123 label). */
  readonly name: string;
  /** Static IPv4 address inside `network.subnet`. */
  readonly ip: string;
  readonly role: NodeRole;
  /** Name of the node's profile in `Cluster.hardware`. */
  readonly hardware: string;
  /** The port that carries `ip`; required when the profile has more than one wired port. */
  readonly port?: PortSelector;
  /** Human description of the machine, e.g. "Intel N100" (plain text, one line). */
  readonly cpu?: string;
  /** SSH ProxyCommand used to reach the node (control plane behind Cloudflare Access). */
  readonly sshProxyCommand?: string;
  /** Labels of this node, on top of its profile's (same key: this value wins). */
  readonly labels?: NodeLabels;
  /** Taints of this node; when present they replace the profile's (`[]`: none). */
  readonly taints?: readonly NodeTaint[];
  /** Directories this node's workloads mount from its disk. */
  readonly hostDirectories?: readonly HostDirectory[];
}

export interface KubernetesVersions {
  /** Kubernetes minor series, e.g. "1.36"; selects the pkgs.k8s.io repository. */
  readonly minor: string;
  /** Debian package versions from pkgs.k8s.io, e.g. "1.36.1-1.1". */
  readonly kubeadm: string;
  readonly kubelet: string;
  readonly kubectl: string;
  /**
   * CRI-O Debian package version from CRI-O's repository, e.g. "1.36.1-1.1"; its minor
   * series (which selects that repository) must equal the Kubernetes minor.
   */
  readonly crio: string;
}

export interface KubernetesSettings {
  readonly versions: KubernetesVersions;
  /** DNS domain of the cluster's Services, e.g. "cluster.local" (at most 253 characters). */
  readonly clusterDomain: string;
  /**
   * The Services' virtual IP range in CIDR form (kubeadm's `networking.serviceSubnet`), apart
   * from `network.subnet`. Absent: kubeadm's default, `10.96.0.0/12` (DEFAULT_SERVICE_SUBNET).
   */
  readonly serviceSubnet?: string;
  /** IP of the cluster DNS service (kubelet `clusterDNS`), inside the service subnet. */
  readonly clusterDns: string;
  /** Virtual IP in front of the control plane (kubeadm controlPlaneEndpoint). */
  readonly controlPlaneVip: string;
  /** API server port behind the VIP. */
  readonly apiServerPort: number;
  /**
   * The label prefix this model owns, a DNS subdomain and '/', e.g. `lolice.io/`. On a joined
   * node, a label or taint under it that the model no longer lists is removed; labels and
   * taints under other prefixes (the kubelet's, controllers', set by hand) are left alone.
   */
  readonly ownedLabelPrefix: string;
}

export interface NetworkSettings {
  /** IPv4 subnet in CIDR form, e.g. "192.168.10.0/24". */
  readonly subnet: string;
  readonly gateway: string;
  readonly dnsServers: readonly string[];
}

export interface AdminSettings {
  /** Login of the admin account created on every worker. */
  readonly user: string;
  /** GitHub user whose public keys (https://github.com/<user>.keys) are authorized. */
  readonly githubKeysUser: string;
}

export interface ImageSettings {
  /** Ubuntu release the worker image is installed from, e.g. "24.04.3". */
  readonly ubuntuRelease: string;
  /** URL of the Ubuntu Server live-server ISO. */
  readonly isoUrl: string;
  /**
   * Mirrors of the same ISO, tried in order when `isoUrl` fails (Packer's `iso_urls`; the
   * sha256 below pins every copy).
   */
  readonly isoMirrorUrls?: readonly string[];
  /** Published sha256 of that ISO (64 lowercase hex digits). */
  readonly isoSha256: string;
  /** Size of the built raw disk image in GiB; the root partition grows on first boot. */
  readonly diskSizeGiB: number;
}

export interface AwsSettings {
  readonly accountId: string;
  readonly region: string;
  /** S3 bucket holding the built images. */
  readonly bucket: string;
  /** Key prefix under which images are stored, e.g. "images/x86_64". */
  readonly imagePrefix: string;
  /** IAM role the image workflow assumes through GitHub OIDC. */
  readonly roleName: string;
  /** GitHub repository ("owner/name") allowed to assume the role. */
  readonly repository: string;
  /** Branch of that repository allowed to assume the role. */
  readonly branch: string;
}

export interface Cluster {
  readonly name: string;
  readonly kubernetes: KubernetesSettings;
  readonly network: NetworkSettings;
  readonly admin: AdminSettings;
  readonly image: ImageSettings;
  readonly aws: AwsSettings;
  /** Hardware profiles by name (lowercase letters, digits, '_'). */
  readonly hardware: Readonly<Record<string, HardwareProfile>>;
  readonly nodes: readonly ClusterNode[];
}
