/** ln(n!) exactly for small n, by Stirling's series beyond (error < 1e-10 for n > 20). */
function logFactorial(n: number): number {
  if (n <= 20) {
    let f = 0;
    for (let i = 2; i <= n; i++) f += Math.log(i);
    return f;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/**
 * P(X ≥ k) for X ~ Poisson(mean): how surprising it is to see k or more mentions in a window
 * when `mean` is usual. Summed upward from k in log space (the terms shrink once i > mean),
 * so it stays exact for the tiny probabilities that matter here.
 */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  if (k <= mean) {
    // The lower side is the short sum here: 1 − P(X < k).
    let below = 0;
    for (let i = 0; i < k; i++) below += Math.exp(i * Math.log(mean) - mean - logFactorial(i));
    return Math.max(0, 1 - below);
  }
  let sum = 0;
  for (let i = k; ; i++) {
    const term = Math.exp(i * Math.log(mean) - mean - logFactorial(i));
    sum += term;
    if (term < sum * 1e-12 || i > k + 10_000) return Math.min(1, sum);
  }
}
