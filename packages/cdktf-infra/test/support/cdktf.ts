import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import {
  getToHaveDataSourceWithProperties,
  getToHaveProviderWithProperties,
  getToHaveResourceWithProperties,
  type AssertionReturn,
  type TerraformConstructor,
} from 'cdktf/lib/testing/matchers';
import type { Construct } from 'constructs';
import { afterAll, expect } from 'vitest';
import { exampleCluster, type Cluster } from '@lolice/node-model';
import { configFromCluster, WorkerNodeImagesStack, type WorkerNodeImagesOptions } from '../../src';

/**
 * cdktf's Testing matchers for vitest: what `Testing.setupJest()` registers
 * for Jest, with the same pass/fail logic (cdktf's own matcher functions).
 */
const asVitest = (r: AssertionReturn) => ({ pass: r.pass, message: () => r.message });
expect.extend({
  toHaveResourceWithProperties: (
    received: string,
    type: TerraformConstructor,
    properties: Record<string, unknown> = {},
  ) => asVitest(getToHaveResourceWithProperties()(received, type, properties)),
  toHaveDataSourceWithProperties: (
    received: string,
    type: TerraformConstructor,
    properties: Record<string, unknown> = {},
  ) => asVitest(getToHaveDataSourceWithProperties()(received, type, properties)),
  toHaveProviderWithProperties: (
    received: string,
    type: TerraformConstructor,
    properties: Record<string, unknown> = {},
  ) => asVitest(getToHaveProviderWithProperties()(received, type, properties)),
});

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Assertion<T = any> {
    toHaveResourceWithProperties(type: TerraformConstructor, properties?: Record<string, unknown>): T;
    toHaveDataSourceWithProperties(type: TerraformConstructor, properties?: Record<string, unknown>): T;
    toHaveProviderWithProperties(type: TerraformConstructor, properties?: Record<string, unknown>): T;
  }
}

/** One output directory per test file for `Testing.app` (it never writes there here), removed afterwards. */
const outdir = mkdtempSync(join(tmpdir(), 'cdktf-infra-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** `Testing.synth` of the worker-node-images stack built from a model: a JSON string. */
export function synthStack(cluster: Cluster = exampleCluster, options?: WorkerNodeImagesOptions): string {
  const stack = new WorkerNodeImagesStack(Testing.app({ outdir }), configFromCluster(cluster, options));
  return Testing.synth(stack, true);
}

/** `Testing.synthScope` with the shared output directory: synthesizes what `fn` adds to a bare stack. */
export function synthScope(fn: (scope: Construct) => void): string {
  const stack = new TerraformStack(Testing.app({ outdir }), 'scope');
  fn(stack);
  return Testing.synth(stack);
}
