import { isSeq, Scalar, type Document } from 'yaml';
import { yamlDocument, yamlText, type Cluster } from '@lolice/node-model';
import { earlyCommands, errorCommands, lateCommands } from './commands';
import { escapeTemplateText, templateVar } from './packer-template';
import { KEYBOARD_LAYOUT, LOCALE, PACKAGES, TEMPLATE_VARS, WIRED_NIC_PATTERN } from './settings';
import { storage, STORAGE_REASONS } from './storage';
import { commentAfter, commentBefore } from './yaml-comments';

/** Stand-in for a template variable while the YAML is serialized and escaped. */
const sentinel = (name: string) => `@@lolice-template-var-${name}@@`;

/** A single-quoted scalar holding a template variable (the value may contain '$'). */
function templated(name: string): Scalar {
  const node = new Scalar(sentinel(name));
  node.type = Scalar.QUOTE_SINGLE;
  return node;
}

/** The `autoinstall:` section as plain data (template variables still as sentinels). */
function autoinstall(c: Cluster) {
  return {
    version: 1,
    locale: LOCALE,
    keyboard: { layout: KEYBOARD_LAYOUT },
    network: { version: 2, ethernets: { wired: { match: { name: WIRED_NIC_PATTERN }, dhcp4: true } } },
    apt: { geoip: false },
    identity: {
      hostname: templated(TEMPLATE_VARS.hostname),
      username: c.admin.user,
      password: templated(TEMPLATE_VARS.passwordHash),
    },
    ssh: { 'install-server': true, 'allow-pw': true },
    storage: storage(),
    packages: PACKAGES.map((p) => p.name),
    'early-commands': earlyCommands().map((cmd) => cmd.run),
    'late-commands': lateCommands(c).map((cmd) => cmd.run),
    'error-commands': errorCommands().map((cmd) => cmd.run),
    shutdown: 'reboot',
  };
}

/** Every choice that is not Subiquity's default gets its reason as a comment. */
function addComments(doc: Document, c: Cluster): void {
  const at = (...path: (string | number)[]) => ['autoinstall', ...path];
  commentBefore(
    doc,
    at('version'),
    'Subiquity autoinstall, fully unattended: no interactive-sections, "autoinstall" on the kernel command line.',
  );
  commentBefore(
    doc,
    at('locale'),
    'Spelled out although they are the defaults: headless servers, a US console for rescue.',
  );
  commentBefore(
    doc,
    at('network'),
    `DHCP on every wired NIC (${WIRED_NIC_PATTERN}) for the install and the build; Ansible replaces it with the node's static address.`,
  );
  commentBefore(doc, at('apt'), 'No GeoIP lookup: the default archive and UTC, whatever network the build runs on.');
  commentBefore(
    doc,
    at('identity'),
    `The admin account (model: admin.user). Its password is the build-only one, hashed by Packer at build time and locked before the image is sealed.`,
  );
  commentBefore(
    doc,
    at('ssh'),
    'Packer logs in with that password after the reboot; the sealing step turns password authentication off.',
  );
  commentBefore(doc, at('storage', 'swap'), 'No swap file: the kubelet requires swap off.');
  commentBefore(
    doc,
    at('storage', 'grub', 'reorder_uefi'),
    'Keep the new "ubuntu" NVRAM entry first: curtin\'s default puts the installer\'s CD-ROM back in front and the VM would boot the ISO again.',
  );
  commentBefore(doc, at('storage', 'grub', 'probe_additional_os'), 'A worker boots only Ubuntu: no os-prober entries.');
  commentBefore(
    doc,
    at('storage', 'config'),
    'Hybrid BIOS + UEFI disk as a curtin config (never together with "layout", which would win).',
  );
  storage().config.forEach((action, i) => {
    const why = STORAGE_REASONS[String(action.id)];
    if (why) commentBefore(doc, at('storage', 'config', i), why);
  });
  PACKAGES.forEach((p, i) => commentAfter(doc, at('packages', i), p.why));
  earlyCommands().forEach((cmd, i) => commentBefore(doc, at('early-commands', i), cmd.why));
  lateCommands(c).forEach((cmd, i) => commentBefore(doc, at('late-commands', i), cmd.why));
  errorCommands().forEach((cmd, i) => commentBefore(doc, at('error-commands', i), cmd.why));
  commentBefore(doc, at('shutdown'), 'Reboot into the installed system, where Packer connects over SSH.');
}

/**
 * `http/user-data`: `#cloud-config`, then the autoinstall section. The text
 * is a Packer template: `${hostname}` and `${password_hash}` are its only
 * interpolations; every other `${` and `%{` is escaped.
 */
export function renderUserData(c: Cluster): string {
  const doc = yamlDocument({ autoinstall: autoinstall(c) });
  addComments(doc, c);
  // Commands given as argv arrays read best on one line: [systemctl, stop, ...].
  for (const list of ['early-commands', 'late-commands', 'error-commands']) {
    const seq = doc.getIn(['autoinstall', list], true);
    if (isSeq(seq)) for (const item of seq.items) if (isSeq(item)) item.flow = true;
  }
  let text = escapeTemplateText(`#cloud-config\n${yamlText(doc)}`);
  for (const name of Object.values(TEMPLATE_VARS)) text = text.replace(sentinel(name), templateVar(name));
  return text;
}
