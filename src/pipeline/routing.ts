import type { Route } from '../../config/index.js';
import type { TriageResult } from '../triage/index.js';

interface Routed {
  platform: string;
  text: string;
  triage: TriageResult;
}

const matches = (rule: Route, m: Routed): boolean =>
  (!rule.priority || rule.priority.includes(m.triage.priority)) &&
  (!rule.category || rule.category.includes(m.triage.category)) &&
  (!rule.platform || (rule.platform as string[]).includes(m.platform)) &&
  (!rule.language || rule.language.includes(m.triage.language)) &&
  (!rule.keyword || rule.keyword.some((k) => m.text.toLowerCase().includes(k.toLowerCase())));

/** The channel a new conversation's card goes to: the first matching rule, else the inbox. */
export function chooseChannel(routes: Route[], inbox: string | undefined, m: Routed): string | undefined {
  return routes.find((r) => matches(r, m))?.channel ?? inbox;
}
