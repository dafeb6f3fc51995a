import type { Platform } from '../mention.js';
import type { Ctx } from '../context.js';
import { broadcastNetworks } from './settings.js';

export interface LengthCheck {
  platform: Platform;
  length: number;
  limit: number;
  fits: boolean;
}

/** Each broadcast network's length limit against the public message, before anything is sent. */
export function checkLengths(s: Ctx<'config' | 'connectors'>, text: string): LengthCheck[] {
  const length = [...text].length;
  return broadcastNetworks(s).map((platform) => {
    const limit = s.connectors[platform]!.limits.textLength;
    return { platform, length, limit, fits: length > 0 && length <= limit };
  });
}
