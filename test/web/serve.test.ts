/**
 * `gaussdiff serve` (src/cli/serve.ts): the explorer's static server, run as a user runs it (bin/gaussdiff.js,
 * a child process). It prints its URL on 127.0.0.1, serves dist/web with the right content types, refuses
 * every way out of the folder, and reports a bad or busy port as one typed line with exit code 2.
 * Needs `npm run build` (dist/cli.bundle.js and dist/web).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ROOT } from '../helpers/shared.js';
import { resolveInside } from '../../src/cli/serve.js';
import { BIN, startServer } from './server.js';

/** A raw GET (or other method) that keeps the path as given (fetch would normalise ../ away). */
function raw(url: string, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((done, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (b) => { body += b; });
      res.on('end', () => done({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gaussdiff serve', () => {
  let server: { child: ChildProcess; url: string };
  beforeAll(async () => { server = await startServer(); });
  afterAll(() => { server?.child.kill(); });

  it('prints a URL on 127.0.0.1 and serves the page, its scripts and the MNIST spectrum with their content types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const cases: [string, RegExp][] = [
      ['/', /^text\/html/], ['/index.html', /^text\/html/], ['/app.js', /^text\/javascript/], ['/worker.js', /^text\/javascript/],
      ['/style.css', /^text\/css/], ['/mnist-spectrum.npy', /^application\/octet-stream/], ['/app.js.map', /^application\/json/],
    ];
    for (const [path, type] of cases) {
      const r = await raw(server.url, path);
      expect(r.status, path).toBe(200);
      expect(r.type, path).toMatch(type);
    }
    expect((await raw(server.url, '/')).body).toContain('<title>gaussdiff explorer');
    const head = await raw(server.url, '/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('never serves a file outside dist/web, and answers other methods with 405', async () => {
    for (const path of ['/../package.json', '/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/..%5c..%5cpackage.json', '/web/../../../etc/passwd', '//etc/passwd']) {
      const r = await raw(server.url, path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain('"name": "gaussdiff"');
      expect(r.body, path).not.toContain('root:');
    }
    expect((await raw(server.url, '/%E0%A4%A')).status).toBe(400); // malformed percent-encoding
    expect((await raw(server.url, '/nothing-here.js')).status).toBe(404);
    expect((await raw(server.url, '/index.html', 'POST')).status).toBe(405);
  });

  it('resolveInside keeps every path inside the root', () => {
    const root = join(ROOT, 'dist', 'web');
    expect(resolveInside(root, '/a/../b.js')).toBe(join(root, 'b.js'));
    expect(resolveInside(root, '/../../x')).toBe(join(root, 'x'));
    expect(resolveInside(root, '/%00')).toBeNull();
    expect(resolveInside(root, '/%zz')).toBeNull();
  });

  it('a bad port and a busy port are one typed line with exit code 2', async () => {
    for (const port of ['65536', '-1', '80.5', 'http']) {
      const r = spawnSync(process.execPath, [BIN, 'serve', '--port', port], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, port).toBe(2);
      expect(r.stderr).toMatch(/^gaussdiff: error \[INVALID_OPTION\] --port: [^\n]* \(allowed: (an integer from 0 to 65535|a finite number)\)\n$/);
    }
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const port = (busy.address() as AddressInfo).port;
    try {
      const r = spawnSync(process.execPath, [BIN, 'serve', '--port', String(port)], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`gaussdiff: error [INVALID_OPTION] --port: ${port} is already in use on 127.0.0.1 (allowed: a free port, or 0 for any free port)\n`);
    } finally {
      busy.close();
    }
  });
});
