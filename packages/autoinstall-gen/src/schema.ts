/**
 * JSON schema of the user-data this package emits, once Packer has rendered
 * it: exactly the keys we write, with the values the build relies on. Stricter
 * than Subiquity's own schema (which treats `storage` as an opaque object).
 */

const command = {
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  ],
} as const;
const closed = (required: string[], properties: Record<string, unknown>) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
const str = { type: 'string', minLength: 1 } as const;
const preserveFalse = { const: false } as const;

const storageAction = {
  oneOf: [
    closed(['type', 'id', 'match', 'ptable', 'wipe', 'preserve'], {
      type: { const: 'disk' },
      id: str,
      match: closed(['size'], { size: { const: 'largest' } }),
      ptable: { const: 'gpt' },
      wipe: { const: 'superblock-recursive' },
      preserve: preserveFalse,
    }),
    closed(['type', 'id', 'device', 'number', 'size', 'preserve'], {
      type: { const: 'partition' },
      id: str,
      device: str,
      number: { type: 'integer', minimum: 1 },
      size: { oneOf: [{ type: 'string', pattern: '^[1-9][0-9]*[KMGT]$' }, { const: -1 }] },
      flag: { enum: ['bios_grub', 'boot'] },
      grub_device: { type: 'boolean' },
      preserve: preserveFalse,
    }),
    closed(['type', 'id', 'volume', 'fstype', 'preserve'], {
      type: { const: 'format' },
      id: str,
      volume: str,
      fstype: { enum: ['fat32', 'ext4'] },
      preserve: preserveFalse,
    }),
    closed(['type', 'id', 'device', 'path'], {
      type: { const: 'mount' },
      id: str,
      device: str,
      path: { type: 'string', pattern: '^/' },
    }),
  ],
} as const;

/** Schema of the rendered user-data document (the parsed YAML, `autoinstall:` at the top). */
export const userDataSchema = closed(['autoinstall'], {
  autoinstall: closed(
    [
      'version',
      'locale',
      'keyboard',
      'network',
      'identity',
      'ssh',
      'storage',
      'packages',
      'early-commands',
      'late-commands',
      'shutdown',
    ],
    {
      version: { const: 1 },
      locale: { type: 'string', pattern: '^[a-z]{2}_[A-Z]{2}\\.UTF-8$' },
      keyboard: closed(['layout'], { layout: str }),
      network: closed(['version', 'ethernets'], {
        version: { const: 2 },
        ethernets: {
          type: 'object',
          minProperties: 1,
          additionalProperties: closed(['match', 'dhcp4'], {
            match: closed(['name'], { name: str }),
            dhcp4: { const: true },
          }),
        },
      }),
      apt: closed(['geoip'], { geoip: { type: 'boolean' } }),
      identity: closed(['hostname', 'username', 'password'], {
        hostname: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' },
        username: { type: 'string', pattern: '^[a-z_][a-z0-9_-]{0,31}$' },
        // A crypt(3) hash (bcrypt from Packer, or SHA-512), never a plaintext.
        password: {
          type: 'string',
          pattern:
            '^\\$(2[aby]\\$[0-9]{2}\\$[./A-Za-z0-9]{53}|6\\$(rounds=[0-9]+\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{86})$',
        },
      }),
      ssh: closed(['install-server', 'allow-pw'], {
        'install-server': { const: true },
        'allow-pw': { type: 'boolean' },
      }),
      storage: closed(['config'], {
        swap: closed(['size'], { size: { type: 'integer', minimum: 0 } }),
        grub: closed([], { reorder_uefi: { type: 'boolean' }, probe_additional_os: { type: 'boolean' } }),
        config: { type: 'array', minItems: 1, items: storageAction },
      }),
      // The signed boot chain is named, never left to curtin's choice of packages.
      packages: {
        type: 'array',
        uniqueItems: true,
        items: { type: 'string', pattern: '^[a-z0-9][a-z0-9+.-]+$' },
        allOf: ['shim-signed', 'grub-efi-amd64-signed'].map((name) => ({ contains: { const: name } })),
      },
      'early-commands': { type: 'array', items: command },
      'late-commands': { type: 'array', items: command },
      'error-commands': { type: 'array', items: command },
      shutdown: { const: 'reboot' },
    },
  ),
});
