/** Where the emulator reports what it does; a process passes its own, tests pass a silent one. */
export interface EsmLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function line(level: string, message: string, fields?: Record<string, unknown>): string {
  return `${JSON.stringify({ level, component: 'esm', message, ...fields })}\n`;
}

/** Warnings and errors as JSON lines on stderr; stdout is kept for the supervisor's ready line. */
export const stderrLogger: EsmLogger = {
  info: () => undefined,
  warn: (m, f) => process.stderr.write(line('warn', m, f)),
  error: (m, f) => process.stderr.write(line('error', m, f)),
};

export const silentLogger: EsmLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
