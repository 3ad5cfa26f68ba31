/**
 * The PROBE shared by the sampler tests: k-diffusion's algorithms run literally, per mode, on a linear
 * representation of every quantity, a coefficient vector over [x_start, xi_1, xi_2, ...] (the exact
 * denoiser multiplies by lhat / (lhat + sigma^2); each noise draw appends a new unit coefficient). The output
 * variance is then c_0^2 Var(x_start) + sum_j c_j^2. Nothing here reads a tape: it is the independent side
 * of the tests of src/diffusion/edm/samplers/.
 */
export type Vec = number[];

export const axpby = (a: number, x: Vec, b: number, y: Vec): Vec => {
  const out = new Array<number>(Math.max(x.length, y.length)).fill(0);
  x.forEach((v, j) => (out[j] += a * v));
  y.forEach((v, j) => (out[j] += b * v));
  return out;
};
export const add = (x: Vec, y: Vec): Vec => axpby(1, x, 1, y);
export const sub = (x: Vec, y: Vec): Vec => axpby(1, x, -1, y);
export const mul = (a: number, x: Vec): Vec => x.map((v) => a * v);

/** One mode of model eigenvalue lhat: counts model calls and noise draws. */
export class Probe {
  draws = 0;
  calls = 0;
  constructor(readonly lhat: number) {}
  /** A fresh standard normal: a new unit coefficient. */
  randn(): Vec {
    this.draws++;
    const v = new Array<number>(this.draws + 1).fill(0);
    v[this.draws] = 1;
    return v;
  }
  /** The exact denoiser E[x0 | x] = lhat / (lhat + sigma^2) x (EDM frame, x = x0 + sigma z). */
  model(x: Vec, sigma: number): Vec {
    this.calls++;
    return mul(this.lhat / (this.lhat + sigma * sigma), x);
  }
}

/** k-diffusion's to_d: (x - denoised) / sigma. */
export const toD = (x: Vec, sigma: number, denoised: Vec): Vec => sub(x, denoised).map((v) => v / sigma);

/** c_0^2 Var(x_start) + sum_j c_j^2. */
export const variance = (x: Vec, start: number): number => x.reduce((s, c, j) => s + c * c * (j === 0 ? start : 1), 0);

/** Least-squares slope of log y against log x (a measured convergence order is minus this). */
export function logSlope(x: number[], y: number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const mx = lx.reduce((a, b) => a + b) / lx.length;
  const my = ly.reduce((a, b) => a + b) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return num / den;
}
