const pad = (n: number) => String(n).padStart(2, '0');
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A tick's label: the time, its seconds alone (":15") between whole minutes when ticks are
 * seconds apart, the day when they are days apart or at midnight. No label is wider than
 * "00:00" or a day ("30 Sep"), which the spacing is made for.
 */
export function timeLabel(epochSeconds: number, incrementSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  if (incrementSeconds >= 86_400) return day;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (incrementSeconds < 60 && d.getSeconds() !== 0) return `:${pad(d.getSeconds())}`;
  return d.getHours() === 0 && d.getMinutes() === 0 ? day : time;
}
