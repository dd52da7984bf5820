/** zod schemas for the quantities of units.ts, each failing with an example of what works. */
import { z } from 'zod';
import { parseMemoryMb, parseSeconds, parseTimeMinutes } from './units.js';

function quantity(parse: (v: string | number) => number | null, hint: string) {
  return z.union([z.string(), z.number()], { error: hint }).transform((value, ctx) => {
    const parsed = parse(value);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message: `${hint}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return parsed;
  });
}

/** → MB. */
export const memorySchema = quantity(
  parseMemoryMb,
  'expected a memory size like 16G, 512M or a number of MB',
);
/** → minutes. */
export const timeSchema = quantity(
  parseTimeMinutes,
  'expected a time like 02:00:00, 1-00:00:00, 90m or a number of minutes',
);
/** → seconds. */
export const secondsSchema = quantity(
  parseSeconds,
  'expected a duration like 30m, 1h, 00:10:00 or a number of seconds',
);
