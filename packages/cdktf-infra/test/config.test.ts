import { describe, expect, it } from 'vitest';
import { exampleCluster as example, s3BuildsPrefix, workers } from '@lolice/node-model';
import { withNewWorker } from '../../../test/lib/model';
import { buildsPrefix, configFromCluster, DEFAULTS, STATE_BACKEND } from '../src';

describe('configFromCluster', () => {
  it('takes every AWS fact from the model', () => {
    // GIVEN the example model WHEN the stack config is built
    const c = configFromCluster(example);
    // THEN nothing is invented
    expect(c).toMatchObject({
      accountId: example.aws.accountId,
      region: example.aws.region,
      bucket: example.aws.bucket,
      imagePrefix: example.aws.imagePrefix,
      roleName: example.aws.roleName,
      repository: example.aws.repository,
      branch: example.aws.branch,
    });
    expect(c.backend).toEqual(STATE_BACKEND);
  });

  it('lists the workers in model order, never the control plane', () => {
    const names = workers(example).map((n) => n.name);
    expect(configFromCluster(example).workers).toEqual(names);
    const more = withNewWorker(example);
    expect(configFromCluster(more).workers).toEqual([...names, more.nodes.at(-1)!.name]);
    expect(configFromCluster(example).workers).not.toContain(
      example.nodes.find((n) => n.role === 'control-plane')!.name,
    );
  });

  it('keeps the S3 layout contract by default: 90-day builds and versions, no Standard-IA', () => {
    const c = configFromCluster(example);
    expect([c.buildRetentionDays, c.noncurrentRetentionDays]).toEqual([90, 90]);
    expect(c.abortIncompleteUploadDays).toBe(DEFAULTS.abortIncompleteUploadDays);
    expect(c.standardIaTransitionDays).toBeUndefined();
    const node = workers(example)[0].name;
    expect(buildsPrefix(c, node)).toBe(`${example.aws.imagePrefix}/${node}/builds/`);
    expect(buildsPrefix(c, node)).toBe(s3BuildsPrefix(example.aws.imagePrefix, node));
  });

  it.each([
    [{ standardIaTransitionDays: 29 }, /standardIaTransitionDays: 29 must be a whole number from 30 to 89/],
    [{ standardIaTransitionDays: 90 }, /standardIaTransitionDays: 90 must be/],
    [{ buildRetentionDays: 0 }, /buildRetentionDays: 0 is not a whole number of days/],
    [{ abortIncompleteUploadDays: 1.5 }, /abortIncompleteUploadDays: 1.5/],
  ])('rejects %o before anything is synthesized', (options, message) => {
    expect(() => configFromCluster(example, options)).toThrow(message);
  });
});
