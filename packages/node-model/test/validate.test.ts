import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  freeNodeAddress,
  newWorker,
  variant,
  withNewWorker,
  withNextMinor,
  type Mutable,
} from '../../../test/lib/model';
import {
  assertValidCluster,
  exampleCluster as example,
  ModelValidationError,
  profileOf,
  RESERVED_NODE_NAMES,
  SYSTEM_ACCOUNTS,
  validateCluster,
  type Cluster,
  type ValidationIssue,
} from '../src';

/**
 * GIVEN the example model (fictional, valid) changed by `edit`, WHEN it is validated, THEN these
 * issues come back. Every expectation below is derived from the example model itself.
 */
const issuesAfter = (edit: (c: Mutable<Cluster>) => void): ValidationIssue[] => validateCluster(variant(example, edit));

/** Index of the first node that matches, and its field path. */
const indexWhere = (test: (n: Cluster['nodes'][number]) => boolean): number => {
  const i = example.nodes.findIndex(test);
  if (i < 0) throw new Error('the example model has no such node');
  return i;
};
const worker = indexWhere((n) => n.role === 'worker');
const otherWorker = indexWhere((n) => n.role === 'worker' && n !== example.nodes[worker]);
const proxied = indexWhere((n) => n.sshProxyCommand !== undefined);
const onePortWorker = indexWhere((n) => n.role === 'worker' && profileOf(example, n).wiredPorts === 1);
const macPort = indexWhere((n) => n.port?.mac !== undefined);
const namedPort = indexWhere((n) => n.port?.name !== undefined);
const multiPortProfile = example.nodes[macPort].hardware;
const onePortProfile = example.nodes[onePortWorker].hardware;
const node = (i: number) => `nodes[${i}]`;

/** One issue at `path` with `rule`. */
const only = (path: string, rule: string) => [{ path, rule, message: expect.any(String) }];

describe('the example model', () => {
  it('is valid', () => {
    expect(validateCluster(example)).toEqual([]);
    expect(assertValidCluster(example)).toBe(example);
  });

  it('exercises what the rules are about: a control plane, one- and multi-port workers, a MAC and a name port', () => {
    expect(example.nodes.some((n) => n.role === 'control-plane')).toBe(true);
    expect(profileOf(example, example.nodes[macPort]).wiredPorts).toBeGreaterThan(1);
    expect(example.nodes[namedPort].port?.name).toBeDefined();
  });
});

