/**
 * Builds the shipped sentiment model into containers/nlp/model/, reproducibly:
 *   npx tsx containers/nlp/build-model.ts
 * Generates the corpus (core/nlp/model/corpus.ts), builds the vocabulary and tokenizer,
 * trains the classifier, writes it as ONNX with the Hugging Face side files, then scores
 * the written model through the worker's own ONNX backend and records the figures in
 * MODEL.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TweetEnricher } from '../../core/nlp/enrich.ts';
import { evaluateSentiment } from '../../core/nlp/eval/evaluate.ts';
import { parseLabelledJsonl } from '../../core/nlp/eval/labelled.ts';
import { LexiconBackend } from '../../core/nlp/inference/lexicon-backend.ts';
import { generateCorpus, splitLexicon } from '../../core/nlp/model/corpus.ts';
import { classifierOnnx } from '../../core/nlp/model/onnx-graph.ts';
import { trainClassifier } from '../../core/nlp/model/train.ts';
import {
  buildVocabulary,
  TOKENIZER_CONFIG,
  tokenizerJson,
} from '../../core/nlp/model/wordpiece-tokenizer.ts';
import { normaliseTweetText } from '../../core/nlp/normalise.ts';
import { SENTIMENT_LABELS } from '../../core/nlp/sentiment.ts';
import { SHIPPED_MODEL_DIR } from './backends.ts';
import { OnnxBackend } from './onnx-backend.ts';
import { loadVaderLexicon } from './vader-lexicon-file.ts';

const SETTINGS = { trainSize: 60_000, testSize: 5_000, trainSeed: 7, testSeed: 1_000_003, initSeed: 11 };
const SHAPE = { hidden: 32, inner: 32, classes: 3, epochs: 8, learningRate: 0.1 };
const LABELLED = new URL('../../bench/nlp/data/tweets-labelled.jsonl', import.meta.url);

const lexicon = loadVaderLexicon();
const isWord = (w: string) => lexicon.has(w);
const normalised = (texts: { text: string; label: string }[]) =>
  texts.map((t) => ({
    text: normaliseTweetText(t.text, { isWord }).text,
    label: SENTIMENT_LABELS.indexOf(t.label as never),
  }));

const started = performance.now();
const train = normalised(generateCorpus(SETTINGS.trainSize, SETTINGS.trainSeed, lexicon));
const { positive, negative } = splitLexicon(lexicon);
const vocabulary = buildVocabulary(
  train.map((t) => t.text),
  [...positive, ...negative],
  2,
);
const tokenizerFile = tokenizerJson(vocabulary);
const tokenizer = new Tokenizer(tokenizerFile, TOKENIZER_CONFIG);
const examples = train.map((t) => ({ ids: tokenizer.encode(t.text).ids, label: t.label }));
const weights = trainClassifier(examples, {
  vocabSize: vocabulary.length,
  seed: SETTINGS.initSeed,
  ...SHAPE,
});
const onnx = classifierOnnx(weights);
const trainSeconds = (performance.now() - started) / 1000;

mkdirSync(SHIPPED_MODEL_DIR, { recursive: true });
const write = (file: string, body: string | Uint8Array) => writeFileSync(join(SHIPPED_MODEL_DIR, file), body);
write('model.onnx', onnx);
write('tokenizer.json', `${JSON.stringify(tokenizerFile)}\n`);
write('tokenizer_config.json', `${JSON.stringify(TOKENIZER_CONFIG, null, 2)}\n`);
write(
  'config.json',
  `${JSON.stringify(
    {
      architectures: ['BagOfEmbeddingsForSequenceClassification'],
      model_type: 'spate-bag-of-embeddings',
      id2label: { 0: 'negative', 1: 'neutral', 2: 'positive' },
      label2id: { negative: 0, neutral: 1, positive: 2 },
      vocab_size: vocabulary.length,
      hidden_size: SHAPE.hidden,
      pad_token_id: 0,
      max_position_embeddings: 128,
    },
    null,
    2,
  )}\n`,
);
const sha256 = createHash('sha256').update(onnx).digest('hex');

// Score what was written, through the worker's own loading path.
const onnxBackend = await OnnxBackend.load(SHIPPED_MODEL_DIR, { device: 'cpu', maxLength: 128 });
const lexiconBackend = new LexiconBackend(lexicon);
const enricher = () => new TweetEnricher({ targetLanguages: ['en'], isWord });
const heldOut = generateCorpus(SETTINGS.testSize, SETTINGS.testSeed, lexicon);
const labelled = parseLabelledJsonl(readFileSync(LABELLED, 'utf8'));
const rows: string[] = [];
for (const [name, data] of [
  ['held-out generated tweets (seed 1000003)', heldOut],
  ['hand-labelled tweets (bench/nlp/data/tweets-labelled.jsonl)', labelled],
] as const) {
  for (const backend of [onnxBackend, lexiconBackend]) {
    const r = await evaluateSentiment(data, enricher(), backend);
    rows.push(
      `| ${name} | ${r.backend} | ${r.n} | ${r.pearson_r ?? 'n/a'} | ${r.macro_f1} | ${r.accuracy} |`,
    );
  }
}
await onnxBackend.close();

write(
  'MODEL.md',
  `# The shipped sentiment model

Built in-repo by \`npx tsx containers/nlp/build-model.ts\`; nothing is downloaded. Same code,
same seeds: same bytes (model.onnx SHA-256 \`${sha256}\`).

## What it is
A bag-of-embeddings classifier with the interface of a Hugging Face sequence-classification
export: \`input_ids\`, \`attention_mask\` (int64, [batch, sequence]) -> \`logits\` [batch, 3],
labels in config.json, a BERT-style WordPiece tokenizer.json. Graph: embedding lookup
(${vocabulary.length} x ${SHAPE.hidden}) -> masked mean -> dense ${SHAPE.hidden}x${SHAPE.inner} + ReLU -> dense ${SHAPE.inner}x3.
The ONNX protobuf is written by core/nlp/model/onnx-graph.ts (opset 13), weights trained by
core/nlp/model/train.ts (SGD, ${SHAPE.epochs} epochs, softmax cross-entropy).

## Data
${SETTINGS.trainSize} generated tweets (core/nlp/model/corpus.ts, seed ${SETTINGS.trainSeed}): templates with
products, delivery, support, sport and entertainment subjects; sentiment words from VADER's
lexicon (vader-sentiment, Apache-2.0) by the sign of their human rating; negation, "but"
turns, emoji, links, mentions, hashtags, elongations and shouting. Labels follow from how
each tweet was built. Input is the worker's normalised text (emoji already words).

## How good it is
| data | backend | n | Pearson r | macro-F1 | accuracy |
|---|---|---|---|---|---|
${rows.join('\n')}

The generated test set shares the training templates, so its figures flatter the model; the
hand-labelled set (90 tweets written for this project) is the honest one, and it is small.
The model exists so the ONNX path (batching, padding, tokenizer, execution providers) runs
end to end in local mode and CI; for production quality, point SPATE_NLP_MODEL_DIR (or
SPATE_NLP_MODEL_S3_URI) at a fine-tuned transformer exported the standard way.

## On AWS

The ECS task downloads every object under SPATE_NLP_MODEL_S3_URI (the stack's model bucket,
prefix models/) at start and runs the ONNX backend on CUDA. Upload the four files and the
checksum the task verifies model.onnx against:

    sha256sum model.onnx > model.onnx.sha256
    aws s3 cp . s3://BUCKET/models/ --recursive --exclude '*' \\
      --include model.onnx --include model.onnx.sha256 --include config.json --include 'tokenizer*.json'

Training took ${trainSeconds.toFixed(1)} s on the build machine.
`,
);
// The side files are committed, so they take the project's formatting.
spawnSync('npx', ['biome', 'format', '--write', SHIPPED_MODEL_DIR], { stdio: 'ignore' });
process.stdout.write(`${rows.join('\n')}\nmodel.onnx sha256 ${sha256}, ${onnx.length} bytes\n`);
