import { describe, expect, it } from 'vitest';
import { RateLimitedError, CircuitOpenError, ConnectorConfigError, TransientError } from '../../connectors/kit/errors.ts';
import { ConfigFileError } from '../../src/config/index.ts';
import { ConfigError } from '../../src/engine/errors.ts';
import { classifyJobError, JobPayloadError } from '../../src/queue/index.ts';

const site = { systemId: 'bullhorn', method: 'GET', path: '/entity/Placement', status: 429 };

describe('classifyJobError', () => {
  it('sends configuration mistakes to the unrecoverable path as config_error', () => {
    for (const err of [
      new ConfigError('no mapping for placement'),
      new ConnectorConfigError('bad credentials', { ...site, status: 401 }, 'bad_credentials'),
      new ConfigFileError([{ key: 'systems', message: 'bad' }], 'crosswalk.config.yaml'),
      new JobPayloadError('sync.push', [{ path: 'outboxId', message: 'required' }]),
      Object.assign(new Error('x'), { unrecoverable: true }),
    ]) {
      expect(classifyJobError(err), err.name).toEqual({ kind: 'unrecoverable', failure: 'config_error' });
    }
  });

  it('sends a rate-limit error with its wait to the rate-limit path', () => {
    expect(classifyJobError(new RateLimitedError('429', site, 12_000))).toEqual({ kind: 'rate_limited', retryAfterMs: 12_000 });
    // Duck-typed: a copy from another realm or package version classifies the same.
    expect(classifyJobError({ name: 'RateLimitedError', retryAfterMs: 5 })).toEqual({ kind: 'rate_limited', retryAfterMs: 5 });
  });

  it('retries everything else, honouring a transient error\'s hint as the minimum delay', () => {
    expect(classifyJobError(new Error('boom'))).toEqual({ kind: 'retry', failure: 'system_error', minDelayMs: 0 });
    expect(classifyJobError(new CircuitOpenError(site, 30_000))).toEqual({ kind: 'retry', failure: 'system_error', minDelayMs: 30_000 });
    expect(classifyJobError(new TransientError('reset', site))).toEqual({ kind: 'retry', failure: 'system_error', minDelayMs: 0 });
    // A rate-limit error without a usable wait is just a failure to retry.
    expect(classifyJobError({ name: 'RateLimitedError', retryAfterMs: -1 })).toEqual({ kind: 'retry', failure: 'system_error', minDelayMs: 0 });
    expect(classifyJobError('a string')).toEqual({ kind: 'retry', failure: 'system_error', minDelayMs: 0 });
    expect(classifyJobError(null)).toEqual({ kind: 'retry', failure: 'system_error', minDelayMs: 0 });
  });
});
