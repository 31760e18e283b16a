import type { LabelScores } from '../../core/nlp/eval/metrics.ts';
import { DENSE_FEATURES, type HashedNgramSpec } from '../../core/nlp/inference/hashed-ngrams.ts';
import type { HeadReport, TrainOptions, TrainReport } from './train.ts';

/** MODEL.md: what the shipped model is, what it was trained on, how it scores, how to rebuild it. */
export interface ModelCard {
  readonly report: TrainReport;
  readonly options: TrainOptions;
  readonly spec: HashedNgramSpec;
  readonly grid: readonly { readonly learningRate: number; readonly l2: number }[];
  readonly epochs: number;
  readonly shares: { readonly test: number; readonly dev: number };
}

/** TweetEval's published scores on each task's official test set (TweetEval leaderboard). */
const PUBLISHED = {
  sentiment: { measure: 'macro-averaged recall', fastText: 62.9, robertaBase: 71.3, best: 'BERTweet 73.4' },
  offensive: { measure: 'macro-F1', fastText: 73.4, robertaBase: 79.5, best: 'TimeLMs-2021 82.2' },
  hate: { measure: 'macro-F1', fastText: 50.6, robertaBase: 46.6, best: 'BERTweet 56.4' },
} as const;

const SOURCES: Readonly<Record<string, string>> = {
  sentiment: 'SemEval-2017 Task 4 subtask A, the 2013-2016 train, dev and test sets',
  offensive: 'OLID / OffensEval 2019 subtask A, as split in TweetEval (train + val)',
  hate: 'HatEval 2019 task A (English), as split in TweetEval (train + val)',
};

const pct = (x: number) => (x * 100).toFixed(1);

export function renderModelCard(card: ModelCard): string {
  const { report, options, spec } = card;
  const command = [
    'npx spate nlp train --data ../shared/data/tweets',
    `--seed ${options.seed}`,
    ...(options.buckets !== undefined ? [`--buckets ${options.buckets}`] : []),
    ...(options.float16 ? ['--float16'] : []),
    '--out containers/nlp/model',
  ].join(' ');
  const dim = report.heads.reduce(
    (d, h) => d + (h.head.activation === 'softmax' ? h.head.labels.length : 1),
    0,
  );
  const headRows = report.heads.map((h) => scoreRows(h)).join('\n');
  const dataRows = report.heads
    .map(
      (h) =>
        `| \`${h.file}\` | ${h.counts.total} | ${Object.entries(h.labelCounts)
          .map(([l, n]) => `${l} ${n}`)
          .join(' · ')} | ${SOURCES[h.head.name]} |`,
    )
    .join('\n');
  const splitRows = report.heads
    .map((h) => `| ${h.head.name} | ${h.counts.train} | ${h.counts.dev} | ${h.counts.test} |`)
    .join('\n');
  const chosenRows = report.heads
    .map(
      (h) =>
        `| ${h.head.name} | ${h.chosen.learningRate} | ${h.chosen.l2} | ${h.chosen.epochs} | ${pct(h.chosen.dev)} |`,
    )
    .join('\n');
  return `# The shipped tweet model

Trained in the repository by \`spate nlp train\` from human-labelled tweets; nothing is
downloaded. It answers three heads at once: sentiment (negative / neutral / positive), and
the probabilities that a tweet is offensive and that it is hate speech (\`toxicity\` on
tweets.enriched). Rebuild it, from the repository root, with the data beside the checkout:

    ${command}

Same code, data, seed and Node version: the same bytes (model.onnx SHA-256
\`${report.sha256}\`). Training took ${report.trainSeconds.toFixed(0)} s on one core of the
2-core build machine (reading and normalising the tweets included).

## What it is

A FastText-style model over hashed features, in the spirit of Joulin et al. 2017 ("Bag of
Tricks for Efficient Text Classification"):

- **Features (in TypeScript, core/nlp/inference/hashed-ngrams.ts):** the worker's normalised
  text (URLs and @mentions out, emoji as words, elongations undone), lower-cased and split into
  words and symbols; each word unigram, word bigram and character ${spec.charNgrams[0]}- to
  ${spec.charNgrams[1]}-gram (inside "<word>") is hashed (FNV-1a, murmur3 finaliser) into one
  of ${spec.buckets.toLocaleString('en')} rows; each kind weighs 1/sqrt(its count). Beside them
  ${DENSE_FEATURES.length} dense features: ${DENSE_FEATURES.join(', ')} (VADER's compound
  score and lexicon, vader-sentiment, Apache-2.0).
- **Graph (ONNX opset 13, core/nlp/model/hashed-ngram-graph.ts):** \`input_ids\` [batch, n]
  -> Gather from the table [${spec.buckets}, ${dim}]${options.float16 ? ' (float16, cast to float)' : ''}
  -> times \`weights\` [batch, n], summed -> concatenated with \`dense\` [batch, ${DENSE_FEATURES.length}]
  -> per head a linear layer -> softmax (\`sentiment\` [batch, 3]) or sigmoid (\`offensive\`,
  \`hate\` [batch, 1]). config.json names the heads, labels and features.
- **Training (core/nlp/model/hashed-ngram-train.ts):** each head owns its columns of the
  table: a class-weighted (balanced) softmax or logistic regression over the features, by
  AdaGrad with L2, shuffled by the seed, at most ${card.epochs} epochs, stopped early on the dev
  slice; then calibrated on the dev slice (a binary head's best macro-F1 threshold, kept
  within 0.25-0.75, becomes 0.5; the sentiment head's class offsets are set for the best
  macro-averaged recall) and folded into the biases. Settings tried per head: ${card.grid
    .map((g) => `learning rate ${g.learningRate} with L2 ${g.l2}`)
    .join('; ')}; the dev slice picks.

## Data

Not in this repository: the tweets are Twitter content the task organisers distribute for
research under Twitter's terms, and may not be redistributed. The training command reads
them from \`--data\` (\`../shared/data/tweets/\` on the project's machines); only the trained
weights and this card are committed.

| file | tweets | labels | source |
|---|---:|---|---|
${dataRows}

## Split

Each file is split on its own, stratified by label: ${pct(card.shares.test)} % of each label is
held out (never seen in training, calibration or model choice), and ${pct(card.shares.dev)} % of the
rest is the dev slice. Membership is fixed by the seed (${options.seed}) and a hash of the tweet's
normalised text, so it does not depend on file order, and copies of a tweet (retweets, reposts
under another id) fall on one side: no held-out tweet was seen in training.

| head | train | dev | held out |
|---|---:|---:|---:|
${splitRows}

## How good it is (held-out split)

Scores in %. "rules" is what Spate had without the model, on the same tweets: VADER (the
lexicon backend) for sentiment; the risk rules at score >= 0.5 for offensive and hate. "word
n-grams only" is a FastText-like reference trained by the same code on the same split (word
unigrams and bigrams, no character n-grams, no dense features): the like-for-like baseline. The
published figures are TweetEval's, measured on each task's official test set, which differs
from this split: the SemEval-2017 sentiment test set is a later period, and the HatEval test
set is known to differ in distribution from its training data (every model scores low
there). They are the yardstick the issue set, not a like-for-like comparison.

| head | measure | this model | rules | word n-grams only | FastText (published) | RoBERTa-base (published) | best published |
|---|---|---:|---:|---:|---:|---:|---|
${headRows}

How much the held-out figures could move with another sample of the same size (95 % bootstrap
interval of each head's measure, 1,000 resamples): ${report.heads
    .map((h) => `${h.head.name} ${pct(h.interval[0])}-${pct(h.interval[1])}`)
    .join(', ')}. ${standing(report.heads)}

Per class on the held-out split (precision / recall / F1, this model):

${report.heads.map((h) => perClass(h)).join('\n')}

## Size and speed

- model.onnx: ${(report.modelBytes / 1e6).toFixed(1)} MB; the graph's probabilities match the
  TypeScript forward pass to ${report.maxGraphDifference.toExponential(1)} on held-out tweets.
- Model alone (hashing, dense features and the ONNX graph, all three heads, batches of 256,
  ONNX Runtime on one thread): **${report.speed.modelPerCore.toLocaleString('en')} tweets/s on one core**.
- The worker's whole enrichment (normalising, language, duplicates, entities, topics, risk
  rules, the model, the JSON record): ${report.speed.pipelinePerCore.toLocaleString('en')} tweets/s on one core.

Measured by the training command on the build machine, shared with other work at the time.

## Choice of settings

| head | learning rate | L2 | epochs kept | dev score |
|---|---:|---:|---:|---:|
${chosenRows}

## On AWS

The ECS task downloads every object under SPATE_NLP_MODEL_S3_URI (the stack uploads this
directory there) at start and checks model.onnx against its SHA-256 before it is used. To
serve a model by hand:

    sha256sum model.onnx > model.onnx.sha256
    aws s3 cp . s3://BUCKET/models/ --recursive --exclude '*' \\
      --include model.onnx --include model.onnx.sha256 --include config.json
`;
}

