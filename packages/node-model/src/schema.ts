import type { JSONSchemaType } from 'ajv';
import type { Cluster, ClusterNode } from './types';

const str = (format: string) => ({ type: 'string', format }) as const;

const nodeSchema: JSONSchemaType<ClusterNode> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'ip', 'role', 'arch', 'hardware'],
  properties: {
    name: str('rfc1123-hostname'),
    ip: str('ipv4'),
    role: { type: 'string', enum: ['control-plane', 'worker'] },
    arch: { type: 'string', enum: ['arm64', 'x86_64'] },
    hardware: { type: 'string', enum: ['orange_pi_zero3', 'intel_x86_64'] },
    cpu: { type: 'string', minLength: 1, nullable: true },
    sshProxyCommand: { type: 'string', minLength: 1, nullable: true },
  },
};

/** JSON schema of the cluster model: shapes, enums and string formats. */
export const clusterSchema: JSONSchemaType<Cluster> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kubernetes', 'network', 'admin', 'image', 'aws', 'nodes'],
  properties: {
    name: str('rfc1123-hostname'),
    kubernetes: {
      type: 'object',
      additionalProperties: false,
      required: ['versions', 'clusterDomain', 'clusterDns', 'controlPlaneVip', 'apiServerPort'],
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
            crio: str('minor-version'),
          },
        },
        clusterDomain: str('rfc1123-domain'),
        clusterDns: str('ipv4'),
        controlPlaneVip: str('ipv4'),
        apiServerPort: { type: 'integer', minimum: 1, maximum: 65535 },
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
        user: str('posix-user'),
        githubKeysUser: str('github-user'),
      },
    },
    image: {
      type: 'object',
      additionalProperties: false,
      required: ['ubuntuRelease', 'isoUrl', 'isoSha256', 'diskSizeGiB'],
      properties: {
        ubuntuRelease: str('ubuntu-release'),
        isoUrl: str('https-url'),
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
    nodes: { type: 'array', minItems: 1, items: nodeSchema },
  },
};
