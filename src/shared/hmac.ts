import { createHmac, timingSafeEqual } from 'node:crypto';

export const hmacSha256 = (secret: string, data: string | Buffer) => createHmac('sha256', secret).update(data).digest();

/** Constant-time comparison of a received signature with the expected one (any length). */
export function sameSignature(received: string | undefined, expected: string): boolean {
  if (!received) return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
