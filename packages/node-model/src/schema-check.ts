import Ajv, { type ErrorObject } from 'ajv';
import type { ValidationIssue } from './errors';
import { formats } from './formats';
import { clusterSchema } from './schema';
import type { Cluster } from './types';

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
const validateShape = ajv.compile(clusterSchema);

/** `/nodes/3/ip` → `nodes[3].ip` */
function toPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(root)';
}

function toIssue(error: ErrorObject): ValidationIssue {
  const base = toPath(error.instancePath);
  switch (error.keyword) {
    case 'required': {
      const field = (error.params as { missingProperty: string }).missingProperty;
      return {
        path: base === '(root)' ? field : `${base}.${field}`,
        rule: 'required',
        message: 'is required but missing',
      };
    }
    case 'additionalProperties': {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      return {
        path: base === '(root)' ? field : `${base}.${field}`,
        rule: 'known-fields',
        message: 'is not a field of the model',
      };
    }
    case 'format':
      return {
        path: base,
        rule: (error.params as { format: string }).format,
        message: `${JSON.stringify(error.data)} is not a valid ${(error.params as { format: string }).format}`,
      };
    case 'enum':
      return {
        path: base,
        rule: 'enum',
        message: `${JSON.stringify(error.data)} is not one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: base, rule: error.keyword, message: `${error.message ?? 'is invalid'}` };
  }
}

/** Checks the shape of an unknown value against the model's JSON schema. */
export function checkShape(value: unknown): { ok: true; cluster: Cluster } | { ok: false; issues: ValidationIssue[] } {
  if (validateShape(value)) return { ok: true, cluster: value };
  return { ok: false, issues: (validateShape.errors ?? []).map(toIssue) };
}
