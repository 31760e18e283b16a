import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { TweetEnricher } from '../../core/nlp/enrich.ts';
import { evaluateSentiment } from '../../core/nlp/eval/evaluate.ts';
import { parseLabelledJsonl } from '../../core/nlp/eval/labelled.ts';
import { BACKEND_KINDS, openBackend, parseBackendKind, SHIPPED_MODEL_DIR } from './backends.ts';
import { readNlpWorkerConfig } from './config.ts';
import { createEnricher } from './enrichment.ts';
import { loadVaderLexicon } from './vader-lexicon-file.ts';

const DEVICES = ['auto', 'cpu', 'cuda'] as const;

/**
 * `spate nlp-eval` (sentiment quality on labelled tweets), `spate nlp` (the worker),
 * `spate nlp train` (the shipped model from labelled tweets) and `spate nlp score` (the
 * worker's enrichment over JSON Lines).
 */
export function registerNlp(program: Command): void {
  program
    .command('nlp-eval')
    .description(
      'Score the sentiment model on labelled tweets (JSON Lines of {text, score} or {text, label})',
    )
    .requiredOption('--data <file>', 'labelled tweets, JSON Lines')
    .option('--backend <kind>', BACKEND_KINDS.join(', '), 'lexicon')
    .option('--model <dir>', 'ONNX model directory (default: the shipped model)')
    .option('--device <device>', 'auto, cpu or cuda (onnx only)', 'auto')
    .option('--json', 'print one JSON line')
    .action(
      async (opts: { data: string; backend: string; model?: string; device: string; json?: boolean }) => {
        const kind = parseBackendKind(opts.backend, '--backend');
        if (!['auto', 'cpu', 'cuda'].includes(opts.device))
          throw new Error('--device: must be auto, cpu or cuda');
        const rows = parseLabelledJsonl(readFileSync(opts.data, 'utf8'), opts.data);
        const lexicon = loadVaderLexicon();
        const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord: (w) => lexicon.has(w) });
        const backend = await openBackend({
          kind,
          ...(opts.model !== undefined ? { modelDir: opts.model } : {}),
          device: opts.device as 'auto' | 'cpu' | 'cuda',
        });
        try {
          const result = await evaluateSentiment(rows, enricher, backend);
          if (opts.json) {
            process.stdout.write(`${JSON.stringify({ ...result, device: backend.device })}\n`);
          } else {
            const r = result.pearson_r === null ? 'n/a (no scored records)' : result.pearson_r.toFixed(3);
            process.stdout.write(
              [
                `backend      ${result.backend} (${backend.device})`,
                `tweets       ${result.n}`,
                `pearson r    ${r}`,
                `macro-F1     ${result.macro_f1.toFixed(3)}`,
                `accuracy     ${result.accuracy.toFixed(3)}`,
                `tweets/s     ${result.tweets_per_s}`,
                '',
              ].join('\n'),
            );
          }
        } finally {
          await backend.close();
        }
      },
    );

  const nlp = program
    .command('nlp')
    .description('Run the tweet NLP worker: tweets.raw -> tweets.enriched (+ tweets.alerts), exactly once')
    .action(async () => {
      const { runWorkerProcess } = await import('./main.ts');
      await runWorkerProcess();
    });

  nlp
    .command('train')
    .description(
      'Train the tweet model (sentiment, offensive, hate heads) from labelled tweets, export ONNX and write MODEL.md',
    )
    .requiredOption('--data <dir>', 'directory with sentiment.jsonl, offensive.jsonl and hate.jsonl')
    .option('--seed <n>', 'seed of the split, the shuffles and the initial state', '7')
    .option('--out <dir>', 'model directory to write', SHIPPED_MODEL_DIR)
    .option('--buckets <n>', 'rows of the hashed feature table, a power of two', String(1 << 18))
    .option('--float16', 'store the table in half precision (half the file)')
    .action(async (opts: { data: string; seed: string; out: string; buckets: string; float16?: boolean }) => {
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new Error('--seed: must be a non-negative integer');
      const buckets = Number(opts.buckets);
      if (!Number.isInteger(Math.log2(buckets)) || buckets < 2)
        throw new Error('--buckets: must be a power of two');
      const { trainTweetModel } = await import('./train.ts');
      const report = await trainTweetModel({
        data: opts.data,
        out: opts.out,
        seed,
        buckets,
        float16: opts.float16 ?? false,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      for (const h of report.heads) {
        const main = h.head.name === 'sentiment' ? h.model.macroRecall : h.model.macroF1;
        const rules = h.head.name === 'sentiment' ? h.rules.macroRecall : h.rules.macroF1;
        const words = h.head.name === 'sentiment' ? h.wordNgrams.macroRecall : h.wordNgrams.macroF1;
        process.stdout.write(
          `${h.head.name.padEnd(10)} ${h.head.name === 'sentiment' ? 'macro-recall' : 'macro-F1    '} ${(main * 100).toFixed(1)} (rules ${(rules * 100).toFixed(1)}, word n-grams only ${(words * 100).toFixed(1)}) on ${h.counts.test} held-out tweets\n`,
        );
      }
      process.stdout.write(
        `model ${(report.modelBytes / 1e6).toFixed(1)} MB, ${report.speed.modelPerCore} tweets/s per core (model), trained in ${report.trainSeconds.toFixed(0)} s; card: ${join(opts.out, 'MODEL.md')}\n`,
      );
    });

  nlp
    .command('score')
    .description(
      'Enrich tweets as the worker does: tweets.raw JSON Lines on stdin, tweets.enriched JSON Lines on stdout, in order',
    )
    .option('--backend <kind>', `${BACKEND_KINDS.join(', ')} (default: SPATE_NLP_BACKEND, else auto)`)
    .option('--model <dir>', 'model directory (default: SPATE_NLP_MODEL_DIR, else the shipped model)')
    .option('--device <device>', DEVICES.join(', '))
    .option(
      '--toxicity-threshold <p>',
      'flag toxicity from this probability (default: SPATE_NLP_TOXICITY_THRESHOLD, else 0.5)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Each input line is one tweet, at least {"id", "text"}; each output line is the JSON the worker',
        'writes to tweets.enriched for it. A line that is not a tweet is reported on stderr as',
        '"line N: <field>: <rule>" and skipped; the exit status is then 1, after every other line is scored.',
        'The worker settings (SPATE_NLP_LANGUAGES, SPATE_NLP_RULES_FILE, ...) apply as they do to the worker.',
        '',
        'Example:',
        '  echo \'{"id":"1","text":"Loving the new phone 😍"}\' | npx spate nlp score',
      ].join('\n'),
    )
    .action(
      async (opts: { backend?: string; model?: string; device?: string; toxicityThreshold?: string }) => {
        const config = readNlpWorkerConfig({
          ...process.env,
          ...(opts.backend !== undefined ? { SPATE_NLP_BACKEND: opts.backend } : {}),
          ...(opts.model !== undefined ? { SPATE_NLP_MODEL_DIR: opts.model } : {}),
          ...(opts.device !== undefined ? { SPATE_NLP_DEVICE: opts.device } : {}),
          ...(opts.toxicityThreshold !== undefined
            ? { SPATE_NLP_TOXICITY_THRESHOLD: opts.toxicityThreshold }
            : {}),
        });
        const lexicon = loadVaderLexicon();
        const enricher = createEnricher(config, lexicon);
        const backend = await openBackend({
          kind: config.backend,
          lexicon,
          ...(config.modelDir !== undefined ? { modelDir: config.modelDir } : {}),
          device: config.device,
          precision: config.precision ?? 'auto',
          lengthBatching: config.lengthBatching,
        });
        const { scoreTweets } = await import('./score.ts');
        try {
          const summary = await scoreTweets(process.stdin, process.stdout, process.stderr, enricher, backend);
          if (summary.rejected > 0) {
            process.stderr.write(`${summary.rejected} line(s) rejected, ${summary.scored} tweets scored\n`);
            process.exitCode = 1;
          }
        } finally {
          await backend.close();
        }
      },
    );
}
