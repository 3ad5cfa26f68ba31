/**
 * What the commands print: stdout written with back-pressure (so large JSON streams in pieces instead of
 * one huge string), a quiet exit when stdout is a closed pipe (`| head`), progress bars on stderr when it
 * is a terminal, and figures with a stated number of significant digits.
 */

/** Work (mode-steps) above which a progress bar is worth showing on a terminal (about a second). */
const PROGRESS_WORK = 3e8;

/**
 * A reader that closed its end of the pipe (`gaussdiff ... | head -c 10`) wants no more output: stop
 * quietly with exit code 0. The 'exit' handlers still run (temporary files are removed).
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** Write to stdout; resolves once the stream can take more (back-pressure). */
export function write(text: string): Promise<void> {
  if (process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** Values per piece when streaming a long array. */
const PIECE = 8192;

/** A JSON number, or the string "Infinity" (JSON has no infinities; NaN never reaches here). */
export const jsonNumber = (x: number): string => (Number.isFinite(x) ? JSON.stringify(x) : '"Infinity"');

/** Stream `[f(0), ..., f(n - 1)]` to stdout in pieces of PIECE values. */
export async function writeJsonArray(n: number, f: (i: number) => string): Promise<void> {
  await write('[');
  for (let start = 0; start < n; start += PIECE) {
    const end = Math.min(n, start + PIECE);
    const parts = new Array<string>(end - start);
    for (let i = start; i < end; i++) parts[i - start] = f(i);
    await write((start > 0 ? ',' : '') + parts.join(','));
  }
  await write(']');
}

/** `x` with `digits` significant digits in %g style (exponent form below 1e-4 and from 10^digits). */
export function significant(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const r = Number(x.toPrecision(digits));
  return r !== 0 && (Math.abs(r) < 1e-4 || Math.abs(r) >= 10 ** digits) ? r.toExponential() : String(r);
}

/** Run a staged job (about a second or more) with a progress bar on stderr when it is a terminal. */
export async function withProgress<T>(label: string, job: (onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return job(() => {});
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {percentage}%`, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  try {
    return await job((done, total) => {
      if (!started) { bar.start(total, 0); started = true; }
      bar.update(done);
    });
  } finally {
    if (started) bar.stop();
  }
}

/** A progress bar on stderr, only on a terminal, only for long jobs; returns the callback and a stop. */
export async function progress(label: string): Promise<{ onProgress?: (done: number, total: number) => void; stop: () => void }> {
  if (!process.stderr.isTTY) return { stop: () => {} };
  const { SingleBar, Presets } = await import('cli-progress');
  let bar: InstanceType<typeof SingleBar> | null = null;
  return {
    onProgress: (done, total) => {
      if (!bar) {
        if (total < PROGRESS_WORK) return;
        bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {percentage}% | ETA {eta}s`, hideCursor: true }, Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
