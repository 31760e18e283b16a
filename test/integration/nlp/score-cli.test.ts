import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../support/run-process.ts';

/** `spate nlp score` as a user runs it: JSON Lines through the real CLI, with the shipped model. */
const SPATE = fileURLToPath(new URL('../../../bin/spate.js', import.meta.url));

const score = (input: string, args: string[] = []) =>
  runProcess(process.execPath, [SPATE, 'nlp', 'score', ...args], { input, timeoutMs: 60_000 });

const TWEETS = [
  { id: 'a1', text: 'Loving the new phone, the battery lasts forever 😍 #happy', user: 'jo', source: 'test' },
  { id: 'a2', text: 'My parcel is a week late and support never answers. Terrible service 😡' },
  {
    id: 3,
    text: 'The store opens at 9 tomorrow https://acme.example/hours',
    created_at: '2026-11-21T06:00:00Z',
  },
  { id: 'a4', text: 'shut up you stupid idiot, nobody wants you here' },
];

const ENRICHED_FIELDS = [
  'cleanText',
  'createdAt',
  'duplicateOf',
  'emoji',
  'enrichedAt',
  'entities',
  'id',
  'lang',
  'project',
  'retweet',
  'risk',
  'sentiment',
  'text',
  'topics',
  'toxicity',
];

describe('spate nlp score', () => {
  it('writes one tweets.enriched record per tweet, in order, with sentiment and toxicity from the shipped model', async () => {
    const { stdout, stderr, code } = await score(`${TWEETS.map((t) => JSON.stringify(t)).join('\n')}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(TWEETS.length);
    const out = lines.map((l) => JSON.parse(l));
    expect(out.map((t) => t.id)).toEqual(['a1', 'a2', '3', 'a4']);
    expect(Object.keys(out[2]).sort()).toEqual(ENRICHED_FIELDS);
    expect(out[0]).toMatchObject({ user: 'jo', source: 'test', entities: { hashtags: ['happy'] } });
    for (const t of out) {
      expect(t.sentiment.model).toBe('onnx');
      expect(['negative', 'neutral', 'positive']).toContain(t.sentiment.label);
      for (const kind of ['offensive', 'hate'] as const) {
        expect(t.toxicity[kind]).toBeGreaterThanOrEqual(0);
        expect(t.toxicity[kind]).toBeLessThanOrEqual(1);
      }
      expect(Array.isArray(t.toxicity.flags)).toBe(true);
    }
    expect(out[0].sentiment.label).toBe('positive');
    expect(out[1].sentiment.label).toBe('negative');
    expect(out[3].toxicity.offensive).toBeGreaterThan(out[2].toxicity.offensive);
    expect(out[3].toxicity.flags).toContain('offensive');
  });

  it('reports a bad line with its number and field on stderr, and scores the rest', async () => {
    const input = [
      JSON.stringify({ id: 'b1', text: 'good morning' }),
      '{"id": "b2", "text": ',
      JSON.stringify({ id: 'b3' }),
      '',
      JSON.stringify({ id: 'b5', text: 'good night' }),
    ].join('\n');
    const { stdout, stderr, code } = await score(input);
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual(['b1', 'b5']);
    expect(stderr).toMatch(/^line 2: \(root\): not valid JSON/m);
    expect(stderr).toMatch(/^line 3: tweet\.text: must be a string$/m);
    expect(code).toBe(1);
  });

  it('scores with the lexicon when asked, toxicity then read from the risk rules', async () => {
    const { stdout, code } = await score(`${JSON.stringify(TWEETS[3])}\n`, ['--backend', 'lexicon']);
    expect(code).toBe(0);
    const t = JSON.parse(stdout);
    expect(t.sentiment.model).toBe('lexicon');
    expect(t.toxicity.offensive).toBeGreaterThan(0.5);
  });

  it('explains itself with --help', async () => {
    const { stdout, code } = await score('', ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: spate nlp score');
    expect(stdout).toContain('--backend');
    expect(stdout).toContain('line N');
  });
});
