/**
 * Typed errors. Every bad input is reported before any heavy work or allocation with a stable `code`,
 * the `argument` that was wrong, and what is `allowed`.
 */
export type ErrorCode =
  | 'EMPTY_SPECTRUM'
  | 'NON_FINITE'
  | 'NEGATIVE_EIGENVALUE'
  | 'INVALID_STEPS'
  | 'INVALID_EPS'
  | 'INVALID_GRID'
  | 'INVALID_SCHEDULE'
  | 'UNKNOWN_SCHEME'
  | 'INVALID_OPTION'
  | 'UNKNOWN_OPTION'
  | 'MISSING_OPTION'
  | 'UNEXPECTED_ARGUMENT'
  | 'UNKNOWN_COMMAND'
  | 'NPY_READ'
  | 'NPY_FORMAT'
  | 'TOO_LARGE'
  | 'INVALID_SHAPE'
  | 'NOT_SYMMETRIC'
  | 'NOT_POSITIVE_DEFINITE'
  | 'NOT_LINEAR'
  | 'IMAGE_READ'
  | 'FILE_WRITE'
  | 'WORKER_FAILED'
  | 'INTERNAL';

export class GaussdiffError extends Error {
  readonly code: ErrorCode;
  readonly argument: string;
  readonly allowed: string;

  constructor(code: ErrorCode, argument: string, problem: string, allowed: string) {
    super(`${argument}: ${problem}${allowed ? ` (allowed: ${allowed})` : ''}`);
    this.name = 'GaussdiffError';
    this.code = code;
    this.argument = argument;
    this.allowed = allowed;
  }
}

export function fail(code: ErrorCode, argument: string, problem: string, allowed: string): never {
  throw new GaussdiffError(code, argument, problem, allowed);
}
