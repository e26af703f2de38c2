import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { variant, type Mutable } from '../../../test/lib/model';
import {
  assertValidCluster,
  buildFiles,
  exampleCluster as example,
  IMAGE_ARCH,
  ModelValidationError,
  S3_MAX_KEY_BYTES,
  validateCluster,
  workers,
  type Cluster,
  type ValidationIssue,
} from '../src';
import { formats } from '../src/formats';

/**
 * Values valid in form that break what reads them next: a YAML 1.1 reader, a GitHub expression,
 * a URL written to a world-readable file, DNS, S3, the image pipeline. GIVEN a variant of the
 * example model, WHEN it is validated, THEN these issues.
 */
const issuesAfter = (edit: (c: Mutable<Cluster>) => void): ValidationIssue[] => validateCluster(variant(example, edit));
const only = (path: string, rule: string) => [{ path, rule, message: expect.any(String) }];
const accepts = (format: string, value: string): boolean => {
  const f = formats[format];
  return typeof f === 'function' ? f(value) : f.test(value);
};

const worker = example.nodes.findIndex((n) => n.role === 'worker');
const profileOfWorker = example.nodes[worker].hardware;
const built = Object.entries(example.hardware).find(([, p]) => p.kernel && p.extras)![0];
const named = example.nodes.findIndex((n) => n.port?.name);
const patterned = Object.entries(example.hardware).find(([, p]) => p.defaultPortPattern)![0];
const source = {
  name: 'vendor',
  uri: 'https://apt.example.org/vendor',
  suite: 'stable',
  components: ['main'],
  keyUrl: 'https://keys.example.org/vendor.asc',
  keyFingerprint: '0'.repeat(40),
};

describe('names a YAML 1.1 reader would read as something else', () => {
  /**
   * Words YAML resolves to another type, by class: YAML 1.1 booleans (PyYAML reads yes/no/on/off,
   * other 1.1 readers y/n too), null, YAML 1.1 and 1.2 integers and floats (decimal, octal 017 and
   * 0o17, hex, exponent), a YAML 1.1 date.
   */
  const words = [
    'y',
    'n',
    'yes',
    'no',
    'on',
    'off',
    'true',
    'false',
    'null',
    '123',
    '017',
    '0o17',
    '0x1f',
    '1e3',
    '1.5',
    '2001-12-14',
  ];
  /** Every field the project writes as a plain name, its path, its format and how to set it. */
  const fields: [string, string, (c: Mutable<Cluster>, v: string) => void][] = [
    [`nodes[${worker}].name`, 'rfc1123-hostname', (c, v) => (c.nodes[worker].name = v)],
    ['name', 'rfc1123-hostname', (c, v) => (c.name = v)],
    ['admin.user', 'posix-user', (c, v) => (c.admin.user = v)],
    ['kubernetes.clusterDomain', 'rfc1123-domain', (c, v) => (c.kubernetes.clusterDomain = v)],
    [`hardware.${built}.kernel.flavour`, 'apt-word', (c, v) => (c.hardware[built].kernel!.flavour = v)],
    [`hardware.${built}.kernel.modules[0]`, 'kernel-module', (c, v) => (c.hardware[built].kernel!.modules = [v])],
    [`hardware.${built}.microcode[0]`, 'debian-package', (c, v) => (c.hardware[built].microcode = [v])],
    [`hardware.${built}.extras.packages[0]`, 'debian-package', (c, v) => (c.hardware[built].extras!.packages = [v])],
    [
      `hardware.${built}.extras.aptSource.suite`,
      'apt-word',
      (c, v) => (c.hardware[built].extras!.aptSource = { ...source, suite: v }),
    ],
    [
      `hardware.${built}.extras.aptSource.components[0]`,
      'apt-word',
      (c, v) => (c.hardware[built].extras!.aptSource = { ...source, components: [v] }),
    ],
    [
      `hardware.${built}.extras.aptSource.name`,
      'profile-file-name',
      (c, v) => (c.hardware[built].extras!.aptSource = { ...source, name: v }),
    ],
    [`nodes[${named}].port.name`, 'interface-name', (c, v) => (c.nodes[named].port = { name: v })],
    [
      `hardware.${patterned}.defaultPortPattern`,
      'interface-pattern',
      (c, v) => (c.hardware[patterned].defaultPortPattern = v),
    ],
    ['hardware', 'profile-name', (c, v) => (c.hardware[v] = c.hardware[profileOfWorker])],
    [`nodes[${worker}].hardware`, 'profile-name', (c, v) => (c.nodes[worker].hardware = v)],
  ];
  const cases = fields.flatMap(([path, format, set]) =>
    words.filter((w) => accepts(format, w)).map((w): [string, string, typeof set] => [path, w, set]),
  );

  it('has a case for every field and most words (the others fail the field format first)', () => {
    expect(new Set(cases.map(([path]) => path)).size).toBe(fields.length);
    expect(cases.length).toBeGreaterThan(fields.length * 5);
  });

  it.each(cases)('refuses %s = %j', (path, word, set) => {
    expect(issuesAfter((c) => set(c, word))).toEqual([
      {
        path,
        rule: 'yaml-plain-word',
        message: `${JSON.stringify(word)} is read as a boolean, null, number or date by a YAML 1.1 or 1.2 reader (Ansible, cloud-init): a name must be a plain word`,
      },
    ]);
  });

  it.each(['node-7', 'yes-1', 'no0', 'n1', 'on-prem', 'nul', '1-5'])(
    'accepts the plain word %j as a node name',
    (name) => {
      expect(issuesAfter((c) => (c.nodes[worker].name = name))).toEqual([]);
    },
  );

  it('says one thing of a value that breaks the field format and is no plain word', () => {
    expect(issuesAfter((c) => (c.nodes[worker].name = 'True'))).toEqual(
      only(`nodes[${worker}].name`, 'rfc1123-hostname'),
    );
  });
});

