import { linkLabel } from '../views/link.js';

/**
 * What a file in a `file_share` event carries that is worth naming. Only the event's metadata
 * is read: carebot never downloads what an agent attached (it cannot send it anywhere).
 */
export interface SharedFile {
  id?: string;
  name?: string | null;
  title?: string | null;
}

/**
 * How the words that came with the files fared: sent, refused (the agent is told why just
 * before), held behind another agent's reply, or there were none.
 */
export type TextFate = 'sent' | 'refused' | 'held' | 'no text';

const MAX_NAMED = 10;
const MAX_NAME = 80;

/**
 * A file's name as the agent knows it, for mrkdwn: names are whatever the uploader typed, so
 * they are escaped, kept to one line and cut short. A Slack Connect stub has no name at all.
 */
function fileName(f: SharedFile): string {
  const raw = f.name || f.title || (f.id ? `file ${f.id}` : 'a file');
  const short = [...raw].length > MAX_NAME ? `${[...raw].slice(0, MAX_NAME - 1).join('')}…` : raw;
  return `“${linkLabel(short)}”`;
}

/** The files, named, so the agent can tell which ones the customer will not get. */
function fileList(files: SharedFile[]): string {
  const named = files.slice(0, MAX_NAMED).map(fileName).join(', ');
  return files.length > MAX_NAMED ? `${named} and ${files.length - MAX_NAMED} more` : named;
}

/**
 * The note to an agent who attached files to a thread reply: connectors send text only, so
 * the files never reach the customer, and the agent must hear that instead of assuming they did.
 */
export function filesNotSent(files: SharedFile[], network: string, text: TextFate): string {
  const which = files.length === 1 ? 'The file' : 'The files';
  const notSent = `${which} ${fileList(files)} ${files.length === 1 ? 'was' : 'were'} not sent: carebot cannot send files to ${network}.`;
  switch (text) {
    case 'sent':
      return `:paperclip: Your text was sent to the customer on ${network}, without the attachment. ${notSent}`;
    case 'held':
      return `:paperclip: ${notSent} Sending your text anyway will not send ${files.length === 1 ? 'it' : 'them'} either.`;
    case 'refused':
      return `:paperclip: ${notSent}`;
    case 'no text':
      return `:paperclip: Nothing was sent to the customer: your message had no text. ${notSent} Write your answer as text in this thread.`;
  }
}
