/**
 * Test helper: a Powertools Logger whose output is captured. In dev mode (POWERTOOLS_DEV, read
 * when the logger is built) Powertools writes through the global console, one JSON document per
 * call, which is spied on here.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { vi } from 'vitest';

export interface Captured {
  readonly logger: Logger;
  /** Every line as Powertools printed it, parsed. */
  lines(): Record<string, unknown>[];
  /** Everything printed, as text. */
  text(): string;
  restore(): void;
}

export function captureLogs(): Captured {
  const printed: string[] = [];
  const previous = process.env.POWERTOOLS_DEV;
  process.env.POWERTOOLS_DEV = 'true';
  let logger: Logger;
  try {
    logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
  } finally {
    if (previous === undefined) delete process.env.POWERTOOLS_DEV;
    else process.env.POWERTOOLS_DEV = previous;
  }
  const spies = (['debug', 'info', 'warn', 'error', 'log'] as const).map((method) =>
    vi
      .spyOn(console, method)
      .mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))),
  );
  return {
    logger,
    lines: () => printed.map((p) => JSON.parse(p) as Record<string, unknown>),
    text: () => printed.join('\n'),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}
