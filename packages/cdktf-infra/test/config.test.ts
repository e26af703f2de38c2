import { lolice } from '@lolice/node-model';
import { describe, expect, it } from 'vitest';
import { buildsPrefix, configFromCluster, DEFAULTS, STATE_BACKEND } from '../src';
import { withGolyat4 } from './support/cdktf';

describe('configFromCluster', () => {
  it('takes every AWS fact from the model', () => {
    // GIVEN the lolice model WHEN the stack config is built
    const c = configFromCluster(lolice);
    // THEN nothing is invented
    expect(c).toMatchObject({
      accountId: lolice.aws.accountId,
      region: lolice.aws.region,
      bucket: lolice.aws.bucket,
      imagePrefix: lolice.aws.imagePrefix,
      roleName: lolice.aws.roleName,
      repository: lolice.aws.repository,
      branch: lolice.aws.branch,
    });
    expect(c.backend).toEqual(STATE_BACKEND);
  });

  it('lists the workers in model order, never the control plane', () => {
    expect(configFromCluster(lolice).workers).toEqual(['golyat-1', 'golyat-2', 'golyat-3']);
    expect(configFromCluster(withGolyat4()).workers).toEqual(['golyat-1', 'golyat-2', 'golyat-3', 'golyat-4']);
  });

  it('keeps the S3 layout contract by default: 90-day builds and versions, no Standard-IA', () => {
    const c = configFromCluster(lolice);
    expect([c.buildRetentionDays, c.noncurrentRetentionDays]).toEqual([90, 90]);
    expect(c.abortIncompleteUploadDays).toBe(DEFAULTS.abortIncompleteUploadDays);
    expect(c.standardIaTransitionDays).toBeUndefined();
    expect(buildsPrefix(c, 'golyat-1')).toBe('images/x86_64/golyat-1/builds/');
  });

  it.each([
    [{ standardIaTransitionDays: 29 }, /standardIaTransitionDays: 29 must be a whole number from 30 to 89/],
    [{ standardIaTransitionDays: 90 }, /standardIaTransitionDays: 90 must be/],
    [{ buildRetentionDays: 0 }, /buildRetentionDays: 0 is not a whole number of days/],
    [{ abortIncompleteUploadDays: 1.5 }, /abortIncompleteUploadDays: 1.5/],
  ])('rejects %o before anything is synthesized', (options, message) => {
    expect(() => configFromCluster(lolice, options)).toThrow(message);
  });
});
