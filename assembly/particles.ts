// (filled by the sampling work of issue 4)
export const PARTICLES_MODULE: i32 = 1;
