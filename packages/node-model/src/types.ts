/**
 * The typed model of the lolice cluster: the single source of truth that every
 * generator in this monorepo renders from.
 */

/** Role of a node in the Kubernetes cluster. */
export type NodeRole = 'control-plane' | 'worker';

/** CPU architecture, spelled as the Linux kernel (uname -m) spells it. */
export type Architecture = 'arm64' | 'x86_64';

/** Hardware family of a node; decides which image pipeline (if any) builds it. */
export type Hardware = 'orange_pi_zero3' | 'intel_x86_64';

export interface ClusterNode {
  /** Hostname and Kubernetes node name (RFC 1123 label). */
  readonly name: string;
  /** Static IPv4 address inside `network.subnet`. */
  readonly ip: string;
  readonly role: NodeRole;
  readonly arch: Architecture;
  readonly hardware: Hardware;
  /** Human description of the machine, e.g. "Intel N100". */
  readonly cpu?: string;
  /** SSH ProxyCommand used to reach the node (control plane behind Cloudflare Access). */
  readonly sshProxyCommand?: string;
}

export interface KubernetesVersions {
  /** Kubernetes minor series, e.g. "1.32"; selects the pkgs.k8s.io repository. */
  readonly minor: string;
  /** Debian package versions from pkgs.k8s.io, e.g. "1.32.0-1.1". */
  readonly kubeadm: string;
  readonly kubelet: string;
  readonly kubectl: string;
  /** CRI-O minor series, e.g. "1.32"; must equal the Kubernetes minor. */
  readonly crio: string;
}

export interface KubernetesSettings {
  readonly versions: KubernetesVersions;
  readonly clusterDomain: string;
  /** IP of the cluster DNS service (kubelet `clusterDNS`). */
  readonly clusterDns: string;
  /** Virtual IP in front of the control plane (kubeadm controlPlaneEndpoint). */
  readonly controlPlaneVip: string;
  /** API server port behind the VIP. */
  readonly apiServerPort: number;
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
  readonly nodes: readonly ClusterNode[];
}
