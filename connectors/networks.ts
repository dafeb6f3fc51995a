import { discord } from './discord/meta.js';
import { twitter } from './twitter/meta.js';
import { webhook } from './webhook/meta.js';

/** What the core may know of a network without loading it: data only, no SDK. */
export interface NetworkMeta {
  /** In sentences shown to agents: "Too long for X". */
  name: string;
  /** Short, beside its emoji on a card. */
  label: string;
  emoji: string;
  /** Before a customer's handle where the network writes one (`@jamie` on X). */
  handlePrefix: string;
  /** The longest message the network takes, in characters; checked before anything is sent. */
  textLength: number;
}

/**
 * Every network carebot speaks, by the id stored with each mention. Adding a network is its
 * folder under connectors/, one line here and one in registry.ts (the compiler asks for it).
 */
export const networks = { twitter, discord, webhook } as const satisfies Record<string, NetworkMeta>;

export type Platform = keyof typeof networks;

export const platforms = Object.keys(networks) as [Platform, ...Platform[]];
