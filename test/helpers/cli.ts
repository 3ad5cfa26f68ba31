/** Running the command line in tests: `node bin/gaussdiff.js args` (or $GAUSSDIFF_CLI), shared by the CLI tests. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './shared.js';

export const BIN = process.env.GAUSSDIFF_CLI ?? join(ROOT, 'bin', 'gaussdiff.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI with `args` from the project root; exit code, stdout and stderr as text. */
export function runCli(args: readonly string[], opts: { timeout?: number; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', cwd: opts.cwd ?? ROOT, timeout: opts.timeout ?? 120_000, maxBuffer: 1 << 28,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
