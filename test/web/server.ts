/** Start `gaussdiff serve --port 0` as a user runs it (bin/gaussdiff.js, a child process), for the web tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/shared.js';

export const BIN = join(ROOT, 'bin', 'gaussdiff.js');

/** Start `gaussdiff serve --port 0`; resolves with the child and the URL it prints. */
export function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((done, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) done({ child, url: m[1] });
    });
    child.stderr!.on('data', (b) => { err += b; });
    child.on('exit', (code) => reject(new Error(`gaussdiff serve exited with ${code}: ${err}`)));
  });
}

