export interface Placeholders {
  /** The customer's handle, with the network's sigil (`@jamie`). */
  customer: string;
  agent: string;
}

/** A canned reply from the config with `{{customer}}` and `{{agent}}` filled in. */
export function fillCanned(text: string, values: Placeholders): string {
  return text.replace(/\{\{\s*(customer|agent)\s*\}\}/g, (_, name: keyof Placeholders) => values[name]);
}
