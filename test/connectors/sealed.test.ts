import { describe, expect, it } from 'vitest';
import { sealerFrom } from '../../connectors/twitter/sealed.js';

describe('sealed token store', () => {
  const sealer = sealerFrom('refresh-token-from-env', 'twitter:oauth2');
  const plain = JSON.stringify({ accessToken: 'at-123', refreshToken: 'rt-456' });

  it('opens what it sealed, and never writes the same bytes twice', () => {
    const a = sealer.seal(plain);
    expect(sealer.open(a)).toBe(plain);
    expect(sealer.seal(plain)).not.toBe(a);
    expect(a).not.toContain('at-123');
  });

  it('opens nothing sealed with another secret or purpose, tampered with, or malformed', () => {
    const sealed = sealer.seal(plain);
    expect(sealerFrom('another-refresh-token', 'twitter:oauth2').open(sealed)).toBeUndefined();
    expect(sealerFrom('refresh-token-from-env', 'other').open(sealed)).toBeUndefined();
    const [v, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data!, 'base64');
    flipped[0]! ^= 1;
    expect(sealer.open([v, iv, tag, flipped.toString('base64')].join('.'))).toBeUndefined();
    for (const bad of ['', 'v1', 'v2.a.b.c', '{"accessToken":"x"}']) expect(sealer.open(bad)).toBeUndefined();
  });
});
