// (filled by the sampling work of issue 4)
export const RANDOM_MODULE: i32 = 1;
