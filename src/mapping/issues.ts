import type { z } from 'zod';
import { problem, quote, type Problem } from './errors.ts';

type Issue = z.core.$ZodIssue;

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a block of keys',
  record: 'a block of keys',
  array: 'a list',
  null: 'null',
};

function shape(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a block of keys';
  return quote(input);
}

/**
 * zod's issues in the words an ops person needs, each at its path inside the file (prefixed with
 * `at`). Unknown keys become one problem per key, at that key, so the line points at the typo.
 */
export function issueProblems(issues: readonly Issue[], at: ReadonlyArray<string | number> = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...at, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    switch (issue.code) {
      case 'invalid_type':
        if (issue.input === undefined) out.push(problem(path, 'missing_key', 'required key is missing'));
        else out.push(problem(path, 'invalid_value', `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${shape(issue.input)}`));
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push(problem([...path, key], 'unknown_key', `unknown key "${key}"`));
        break;
      case 'invalid_value': {
        const words = issue.values.map((v) => String(v));
        const expected = words.length === 1 ? words[0] : `one of ${words.join(', ')}`;
        out.push(problem(path, 'invalid_value', `must be ${expected ?? 'something else'}, got ${shape(issue.input)}`));
        break;
      }
      case 'too_small':
        if (issue.origin === 'string') out.push(problem(path, 'invalid_value', 'must not be empty'));
        else if (issue.origin === 'array') out.push(problem(path, 'invalid_value', `needs at least ${String(issue.minimum)} item(s)`));
        else out.push(problem(path, 'invalid_value', `must be at least ${String(issue.minimum)}`));
        break;
      case 'too_big':
        if (issue.origin === 'string') out.push(problem(path, 'invalid_value', `must be at most ${String(issue.maximum)} characters`));
        else if (issue.origin === 'array') out.push(problem(path, 'invalid_value', `takes at most ${String(issue.maximum)} item(s)`));
        else out.push(problem(path, 'invalid_value', `must be at most ${String(issue.maximum)}`));
        break;
      case 'invalid_union':
        // A union over a missing key says "none matched"; the real news is that the key is missing.
        if (issue.input === undefined) out.push(problem(path, 'missing_key', 'required key is missing'));
        else out.push(problem(path, 'invalid_value', issue.message));
        break;
      default:
        out.push(problem(path, 'invalid_value', issue.message));
    }
  }
  return out;
}