/** Where each head stands against the FastText and RoBERTa-base figures, interval included. */
function standing(heads: readonly HeadReport[]): string {
  return heads
    .map((h) => {
      const p = PUBLISHED[h.head.name];
      const [low, high] = h.interval.map((x) => x * 100) as [number, number];
      const versus = (name: string, ref: number) =>
        low > ref
          ? `above ${name} (${ref}) across the interval`
          : high < ref
            ? `below ${name} (${ref})`
            : `level with ${name} (${ref}) within the interval`;
      return `${h.head.name[0]!.toUpperCase()}${h.head.name.slice(1)}: ${versus('FastText', p.fastText)}, ${versus('RoBERTa-base', p.robertaBase)}.`;
    })
    .join(' ');
}

function scoreRows(h: HeadReport): string {
  const p = PUBLISHED[h.head.name];
  const row = (measure: string, model: number, rules: number, words: number, published: boolean) =>
    `| ${h.head.name} | ${measure} | **${pct(model)}** | ${pct(rules)} | ${pct(words)} | ${published ? p.fastText : ''} | ${
      published ? p.robertaBase : ''
    } | ${published ? p.best : ''} |`;
  if (h.head.name === 'sentiment')
    return [
      row('macro-averaged recall', h.model.macroRecall, h.rules.macroRecall, h.wordNgrams.macroRecall, true),
      row('macro-F1', h.model.macroF1, h.rules.macroF1, h.wordNgrams.macroF1, false),
      row('accuracy', h.model.accuracy, h.rules.accuracy, h.wordNgrams.accuracy, false),
    ].join('\n');
  return [
    row('macro-F1', h.model.macroF1, h.rules.macroF1, h.wordNgrams.macroF1, true),
    row('accuracy', h.model.accuracy, h.rules.accuracy, h.wordNgrams.accuracy, false),
  ].join('\n');
}

function perClass(h: HeadReport): string {
  const scores: LabelScores = h.model;
  return `- ${h.head.name}: ${h.head.labels
    .map((l, i) => {
      const c = scores.perClass[i]!;
      return `${l} ${pct(c.precision)} / ${pct(c.recall)} / ${pct(c.f1)} (n=${c.support})`;
    })
    .join('; ')}`;
}
