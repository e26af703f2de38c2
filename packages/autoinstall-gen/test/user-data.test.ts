import { beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';
import { exampleCluster as example, workers } from '@lolice/node-model';
import {
  HTTP_FILES,
  PACKAGES,
  render,
  renderTemplate,
  renderUserData,
  TEMPLATE_VARS,
  templateVarNames,
  userDataSchema,
} from '../src';
import { newAjv, opensslCryptHash, subiquitySchema, subiquityTitle } from './lib/fixtures';
import { hybridBootProblems } from './lib/hybrid-boot';
import { withNewWorker } from '../../../test/lib/model';

type Autoinstall = Record<string, any>;

/** A worker of the example model, whose user-data the tests serve. */
const [first] = workers(example).map((n) => n.name);

/** The user-data as Packer serves it for one node: template rendered with a real crypt hash. */
const served = (template: string, hostname: string, passwordHash: string): string =>
  renderTemplate(template, { [TEMPLATE_VARS.hostname]: hostname, [TEMPLATE_VARS.passwordHash]: passwordHash });

describe('the user-data template', () => {
  const template = renderUserData(example);

  it('starts with #cloud-config and holds only the two build-time variables', () => {
    expect(template.split('\n')[0]).toBe('#cloud-config');
    expect(new Set(templateVarNames(template))).toEqual(new Set(['hostname', 'password_hash']));
  });

  it('commits no password and no hash: the identity password is the template variable', () => {
    expect(template).toContain("password: '${password_hash}'");
    expect(template).not.toMatch(/\$(1|2[aby]|5|6|y)\$/);
  });

  it('is deterministic and names the file HTTP_FILES.userData', () => {
    expect(renderUserData(example)).toBe(template);
    expect(render(example)).toEqual({ userData: template, metaData: render(example).metaData });
    expect(HTTP_FILES).toEqual({ userData: 'user-data', metaData: 'meta-data' });
  });
});

describe('the user-data as served to the installer', () => {
  let hash: string;
  let doc: { autoinstall: Autoinstall };
  beforeAll(() => {
    hash = opensslCryptHash();
    doc = parse(served(renderUserData(example), first, hash));
  });

  it('is valid against the schema of what this package emits', () => {
    const validate = newAjv().compile(userDataSchema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it.skipIf(!subiquitySchema())(subiquityTitle("is valid against Subiquity's autoinstall schema"), () => {
    const validate = newAjv().compile(subiquitySchema()!);
    expect(validate(doc.autoinstall), JSON.stringify(validate.errors)).toBe(true);
  });

  it.skipIf(!subiquitySchema())(
    subiquityTitle(
      "would be rejected by Subiquity's schema without the identity password or with an unknown keyboard key",
    ),
    () => {
      const validate = newAjv().compile(subiquitySchema()!);
      const { password: _omitted, ...identity } = doc.autoinstall.identity;
      expect(validate({ ...doc.autoinstall, identity })).toBe(false);
      expect(validate({ ...doc.autoinstall, keyboard: { layout: 'us', model: 'pc105' } })).toBe(false);
    },
  );

  it('puts the crypt hash Packer passes into identity, with the model admin and the node name', () => {
    expect(doc.autoinstall.identity).toEqual({ hostname: first, username: example.admin.user, password: hash });
  });

  it('is autoinstall version 1, unattended, with locale, keyboard, DHCP on e* and a reboot at the end', () => {
    const a = doc.autoinstall;
    expect(a.version).toBe(1);
    expect(a['interactive-sections']).toBeUndefined();
    expect(a.locale).toBe('en_US.UTF-8');
    expect(a.keyboard).toEqual({ layout: 'us' });
    expect(a.network).toEqual({ version: 2, ethernets: { wired: { match: { name: 'e*' }, dhcp4: true } } });
    expect(a.shutdown).toBe('reboot');
  });

  it('installs the SSH server with password login for the build, and stops the installer sshd first', () => {
    expect(doc.autoinstall.ssh).toEqual({ 'install-server': true, 'allow-pw': true });
    expect(doc.autoinstall['early-commands']).toEqual([['systemctl', 'stop', 'ssh.socket', 'ssh.service']]);
  });

  it('lays out a hybrid BIOS + UEFI disk and installs GRUB for both', () => {
    expect(hybridBootProblems(doc.autoinstall)).toEqual([]);
  });

  it('turns swap off, keeps the new boot entry first and skips os-prober', () => {
    expect(doc.autoinstall.storage.swap).toEqual({ size: 0 });
    expect(doc.autoinstall.storage.grub).toEqual({ reorder_uefi: false, probe_additional_os: false });
  });

  it('installs the GRUB module packages and the listed extras', () => {
    expect(doc.autoinstall.packages).toEqual(PACKAGES.map((p) => p.name));
  });

  it('grants the build-only passwordless sudo through a visudo-checked drop-in', () => {
    const late: string[] = doc.autoinstall['late-commands'];
    expect(late.at(-1)).toBe(
      `echo '${example.admin.user} ALL=(ALL) NOPASSWD:ALL' > /target/etc/sudoers.d/90-packer-build && chmod 0440 /target/etc/sudoers.d/90-packer-build && curtin in-target --target=/target -- visudo -cf /etc/sudoers.d/90-packer-build`,
    );
  });

  it('finds the disk of / for the BIOS GRUB install rather than naming /dev/vda', () => {
    const biosInstall = (doc.autoinstall['late-commands'] as string[]).find((c) => c.includes('--target=i386-pc'))!;
    expect(biosInstall).toContain('findmnt -no SOURCE /target');
    expect(biosInstall).toContain('lsblk -no PKNAME');
    expect(biosInstall).not.toMatch(/\/dev\/(vd|sd|nvme)/);
  });
});

describe('the hybrid boot check', () => {
  const autoinstall = (): Autoinstall => parse(served(renderUserData(example), first, opensslCryptHash())).autoinstall;

  it.each([
    [
      'a layout next to the config',
      (a: Autoinstall) => (a.storage.layout = { name: 'direct' }),
      'storage has a "layout", which overrides "config"',
    ],
    [
      'no BIOS boot partition',
      (a: Autoinstall) => delete a.storage.config[1].flag,
      'no BIOS boot partition (flag bios_grub)',
    ],
    ['an ext4 ESP', (a: Autoinstall) => (a.storage.config[4].fstype = 'ext4'), 'the EFI system partition is not FAT'],
    ['an MBR disk', (a: Autoinstall) => (a.storage.config[0].ptable = 'msdos'), 'the disk is not GPT'],
    [
      'no i386-pc GRUB',
      (a: Autoinstall) => a['late-commands'].shift(),
      'no late-command installs GRUB for i386-pc (BIOS)',
    ],
  ])('reports %s', (_what, breakIt, problem) => {
    const a = autoinstall();
    breakIt(a);
    expect(hybridBootProblems(a)).toContain(problem);
  });
});

describe('the schema of what this package emits', () => {
  const doc = () => parse(served(renderUserData(example), first, opensslCryptHash()));
  const validate = newAjv().compile(userDataSchema);

  it.each([
    ['a plaintext password', (d: any) => (d.autoinstall.identity.password = 'hunter2')],
    ['a storage layout', (d: any) => (d.autoinstall.storage.layout = { name: 'lvm' })],
    ['an interactive section', (d: any) => (d.autoinstall['interactive-sections'] = ['network'])],
    ['a poweroff instead of the reboot Packer waits for', (d: any) => (d.autoinstall.shutdown = 'poweroff')],
  ])('rejects %s', (_what, breakIt) => {
    const d = doc();
    breakIt(d);
    expect(validate(d)).toBe(false);
  });
});

describe('per-node rendering', () => {
  it.each(workers(withNewWorker(example)).map((n) => n.name))('gives %s its own hostname from one template', (name) => {
    const a = parse(served(renderUserData(withNewWorker(example)), name, opensslCryptHash())).autoinstall;
    expect(a.identity.hostname).toBe(name);
  });
});

describe('comments', () => {
  /** The comment before the key or item at `path` of the template (YAML gives a collection's first comment to the collection). */
  function commentAt(path: (string | number)[]): string | undefined {
    const doc = parseDocument(renderUserData(example));
    const parent = doc.getIn(path.slice(0, -1), true) as Node;
    const last = path.at(-1);
    let node: Node | undefined;
    let index = -1;
    if (isMap(parent)) {
      index = parent.items.findIndex((p) => isScalar(p.key) && p.key.value === last);
      node = parent.items[index]?.key as Node | undefined;
    } else if (isSeq(parent)) {
      index = last as number;
      node = parent.items[index] as Node | undefined;
    }
    return node?.commentBefore ?? node?.comment ?? (index === 0 ? parent.commentBefore : undefined) ?? undefined;
  }

  it.each([
    [['autoinstall', 'network']],
    [['autoinstall', 'apt']],
    [['autoinstall', 'identity']],
    [['autoinstall', 'ssh']],
    [['autoinstall', 'storage', 'swap']],
    [['autoinstall', 'storage', 'grub', 'reorder_uefi']],
    [['autoinstall', 'storage', 'config']],
    [['autoinstall', 'storage', 'config', 1]],
    [['autoinstall', 'packages', 0]],
    [['autoinstall', 'early-commands', 0]],
    [['autoinstall', 'late-commands', 0]],
    [['autoinstall', 'late-commands', 1]],
  ])('explain the non-default choice at %j', (path) => {
    expect(commentAt(path)?.trim().length).toBeGreaterThan(20);
  });
});

describe('meta-data', () => {
  it('names the instance after the cluster', () => {
    expect(parse(render(example).metaData)).toEqual({ 'instance-id': `${example.name}-worker-image-build` });
  });
});
