const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A point in time as people type it: a span back from now (`30m`, `24h`, `7d`) or an ISO 8601
 * date or date-time (`2026-12-01`, `2026-12-01T09:00Z`). Undefined when it is neither.
 */
export function parseSince(text: string, now = Date.now()): Date | undefined {
  const span = /^(\d{1,6})([mhd])$/.exec(text);
  if (span) return new Date(now - Number(span[1]) * UNIT_MS[span[2] as keyof typeof UNIT_MS]);
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
