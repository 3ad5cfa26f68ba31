// (filled by the linear-algebra work of issue 3)
export const BLAS_MODULE: i32 = 1;
