import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../connectors/kit/index.ts';

function breaker(): { cb: CircuitBreaker; advance: (ms: number) => void } {
  let now = 1_000_000;
  return { cb: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 5_000 }, () => now), advance: (ms) => { now += ms; } };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and fails fast with the time left', () => {
    const { cb, advance } = breaker();
    cb.onFailure();
    cb.onFailure();
    expect(cb.state).toBe('closed');
    expect(cb.admit().allowed).toBe(true);
    cb.onFailure();
    expect(cb.state).toBe('open');
    advance(1_000);
    expect(cb.admit()).toEqual({ allowed: false, retryInMs: 4_000 });
  });

  it('a success in between resets the count: failures must be consecutive', () => {
    const { cb } = breaker();
    cb.onFailure();
    cb.onFailure();
    cb.onSuccess();
    cb.onFailure();
    cb.onFailure();
    expect(cb.state).toBe('closed');
  });

  it('half-open after the cool-down lets exactly one probe through; success closes', () => {
    const { cb, advance } = breaker();
    for (let i = 0; i < 3; i += 1) cb.onFailure();
    advance(5_000);
    expect(cb.admit()).toEqual({ allowed: true, probe: true });
    expect(cb.state).toBe('half-open');
    expect(cb.admit().allowed).toBe(false);
    cb.onSuccess();
    expect(cb.state).toBe('closed');
    expect(cb.admit()).toEqual({ allowed: true, probe: false });
  });

  it('a failed probe opens it for another full cool-down', () => {
    const { cb, advance } = breaker();
    for (let i = 0; i < 3; i += 1) cb.onFailure();
    advance(5_000);
    expect(cb.admit().allowed).toBe(true);
    cb.onFailure();
    expect(cb.state).toBe('open');
    advance(4_999);
    expect(cb.admit().allowed).toBe(false);
    advance(1);
    expect(cb.admit()).toEqual({ allowed: true, probe: true });
  });

  it('an abandoned probe (caller abort) lets the next one go', () => {
    const { cb, advance } = breaker();
    for (let i = 0; i < 3; i += 1) cb.onFailure();
    advance(5_000);
    expect(cb.admit().allowed).toBe(true);
    cb.onAbandon(true);
    expect(cb.admit()).toEqual({ allowed: true, probe: true });
  });

  it('late answers to requests sent before it opened do not close or extend it', () => {
    const { cb, advance } = breaker();
    for (let i = 0; i < 3; i += 1) cb.onFailure();
    cb.onSuccess();
    expect(cb.state).toBe('open');
    advance(2_000);
    cb.onFailure();
    advance(3_000);
    expect(cb.admit()).toEqual({ allowed: true, probe: true });
  });
});
