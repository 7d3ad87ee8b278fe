const ZONED = /(?:Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/** Throws a RangeError naming the zone when it is not an IANA time zone such as Europe/London or UTC. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new RangeError(`time zone "${timeZone}" is not an IANA time zone name such as UTC or Europe/London`);
  }
}

/**
 * Parses a report time. A time with `Z` or an offset is taken as written.
 * A time or date without one is wall-clock time in `timeZone`, because
 * partner reports write local times. Returns undefined for anything else.
 */
export function parseReportTime(text: string, timeZone: string): Date | undefined {
  const trimmed = text.trim();
  if (ZONED.test(trimmed)) {
    const zoned = new Date(trimmed);
    return Number.isNaN(zoned.getTime()) ? undefined : zoned;
  }

  const match = LOCAL.exec(trimmed);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const millisecond = Number((match[7] ?? '0').padEnd(3, '0'));
  const wallClock = Date.UTC(year!, month! - 1, day!, hour, minute, second, millisecond);
  const check = new Date(wallClock);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) return undefined;

  // The offset at the first guess can differ from the offset at the result
  // across a daylight-saving switch, so correct it once more.
  let instant = wallClock - offsetAt(wallClock, timeZone);
  instant = wallClock - offsetAt(instant, timeZone);
  return new Date(instant);
}

/** Returns the zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const value = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(value('year'), value('month') - 1, value('day'), value('hour'), value('minute'), value('second'));
  return asUtc - (instant - (instant % 1000 + 1000) % 1000);
}
