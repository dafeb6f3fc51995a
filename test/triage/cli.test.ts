import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { carebot, inventedRows, jsonLines } from './cli-support.js';

const dir = mkdtempSync(join(tmpdir(), 'carebot-triage-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('carebot triage (JSON Lines in, JSON Lines out)', () => {
  it('answers every line in order, in the documented shape, a bad line with {id, error}, and goes on', async () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'where is my refund? been waiting 3 weeks', platform: 'twitter', authorFollowers: 12_345 }),
      'this is not json',
      JSON.stringify({ id: 'c', text: 42 }),
      JSON.stringify({ id: 'd', text: 'love the new update, thank you!' }),
      JSON.stringify({ id: 'e', text: 'ok', authorFollowers: -3 }),
      '',
      JSON.stringify([1, 2]),
      JSON.stringify({ id: 7, text: 'mi pedido no ha llegado' }),
    ].join('\n');
    const { code, stdout } = await carebot(['triage'], { stdin: input });
    expect(code).toBe(0);
    const out = jsonLines(stdout);
    expect(out).toHaveLength(8);
    expect(out.map((o) => o.id)).toEqual(['a', null, 'c', 'd', 'e', null, null, 7]);

    const a = out[0]!;
    expect(Object.keys(a).sort()).toEqual(
      ['category', 'complaint', 'id', 'language', 'needsResponse', 'priority', 'reasons', 'sentiment', 'spam'].sort(),
    );
    expect(a).toMatchObject({ id: 'a', language: 'en', category: 'billing', complaint: true, needsResponse: true, spam: false });
    expect(a.sentiment).toEqual({ label: 'negative', score: expect.any(Number) });
    expect(a.priority).toMatch(/^P[1-4]$/);
    expect(a.reasons).toContain('12k followers');

    expect(out[1]).toEqual({ id: null, error: expect.stringMatching(/^not JSON/) });
    expect(out[2]).toEqual({ id: 'c', error: '"text" must be a string' });
    expect(out[3]).toMatchObject({ id: 'd', category: 'praise', sentiment: { label: 'positive' } });
    expect(out[4]).toEqual({ id: 'e', error: '"authorFollowers" must be a whole number ≥ 0' });
    expect(out[5]).toEqual({ id: null, error: 'empty line' });
    expect(out[6]).toEqual({ id: null, error: 'expected a JSON object' });
    expect(out[7]).toMatchObject({ id: 7, language: 'es', category: 'order' });
  });

  it('reads --input FILE as well as stdin', async () => {
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'x', text: 'the app is down' })}\n`);
    const out = jsonLines((await carebot(['triage', '--input', file])).stdout);
    expect(out).toEqual([expect.objectContaining({ id: 'x', category: 'outage' })]);
  });
});

describe('carebot train, then triage --model', () => {
  it('writes a model that changes a judgement it was trained on', async () => {
    const input = join(dir, 'labelled.jsonl');
    const model = join(dir, 'model.json');
    writeFileSync(input, `${[...inventedRows().map((r) => JSON.stringify(r)), 'broken line', '{"text":"no labels"}'].join('\n')}\n`);
    const trained = await carebot(['train', '--input', input, '--model', model]);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/trained on 60 rows .*2 skipped/);
    expect(trained.stdout).toMatch(/skipped line 61: not JSON/);
    expect(trained.stdout).toMatch(/sentiment: negative 30, neutral 0, positive 30/);

    const probe = `${JSON.stringify({ id: 'p', text: 'the zorblax thing happened at lunch' })}\n`;
    const [before] = jsonLines((await carebot(['triage'], { stdin: probe })).stdout);
    const [after] = jsonLines((await carebot(['triage', '--model', model], { stdin: probe })).stdout);
    expect(before).toMatchObject({ sentiment: { label: 'neutral' }, complaint: false });
    expect(after).toMatchObject({ sentiment: { label: 'negative' }, complaint: true, needsResponse: true });
    expect((after!.reasons as string[]).some((r) => r.startsWith('model: negative'))).toBe(true);
  });

  it('refuses to start without a model file or anything to learn from', async () => {
    const r = await carebot(['train', '--model', join(dir, 'm.json')]);
    expect(r.code).toBe(2); // a wrong command line (docs/cli.md#exit-codes)
    expect(r.stderr).toMatch(/--input FILE and --from-db/);
    const bad = await carebot(['triage', '--model', join(dir, 'missing.json')], { stdin: '' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot load triage model/);
  });
});
