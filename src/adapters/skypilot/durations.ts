/**
 * SkyPilot's humanized durations → seconds. Every version renders them with
 * sky/utils/log_utils.py `readable_time_duration` on top of pendulum:
 * - absolute (TOT. DURATION, JOB DURATION): `in_words()` abbreviated, `1h 2m 23s`, `1d 38m 20s`,
 *   `2w 3d`, `1mo`, `1 year 2mo` (years are not abbreviated), `< 1s`;
 * - relative (SUBMITTED, STARTED): `diff_for_humans()` with second/minute/hour shortened,
 *   `a few secs ago`, `42 secs ago`, `2 mins ago`, `1 hr ago`, `3 days ago`, `1 year ago`;
 * - `-` when unknown (not started, PENDING).
 * Also accepted: plural and spelled-out units (`1 hr 2 mins`, `3d 4h`, `an hour`).
 *
 * Relative values keep only their largest unit and are floored by pendulum, so the result is a
 * lower bound (and months/years are approximate): fine for "how long has it waited", not for
 * timestamps.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  mo: 2_592_000,
  month: 2_592_000,
  months: 2_592_000,
  y: 31_536_000,
  yr: 31_536_000,
  yrs: 31_536_000,
  year: 31_536_000,
  years: 31_536_000,
};

const PART = /(\d+(?:\.\d+)?|an?)\s*([a-z]+)/gy;

/** Seconds, or undefined for `-`, empty, or anything that is not a duration. */
export function parseSkyDuration(text: string): number | undefined {
  let t = text.trim().toLowerCase();
  if (t === '' || t === '-' || t === 'none') return undefined;
  t = t.replace(/\s+ago$/, '').replace(/^in\s+/, '');
  // pendulum's "a few seconds" (≤ 10 s) and the `< 1 second` special case.
  if (/^a few (secs?|seconds?)$/.test(t) || /^<\s*1\s*(s|secs?|seconds?)$/.test(t) || t === 'just now')
    return 0;
  let total = 0;
  let parts = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < t.length) {
    while (t[pos] === ' ') pos++;
    if (pos >= t.length) break;
    PART.lastIndex = pos;
    const m = PART.exec(t);
    if (!m) return undefined;
    const [, count = '', unit = ''] = m;
    const seconds = UNIT_SECONDS[unit];
    if (seconds === undefined) return undefined;
    total += (count === 'a' || count === 'an' ? 1 : Number(count)) * seconds;
    parts++;
    pos = PART.lastIndex;
  }
  return parts > 0 ? Math.round(total) : undefined;
}