describe('the branch reaches GitHub expressions, branch filters and the IAM trust policy', () => {
  const gitAccepts = (branch: string) =>
    spawnSync('git', ['check-ref-format', '--branch', branch], { cwd: '/', encoding: 'utf8' }).status === 0;
  const base = example.aws.branch;
  /**
   * What git allows and an expression language or a glob reads as syntax: quotes, | & ! = < > ( )
   * (GitHub expressions), $ { } % (expressions, Terraform templates, IAM policy variables), + !
   * (GitHub's branch filters), # % , ; and @.
   */
  const hostile = [
    `${base}'||'x`,
    `${base}"x`,
    '${{secrets.GITHUB_TOKEN}}',
    '${path.cwd}',
    '%{x}',
    '${x}',
    `${base}|x`,
    `${base}&x`,
    `!${base}`,
    `${base}=x`,
    `${base}<x>`,
    `${base}(x)`,
    `${base}+x`,
    `${base}#x`,
    `${base}%x`,
    `${base},x`,
    `${base};x`,
    `${base}@x`,
  ];

  it.each(hostile)('refuses %j, which git check-ref-format --branch accepts', (branch) => {
    expect(gitAccepts(branch)).toBe(true);
    expect(issuesAfter((c) => (c.aws.branch = branch))).toEqual(only('aws.branch', 'git-branch'));
  });

  it.each(['release/1.0', 'feature/a_b-c.d', 'RC2'])('accepts %j', (branch) => {
    expect(issuesAfter((c) => (c.aws.branch = branch))).toEqual([]);
  });
});

describe('no credential in a URL', () => {
  const iso = example.image.isoUrl;
  const withUserinfo = (url: string, userinfo: string) => url.replace('https://', `https://${userinfo}@`);
  const urlFields: [string, (c: Mutable<Cluster>, v: string) => void, string][] = [
    ['image.isoUrl', (c, v) => (c.image.isoUrl = v), iso],
    ['image.isoMirrorUrls[0]', (c, v) => (c.image.isoMirrorUrls = [v]), iso.replace('releases.', 'mirror.')],
    [
      `hardware.${built}.extras.aptSource.uri`,
      (c, v) => (c.hardware[built].extras!.aptSource = { ...source, uri: v }),
      source.uri,
    ],
    [
      `hardware.${built}.extras.aptSource.keyUrl`,
      (c, v) => (c.hardware[built].extras!.aptSource = { ...source, keyUrl: v }),
      source.keyUrl,
    ],
  ];
  const cases = urlFields.flatMap(([path, set, url]) =>
    ['user:secret', 'token', ':secret', ''].map((u): [string, string, typeof set] => [path, withUserinfo(url, u), set]),
  );

  it.each(cases)('refuses %s = %j', (path, url, set) => {
    expect(URL.canParse(url)).toBe(true);
    expect(issuesAfter((c) => set(c, url))).toEqual([
      {
        path,
        rule: 'url-without-userinfo',
        message: `${JSON.stringify(url)} has user information (user:password@): no credential goes in the model`,
      },
    ]);
  });

  it('accepts an @ after the host (in the path or the query)', () => {
    const atInPath = iso.replace('/ubuntu/', '/ubuntu@2/');
    expect(atInPath).not.toBe(iso);
    expect(issuesAfter((c) => (c.image.isoUrl = atInPath))).toEqual([]);
    expect(
      issuesAfter((c) => (c.hardware[built].extras!.aptSource = { ...source, keyUrl: `${source.keyUrl}?by=a@b` })),
    ).toEqual([]);
  });
});

