/**
 * Priority P1–P4 as a sum of points — outage first, then urgency, reach, VIPs, repeat contact
 * and how upset the customer is — each point with the reason a card shows.
 */
import type { PriorityConfig } from './config.js';
import { PhraseIndex } from './phrases.js';
import { entryWords, fold } from './tokenize.js';
import type { Priority } from './types.js';

export interface PriorityFacts {
  score: number;
  category: string;
  issue: boolean;
  complaint: boolean;
  needsResponse: boolean;
  spam: boolean;
  /** The first urgency word or phrase of the post (what `urgent` found first). */
  urgent?: string;
  followers?: number;
  /** The handle or id that put the author on the VIP list. */
  vip?: string;
  recentContacts?: number;
}

export interface Prioritizer {
  /** The urgency words, to read over the post's folded words. */
  urgent: PhraseIndex<true>;
  prioritize(facts: PriorityFacts): { priority: Priority; reasons: string[] };
}

export function createPrioritizer(config: PriorityConfig): Prioritizer {
  const urgent = new PhraseIndex(config.urgent.map((w) => [entryWords(w).map(fold), true] as const));
  const followerSteps = [...config.followers].sort((a, b) => b.min - a.min);
  const p = config.points;

  return {
    urgent,
    prioritize(f) {
      if (f.spam) return { priority: 'P4', reasons: [] };
      const sum = new Points();
      if (f.category === 'outage') sum.add(p.outage);
      else if (f.issue) sum.add(p.issue);
      if (f.needsResponse) sum.add(p.needs_response);
      if (f.complaint) sum.add(p.complaint);
      if (f.score <= config.very_negative_from) sum.add(p.very_negative);
      else if (f.score <= config.negative_from) sum.add(p.negative);
      if (f.urgent !== undefined) sum.add(p.urgent, `urgent '${f.urgent}'`);
      const reach = followerSteps.find((s) => (f.followers ?? 0) >= s.min);
      if (reach) sum.add(reach.points, `${compact(f.followers!)} followers`);
      if (f.vip) sum.add(p.vip, `VIP ${f.vip}`);
      const contacts = f.recentContacts ?? 0;
      if (contacts >= config.repeat_many_from) sum.add(p.repeat_many, `${contacts} earlier contacts in 24 h`);
      else if (contacts > 0) sum.add(p.repeat, `${contacts} earlier contact${contacts > 1 ? 's' : ''} in 24 h`);
      const { P1, P2, P3 } = config.levels;
      const { total, reasons } = sum;
      const priority: Priority = total >= P1 ? 'P1' : total >= P2 ? 'P2' : total >= P3 ? 'P3' : 'P4';
      return { priority, reasons };
    },
  };
}

/** Points with the reasons a card shows for them (a class, not a closure made on every call). */
class Points {
  total = 0;
  readonly reasons: string[] = [];

  add(points: number, reason?: string): void {
    this.total += points;
    if (reason && points !== 0) this.reasons.push(reason);
  }
}

/** 12345 → "12k", 1250000 → "1.3M": how reach reads on a card. */
export function compact(n: number): string {
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e3) return `${trim(n / 1e3)}k`;
  return String(n);
}

function trim(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}
