/**
 * Finds words and multi-word phrases ("still waiting", "can't log in") in a token list, longest
 * match first, with one Map lookup per token. Every keyword list in triage goes through this;
 * `PhraseLists` reads several lists over the same tokens in a single pass.
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
  /** First word → the entries that start with it, longest first (`PhraseLists` merges these). */
  readonly byFirst = new Map<string, Entry<V>[]>();
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
    return list && longestAt(list, tokens, start);
  }
}

/** What each list of a `PhraseLists` found: non-overlapping longest matches, left to right. */
export type Found<L> = { [K in keyof L]: PhraseMatch<L[K] extends PhraseIndex<infer V> ? V : never>[] };

/**
 * Several phrase lists read in one pass over the same tokens: one Map lookup per token however
 * many lists there are. Each list's matches are those a pass of its own would find: a match
 * only hides what overlaps it in the same list.
 */
export class PhraseLists<L extends { [K in keyof L]: PhraseIndex<unknown> }> {
  private readonly names: (keyof L)[];
  /** First word → each list that has entries starting with it, with those entries. */
  private readonly byFirst = new Map<string, { list: number; entries: Entry<unknown>[] }[]>();

  constructor(lists: L) {
    this.names = Object.keys(lists) as (keyof L)[];
    this.names.forEach((name, list) => {
      for (const [first, entries] of lists[name].byFirst) {
        const here = this.byFirst.get(first) ?? [];
        here.push({ list, entries });
        this.byFirst.set(first, here);
      }
    });
  }

  findAll(tokens: readonly string[]): Found<L> {
    const found = this.names.map((): PhraseMatch<unknown>[] => []);
    /** Per list, where its next match may start (after the end of its last). */
    const free = new Array<number>(this.names.length).fill(0);
    for (let i = 0; i < tokens.length; i++) {
      const here = this.byFirst.get(tokens[i]!);
      if (!here) continue;
      for (const { list, entries } of here) {
        if (i < free[list]!) continue;
        const m = longestAt(entries, tokens, i);
        if (m) {
          found[list]!.push(m);
          free[list] = i + m.length;
        }
      }
    }
    const out = {} as Record<keyof L, PhraseMatch<unknown>[]>;
    this.names.forEach((name, list) => {
      out[name] = found[list]!;
    });
    return out as Found<L>;
  }
}

/** The first (longest) of `entries` that matches at `start`; they all begin with `tokens[start]`. */
function longestAt<V>(entries: readonly Entry<V>[], tokens: readonly string[], start: number): PhraseMatch<V> | undefined {
  for (const e of entries) {
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
      const text = length === 1 ? tokens[start]! : tokens.slice(start, start + length).join(' ');
      return { value: e.value, start, length, text };
    }
  }
  return undefined;
}
