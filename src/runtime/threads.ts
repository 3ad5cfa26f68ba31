/**
 * What every entry agrees on about worker threads, without starting any (so the environment-independent
 * engine, the browser entry and the command line can import it): the allowed thread counts, and the flags
 * a worker is started with.
 */
import { checkInteger } from '../core/checks.js';

/**
 * Most worker threads one call or `warmThreads` may use. Fixed rather than tied to the machine, so that the
 * same input is accepted everywhere; each worker costs about 8 MB and tens of milliseconds to boot, and more
 * threads than cores only add overhead.
 */
export const MAX_THREADS = 64;

/**
 * A thread count: an integer 1 <= x <= MAX_THREADS (INVALID_OPTION naming `argument` otherwise). Called
 * before any work or worker start by every computing function, `warmThreads` and the command line.
 */
export function validateThreads(x: unknown, argument = 'threads'): number {
  return checkInteger(x, argument, 1, MAX_THREADS, `an integer from 1 to ${MAX_THREADS}`);
}

// The parent's flags that a worker keeps. A worker inherits process.execArgv by default, and some flags
// break it or make no sense in it: --input-type (ERR_INPUT_TYPE_NOT_ALLOWED on the worker's file),
// -e/--eval and -p/--print (the parent's script), --test*, --watch*, --inspect* (one port per process),
// -i, -c. V8 flags such as the memory limits (--max-old-space-size, --stack-size) are refused in a worker's
// execArgv (ERR_WORKER_INVALID_EXEC_ARGV), and need not be passed: they are process-wide and already apply
// to every worker's isolate. So keep only what the worker's own module loading may need (resolution
// conditions, preloaded modules and loaders: Yarn PnP's --require .pnp.cjs, tsx's --import) and how
// warnings, deprecations, rejections and stack traces are reported; drop everything else (a dropped flag's
// separate value too: `-e CODE` leaves CODE, which is kept only if it is literally one of these flags).
const KEEP_WITH_VALUE = new Set(['--conditions', '-C', '--require', '-r', '--import', '--loader', '--experimental-loader', '--disable-warning', '--unhandled-rejections']);
const KEEP = new Set(['--enable-source-maps', '--no-warnings', '--trace-warnings', '--no-deprecation', '--trace-deprecation', '--throw-deprecation', '--pending-deprecation', '--trace-uncaught']);

/** The flags to start a worker with, from the parent's (process.execArgv). */
export function workerExecArgv(parent: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i];
    const name = arg.split('=', 1)[0];
    const separate = !arg.includes('=') && i + 1 < parent.length;
    if (KEEP_WITH_VALUE.has(name)) {
      kept.push(arg);
      if (separate) kept.push(parent[++i]);
    } else if (KEEP.has(arg)) {
      kept.push(arg);
    }
  }
  return kept;
}
