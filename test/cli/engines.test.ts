/**
 * Defect 9 of issue 8: package.json declares node >= 20.19, so every package that `npm ci` installs must
 * admit node 20.19.0 in its engines.node (else npm warns EBADENGINE; commander 15 needed >= 22.12).
 * `semver` is not a dependency: the range forms that npm's lock files hold are checked by hand below.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/shared.js';

type Version = [number, number, number];

function parseVersion(text: string): Version {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`unsupported version ${JSON.stringify(text)}`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `v` satisfies one comparator: >=, >, <=, <, =, ^X.Y.Z (X > 0), ~X.Y.Z, X.x, or a bare version. */
function satisfiesComparator(v: Version, comparator: string): boolean {
  if (comparator === '*' || comparator === '') return true;
  const x = /^(\d+)\.x$/.exec(comparator);
  if (x) return v[0] === Number(x[1]);
  const m = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(comparator);
  if (!m) throw new Error(`unsupported comparator ${JSON.stringify(comparator)}`);
  const [, op = '=', text] = m;
  const w = parseVersion(text);
  const c = compare(v, w);
  switch (op) {
    case '>=': return c >= 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '<': return c < 0;
    case '=': return text.split('.').length === 3 ? c === 0 : v[0] === w[0] && (text.split('.').length === 1 || v[1] === w[1]);
    case '^':
      if (w[0] === 0) throw new Error(`unsupported caret range ${comparator}`);
      return c >= 0 && v[0] === w[0];
    default: // '~': same major and minor
      return c >= 0 && v[0] === w[0] && v[1] === w[1];
  }
}

/** An npm range: alternatives joined by ||, each a space-separated conjunction ("> = 10" spacing allowed). */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((alt) => alt.trim().replace(/([<>=^~]+)\s+/g, '$1').split(/\s+/).every((c) => satisfiesComparator(v, c)));
}

describe('declared engines', () => {
  it('the range check itself', () => {
    expect(satisfies('20.19.0', '>=20')).toBe(true);
    expect(satisfies('20.19.0', '>=22.12.0')).toBe(false);
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('20.19.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies('20.19.0', '^18.0.0 || >=22')).toBe(false);
    expect(satisfies('20.19.0', '>= 10')).toBe(true);
    expect(satisfies('20.19.0', '4.x || >=6.0.0')).toBe(true);
    expect(satisfies('20.19.0', '>=12.20 <13')).toBe(false);
    expect(satisfies('20.19.0', '~20.18')).toBe(false);
  });

  it("every locked package's engines.node admits the floor package.json declares", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const floor = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines.node)?.[1];
    expect(floor, `package.json engines.node ${pkg.engines.node} is a plain >= floor`).toBeDefined();
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const refused: string[] = [];
    let checked = 0;
    for (const [name, entry] of Object.entries(lock.packages as Record<string, { engines?: unknown }>)) {
      const node = entry.engines && typeof entry.engines === 'object' && !Array.isArray(entry.engines) ? (entry.engines as { node?: string }).node : undefined;
      if (node === undefined) continue;
      checked++;
      if (!satisfies(floor as string, node)) refused.push(`${name || 'gaussdiff'}: ${node}`);
    }
    expect(checked).toBeGreaterThan(10);
    expect(refused).toEqual([]);
  });
});
