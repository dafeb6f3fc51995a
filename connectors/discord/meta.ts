/** Discord as the rest of carebot names it. */
export const discord = {
  name: 'Discord',
  label: 'Discord',
  emoji: ':speech_balloon:',
  handlePrefix: '',
  textLength: 2000,
} as const;
