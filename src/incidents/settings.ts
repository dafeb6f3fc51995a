import type { Platform } from '../mention.js';
import type { Ctx } from '../context.js';

/** The channel of incident cards and their threads: the configured one, else the status, else the inbox channel. */
export const statusChannel = (s: Ctx<'config'>): string | undefined =>
  s.config.file.incidents.statusChannel ?? s.config.SLACK_STATUS_CHANNEL ?? s.config.SLACK_INBOX_CHANNEL;

/** The networks a public update goes to: those configured (or all) that are connected and can broadcast. */
export function broadcastNetworks(s: Ctx<'config' | 'connectors'>): Platform[] {
  const able = (Object.keys(s.connectors) as Platform[]).filter((p) => s.connectors[p]?.broadcast);
  const wanted = s.config.file.incidents.networks;
  return wanted ? able.filter((p) => wanted.includes(p)) : able;
}

/** `{{customer}}`, `{{title}}` and `{{status_url}}` filled in; an unknown placeholder is left as written. */
export function fillTemplate(text: string, values: { customer: string; title: string; statusUrl: string }): string {
  const map: Record<string, string> = { customer: values.customer, title: values.title, status_url: values.statusUrl };
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, name: string) => map[name] ?? all).replace(/\s+$/, '');
}

/** Where customers follow the incident: the public status page, when carebot knows its address. */
export const statusUrl = (s: Ctx<'config'>): string => {
  const base = s.config.file.incidents.publicUrl;
  return base ? `${base.replace(/\/+$/, '')}/status` : '';
};

/** Terms a mention is matched on: keywords are single words or phrases, matched case-insensitively on word edges. */
export function matchesKeywords(text: string, keywords: string[]): boolean {
  const lower = text.toLowerCase();
  return keywords.some((k) => {
    const word = k.trim().toLowerCase();
    if (!word) return false;
    const at = lower.indexOf(word);
    if (at < 0) return false;
    return new RegExp(`(^|[^\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
  });
}