describe('node names and addresses', () => {
  it('refuses duplicate node names', () => {
    const issues = issuesAfter((c) => (c.nodes[otherWorker].name = example.nodes[worker].name));
    expect(issues).toEqual([
      {
        path: `${node(otherWorker)}.name`,
        rule: 'unique-node-name',
        message: `"${example.nodes[worker].name}" is already used by nodes[${worker}]`,
      },
    ]);
  });

  it('refuses duplicate IPs, naming the node that has it', () => {
    const issues = issuesAfter((c) => (c.nodes[otherWorker].ip = example.nodes[worker].ip));
    expect(issues).toEqual([
      {
        path: `${node(otherWorker)}.ip`,
        rule: 'unique-node-ip',
        message: `${example.nodes[worker].ip} is already used by nodes[${worker}] (${example.nodes[worker].name})`,
      },
    ]);
  });

  it('refuses an IP outside the subnet', () => {
    const outside = '203.0.113.7';
    expect(issuesAfter((c) => (c.nodes[worker].ip = outside))).toEqual([
      {
        path: `${node(worker)}.ip`,
        rule: 'ip-in-subnet',
        message: `${outside} is outside the subnet ${example.network.subnet}`,
      },
    ]);
  });

  const [net, prefix] = example.network.subnet.split('/');
  const broadcast = (() => {
    const host = 2 ** (32 - Number(prefix)) - 1;
    const n = net.split('.').reduce((a, o) => a * 256 + Number(o), 0) + host;
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  })();
  it.each([
    ['gateway', example.network.gateway],
    ['control-plane VIP', example.kubernetes.controlPlaneVip],
    ['network address', net],
    ['broadcast address', broadcast],
  ])('refuses a node IP equal to the %s', (what, ip) => {
    expect(issuesAfter((c) => (c.nodes[worker].ip = ip))).toEqual([
      { path: `${node(worker)}.ip`, rule: 'ip-not-reserved', message: `${ip} is the ${what}` },
    ]);
  });

  it('refuses a VIP equal to the gateway and a gateway outside the subnet', () => {
    expect(issuesAfter((c) => (c.kubernetes.controlPlaneVip = example.network.gateway))).toEqual([
      {
        path: 'kubernetes.controlPlaneVip',
        rule: 'ip-not-reserved',
        message: `${example.network.gateway} is the gateway`,
      },
    ]);
    expect(issuesAfter((c) => (c.network.gateway = '203.0.113.1'))).toEqual(only('network.gateway', 'ip-in-subnet'));
  });

  it.each(['Upper', 'under_score', '-lead', 'trail-', 'a'.repeat(64), '', 'dot.ted'])(
    'refuses the hostname %j (not RFC 1123)',
    (name) => {
      expect(issuesAfter((c) => (c.nodes[worker].name = name))).toEqual([
        {
          path: `${node(worker)}.name`,
          rule: 'rfc1123-hostname',
          message: `${JSON.stringify(name)} is not a valid rfc1123-hostname`,
        },
      ]);
    },
  );

  it.each(['all', 'workers', 'ungrouped', 'localhost'])(
    'refuses the node name %j (an Ansible group or host, or the workflow\'s "all" choice)',
    (name) => {
      expect(issuesAfter((c) => (c.nodes[worker].name = name))).toEqual(
        only(`${node(worker)}.name`, 'reserved-node-name'),
      );
    },
  );

  it('refuses every reserved name that is a hostname at all (the others fail rfc1123-hostname first)', () => {
    for (const name of RESERVED_NODE_NAMES) {
      const rules = issuesAfter((c) => (c.nodes[worker].name = name)).map((i) => i.rule);
      expect(rules, name).toEqual([/^[a-z0-9-]+$/.test(name) ? 'reserved-node-name' : 'rfc1123-hostname']);
    }
  });

  it('refuses an unknown role', () => {
    expect(issuesAfter((c) => ((c.nodes[worker] as { role: string }).role = 'etcd'))).toEqual([
      { path: `${node(worker)}.role`, rule: 'enum', message: '"etcd" is not one of "control-plane", "worker"' },
    ]);
  });

  it('refuses a cluster without workers', () => {
    expect(issuesAfter((c) => (c.nodes = c.nodes.filter((n) => n.role !== 'worker')))).toEqual([
      { path: 'nodes', rule: 'has-worker', message: 'the cluster has no node with role "worker"' },
    ]);
  });

  it('refuses a subnet that is not a network address', () => {
    const shifted = example.network.subnet.replace(/\.0\//, '.5/');
    expect(shifted).not.toBe(example.network.subnet);
    expect(issuesAfter((c) => (c.network.subnet = shifted))).toEqual([
      { path: 'network.subnet', rule: 'ipv4-cidr', message: `${JSON.stringify(shifted)} is not a valid ipv4-cidr` },
    ]);
  });
});

describe('clusterDns', () => {
  it.each([
    ['a node address', () => example.nodes[worker].ip, `address of ${example.nodes[worker].name}`],
    ['the gateway', () => example.network.gateway, 'gateway'],
    ['the control-plane VIP', () => example.kubernetes.controlPlaneVip, 'control-plane VIP'],
  ])('refuses %s', (_what, address, named) => {
    expect(issuesAfter((c) => (c.kubernetes.clusterDns = address()))).toEqual([
      {
        path: 'kubernetes.clusterDns',
        rule: 'cluster-dns-is-service-ip',
        message: `${address()} is the ${named}, not a service address`,
      },
    ]);
  });
});

describe('hardware profiles and ports', () => {
  it('refuses a node naming a profile the model does not have', () => {
    expect(issuesAfter((c) => (c.nodes[worker].hardware = 'no_such_profile'))).toEqual([
      {
        path: `${node(worker)}.hardware`,
        rule: 'known-hardware-profile',
        message: expect.stringContaining(Object.keys(example.hardware).join(', ')),
      },
    ]);
  });

  it('refuses a profile name that is an inherited property, not a profile', () => {
    expect(issuesAfter((c) => (c.nodes[worker].hardware = 'constructor'))).toEqual(
      only(`${node(worker)}.hardware`, 'known-hardware-profile'),
    );
  });

  it('refuses a node of a multi-port profile without a port', () => {
    expect(issuesAfter((c) => delete c.nodes[macPort].port)).toEqual([
      {
        path: `${node(macPort)}.port`,
        rule: 'port-chosen',
        message: expect.stringContaining(
          `${multiPortProfile} has ${profileOf(example, example.nodes[macPort]).wiredPorts} wired ports`,
        ),
      },
    ]);
  });

  it('refuses a node of a one-port profile without defaultPortPattern and without a port', () => {
    expect(issuesAfter((c) => delete c.hardware[onePortProfile].defaultPortPattern)).toEqual(
      example.nodes.flatMap((n, i) =>
        n.hardware === onePortProfile && !n.port ? only(`${node(i)}.port`, 'port-chosen') : [],
      ),
    );
  });

  it('refuses defaultPortPattern on a multi-port profile', () => {
    expect(issuesAfter((c) => (c.hardware[multiPortProfile].defaultPortPattern = 'en*'))).toEqual(
      only(`hardware.${multiPortProfile}.defaultPortPattern`, 'default-port-one-port'),
    );
  });

  it('refuses two nodes on the same MAC address', () => {
    const mac = example.nodes[macPort].port!.mac!;
    expect(issuesAfter((c) => (c.nodes[namedPort].port = { mac }))).toEqual([
      {
        path: `${node(namedPort)}.port.mac`,
        rule: 'unique-port-mac',
        message: `${mac} is already the port of nodes[${macPort}] (${example.nodes[macPort].name})`,
      },
    ]);
  });

  it('refuses a port chosen by both name and MAC, a malformed MAC and a malformed interface name', () => {
    const mac = example.nodes[macPort].port!.mac!;
    expect(issuesAfter((c) => (c.nodes[namedPort].port = { name: 'eno1', mac } as never))).toEqual(
      only(`${node(namedPort)}.port`, 'maxProperties'),
    );
    expect(issuesAfter((c) => (c.nodes[macPort].port = { mac: mac.toUpperCase().replace(/^02/, 'AA') }))).toEqual(
      only(`${node(macPort)}.port.mac`, 'mac-address'),
    );
    expect(issuesAfter((c) => (c.nodes[namedPort].port = { name: 'en p1' }))).toEqual(
      only(`${node(namedPort)}.port.name`, 'interface-name'),
    );
  });

  it('refuses an unknown architecture in a profile', () => {
    expect(issuesAfter((c) => ((c.hardware[onePortProfile] as { arch: string }).arch = 'riscv64'))).toEqual([
      { path: `hardware.${onePortProfile}.arch`, rule: 'enum', message: '"riscv64" is not one of "arm64", "x86_64"' },
    ]);
  });

  it('refuses a built worker whose profile has no kernel', () => {
    expect(issuesAfter((c) => delete c.hardware[onePortProfile].kernel)).toEqual(
      example.nodes
        .filter((n) => n.hardware === onePortProfile && n.role === 'worker')
        .map(() => ({
          path: `hardware.${onePortProfile}.kernel`,
          rule: 'buildable-profile',
          message: expect.any(String),
        })),
    );
  });

  it.each([
    [
      'a package name with a space',
      (c: Mutable<Cluster>) => (c.hardware[onePortProfile].microcode = ['intel microcode']),
      `hardware.${onePortProfile}.microcode[0]`,
      'debian-package',
    ],
    [
      'a firmware path with ..',
      (c: Mutable<Cluster>) => (c.hardware[multiPortProfile].firmware!.files = ['../etc/shadow']),
      `hardware.${multiPortProfile}.firmware.files[0]`,
      'firmware-file',
    ],
    [
      'a profile name with a dash',
      (c: Mutable<Cluster>) => (c.hardware['bad-name'] = c.hardware[onePortProfile]),
      'hardware',
      'profile-name',
    ],
  ])('refuses %s', (_what, edit, path, rule) => {
    expect(issuesAfter(edit).map((i) => [i.path, i.rule])).toContainEqual([path, rule]);
  });
});

describe("kernel modules: only the distribution's signed ones (Secure Boot stays on)", () => {
  const dkms = (c: Mutable<Cluster>) => c.hardware[multiPortProfile];
  it.each([
    ['an extras package', (c: Mutable<Cluster>) => (dkms(c).extras!.packages = ['r8125-dkms']), 'extras.packages[0]'],
    ['a firmware package', (c: Mutable<Cluster>) => (dkms(c).firmware!.packages = ['dkms']), 'firmware.packages[0]'],
    ['a microcode package', (c: Mutable<Cluster>) => (dkms(c).microcode = ['nvidia-dkms-550']), 'microcode[0]'],
  ])('refuses a DKMS package as %s, saying why', (_what, edit, field) => {
    const issues = issuesAfter(edit);
    expect(issues).toEqual(only(`hardware.${multiPortProfile}.${field}`, 'no-dkms-package'));
    expect(issues[0].message).toMatch(/is a DKMS package: .*signed kernel packages.*Secure Boot/);
  });

  it('accepts packages that merely contain the letters (dkmsx, xdkms-tools)', () => {
    expect(issuesAfter((c) => (dkms(c).extras!.packages = ['dkmsx', 'xdkms-tools']))).toEqual([]);
  });

  it('says a malformed package name once, by its format', () => {
    expect(issuesAfter((c) => (dkms(c).extras!.packages = ['Foo-dkms']))).toEqual(
      only(`hardware.${multiPortProfile}.extras.packages[0]`, 'debian-package'),
    );
  });
});

describe('free text reaches Markdown, YAML and shell only in a safe alphabet', () => {
  it.each(['Intel | N100', 'Intel\nN100', 'Intel `reboot`', 'Intel $(reboot)', "Intel's", 'Intel <b>', 'Intel #1', ''])(
    'refuses the cpu text %j',
    (cpu) => {
      expect(issuesAfter((c) => (c.nodes[worker].cpu = cpu))).toEqual([
        {
          path: `${node(worker)}.cpu`,
          rule: 'plain-text',
          message: `${JSON.stringify(cpu)} is not a valid plain-text`,
        },
      ]);
    },
  );

  it('accepts an ordinary cpu text', () => {
    expect(issuesAfter((c) => (c.nodes[worker].cpu = 'Intel Core i5-1235U (12 threads, 4.4 GHz)'))).toEqual([]);
  });

  it.each([
    [
      'description',
      (c: Mutable<Cluster>, v: string) => (c.hardware[onePortProfile].description = v),
      `hardware.${onePortProfile}.description`,
    ],
    [
      'extras purpose',
      (c: Mutable<Cluster>, v: string) => (c.hardware[multiPortProfile].extras!.purpose = v),
      `hardware.${multiPortProfile}.extras.purpose`,
    ],
  ])('refuses a profile %s with "|" or a newline', (_what, edit, path) => {
    for (const text of ['a | b', 'a\nb']) expect(issuesAfter((c) => edit(c, text))).toEqual(only(path, 'plain-text'));
  });

  const proxy = example.nodes[proxied].sshProxyCommand!;
  it.each([
    `${proxy} "x"`,
    `${proxy}\nid`,
    `${proxy} 'x'`,
    `${proxy}; id`,
    `${proxy} $(id)`,
    `${proxy} \\`,
    ` ${proxy}`,
    `${proxy}  x`,
  ])('refuses the sshProxyCommand %j', (command) => {
    expect(issuesAfter((c) => (c.nodes[proxied].sshProxyCommand = command))).toEqual(
      only(`${node(proxied)}.sshProxyCommand`, 'ssh-proxy-command'),
    );
  });

  it('accepts a ProxyCommand of plain words with OpenSSH tokens', () => {
    expect(issuesAfter((c) => (c.nodes[proxied].sshProxyCommand = 'ssh -W %h:%p -l ops jump.example.org'))).toEqual([]);
  });
});

describe('the admin account', () => {
  it.each(['root', 'daemon', 'nobody', 'www-data', 'sshd', 'systemd-network', 'ubuntu', '_apt'])(
    'refuses the system account %j',
    (user) => {
      expect(SYSTEM_ACCOUNTS.has(user)).toBe(true);
      expect(issuesAfter((c) => (c.admin.user = user))).toEqual([
        { path: 'admin.user', rule: 'posix-user', message: `${JSON.stringify(user)} is not a valid posix-user` },
      ]);
    },
  );

  it.each(['Ops', '1ops', 'ops user', 'a'.repeat(33), ''])('refuses the login %j (not a POSIX user name)', (user) => {
    expect(issuesAfter((c) => (c.admin.user = user))).toEqual(only('admin.user', 'posix-user'));
  });

  const owner = example.admin.githubKeysUser;
  it.each([`${owner}-`, `-${owner}`, 'a--b', 'a'.repeat(40), 'a_b', 'a.b', ''])(
    'refuses the GitHub user %j',
    (user) => {
      expect(issuesAfter((c) => (c.admin.githubKeysUser = user))).toEqual(only('admin.githubKeysUser', 'github-user'));
    },
  );

  it.each(['a', 'a-b', 'A1', 'a'.repeat(39)])('accepts the GitHub user %j', (user) => {
    expect(issuesAfter((c) => (c.admin.githubKeysUser = user))).toEqual([]);
  });
});

describe('AWS and GitHub names', () => {
  const bucket = example.aws.bucket;
  const doubledDot = bucket.replace('-', '..');
  it.each([
    doubledDot,
    'ab',
    'a'.repeat(64),
    'Upper-case',
    `-${bucket}`,
    `${bucket}-`,
    `${bucket}.`,
    'a_b',
    '198.51.100.4',
    `xn--${bucket}`,
    `sthree-${bucket}`,
    `amzn-s3-demo-${bucket}`,
    `${bucket}-s3alias`,
    `${bucket}--ol-s3`,
    `${bucket}.mrap`,
    `${bucket}--x-s3`,
    `${bucket}--table-s3`,
  ])('refuses the bucket %j (S3 naming rules)', (name) => {
    expect(issuesAfter((c) => (c.aws.bucket = name))).toEqual([
      { path: 'aws.bucket', rule: 's3-bucket', message: `${JSON.stringify(name)} is not a valid s3-bucket` },
    ]);
  });

  it.each(['abc', 'a.b-c', 'a'.repeat(63)])('accepts the bucket %j', (name) => {
    expect(issuesAfter((c) => (c.aws.bucket = name))).toEqual([]);
  });

  const [head, ...tail] = example.aws.imagePrefix.split('/');
  it.each([
    `${head}/../${tail.join('/')}`,
    `/${example.aws.imagePrefix}`,
    `${example.aws.imagePrefix}/`,
    `${head}//${tail.join('/')}`,
    '..',
    `./${head}`,
    `${head}/.`,
    `${head} x`,
    '',
  ])('refuses the key prefix %j', (prefix) => {
    expect(issuesAfter((c) => (c.aws.imagePrefix = prefix))).toEqual(only('aws.imagePrefix', 's3-prefix'));
  });

  /** `git check-ref-format --branch`, the rule itself (outside any repository). */
  const gitAccepts = (branch: string) =>
    spawnSync('git', ['check-ref-format', '--branch', branch], { cwd: '/', encoding: 'utf8' }).status === 0;
  const branches = [
    example.aws.branch,
    'release/1.0',
    'a@b',
    `${example.aws.branch}..x`,
    'HEAD',
    'a@{b',
    'x.',
    'a.lock',
    'a/b.lock/c',
    '.a',
    'a/.b',
    '/a',
    'a/',
    'a//b',
    'a b',
    'a~b',
    'a^b',
    'a:b',
    'a?b',
    'a*b',
    'a[b',
    'a\\b',
    'a\tb',
    'a\nb',
    '@{-1}',
  ];
  it.each(branches)(
    'judges the branch %j as git check-ref-format --branch does, in the alphabet [A-Za-z0-9._/-]',
    (branch) => {
      const issues = issuesAfter((c) => (c.aws.branch = branch));
      const accepted = gitAccepts(branch) && /^[A-Za-z0-9._/-]+$/.test(branch);
      expect(issues).toEqual(accepted ? [] : only('aws.branch', 'git-branch'));
    },
  );

  it('refuses branch names git would read as something else: "@" (HEAD), a leading "-" (an option), the empty name', () => {
    for (const branch of ['@', '-x', '']) {
      expect(
        issuesAfter((c) => (c.aws.branch = branch)),
        branch,
      ).toEqual(only('aws.branch', 'git-branch'));
    }
  });

  it('has git to compare with, and git refuses what the issue found accepted', () => {
    expect(gitAccepts(example.aws.branch)).toBe(true);
    expect(gitAccepts(`${example.aws.branch}..x`)).toBe(false);
  });

  const [org, repo] = example.aws.repository.split('/');
  it.each([
    org,
    `${org}/${repo}/x`,
    `${org}-/${repo}`,
    `-${org}/${repo}`,
    `${org}/.`,
    `${org}/..`,
    `${org}/${repo}.git`,
    `${org}/a b`,
    `${org}/${'a'.repeat(101)}`,
    `/${repo}`,
    `${org}/`,
    `${org}/a:b`,
  ])('refuses the repository %j (GitHub owner and name rules)', (repository) => {
    expect(issuesAfter((c) => (c.aws.repository = repository))).toEqual(only('aws.repository', 'github-repository'));
  });

  it.each([`${org}/x.y_z-1`, `${org}/.github`])('accepts the repository %j', (repository) => {
    expect(issuesAfter((c) => (c.aws.repository = repository))).toEqual([]);
  });
});

describe('versions', () => {
  const v = example.kubernetes.versions;
  const [major, minor] = v.minor.split('.').map(Number);
  const otherMinorPackage = `${major}.${minor - 1}.4-1.1`;

  it.each(['kubeadm', 'kubelet', 'kubectl'] as const)('refuses a %s package from another minor series', (component) => {
    expect(issuesAfter((c) => (c.kubernetes.versions[component] = otherMinorPackage))).toEqual([
      {
        path: `kubernetes.versions.${component}`,
        rule: 'matching-minor-versions',
        message: `${otherMinorPackage} is not in the ${v.minor} series of kubernetes.versions.minor`,
      },
    ]);
  });

  it('refuses a CRI-O package from another minor series', () => {
    expect(issuesAfter((c) => (c.kubernetes.versions.crio = otherMinorPackage))).toEqual([
      {
        path: 'kubernetes.versions.crio',
        rule: 'matching-minor-versions',
        message: `CRI-O ${otherMinorPackage} is not in the ${v.minor} series of kubernetes.versions.minor`,
      },
    ]);
  });

  it.each([v.minor, `${v.minor}.0`, `${v.minor}.0-1`, `v${v.kubelet}`, `${v.kubelet} `])(
    'refuses the malformed package version %j',
    (version) => {
      expect(issuesAfter((c) => (c.kubernetes.versions.kubelet = version))).toEqual(
        only('kubernetes.versions.kubelet', 'k8s-package-version'),
      );
      expect(issuesAfter((c) => (c.kubernetes.versions.crio = version))).toEqual(
        only('kubernetes.versions.crio', 'k8s-package-version'),
      );
    },
  );
});

describe('the image', () => {
  it.each(['abc', example.image.isoSha256.toUpperCase(), `${example.image.isoSha256}0`])(
    'refuses the malformed sha256 %j',
    (sha) => {
      expect(issuesAfter((c) => (c.image.isoSha256 = sha))).toEqual([
        { path: 'image.isoSha256', rule: 'sha256', message: `${JSON.stringify(sha)} is not a valid sha256` },
      ]);
    },
  );

  it('refuses an ISO that is not the one of ubuntuRelease (22.04 with the ISO of another release)', () => {
    expect(example.image.ubuntuRelease.startsWith('22.04')).toBe(false);
    expect(issuesAfter((c) => (c.image.ubuntuRelease = '22.04'))).toEqual([
      { path: 'image.isoUrl', rule: 'iso-of-release', message: expect.stringContaining('image.ubuntuRelease 22.04') },
    ]);
  });

  it('refuses a desktop ISO of the right release', () => {
    expect(issuesAfter((c) => (c.image.isoUrl = c.image.isoUrl.replace('live-server', 'desktop')))).toEqual(
      only('image.isoUrl', 'iso-of-release'),
    );
  });

  it.each(['"', "'", '$(reboot)', '`id`', '<x>', '{x}', 'a|b', 'a\\b', 'a^b', 'a b'])(
    'refuses an ISO URL with %j in it',
    (text) => {
      expect(issuesAfter((c) => (c.image.isoUrl = c.image.isoUrl.replace('/ubuntu-', `/${text}/ubuntu-`)))).toEqual(
        only('image.isoUrl', 'https-url'),
      );
    },
  );

  it('accepts a URL with a query (a key server lookup)', () => {
    const profile = multiPortProfile;
    const source = {
      name: 'vendor',
      uri: 'https://apt.example.org/vendor',
      suite: 'stable',
      components: ['main'],
      keyUrl: 'https://keys.example.org/pks/lookup?op=get&search=0x0123',
      keyFingerprint: '0'.repeat(40),
    };
    expect(issuesAfter((c) => (c.hardware[profile].extras!.aptSource = source))).toEqual([]);
    expect(
      issuesAfter((c) => (c.hardware[profile].extras!.aptSource = { ...source, keyUrl: `${source.keyUrl}';id;'` })),
    ).toEqual(only(`hardware.${profile}.extras.aptSource.keyUrl`, 'https-url'));
  });

  it('refuses a URL the URL parser cannot read (a rule, not a crash)', () => {
    expect(issuesAfter((c) => (c.image.isoUrl = 'https://[bad/ubuntu.iso'))).toEqual(only('image.isoUrl', 'https-url'));
  });
});

describe('shape', () => {
  it('refuses missing required fields, naming each', () => {
    const issues = issuesAfter((c) => {
      delete (c.aws as { bucket?: string }).bucket;
      delete (c.nodes[otherWorker] as { ip?: string }).ip;
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'aws.bucket', rule: 'required', message: 'is required but missing' },
        { path: `${node(otherWorker)}.ip`, rule: 'required', message: 'is required but missing' },
      ]),
    );
    expect(issues).toHaveLength(2);
  });

  it("refuses a field the model does not know (a node's old arch among them)", () => {
    expect(issuesAfter((c) => ((c.network as Record<string, unknown>).gatway = c.network.gateway))).toEqual([
      { path: 'network.gatway', rule: 'known-fields', message: 'is not a field of the model' },
    ]);
    expect(issuesAfter((c) => ((c.nodes[worker] as Record<string, unknown>).arch = 'x86_64'))).toEqual(
      only(`${node(worker)}.arch`, 'known-fields'),
    );
  });

  it('refuses what is not a model at all', () => {
    expect(validateCluster(undefined)).toEqual(only('(root)', 'type'));
    expect(validateCluster('lolice')).toEqual(only('(root)', 'type'));
  });

  it('reports every broken rule at once, and the thrown error names field and rule', () => {
    const broken = variant(example, (c) => {
      c.nodes[worker].ip = example.network.gateway;
      c.kubernetes.clusterDns = example.kubernetes.controlPlaneVip;
    });
    expect(() => assertValidCluster(broken)).toThrow(ModelValidationError);
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(() => assertValidCluster(broken)).toThrow(
      new RegExp(
        `${esc(`${node(worker)}.ip: ${example.network.gateway} is the gateway [rule: ip-not-reserved]`)}[\\s\\S]*` +
          esc(
            `kubernetes.clusterDns: ${example.kubernetes.controlPlaneVip} is the control-plane VIP, not a service address [rule: cluster-dns-is-service-ip]`,
          ),
      ),
    );
  });

  it('checks the rules across fields only on a well-formed model: a shape error comes alone', () => {
    const broken = variant(example, (c) => {
      c.nodes[worker].ip = example.network.gateway;
      c.admin.user = 'root';
    });
    expect(validateCluster(broken)).toEqual(only('admin.user', 'posix-user'));
  });
});

describe('the test models built from a model (test/lib/model.ts)', () => {
  it('add a worker the validation accepts, with a name and address nothing else has', () => {
    for (const base of [
      example,
      variant(example, (c) =>
        c.nodes.splice(
          example.nodes.findIndex((n) => !n.port && n.role === 'worker'),
          1,
        ),
      ),
    ]) {
      const added = newWorker(base);
      expect(validateCluster(withNewWorker(base)), added.name).toEqual([]);
      expect(base.nodes.map((n) => n.name)).not.toContain(added.name);
      expect([
        base.network.gateway,
        base.kubernetes.controlPlaneVip,
        base.kubernetes.clusterDns,
        ...base.nodes.map((n) => n.ip),
      ]).not.toContain(added.ip);
      expect(freeNodeAddress(withNewWorker(base))).not.toBe(added.ip);
    }
    expect(validateCluster(withNextMinor(example))).toEqual([]);
  });
});
