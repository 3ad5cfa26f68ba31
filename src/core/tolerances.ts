/**
 * Relative tolerances shared by the layers: a departure from an exact property up to the tolerance is
 * rounding (cleaned up and, where it matters, reported); beyond it the input is refused with a typed error.
 */

/** Spectrum entries in [-NEGATIVE_TOLERANCE x max, 0) are rounding, clipped to 0 (below: NEGATIVE_EIGENVALUE). */
export const NEGATIVE_TOLERANCE = 1e-12;

/**
 * Eigenvalues of a covariance matrix below -PSD_TOLERANCE x max |l| mean it is not positive semi-definite;
 * negatives above it are rounding of a singular matrix (d eps ||A|| for a backward-stable eigensolver) and
 * count as 0.
 */
export const PSD_TOLERANCE = 1e-10;

/** max |a_ij - a_ji| up to SYMMETRY_TOLERANCE x max |a_ij| is rounding, symmetrised away (above: NOT_SYMMETRIC). */
export const SYMMETRY_TOLERANCE = 1e-10;
