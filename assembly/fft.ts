// (filled by the linear-algebra work of issue 3)
export const FFT_MODULE: i32 = 1;
