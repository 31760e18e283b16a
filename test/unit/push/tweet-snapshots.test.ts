import { describe, expect, it } from 'vitest';
import { parseChannel } from '../../../core/push/channels.ts';
import { applyMergePatch, createMergePatch } from '../../../core/push/merge-patch.ts';
import {
  alertsSnapshot,
  CHART_TOPICS,
  MAX_ALERTS,
  tweetsSnapshot,
} from '../../../core/push/tweet-snapshots.ts';

// Two minutes as the tweets aggregator writes them (sentiment sums in ten-thousandths).
const minutes: Record<string, string>[] = [
  {
    n: '3',
    'n:positive': '1',
    'n:negative': '1',
    'n:neutral': '1',
    't:shipping:n': '3',
    't:shipping:s': '2500',
    'h:launch:n': '2',
    'h:launch:s': '2500',
    'h:fail:n': '1',
    'h:fail:s': '-2500',
    a: '1',
  },
  {},
  {
    n: '2',
    'n:positive': '2',
    't:shipping:n': '1',
    't:shipping:s': '8000',
    't:price:n': '2',
    't:price:s': '9000',
    'h:launch:n': '1',
    'h:launch:s': '8000',
    'h:a:b:n': '1',
    'h:a:b:s': '1000',
  },
];

describe('tweets snapshot', () => {
  it('sums volume and labels, and averages sentiment per topic over the range', () => {
    const s = tweetsSnapshot({ fromMinute: 600, minutes });
    expect(s).toMatchObject({
      window_s: 180,
      step_s: 60,
      from: 600,
      to: 780,
      count: 5,
      alert_count: 1,
      labels: { positive: 3, negative: 1, neutral: 1 },
      topics: { shipping: { n: 4, sentiment: 0.263 }, price: { n: 2, sentiment: 0.45 } },
    });
  });

  it('keys sentiment over time by minute and topic, leaving quiet minutes out', () => {
    const s = tweetsSnapshot({ fromMinute: 600, minutes });
    expect(s.points).toEqual({
      '600': { shipping: 0.083 },
      '720': { shipping: 0.8, price: 0.45 },
    });
  });

  it('ranks hashtags by the sliding window when given, with their mean sentiment', () => {
    const fromMinutes = tweetsSnapshot({ fromMinute: 600, minutes });
    expect(fromMinutes.hashtags).toEqual([
      { tag: 'launch', n: 3, sentiment: 0.35 },
      { tag: 'a:b', n: 1, sentiment: 0.1 },
      { tag: 'fail', n: 1, sentiment: -0.25 },
    ]);
    const windowed = tweetsSnapshot({
      fromMinute: 600,
      minutes,
      hashtagWindow: {
        seconds: 300,
        tally: new Map([
          ['fail', 4],
          ['unseen', 2],
        ]),
      },
    });
    expect(windowed.hashtags_window_s).toBe(300);
    expect(windowed.hashtags).toEqual([
      { tag: 'fail', n: 4, sentiment: -0.25 },
      { tag: 'unseen', n: 2, sentiment: null },
    ]);
  });

  it('charts only the busiest topics, so the panel stays readable', () => {
    const busy: Record<string, string> = { n: '100' };
    for (let i = 0; i < 10; i++) {
      busy[`t:topic${i}:n`] = String(i + 1);
      busy[`t:topic${i}:s`] = '0';
    }
    const s = tweetsSnapshot({ fromMinute: 0, minutes: [busy] });
    const charted = Object.keys((s.points as Record<string, Record<string, number>>)['0'] ?? {});
    expect(charted).toHaveLength(CHART_TOPICS);
    expect(charted).toContain('topic9');
    expect(charted).not.toContain('topic0');
  });

  it('moves by a small delta when a minute arrives and one leaves', () => {
    const before = tweetsSnapshot({ fromMinute: 600, minutes });
    const after = tweetsSnapshot({ fromMinute: 660, minutes: [...minutes.slice(1), minutes[0]!] });
    const patch = createMergePatch(before, after);
    expect(patch).toBeDefined();
    expect(applyMergePatch(before, patch!)).toEqual(after);
    expect((patch!.points as Record<string, unknown>)['600']).toBeNull();
  });

  it('ignores fields that are not numbers instead of showing NaN', () => {
    const s = tweetsSnapshot({
      fromMinute: 0,
      minutes: [{ n: 'x', 't:shipping:n': '1', 't:shipping:s': 'y' }],
    });
    expect(s.count).toBe(0);
    expect(JSON.stringify(s)).not.toContain('NaN');
  });
});

describe('alerts snapshot', () => {
  it('lists the newest alerts first, riskiest first within a minute', () => {
    const s = alertsSnapshot(1800, [
      { minute: 60, scores: new Map([['old', 0.99]]) },
      {
        minute: 120,
        scores: new Map([
          ['t1', 0.71],
          ['t2', 0.95],
        ]),
      },
    ]);
    expect(s).toEqual({
      window_s: 1800,
      count: 3,
      items: [
        { id: 't2', risk: 0.95, minute: 120 },
        { id: 't1', risk: 0.71, minute: 120 },
        { id: 'old', risk: 0.99, minute: 60 },
      ],
    });
  });

  it('counts every alert but sends at most a screenful', () => {
    const scores = new Map(Array.from({ length: 50 }, (_, i) => [`t${i}`, 0.8] as const));
    const s = alertsSnapshot(60, [{ minute: 0, scores }]);
    expect(s.count).toBe(50);
    expect(s.items).toHaveLength(MAX_ALERTS);
  });

  it('are channels a dashboard may subscribe to', () => {
    expect(parseChannel('tweets')).toEqual({ kind: 'tweets' });
    expect(parseChannel('alerts')).toEqual({ kind: 'alerts' });
  });
});
