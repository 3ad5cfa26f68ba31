/** Assertions on typed errors, shared by the test files. */
import { expect } from 'vitest';
import { GaussdiffError, type ErrorCode } from '../../src/node.js';

/**
 * Expect `p` (a promise, or a function run and awaited) to throw a GaussdiffError with this code, whose
 * argument is `argument` (a string: exactly; a RegExp: matching), whose `allowed` is not empty, whose
 * message names the argument, and matches `message` when given. Returns the error.
 */
export async function expectError(
  p: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  argument?: string | RegExp,
  message?: RegExp,
): Promise<GaussdiffError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a GaussdiffError ${code}`).toBeInstanceOf(GaussdiffError);
  const g = err as GaussdiffError;
  expect(g.code).toBe(code);
  if (typeof argument === 'string') expect(g.argument).toBe(argument);
  else if (argument) expect(g.argument).toMatch(argument);
  expect(g.allowed.length).toBeGreaterThan(0);
  expect(g.message).toContain(g.argument);
  if (message) expect(g.message).toMatch(message);
  return g;
}
