/** X/Twitter as the rest of carebot names it. */
export const twitter = {
  name: 'X',
  label: 'X',
  emoji: ':bird:',
  handlePrefix: '@',
  textLength: 280,
} as const;
