import { subdomainProblem } from './labels';

// JSON schema parts of a node's scheduling (labels, taints) and host directories.

/** `{ key: value }`; keys and values are checked by the rules of scheduling-check.ts. */
export const labelsSchema = {
  type: 'object',
  nullable: true,
  required: [],
  additionalProperties: { type: 'string' },
} as const;

export const taintsSchema = {
  type: 'array',
  nullable: true,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'effect'],
    properties: {
      key: { type: 'string' },
      value: { type: 'string', nullable: true },
      effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    },
  },
} as const;

export const hostDirectoriesSchema = {
  type: 'array',
  nullable: true,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'owner', 'group', 'mode'],
    properties: {
      path: { type: 'string', format: 'host-path' },
      owner: { type: 'string', format: 'account-name' },
      group: { type: 'string', format: 'account-name' },
      mode: { type: 'string', format: 'file-mode' },
    },
  },
} as const;

/** The named string formats these parts use (added to formats.ts's). */
export const schedulingFormats: Record<string, RegExp | ((value: string) => boolean)> = {
  /** A label prefix a model owns: a lowercase DNS subdomain and '/', e.g. `lolice.io/`. */
  'label-prefix': (value) => value.endsWith('/') && subdomainProblem(value.slice(0, -1)) === undefined,
  /** An absolute path of plain segments (letters, digits, '.', '_', '-'); where it may lie is a rule of its own. */
  'host-path': /^(\/[A-Za-z0-9._-]+)+$/,
  /** A user or group name on the node (`root`, `www-data`). */
  'account-name': /^[a-z_][a-z0-9_-]{0,31}$/,
  /** Permission bits in octal, four digits, no set-id or sticky bit: `0755`. */
  'file-mode': /^0[0-7]{3}$/,
};
