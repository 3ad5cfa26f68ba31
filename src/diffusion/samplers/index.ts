/**
 * The registry of samplers. A new sampler is one file in this folder (its `SchemeDefinition`, see
 * ./sampler.ts) plus one entry in SCHEMES below.
 */
import { fail } from '../../core/errors.js';
import { type SchemeDefinition } from './sampler.js';
import { eulerMaruyama } from './em.js';
import { exponentialIntegrator } from './ei.js';
import { eulerOde } from './euler.js';
import { heunOde } from './heun.js';

export { type Process, type StepGeometry, type Tableau, type SchemeDefinition } from './sampler.js';
export { eulerMaruyama, exponentialIntegrator, eulerOde, heunOde };

export const SCHEMES = {
  em: eulerMaruyama,
  ei: exponentialIntegrator,
  euler: eulerOde,
  heun: heunOde,
} as const satisfies Readonly<Record<string, SchemeDefinition>>;

export type SchemeName = keyof typeof SCHEMES;

export const SCHEME_NAMES = Object.keys(SCHEMES) as SchemeName[];

export function resolveSchemes(names: unknown, argument = 'schemes'): SchemeDefinition<SchemeName>[] {
  if (!Array.isArray(names) || names.length === 0) {
    fail('UNKNOWN_SCHEME', argument, `expected a non-empty list of scheme names, got ${JSON.stringify(names)}`, SCHEME_NAMES.join(', '));
  }
  const seen = new Set<string>();
  return names.map((name) => {
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(SCHEMES, name)) {
      fail('UNKNOWN_SCHEME', argument, `unknown scheme ${JSON.stringify(name)}`, SCHEME_NAMES.join(', '));
    }
    if (seen.has(name)) fail('UNKNOWN_SCHEME', argument, `scheme ${name} is listed twice`, 'each scheme once');
    seen.add(name);
    return SCHEMES[name as SchemeName];
  });
}
