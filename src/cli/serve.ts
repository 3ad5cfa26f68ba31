/**
 * `gaussdiff serve [--port P]`: serves the web explorer (dist/web, built by scripts/build-web.js) on
 * 127.0.0.1 and prints its URL. Static files only: GET and HEAD, a content type per extension, paths
 * resolved inside the folder (no traversal, no directory listings). Port 0 takes a free port.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { GaussdiffError, fail } from '../core/errors.js';
import { integer } from './options.js';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.npy': 'application/octet-stream',
  '.ico': 'image/x-icon',
};

/** dist/web next to the CLI bundle (dist/cli.bundle.js), or from the sources (src/cli/serve.ts under tsx). */
export function webRoot(): string {
  const candidates = [new URL('./web/', import.meta.url), new URL('../../dist/web/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) fail('INVALID_OPTION', 'dist/web', 'the web explorer is not built', 'run `npm run build` first');
  return found;
}

/** The file a URL path names inside `root`, or null when it escapes it (after decoding and normalising). */
export function resolveInside(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null; // malformed percent-encoding
  }
  if (path.includes('\0')) return null;
  const file = resolve(root, '.' + normalize('/' + path));
  const base = resolve(root);
  return file === base || file.startsWith(base + sep) ? file : null;
}

/** Start the static server; resolves once it listens, with the server and its URL. */
export async function serveWeb(root: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let file = resolveInside(root, req.url ?? '/');
    if (file === null) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad path\n');
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  await new Promise<void>((done, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'needs privileges' : null;
      reject(why ? new GaussdiffError('INVALID_OPTION', '--port', `${port} ${why} on 127.0.0.1`, 'a free port, or 0 for any free port') : err);
    });
    server.listen(port, '127.0.0.1', done);
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${bound}/` };
}

export function serveCommand(prog: Command): void {
  prog.command('serve')
    .description('serve the web explorer on 127.0.0.1 (Ctrl-C stops it)')
    .addOption(new Option('--port <P>', 'TCP port (0: any free port)').argParser(integer('--port', 0, 65535)).default(8080))
    .action(async (o) => {
      const root = webRoot();
      const { url } = await serveWeb(root, o.port);
      process.stdout.write(`gaussdiff explorer: ${url}\n`);
    });
}
