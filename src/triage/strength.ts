/**
 * A sentiment score on a fixed scale, -1 (as negative as it gets) to +1, for people to read.
 * `TriageResult.sentiment.score` is unbounded (AFINN points add up: a post of ten angry emoji
 * scores -40), so cards show this instead: VADER's normalization x / √(x² + α) with its α = 15,
 * which puts a single strong word (±3 points) near ±0.6 and a gush of praise at about ±1.
 */
export function sentimentStrength(score: number): number {
  const strength = score / Math.sqrt(score * score + 15);
  return Math.round(strength * 100) / 100 || 0;
}