describe('domain names fit DNS', () => {
  /** A domain of `length` characters: 63-character labels, then the rest. */
  const domainOf = (length: number) => {
    const labels: string[] = [];
    let left = length;
    while (left > 0) {
      const size = Math.min(63, left - (labels.length > 0 ? 1 : 0));
      labels.push('a'.repeat(size));
      left -= size + (labels.length > 1 ? 1 : 0);
    }
    return labels.join('.');
  };

  it('refuses a cluster domain over 253 characters, naming the limit and the length', () => {
    expect(domainOf(254)).toHaveLength(254);
    expect(issuesAfter((c) => (c.kubernetes.clusterDomain = domainOf(254)))).toEqual([
      { path: 'kubernetes.clusterDomain', rule: 'max-length', message: 'is 254 characters long; the limit is 253' },
    ]);
    expect(issuesAfter((c) => (c.kubernetes.clusterDomain = domainOf(253)))).toEqual([]);
  });
});

describe('S3 keys fit S3', () => {
  /** The longest key of the layout for a prefix: a worker's dated checksum file, or the attestation bundle. */
  const longestKey = (prefix: string): number =>
    Math.max(
      ...workers(example).flatMap((n) =>
        buildFiles(n.name).map((f) => `${prefix}/${n.name}/builds/YYYYMMDD-1234567/${f}`.length),
      ),
    );
  /** A prefix (two segments) whose longest key has `keyBytes` bytes. */
  const prefixFor = (keyBytes: number) => `p/${'a'.repeat(keyBytes - longestKey('') - 2)}`;

  it('refuses an image prefix whose longest key is 1,025 bytes, naming the limit and the length', () => {
    const prefix = prefixFor(S3_MAX_KEY_BYTES + 1);
    expect(longestKey(prefix)).toBe(1025);
    const issues = issuesAfter((c) => (c.aws.imagePrefix = prefix));
    expect(issues).toEqual(only('aws.imagePrefix', 's3-key-length'));
    expect(issues[0].message).toMatch(/keys of up to 1025 bytes .*; S3 allows 1024$/);
  });

  it('accepts one whose longest key is 1,024 bytes', () => {
    expect(issuesAfter((c) => (c.aws.imagePrefix = prefixFor(S3_MAX_KEY_BYTES)))).toEqual([]);
  });

  it('counts the longest worker name: one more letter in it and the same prefix is over the limit', () => {
    const prefix = prefixFor(S3_MAX_KEY_BYTES);
    const longest = workers(example).reduce((a, b) => (b.name.length > a.name.length ? b : a));
    const i = example.nodes.indexOf(longest);
    const issues = issuesAfter((c) => {
      c.aws.imagePrefix = prefix;
      c.nodes[i].name = `${longest.name}a`;
    });
    expect(issues).toEqual(only('aws.imagePrefix', 's3-key-length'));
  });
});

describe('workers the image pipeline builds', () => {
  const foreign = Object.entries(example.hardware).find(([, p]) => p.arch !== IMAGE_ARCH)![0];

  it('refuses a worker on a profile of another architecture, by name (never dropped silently)', () => {
    const issues = issuesAfter((c) => (c.nodes[worker].hardware = foreign));
    expect(issues).toEqual([
      {
        path: `nodes[${worker}].hardware`,
        rule: 'image-arch',
        message: `worker ${example.nodes[worker].name} is on ${foreign}, an ${example.hardware[foreign].arch} profile: the image pipeline builds only ${IMAGE_ARCH} workers`,
      },
    ]);
  });

  it('refuses a model with no buildable worker in one issue, not one per worker and not a crash', () => {
    const allForeign = variant(example, (c) => {
      for (const p of Object.values(c.hardware)) if (p.arch === IMAGE_ARCH) p.arch = example.hardware[foreign].arch;
    });
    expect(validateCluster(allForeign)).toEqual(only('nodes', 'has-image-worker'));
    expect(() => assertValidCluster(allForeign)).toThrow(ModelValidationError);
  });
});

describe("the consumers' checks (a generator's limits)", () => {
  const max = example.nodes.length - 1;
  const limit = (c: Cluster): ValidationIssue[] =>
    c.nodes.length > max
      ? [{ path: 'nodes', rule: 'some-limit', message: `${c.nodes.length} nodes; the limit is ${max}` }]
      : [];

  it('run on a valid model and report like the model rules', () => {
    expect(validateCluster(example, [limit])).toEqual(only('nodes', 'some-limit'));
    expect(() => assertValidCluster(example, [limit])).toThrow(
      `nodes: ${example.nodes.length} nodes; the limit is ${max} [rule: some-limit]`,
    );
  });

  it('do not run on a model that breaks its own rules (they may assume a valid one)', () => {
    let ran = false;
    const spy = (): ValidationIssue[] => ((ran = true), []);
    expect(
      validateCluster(
        variant(example, (c) => (c.nodes[worker].hardware = 'nope')),
        [spy],
      ).length,
    ).toBeGreaterThan(0);
    expect(ran).toBe(false);
  });
});
