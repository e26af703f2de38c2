import type { JSONSchemaType } from 'ajv';
import { hostDirectoriesSchema, labelsSchema, taintsSchema } from './scheduling-schema';
import type { AptSource, Cluster, ClusterNode, HardwareProfile } from './types';

const str = (format: string) => ({ type: 'string', format }) as const;
/** A name the project writes as a plain word (YAML keys and values, host patterns): also a 'yaml-plain-word'. */
const word = (format: string) => ({ ...str(format), allOf: [{ format: 'yaml-plain-word' }] }) as const;
/** A URL: also without user information. */
const url = () => ({ ...str('https-url'), allOf: [{ format: 'url-without-userinfo' }] }) as const;
const list = (format: string, minItems = 0) =>
  ({ type: 'array', minItems, uniqueItems: true, items: word(format) }) as const;
/** A profile's packages: Debian package names, none of them DKMS (Secure Boot loads only signed modules). */
const packages = (minItems = 0) =>
  ({
    ...list('debian-package', minItems),
    items: { ...str('debian-package'), allOf: [{ format: 'yaml-plain-word' }, { format: 'no-dkms-package' }] },
  }) as const;

/** DNS caps a name at 253 characters (RFC 1035, in its dotted text form). */
const MAX_DOMAIN_LENGTH = 253;

const portSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: { name: word('interface-name'), mac: str('mac-address') },
} as const;

const nodeSchema: JSONSchemaType<ClusterNode> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'ip', 'role', 'hardware'],
  properties: {
    name: word('rfc1123-hostname'),
    ip: str('ipv4'),
    role: { type: 'string', enum: ['control-plane', 'worker'] },
    hardware: word('profile-name'),
    port: { ...portSchema, nullable: true } as unknown as JSONSchemaType<ClusterNode>['properties']['port'],
    cpu: { ...str('plain-text'), nullable: true },
    sshProxyCommand: { ...str('ssh-proxy-command'), nullable: true },
    labels: labelsSchema,
    taints: taintsSchema,
    hostDirectories: hostDirectoriesSchema,
  },
} as unknown as JSONSchemaType<ClusterNode>;

const aptSourceSchema: JSONSchemaType<AptSource> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'uri', 'suite', 'components', 'keyUrl', 'keyFingerprint'],
  properties: {
    name: word('profile-file-name'),
    uri: url(),
    suite: word('apt-word'),
    components: list('apt-word', 1),
    keyUrl: url(),
    keyFingerprint: str('openpgp-fingerprint'),
  },
};

const profileSchema: JSONSchemaType<HardwareProfile> = {
  type: 'object',
  additionalProperties: false,
  required: ['description', 'arch', 'wiredPorts'],
  properties: {
    description: str('plain-text'),
    arch: { type: 'string', enum: ['arm64', 'x86_64'] },
    wiredPorts: { type: 'integer', minimum: 1, maximum: 16 },
    defaultPortPattern: { ...word('interface-pattern'), nullable: true },
    kernel: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['flavour', 'modules'],
      properties: { flavour: word('apt-word'), modules: list('kernel-module') },
    },
    firmware: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['packages', 'files'],
      properties: { packages: packages(), files: list('firmware-file') },
    },
    microcode: { ...packages(), nullable: true },
    extras: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['purpose', 'packages'],
      properties: {
        purpose: str('plain-text'),
        packages: packages(1),
        aptSource: { ...aptSourceSchema, nullable: true },
      },
    },
    labels: labelsSchema,
    taints: taintsSchema,
  },
} as unknown as JSONSchemaType<HardwareProfile>;

/** JSON schema of the cluster model: shapes, enums and string formats. */
export const clusterSchema: JSONSchemaType<Cluster> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kubernetes', 'network', 'admin', 'image', 'aws', 'hardware', 'nodes'],
  properties: {
    name: word('rfc1123-hostname'),
    kubernetes: {
      type: 'object',
      additionalProperties: false,
      required: ['versions', 'clusterDomain', 'clusterDns', 'controlPlaneVip', 'apiServerPort', 'ownedLabelPrefix'],
      properties: {
        versions: {
          type: 'object',
          additionalProperties: false,
          required: ['minor', 'kubeadm', 'kubelet', 'kubectl', 'crio'],
          properties: {
            minor: str('minor-version'),
            kubeadm: str('k8s-package-version'),
            kubelet: str('k8s-package-version'),
            kubectl: str('k8s-package-version'),
            crio: str('k8s-package-version'),
          },
        },
        clusterDomain: { ...word('rfc1123-domain'), maxLength: MAX_DOMAIN_LENGTH },
        serviceSubnet: { ...str('ipv4-cidr'), nullable: true },
        clusterDns: str('ipv4'),
        controlPlaneVip: str('ipv4'),
        apiServerPort: { type: 'integer', minimum: 1, maximum: 65535 },
        ownedLabelPrefix: str('label-prefix'),
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      required: ['subnet', 'gateway', 'dnsServers'],
      properties: {
        subnet: str('ipv4-cidr'),
        gateway: str('ipv4'),
        dnsServers: { type: 'array', minItems: 1, uniqueItems: true, items: str('ipv4') },
      },
    },
    admin: {
      type: 'object',
      additionalProperties: false,
      required: ['user', 'githubKeysUser'],
      properties: {
        user: word('posix-user'),
        githubKeysUser: str('github-user'),
      },
    },
    image: {
      type: 'object',
      additionalProperties: false,
      required: ['ubuntuRelease', 'isoUrl', 'isoSha256', 'diskSizeGiB'],
      properties: {
        ubuntuRelease: str('ubuntu-release'),
        isoUrl: url(),
        isoMirrorUrls: { type: 'array', nullable: true, uniqueItems: true, maxItems: 4, items: url() },
        isoSha256: str('sha256'),
        diskSizeGiB: { type: 'integer', minimum: 8, maximum: 512 },
      },
    },
    aws: {
      type: 'object',
      additionalProperties: false,
      required: ['accountId', 'region', 'bucket', 'imagePrefix', 'roleName', 'repository', 'branch'],
      properties: {
        accountId: str('aws-account-id'),
        region: str('aws-region'),
        bucket: str('s3-bucket'),
        imagePrefix: str('s3-prefix'),
        roleName: str('iam-role-name'),
        repository: str('github-repository'),
        branch: str('git-branch'),
      },
    },
    hardware: {
      type: 'object',
      required: [],
      minProperties: 1,
      propertyNames: word('profile-name'),
      additionalProperties: profileSchema,
    } as unknown as JSONSchemaType<Cluster>['properties']['hardware'],
    nodes: { type: 'array', minItems: 1, items: nodeSchema },
  },
};
