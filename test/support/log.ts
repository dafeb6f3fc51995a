import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line, so tests can read what was logged. */
export function memoryLog(): DestinationStream & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
    },
    text: () => lines.join(''),
  };
}
