import { describe, expect, it } from 'vitest';
import { Budget, WINDOW_MS } from '../../../connectors/greenhouse/budget.ts';

/** The Harvest budget on a manual clock: when a spent window is taken to end. */
function budgetAt(start = 1_000_000): { budget: Budget; at: (ms: number) => void } {
  let now = start;
  return { budget: new Budget(() => now), at: (ms) => (now = start + ms) };
}
const left = (remaining: number, extra: Record<string, string> = {}) => ({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': String(remaining), ...extra });

describe('Greenhouse budget', () => {
  it('a window spent without a reset header ends 10 s after the answer that opened it, not 10 s after the last', () => {
    const { budget, at } = budgetAt();
    at(0);
    budget.observe(left(2));
    at(3_000);
    budget.observe(left(1));
    at(7_000);
    budget.observe(left(0));
    expect(budget.waitMs()).toBe(WINDOW_MS - 7_000);
    at(WINDOW_MS);
    expect(budget.waitMs()).toBe(0);
  });

  it('a count that goes up opens a new window at that answer', () => {
    const { budget, at } = budgetAt();
    at(0);
    budget.observe(left(1));
    at(500);
    budget.observe(left(0));
    at(10_200);
    budget.observe(left(2));
    at(11_000);
    budget.observe(left(1));
    at(12_000);
    budget.observe(left(0));
    expect(budget.waitMs()).toBe(10_200 + WINDOW_MS - 12_000);
  });

  it('an answer 10 s or more after the opener opens the window itself (its start is unseen, never early)', () => {
    const { budget, at } = budgetAt();
    at(0);
    budget.observe(left(2));
    at(15_000);
    budget.observe(left(1));
    at(16_000);
    budget.observe(left(0));
    expect(budget.waitMs()).toBe(15_000 + WINDOW_MS - 16_000);
  });

  it('X-RateLimit-Reset, when the answer carries one, is the end; never more than one window away', () => {
    const { budget, at } = budgetAt(1_700_000_000_000);
    at(0);
    budget.observe(left(0, { 'x-ratelimit-reset': String(1_700_000_004) }));
    expect(budget.waitMs()).toBe(4_000);
    const far = budgetAt(1_700_000_000_000);
    far.budget.observe(left(0, { 'x-ratelimit-reset': String(1_700_000_060) }));
    expect(far.budget.waitMs()).toBe(WINDOW_MS);
  });

  it('answers without the headers, or with budget left, never pause', () => {
    const { budget, at } = budgetAt();
    budget.observe({});
    budget.observe(left(1));
    at(100);
    expect(budget.waitMs()).toBe(0);
  });
});
