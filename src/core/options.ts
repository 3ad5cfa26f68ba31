/**
 * Options objects: every public function that takes one checks it first, so a misspelt key
 * (`table(s, { step: 50 })`) is an error naming the key and the known ones, never a silent default.
 */
import { fail } from './errors.js';
import { describe } from './checks.js';

/**
 * The keys of an options type, each listed once next to the type: the compiler refuses a missing or an
 * extra key (`optionKeys<TableOptions>({ steps: true, ... })`).
 */
export function optionKeys<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

/**
 * `opts` is undefined (all defaults) or an object whose own keys are all `known`. Otherwise a typed error
 * before any work: INVALID_OPTION (null, not an object), UNKNOWN_OPTION (naming the key, listing the
 * known ones, with "did you mean" when a known key is within edit distance 2).
 */
export function checkOptions(opts: unknown, known: readonly string[], argument = 'opts'): void {
  if (opts === undefined) return;
  const allowed = known.length ? `an object with keys among ${known.join(', ')}` : 'no options';
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    fail('INVALID_OPTION', argument, `expected an options object, got ${describe(opts)}`, allowed);
  }
  for (const key of Object.keys(opts)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    fail('UNKNOWN_OPTION', `${argument}.${key}`, `unknown option ${JSON.stringify(key)}${near ? ` (did you mean ${near}?)` : ''}`,
      known.length ? known.join(', ') : 'no options');
  }
}

/** The known word nearest to `key` within edit distance 2, case-insensitive (ties: the first listed), or null. */
export function nearest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  // d[i][j] = distance between a[0..i) and b[0..j), row by row (three rows kept).
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length];
}
