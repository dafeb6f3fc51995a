/**
 * Finds words and multi-word phrases ("still waiting", "can't log in") in a token list, longest
 * match first, with one Map lookup per token. Every keyword list in triage goes through this.
 */
export interface PhraseMatch<V> {
  value: V;
  start: number;
  length: number;
  /** The matched words joined with spaces, for reasons such as "outage keyword 'is down'". */
  text: string;
}

interface Entry<V> {
  rest: string[];
  value: V;
}

export class PhraseIndex<V> {
  private readonly byFirst = new Map<string, Entry<V>[]>();
  readonly size: number;

  /** Entries are word lists (already normalized); a later duplicate replaces an earlier one. */
  constructor(entries: Iterable<readonly [readonly string[], V]>) {
    let size = 0;
    for (const [words, value] of entries) {
      const [first, ...rest] = words;
      if (first === undefined) continue;
      const list = this.byFirst.get(first) ?? [];
      const same = list.findIndex((e) => e.rest.join(' ') === rest.join(' '));
      if (same >= 0) list[same] = { rest, value };
      else {
        list.push({ rest, value });
        size++;
      }
      list.sort((a, b) => b.rest.length - a.rest.length);
      this.byFirst.set(first, list);
    }
    this.size = size;
  }

  /** The longest entry that starts at `start`, if any. */
  matchAt(tokens: readonly string[], start: number): PhraseMatch<V> | undefined {
    const list = this.byFirst.get(tokens[start]!);
    if (!list) return undefined;
    for (const e of list) {
      if (start + e.rest.length >= tokens.length) continue;
      let ok = true;
      for (let k = 0; k < e.rest.length; k++) {
        if (tokens[start + 1 + k] !== e.rest[k]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        const length = e.rest.length + 1;
        return { value: e.value, start, length, text: tokens.slice(start, start + length).join(' ') };
      }
    }
    return undefined;
  }

  /** Non-overlapping longest matches, left to right. */
  findAll(tokens: readonly string[]): PhraseMatch<V>[] {
    const out: PhraseMatch<V>[] = [];
    for (let i = 0; i < tokens.length; ) {
      const m = this.matchAt(tokens, i);
      if (m) {
        out.push(m);
        i += m.length;
      } else i++;
    }
    return out;
  }
}
